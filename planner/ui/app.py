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
from typing import NoReturn

from planner import APP_DISPLAY_NAME, APP_NAME, __version__, timeline
from planner.ui.syslibs import missing_libraries_reason


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

    reason = no_display_reason() or missing_libraries_reason()
    if reason:
        print(f"planner: {reason}", file=sys.stderr)
        return 2
    multiprocessing.freeze_support()  # the frozen app's helper process starts through here
    args, qt_args = _parser().parse_known_args(list(argv or []))
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    timeline.enable(bool(args.debug))
    if args.debug:
        logging.getLogger("matplotlib.font_manager").setLevel(logging.NOTSET)  # planner/__init__.py

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    timeline.mark("Qt imported")
    install_qt_message_filter()
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else APP_NAME, *qt_args])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_DISPLAY_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("planner")  # matches packaging/planner.desktop, for the taskbar icon
    app.setOrganizationName(APP_NAME)
    from planner.ui.icons import app_icon

    app.setWindowIcon(app_icon())

    from planner.ui.main_window import MainWindow
    from planner.ui.targets_model import COLUMN_INDEX

    timeline.mark("window modules imported")
    window = MainWindow()
    quitter = QuitOnSignals(window)
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
        # The chart draws in the helper process; wait for the picture of the final state.
        window.chart.flush()
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
    timeline.mark("event loop left")
    quitter.uninstall()
    window.save_window_state()
    window.stop_work()
    return finish(outcome["code"] or int(code))


def finish(code: int) -> NoReturn:
    """Leave at once, whatever is still in flight. Everything the user has was saved before
    (plans by the quit prompt, layout and settings on close, each written and closed); the
    helper process is stopped (joined: no orphan, no defunct child); a worker still busy
    (a request hanging on a server that never answers) is not waited for beyond
    ``EXIT_GRACE_MS``. Then the process ends with ``os._exit`` after flushing its output: the
    interpreter's own tear-down (destroying every Qt object and module, atexit hooks) took
    0.4-0.7 s under load and saved nothing, so the window was gone but the process was not."""
    from PySide6.QtCore import QThreadPool

    from planner.app.helper import stop_helper_process

    stop_helper_process()
    idle = QThreadPool.globalInstance().waitForDone(EXIT_GRACE_MS)
    timeline.mark("helper stopped" + ("" if idle else "; workers still busy: not waited for"))
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


EXIT_GRACE_MS = 200  # how long quitting waits for workers to notice before leaving without them


class QuitOnSignals:
    """Ctrl+C (SIGINT) and SIGTERM close the window as File > Quit does: the quit prompt
    asks about unsaved changes, and the process leaves cleanly, without a traceback.

    Python runs signal handlers only between bytecodes, never while Qt's event loop waits in
    C++; so the handler writes to a socket that a ``QSocketNotifier`` watches (the wake-up
    file descriptor), and the window is closed from the event loop. A second signal while
    the prompt is open is ignored; the prompt decides.
    """

    SIGNALS = ("SIGINT", "SIGTERM")

    def __init__(self, window) -> None:
        import signal
        import socket

        from PySide6.QtCore import QSocketNotifier

        self.window = window
        self._previous: dict = {}
        self._old_wakeup = -1
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, window)
        self._notifier.activated.connect(self._on_wakeup)
        try:
            self._old_wakeup = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
            for name in self.SIGNALS:
                number = getattr(signal, name, None)
                if number is not None:
                    self._previous[number] = signal.signal(number, self._note)
        except (ValueError, OSError):  # not the main thread, or no such signal here
            pass
        self._received: list[int] = []

    def _note(self, number, _frame) -> None:
        self._received.append(number)  # the wake-up fd makes the event loop call _on_wakeup

    def _on_wakeup(self, *_args) -> None:
        try:
            while self._reader.recv(64):
                pass
        except (BlockingIOError, OSError):
            pass
        if not self._received:
            return
        import signal

        number = self._received.pop()
        self._received.clear()
        timeline.mark(f"signal {signal.Signals(number).name}: closing the window")
        from PySide6.QtWidgets import QApplication

        if self.window.close():  # False: the user chose to stay (Cancel in the quit prompt)
            QApplication.instance().quit()

    def uninstall(self) -> None:
        import signal

        for number, handler in self._previous.items():
            try:
                signal.signal(number, handler if handler is not None else signal.SIG_DFL)
            except (ValueError, OSError):
                pass
        try:
            signal.set_wakeup_fd(self._old_wakeup)
        except (ValueError, OSError):
            pass
        self._notifier.setEnabled(False)


# Qt warnings that say nothing a user of planner can act on: Qt's default window-system
# plugins print them for every window (offscreen: size hints it does not propagate).
QT_NOISE = ("This plugin does not support propagateSizeHints()",)


def install_qt_message_filter() -> None:
    """Route Qt's messages to logging (``qt`` logger) and drop the known noise."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("qt")
    levels = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
              QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
              QtMsgType.QtFatalMsg: logging.CRITICAL}

    def handler(kind, context, message: str) -> None:
        if any(noise in message for noise in QT_NOISE):
            return
        qt_log.log(levels.get(kind, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(run_gui(sys.argv[1:]))
