"""Headless sub-commands. Each module here defines ``register(subparsers)``; ``planner.cli``
finds them all. Modules keep heavy imports (astropy, requests, Qt) inside their handlers so
``planner --help`` stays fast."""

import argparse


def value_may_start_with_dash(action):
    """Mark an option whose value may begin with '-' (``--order-by -uploaded``): argparse
    would take such a value for an option of its own; ``planner.cli`` joins the two."""
    action.value_may_start_with_dash = True
    return action


def join_dash_values(parser, argv: list[str]) -> list[str]:
    """``argv`` with ``OPTION -value`` written as ``OPTION=-value`` for the marked options."""
    flags = set()
    stack = [parser]
    while stack:
        current = stack.pop()
        for action in current._actions:  # argparse keeps no public list of them
            if getattr(action, "value_may_start_with_dash", False):
                flags.update(action.option_strings)
            if isinstance(action, argparse._SubParsersAction):
                stack.extend(action.choices.values())
    out: list[str] = []
    index = 0
    while index < len(argv):
        arg = argv[index]
        following = argv[index + 1] if index + 1 < len(argv) else None
        if arg in flags and following is not None and following.startswith("-") and following != "--":
            out.append(f"{arg}={following}")
            index += 2
            continue
        out.append(arg)
        index += 1
    return out
