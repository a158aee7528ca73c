"""The chart's drawing: a figure on a plain Agg canvas that turns ``ChartState``s into RGBA
pixels (``FigureRenderer``), and what the helper process's draw lane runs (``render_for``).

Qt-free, so the helper never loads Qt (``planner.ui.chart_render`` is the window's side:
the sender thread and the QImage). Drawing the chart costs 100-300 ms of matplotlib; on
the GUI thread, or in a thread of the GUI process (which holds the GIL every Qt-to-Python
call needs), that froze the window.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from planner.plot.night import draw_night
from planner.plot.picture import KEEP, NEED_NIGHT, ChartState, CurveInfo, Picture  # noqa: F401 - re-exported

MARGINS_PX = (58, 56, 44, 26)  # left (altitude ticks+label), right (airmass), bottom (time), top (title)
MIN_RENDER_PX = (200, 120)  # below this the margins leave no axes; a hidden widget is drawn this big
BASE_DPI = 100.0


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
            plot.flips = [tuple(f) for f in state.flips]
            plot.events = [tuple(e) for e in state.events]
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
            if not state.same(prev, "flips"):
                plot.set_flips(state.flips)
            if not state.same(prev, "events"):
                plot.set_events(state.events)
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


# -- in the helper process (``planner.app.helper``'s draw lane) ----------------------------------

_clients: dict[str, list] = {}  # chart id -> [FigureRenderer, the night it holds]


def render_for(client: str, state: ChartState, night) -> Picture | str:
    """Draw ``state`` for one chart with the night it sent last (``night`` is ``KEEP``) or a
    new one; ``NEED_NIGHT`` when this process holds no night for it (a new helper)."""
    entry = _clients.get(client)
    if entry is None:
        if isinstance(night, str):
            return NEED_NIGHT
        entry = _clients[client] = [FigureRenderer(), None]
    if not isinstance(night, str):
        entry[1] = night
    return entry[0].render(replace(state, obs=entry[1]))


def forget(client: str) -> bool:
    """The chart is gone: drop its figure."""
    return _clients.pop(client, None) is not None


def client_names() -> list[str]:
    return sorted(_clients)


def warm_up() -> None:
    """Load matplotlib and draw one empty figure (the helper's draw lane, at its start)."""
    FigureRenderer().render(ChartState())
