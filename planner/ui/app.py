"""The GUI entry point: ``run_gui(argv)`` makes the QApplication and the main window.

Hidden options serve tests and documentation: ``--screenshot PATH`` saves the window once
the targets and their visibility are shown, ``--quit-after MS`` leaves after that many
milliseconds (with a screenshot, once it is saved), ``--theme NAME`` and
``--size WxH`` set the look and the window size, ``--night YYYY-MM-DD`` picks the night
and ``--select N[,N...]`` selects rows (table order) so the chart shows curves.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import logging
import os
import sys
from pathlib import Path

from planner import APP_DISPLAY_NAME, APP_NAME, __version__


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="planner", description=f"{APP_DISPLAY_NAME} (desktop window)")
    hidden = argparse.SUPPRESS
    parser.add_argument("--screenshot", metavar="PATH", help=hidden)
    parser.add_argument("--quit-after", metavar="MS", type=int, help=hidden)
    parser.add_argument("--theme", choices=("light", "dark", "night"), help=hidden)
    parser.add_argument("--size", metavar="WxH", help=hidden)
    parser.add_argument("--night", metavar="YYYY-MM-DD", help=hidden)
    parser.add_argument("--select", metavar="ROWS", help=hidden)
    parser.add_argument("--sort", metavar="COLUMN", help=hidden)
    parser.add_argument("--debug", action="store_true", help=hidden)
    return parser


def no_display_reason(environ=None, platform: str | None = None) -> str | None:
    """Why the window cannot open here, or None. On Linux without X11 or Wayland, Qt would
    abort with a misleading "reinstalling the application may fix this"."""
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux") or "-platform" in sys.argv:
        return None
    if environ.get("QT_QPA_PLATFORM") or environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "there is no display to open the window on (DISPLAY and WAYLAND_DISPLAY are not set). "
        "Use `planner tonight` and the other commands headless, or set QT_QPA_PLATFORM=offscreen."
    )


def run_gui(argv: list[str] | None = None) -> int:
    """Open the window and run until it closes; returns the exit code."""
    import multiprocessing

    reason = no_display_reason()
    if reason:
        print(f"planner: {reason}", file=sys.stderr)
        return 2
    multiprocessing.freeze_support()  # the frozen app's sky helper process starts through here
    args, qt_args = _parser().parse_known_args(list(argv or []))
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else APP_NAME, *qt_args])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_DISPLAY_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("planner")  # matches packaging/planner.desktop, for the taskbar icon
    from planner.ui.icons import app_icon

    app.setWindowIcon(app_icon())
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName(APP_NAME)

    from planner.ui.main_window import MainWindow
    from planner.ui.targets_model import COLUMN_INDEX

    window = MainWindow()
    if args.theme:
        window.apply_theme(args.theme, save=False)
    if args.size:
        try:
            width, height = (int(v) for v in args.size.lower().split("x"))
            window.resize(width, height)
        except ValueError:
            print(f"planner: --size wants WxH, not {args.size!r}", file=sys.stderr)
            return 2
    if args.night:
        try:
            window.set_night_date(_dt.date.fromisoformat(args.night))
        except ValueError:
            print(f"planner: --night wants YYYY-MM-DD, not {args.night!r}", file=sys.stderr)
            return 2
    if args.sort:
        key, _, order = args.sort.partition(":")
        if key in COLUMN_INDEX:
            from PySide6.QtCore import Qt

            window.table.sortByColumn(
                COLUMN_INDEX[key], Qt.SortOrder.DescendingOrder if order == "desc" else Qt.SortOrder.AscendingOrder)
    window.show()

    outcome = {"code": 0}
    shot = Path(args.screenshot) if args.screenshot else None

    def take_screenshot() -> None:
        if args.select:
            rows = [int(r) for r in args.select.split(",") if r.strip().isdigit()]
            window.table.select_target_indices(window.proxy.target_indices(
                [r for r in rows if r < window.proxy.rowCount()]))
        # let the chart and the table paint the new selection before grabbing
        QTimer.singleShot(400, save_and_maybe_quit)

    def save_and_maybe_quit() -> None:
        shot.parent.mkdir(parents=True, exist_ok=True)
        # The chart draws in its own process; wait for the picture of the final state.
        window.chart.flush(10_000)
        if not window.grab().save(str(shot)):
            print(f"planner: could not save the screenshot to {shot}", file=sys.stderr)
            outcome["code"] = 1
        if args.quit_after is not None:
            app.quit()

    if shot is not None:
        if window.is_ready:
            QTimer.singleShot(0, take_screenshot)
        else:
            window.ready.connect(take_screenshot)
    if args.quit_after is not None:
        def give_up() -> None:
            if shot is not None and not shot.exists():
                print("planner: the window did not become ready in time", file=sys.stderr)
                outcome["code"] = 1
            app.quit()

        QTimer.singleShot(max(0, args.quit_after), give_up)

    code = app.exec()
    window.save_window_state()
    # let running workers (a sky computation, a download) end before Python tears down
    from PySide6.QtCore import QThreadPool

    from planner.app.helper import shutdown_process_pool

    shutdown_process_pool()
    QThreadPool.globalInstance().waitForDone(10_000)
    return outcome["code"] or int(code)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(run_gui(sys.argv[1:]))
