"""The window's side of the chart's drawing: one sender thread ships coalesced
``ChartState``s to the helper process's draw lane (``planner.app.helper``, running
``planner.plot.render.render_for``; the night only when it changes), waits for the pixels
with the GIL released, and hands a ``QImage`` with its hover snapshot to the GUI thread.
The newest state wins; a render in progress is followed by at most one more; a failed
render keeps the last picture; a helper that died is started again for the next change.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from planner.app.helper import DRAW, HelperUnavailable, helper
from planner.plot.hover import HoverSnapshot
from planner.plot.picture import (
    KEEP,
    NEED_NIGHT,
    ChartState,
    CurveInfo,
    Picture,
    draw_in_helper,
    forget_in_helper,
)

log = logging.getLogger(__name__)
_NOTHING = object()  # no night sent yet


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
    """The GUI process's side of one chart: a sender thread feeding the helper's draw lane,
    where the chart has a figure of its own (named ``client``).

    ``lock`` is held by the sender thread for each render (tests hold it to keep a render
    "in progress"). The helper is started by the first render if it is not running.
    """

    def __init__(self, *, held: bool = False) -> None:
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
        self._held = held  # renders wait until release(): the window starts the helper first
        self._thread: threading.Thread | None = None
        self.client = uuid.uuid4().hex  # this chart's figure in the helper
        self._sent_obs: object = _NOTHING  # the night the helper holds for this chart

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

    def release(self) -> None:
        """Let a renderer made ``held`` start drawing (what it was asked meanwhile, newest first)."""
        with self._cond:
            self._held = False
            self._cond.notify_all()

    @property
    def idle(self) -> bool:
        with self._cond:
            return not self._busy and self._pending is None

    @property
    def rendering(self) -> bool:
        """The sender thread has taken a state and is drawing it."""
        with self._cond:
            return self._busy

    @property
    def waiting(self) -> ChartState | None:
        """The newest state asked for and not yet taken by the sender thread."""
        with self._cond:
            return self._pending

    def wait_idle(self, timeout_s: float) -> bool:
        with self._cond:
            return self._cond.wait_for(
                lambda: self._stopped or self._held or (not self._busy and self._pending is None), timeout=timeout_s)

    def stop(self, join_s: float = 0.0) -> None:
        """No more renders; a render in progress finishes but its picture is not announced.
        The helper drops this chart's figure when the sender thread ends."""
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
        """The helper process that draws (shared with the window's astronomy)."""
        return helper().process

    # -- the sender thread -----------------------------------------------------------------

    def _run(self) -> None:
        serial = 0
        try:
            while True:
                with self._cond:
                    self._cond.wait_for(lambda: self._stopped or (self._pending is not None and not self._held))
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
                    quitting = self._stopped or helper().stopped
                    log.log(logging.DEBUG if quitting else logging.ERROR, "the chart could not be drawn: %s", exc)
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
            self._forget()

    def _render(self, state: ChartState, serial: int) -> RenderResult:
        self.renders += 1
        self.sender_threads.add(threading.get_ident())
        bare = replace(state, obs=None)
        night = KEEP if state.obs is self._sent_obs else state.obs
        try:
            try:
                answer = helper().call(DRAW, draw_in_helper, self.client, bare, night)  # GIL released
                if answer == NEED_NIGHT:  # a new helper since the last picture
                    answer = helper().call(DRAW, draw_in_helper, self.client, bare, state.obs)
            finally:
                self._sent_obs = _NOTHING
            self._sent_obs = state.obs
        except HelperUnavailable as exc:
            raise RenderError(str(exc)) from exc
        except Exception as exc:  # the drawing failed over there: its reason, with the traceback
            raise RenderError(f"{type(exc).__name__}: {exc}") from exc
        picture: Picture = answer
        self.render_pids.add(picture.pid)
        # converted here, once, to the format the screen paints without converting again
        image = QImage(picture.rgba, picture.width, picture.height, 4 * picture.width,
                       QImage.Format.Format_RGBA8888).convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(state.dpr)
        return RenderResult(serial, image, picture.snapshot, picture.curves, state, picture.pid,
                            picture.seconds)

    def _forget(self) -> None:
        """The chart is gone: the helper drops its figure (if it still runs)."""
        self._sent_obs = _NOTHING
        current = helper()
        if current.stopped or not current.is_alive():
            return
        try:
            current.call(DRAW, forget_in_helper, self.client)
        except Exception as exc:  # noqa: BLE001 - quitting, or the helper went away: nothing to drop
            log.debug("chart %s not forgotten by the helper: %s", self.client, exc)
