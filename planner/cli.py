"""The ``planner`` command: with no sub-command it opens the GUI, with one it works headless.

Sub-commands live in ``planner.commands.*``, registered in ``planner.commands.COMMANDS``;
each module has ``register(subparsers)`` and sets ``func`` on its parser. Handlers raise
``CommandError`` (or any ``ValueError``/``OSError`` subclass with a clear message) and this
module turns it into one line on stderr and exit 2. The window is imported only when it
opens (``gui_main``), so the headless commands never load Qt.
"""

from __future__ import annotations

import argparse
import sys

from planner import APP_DISPLAY_NAME, __version__, timeline
from planner.commands import COMMANDS, CommandError, join_dash_values
from planner.errors import PlannerError

__all__ = ["CommandError", "build_parser", "gui_main", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="planner",
        description=(
            f"{APP_DISPLAY_NAME}: plan variable-star observing nights. Without a sub-command "
            "it opens the desktop window; with one it works headless."
        ),
    )
    parser.add_argument("--version", action="version", version=f"planner {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="open the window and print its start-up timeline and debug messages on stderr")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register(subparsers)
    return parser


def gui_main(argv: list[str] | None = None) -> int:
    from planner.ui.app import (
        run_gui,  # here, not at the top: the headless commands never load Qt
    )

    return run_gui(argv if argv is not None else sys.argv[1:])


def main(argv: list[str] | None = None) -> int:
    timeline.mark("planner started")
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        return gui_main(argv)

    args = parser.parse_args(join_dash_values(parser, argv))
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 0
    try:
        result = func(args)
    except KeyboardInterrupt:
        print("planner: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except (PlannerError, ValueError, OSError, LookupError) as exc:
        message = str(exc) or exc.__class__.__name__
        print(f"planner {args.command}: {message}", file=sys.stderr)
        return 2
    return int(result or 0)
