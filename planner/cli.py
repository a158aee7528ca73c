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


class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser whose refusal is one line: what was wrong and where help is
    (argparse prints the whole usage block first); sub-parsers inherit the class."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(
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
    """Run one command (or the window); whatever happens, the user sees at most one line
    about it on stderr, never a traceback."""
    timeline.mark("planner started")
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), "")
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("planner: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except SystemExit as exc:  # argparse: --help, --version, or a refused argument
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except Exception as exc:  # noqa: BLE001 - the last guard: a bug is one line, not a traceback
        where = _save_details(exc)
        kind = "not enough memory" if isinstance(exc, MemoryError) else f"{exc.__class__.__name__}: {_short(exc)}"
        print(
            f"planner {command}: unexpected error ({kind}). This is a bug in planner; please report it"
            + (f" with the details saved in {where}" if where else "") + ".",
            file=sys.stderr,
        )
        return 70


def _main(argv: list[str]) -> int:
    parser = build_parser()
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        return gui_main(argv)

    args = parser.parse_args(join_dash_values(parser, argv))
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 0
    if not getattr(args, "reports_settings_warnings", False):
        _print_settings_warnings()
    try:
        result = func(args)
    except (PlannerError, ValueError, OSError, LookupError) as exc:
        message = str(exc) or exc.__class__.__name__
        print(f"planner {args.command}: {message}", file=sys.stderr)
        return 2
    return int(result or 0)


def _print_settings_warnings() -> None:
    """Each unusable value in the settings file, once per run (``Settings.warnings``)."""
    from planner.config import SettingsError, load_settings, settings_path

    try:
        warnings = load_settings().warnings
    except SettingsError:
        return  # an unreadable file is reported by the command that needs it
    for warning in warnings:
        print(f"planner: warning: settings {settings_path()}: {warning}", file=sys.stderr)


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 160 else text[:157] + "..."


def _save_details(exc: BaseException) -> str | None:
    """The traceback in the cache folder, for a bug report; None if it cannot be written."""
    import traceback

    try:
        from planner.config import cache_dir

        path = cache_dir() / "last-error.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(traceback.format_exception(exc)), "utf-8")
        return str(path)
    except Exception:  # noqa: BLE001 - reporting must not fail in turn
        return None
