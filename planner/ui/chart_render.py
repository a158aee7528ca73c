"""The window's side of the chart's drawing process: one sender thread ships coalesced
``ChartState``s to the child (``planner.plot.render``; the night only when it changes),
waits for the pixels with the GIL released, and hands a ``QImage`` with its hover snapshot
to the GUI thread. The newest state wins; a render in progress is followed by at most one
more; a failed render keeps the last picture; a dead process is restarted.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from planner.plot.night import HoverSnapshot
from planner.plot.render import KEEP as _KEEP
from planner.plot.render import ChartState, CurveInfo, Picture, drawing_process_main

log = logging.getLogger(__name__)


@dataclass
class RenderResult:
    serial: int
    image: QImage
    snapshot: HoverSnapshot
    curves: tuple[CurveInfo, ...]
    state: ChartState
    pid: int
    seconds: float


class RenderError(RuntimeError):
    """The drawing process failed to draw a state (its traceback is the message)."""


class _Bridge(QObject):
    """Carries "a new picture is ready" from the sender thread to the GUI thread (queued)."""

    rendered = Signal()


class ChartRenderer:
    """The GUI process's side: one sender thread and the drawing process it feeds.

    ``lock`` is held by the sender thread for each render (tests hold it to keep a render
    "in progress"). The process is started on the first render and restarted if it dies.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.bridge = _Bridge()  # parentless, owned here: never deleted under the thread's feet
        self.renders = 0
        self.sender_threads: set[int] = set()
        self.render_pids: set[int] = set()
        self.last_error: BaseException | None = None
        self.result: RenderResult | None = None
        self._cond = threading.Condition()
        self._pending: ChartState | None = None
        self._busy = False
        self._stopped = False
        self._thread: threading.Thread | None = None
        self._process = None
        self._conn = None
        self._sent_obs: object = _KEEP  # the night the process holds

    # -- called from the GUI thread --------------------------------------------------------

    def submit(self, state: ChartState) -> None:
        """Render ``state`` soon; replaces any state still waiting."""
        with self._cond:
            if self._stopped:
                return
            self._pending = state
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="chart-render", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    @property
    def idle(self) -> bool:
        with self._cond:
            return not self._busy and self._pending is None

    def wait_idle(self, timeout_s: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self._stopped or (not self._busy and self._pending is None),
                                       timeout=timeout_s)

    def stop(self, join_s: float = 0.0) -> None:
        """No more renders; a render in progress finishes but its picture is not announced.
        The drawing process is told to leave (and ends with the sender thread)."""
        with self._cond:
            self._stopped = True
            self._pending = None
            self._cond.notify_all()
            thread = self._thread
        if join_s > 0 and thread is not None and thread is not threading.current_thread():
            thread.join(join_s)

    @property
    def stopped(self) -> bool:
        return self._stopped

    @property
    def thread(self) -> threading.Thread | None:
        return self._thread

    @property
    def process(self):
        return self._process

    # -- the sender thread -----------------------------------------------------------------

    def _run(self) -> None:
        serial = 0
        try:
            while True:
                with self._cond:
                    self._cond.wait_for(lambda: self._stopped or self._pending is not None)
                    if self._stopped:
                        return
                    state, self._pending = self._pending, None
                    self._busy = True
                result = None
                try:
                    with self.lock:
                        result = self._render(state, serial + 1)
                    serial += 1
                except Exception as exc:  # keep the last picture; the next state gets a fresh try
                    log.error("the chart could not be drawn: %s", exc)
                    self.last_error = exc
                with self._cond:
                    if result is not None:
                        self.result = result
                        self.last_error = None
                    self._busy = False
                    self._cond.notify_all()
                    announce = result is not None and not self._stopped
                if announce:
                    self.bridge.rendered.emit()
        finally:
            self._close_process()

    def _render(self, state: ChartState, serial: int) -> RenderResult:
        self.renders += 1
        self.sender_threads.add(threading.get_ident())
        if self._process is None or not self._process.is_alive():
            self._start_process()
        night = _KEEP if state.obs is self._sent_obs else state.obs
        try:
            self._conn.send((replace(state, obs=None), night))
            self._sent_obs = state.obs
            kind, payload = self._conn.recv()  # waits with the GIL released
        except (EOFError, OSError, BrokenPipeError) as exc:
            self._close_process()
            raise RenderError(f"the drawing process ended unexpectedly ({exc!r}); it is restarted "
                              "for the next change") from exc
        if kind != "ok":
            self._sent_obs = _KEEP  # it may hold a half-applied night: send it again next time
            raise RenderError(payload)
        picture: Picture = payload
        self.render_pids.add(picture.pid)
        # converted here, once, to the format the screen paints without converting again
        image = QImage(picture.rgba, picture.width, picture.height, 4 * picture.width,
                       QImage.Format.Format_RGBA8888).convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(state.dpr)
        return RenderResult(serial, image, picture.snapshot, picture.curves, state, picture.pid,
                            picture.seconds)

    def _start_process(self) -> None:
        self._close_process()
        ctx = multiprocessing.get_context("spawn")  # never fork a process that runs Qt threads
        parent, child = ctx.Pipe()
        process = ctx.Process(target=drawing_process_main, args=(child,), name="planner-chart", daemon=True)
        process.start()
        child.close()
        self._process, self._conn, self._sent_obs = process, parent, _KEEP

    def _close_process(self) -> None:
        process, conn = self._process, self._conn
        self._process = self._conn = None
        self._sent_obs = _KEEP
        if conn is not None:
            try:
                conn.send(None)
            except (OSError, ValueError):
                pass
            conn.close()
        if process is not None:
            process.join(2.0)
            if process.is_alive():
                process.terminate()
                process.join(1.0)
