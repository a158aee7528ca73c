"""The chart's drawing, in a process of its own: a figure on a plain Agg canvas that turns
``ChartState``s into RGBA pixels (``FigureRenderer``), and the child process's loop.

Qt-free, so the drawing process never loads Qt (``planner.ui.chart_render`` is the window's
side: the sender thread, the pipe, the QImage). Drawing the chart costs 100-300 ms of
matplotlib; on the GUI thread, or in a thread of the GUI process (which holds the GIL every
Qt-to-Python call needs), that froze the window.
"""

from __future__ import annotations

import os
import time
import traceback
from dataclasses import dataclass, field, replace
from datetime import timezone, tzinfo

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from planner.plot.night import HoverSnapshot, draw_night
from planner.plot.palette import Theme
from planner.plot.palette import theme as get_theme
from planner.sky.types import Observability

MARGINS_PX = (58, 56, 44, 26)  # left (altitude ticks+label), right (airmass), bottom (time), top (title)
MIN_RENDER_PX = (200, 120)  # below this the margins leave no axes; a hidden widget is drawn this big
BASE_DPI = 100.0
_KEEP = "same night as before"  # sent instead of an unchanged Observability
KEEP = _KEEP
DRAWING_NICENESS = 10  # the drawing process yields the CPU to the window


@dataclass(frozen=True, eq=False)
class ChartState:
    """Everything one picture of the chart depends on; the GUI thread makes a new one per change."""

    obs: Observability | None = None
    names: tuple[str, ...] = ()
    selection: tuple[int, ...] = ()
    theme: Theme = field(default_factory=lambda: get_theme("light"))
    tz: tzinfo = timezone.utc
    tz_label: str = "UTC"
    now: float | None = None
    plan_blocks: tuple[tuple[float, float, str], ...] = ()
    width: int = 800  # logical pixels
    height: int = 360
    dpr: float = 1.0  # device pixels per logical pixel

    def same(self, other: "ChartState | None", *names: str) -> bool:
        """Whether ``other`` has the same ``names`` fields (all when none given); the night by identity."""
        if other is None:
            return False
        for name in names or ("obs", "names", "selection", "theme", "tz", "tz_label", "now",
                              "plan_blocks", "width", "height", "dpr"):
            a, b = getattr(self, name), getattr(other, name)
            if not (a is b if name == "obs" else a == b):
                return False
        return True


@dataclass(frozen=True)
class CurveInfo:
    """One target curve as drawn: enough to check what the picture shows."""

    label: str
    gid: str
    color: str
    linestyle: object
    xdata: np.ndarray
    ydata: np.ndarray


@dataclass
class Picture:
    """What the drawing process returns for one ChartState."""

    width: int
    height: int
    rgba: bytes
    snapshot: HoverSnapshot
    curves: tuple[CurveInfo, ...]
    pid: int
    seconds: float


class FigureRenderer:
    """A figure on a plain Agg canvas that turns ChartStates into pixels. Rebuilds the artists
    only when the night, the names or the theme change; everything else is updated in place.
    Qt-free: it runs in the drawing process (and in tests, anywhere)."""

    def __init__(self) -> None:
        self.figure = Figure(figsize=(8, 3.6), dpi=BASE_DPI)
        self.canvas = FigureCanvasAgg(self.figure)
        self.ax = self.figure.add_subplot(111)
        self.plot = draw_night(self.ax, None)
        self._applied: ChartState | None = None

    def apply(self, state: ChartState) -> None:
        plot, prev = self.plot, self._applied
        self._applied = None  # half-applied if this raises: rebuild next time
        if not state.same(prev, "obs", "names", "theme"):
            plot.obs, plot.names, plot.theme = state.obs, list(state.names), state.theme
            plot.tz, plot.tz_label, plot.now = state.tz, state.tz_label, state.now
            plot.plan_blocks = [tuple(b) for b in state.plan_blocks]
            plot.selection = []
            plot.draw()
            if state.obs is not None:
                plot.set_selection(state.selection)
        else:
            if not state.same(prev, "tz", "tz_label"):
                plot.set_time_zone(state.tz, state.tz_label)
            if not state.same(prev, "selection"):
                plot.set_selection(state.selection)
            if not state.same(prev, "now"):
                plot.set_now(state.now)
            if not state.same(prev, "plan_blocks"):
                plot.set_plan_blocks(state.plan_blocks)
        if not state.same(prev, "width", "height", "dpr"):
            self._resize(state)
        self._applied = state

    def render(self, state: ChartState) -> Picture:
        t0 = time.perf_counter()
        self.apply(state)
        self.canvas.draw()
        rgba = np.asarray(self.canvas.buffer_rgba())
        height, width = rgba.shape[:2]
        curves = tuple(CurveInfo(str(line.get_label()), str(line.get_gid()), str(line.get_color()),
                                 line.get_linestyle(), np.asarray(line.get_xdata(), float),
                                 np.asarray(line.get_ydata(), float)) for line in self.plot.curves)
        return Picture(width, height, rgba.tobytes(), self.plot.snapshot(), curves, os.getpid(),
                       time.perf_counter() - t0)

    def _resize(self, state: ChartState) -> None:
        width, height = max(state.width, MIN_RENDER_PX[0]), max(state.height, MIN_RENDER_PX[1])
        dpi = BASE_DPI * state.dpr
        self.figure.set_dpi(dpi)
        self.figure.set_size_inches(round(width * state.dpr) / dpi, round(height * state.dpr) / dpi)
        left, right, bottom, top = MARGINS_PX  # fixed pixels: constrained layout cost half of every draw
        self.figure.subplots_adjust(left=left / width, right=1 - right / width,
                                    bottom=bottom / height, top=1 - top / height)


def drawing_process_main(conn) -> None:
    """The child process: receive (state, night) messages, answer with a Picture or an error."""
    try:  # on a busy machine the window's own process comes first; a picture may wait a little
        os.nice(DRAWING_NICENESS)
    except (AttributeError, OSError):  # no nice() on Windows
        pass
    renderer = FigureRenderer()
    obs = None
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        state, night = message
        if not isinstance(night, str):  # a new night (else _KEEP)
            obs = night
        try:
            conn.send(("ok", renderer.render(replace(state, obs=obs))))
        except Exception:  # answer, so the window keeps its last picture and says why in the log
            conn.send(("error", traceback.format_exc()))
