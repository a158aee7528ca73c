"""Every command module is registered in ``planner.commands.COMMANDS``, once, and ``planner
--help`` lists the commands in that order."""

from __future__ import annotations

import pkgutil

import planner.commands as package
from planner.cli import build_parser
from planner.commands import COMMANDS


def command_modules() -> set[str]:
    names = set()
    for info in pkgutil.iter_modules(package.__path__):
        module = __import__(f"planner.commands.{info.name}", fromlist=["register"])
        if hasattr(module, "register"):
            names.add(module.__name__)
    return names


def test_every_module_with_register_is_in_the_list_once():
    listed = [m.__name__ for m in COMMANDS]
    assert len(listed) == len(set(listed))
    assert set(listed) == command_modules()


def test_help_lists_the_commands_in_registry_order():
    parser = build_parser()
    action = next(a for a in parser._subparsers._group_actions if a.dest == "command")
    names = list(action.choices)
    assert names[:3] == ["tonight", "night", "targets"]
    assert {"aavso", "arcsecond", "crosscheck", "export", "images", "keys", "plan", "solve"} <= set(names)
