"""Tonight's altitude chart: the selected targets' altitude across the night, with twilight,
the altitude limit, the Moon, "now", airmass and the plan's blocks.

``draw_night(ax, obs, selection, ...)`` draws on any matplotlib axes it is given (the
PDF exporter reuses it, as astroplan's ``plot_altitude`` does); ``TonightChart`` embeds it
in a Qt widget with a hover read-out and a clock for the "now" line. The chart computes no
astronomy: it only reads a ``planner.sky.Observability``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Callable, Sequence

import numpy as np
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from planner.sky.types import (
    ASTRONOMICAL,
    CIVIL,
    NAUTICAL,
    SUN_RISE_SET_CORRECTION,
    Observability,
)
from planner.ui.themes import Theme
from planner.ui.themes import theme as get_theme

DAY_S = 86400.0
# Sun-altitude thresholds (deg) between the sky's five states, darkest first.
TWILIGHT_EDGES = (ASTRONOMICAL, NAUTICAL, CIVIL, -SUN_RISE_SET_CORRECTION)
SKY_STATES = ("darkness", "astronomical", "nautical", "civil", "day")
SKY_STATE_TEXT = {
    "darkness": "astronomical night",
    "astronomical": "astronomical twilight",
    "nautical": "nautical twilight",
    "civil": "civil twilight",
    "day": "daylight",
}
AIRMASS_TICKS = (1.0, 1.1, 1.2, 1.5, 2.0, 3.0, 5.0)
HOVER_TOLERANCE_PX = 12.0
EMPTY_MESSAGE = "No night to show yet.\nLoad targets and pick a night to see their altitudes."
NO_SELECTION_HINT = "Select targets in the table to plot their altitude."

# matplotlib's date numbers are days since its epoch (1970-01-01 unless someone changed it).
_EPOCH_NUM = mdates.date2num(datetime(1970, 1, 1, tzinfo=timezone.utc))


def unix_to_num(unix):
    """Unix seconds to matplotlib date numbers (array or float)."""
    return np.asarray(unix, dtype=float) / DAY_S + _EPOCH_NUM


def num_to_unix(num):
    return (np.asarray(num, dtype=float) - _EPOCH_NUM) * DAY_S


def airmass(altitude_deg):
    """Relative air mass for an apparent altitude (Pickering 2002; NaN below the horizon).

    A display conversion for the chart's second axis and read-out: sec(z) diverges near the
    horizon where Pickering's formula stays within 1 % of the tabulated values.
    """
    h = np.asarray(altitude_deg, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        hp = np.where(h > 0, h, np.nan)
        return 1.0 / np.sin(np.radians(hp + 244.0 / (165.0 + 47.0 * hp**1.1)))


def altitude_for_airmass(x: float) -> float:
    """The apparent altitude (deg) with air mass ``x``: the inverse of ``airmass``."""
    h = np.linspace(0.5, 90.0, 2000)
    am = airmass(h)  # decreasing in h
    return float(np.interp(x, am[::-1], h[::-1]))


def sky_segments(grid: np.ndarray, sun_altitude: np.ndarray) -> list[tuple[float, float, str]]:
    """(start, end, state) runs of day/civil/nautical/astronomical/darkness over the grid.

    Edges are where the Sun's altitude, interpolated linearly between grid points, crosses
    a threshold, so a 5-minute grid places them within seconds.
    """
    grid = np.asarray(grid, dtype=float)
    sun = np.asarray(sun_altitude, dtype=float)
    if grid.size == 0:
        return []
    if grid.size == 1:
        return [(grid[0], grid[0], _state(sun[0]))]
    cuts = [grid[0], grid[-1]]
    for edge in TWILIGHT_EDGES:
        d = sun - edge
        idx = np.nonzero(np.sign(d[:-1]) * np.sign(d[1:]) < 0)[0]
        for i in idx:
            frac = d[i] / (d[i] - d[i + 1])
            cuts.append(grid[i] + frac * (grid[i + 1] - grid[i]))
    cuts = np.unique(np.asarray(cuts))
    out: list[tuple[float, float, str]] = []
    for a, b in zip(cuts[:-1], cuts[1:]):
        state = _state(float(np.interp((a + b) / 2.0, grid, sun)))
        if out and out[-1][2] == state:
            out[-1] = (out[-1][0], b, state)
        else:
            out.append((a, b, state))
    return out


def _state(sun_alt: float) -> str:
    return SKY_STATES[int(np.searchsorted(TWILIGHT_EDGES, sun_alt, side="right"))]


def moon_label(obs: Observability) -> str:
    trend = "waxing" if obs.moon_waxing else "waning"
    return f"Moon {obs.moon_illumination * 100:.0f}% {trend}"


@dataclass
class HoverHit:
    """What the cursor points at: the time, and the curve under it if any."""

    unix: float
    name: str | None = None
    altitude: float | None = None
    airmass: float | None = None
    sky: str = ""


@dataclass
class NightPlot:
    """The artists of one night on one axes, updated in place when the selection, "now" or
    the plan's blocks change (a full ``draw`` only when the night, theme or time zone does)."""

    ax: Axes
    theme: Theme
    tz: tzinfo = timezone.utc
    tz_label: str = "UTC"
    obs: Observability | None = None
    names: Sequence[str] = ()
    selection: list[int] = field(default_factory=list)
    now: float | None = None
    plan_blocks: list[tuple[float, float, str]] = field(default_factory=list)
    curves: list[Line2D] = field(default_factory=list)
    peak_labels: list = field(default_factory=list)
    block_artists: list = field(default_factory=list)
    sky_artists: list = field(default_factory=list)
    now_line: Line2D | None = None
    moon_line: Line2D | None = None
    limit_line: Line2D | None = None
    airmass_axis: Axes | None = None
    message: object | None = None
    hint: object | None = None

    # -- whole redraws -------------------------------------------------------------------

    def draw(self) -> None:
        """Rebuild every artist from ``obs`` (the axes and its figure are kept)."""
        ax, t = self.ax, self.theme
        ax.cla()
        self.curves, self.peak_labels, self.block_artists, self.sky_artists = [], [], [], []
        self.now_line = self.moon_line = self.limit_line = None
        self.airmass_axis = None
        self.message = self.hint = None
        self._style_axes()
        if self.obs is None or len(self.obs.grid) < 2:
            ax.set_axis_off()
            self.message = ax.text(
                0.5, 0.5, EMPTY_MESSAGE, transform=ax.transAxes, ha="center", va="center",
                color=t.foreground, fontsize=11, wrap=True,
            )
            return
        ax.set_axis_on()
        obs = self.obs
        x0, x1 = unix_to_num(obs.grid[0]), unix_to_num(obs.grid[-1])
        ax.set_xlim(x0, x1)
        ax.set_ylim(0, 90)
        ax.set_ylabel("Altitude (°)")
        ax.set_yticks(range(0, 91, 15))
        ax.grid(True, color=t.grid, linewidth=0.6, alpha=0.8, zorder=1)
        ax.set_axisbelow(True)
        for a, b, state in sky_segments(obs.grid, obs.sun_altitude):
            self.sky_artists.append(
                ax.axvspan(unix_to_num(a), unix_to_num(b), color=getattr(t, state), lw=0, zorder=0,
                           label=f"_sky:{state}")
            )
        limit = obs.site.target_altitude
        self.sky_artists.append(ax.axhspan(0, limit, color=t.limit, alpha=0.10, lw=0, zorder=0.2))
        (self.limit_line,) = ax.plot(
            [x0, x1], [limit, limit], color=t.limit, ls="--", lw=1.0, zorder=1.5,
            label=f"limit {limit:g}°",
        )
        (self.moon_line,) = ax.plot(
            unix_to_num(obs.grid), obs.moon_altitude, color=t.moon, ls=(0, (1, 2)), lw=1.6,
            zorder=1.6, label=moon_label(obs),
        )
        (self.now_line,) = ax.plot([x0, x0], [0, 90], color=t.now, lw=1.4, zorder=3, label="_now")
        self.airmass_axis = ax.secondary_yaxis("right")
        ticks = [altitude_for_airmass(x) for x in AIRMASS_TICKS]
        self.airmass_axis.set_yticks(ticks, [f"{x:g}" for x in AIRMASS_TICKS])
        self.airmass_axis.set_ylabel("Airmass")
        self._style_axes()
        self._set_time_axis()
        self._draw_curves()
        self._draw_now()
        self._draw_blocks()
        self._draw_legend()

    def _style_axes(self) -> None:
        t, ax = self.theme, self.ax
        fig = ax.figure
        if fig is not None:
            fig.set_facecolor(t.figure_bg)
        ax.set_facecolor(t.axes_bg)
        axes = [ax] + ([self.airmass_axis] if self.airmass_axis is not None else [])
        for a in axes:
            for spine in a.spines.values():
                spine.set_edgecolor(t.grid if t.name == "night" else t.foreground)
            a.tick_params(colors=t.foreground, which="both", labelsize=8)
            a.xaxis.label.set_color(t.foreground)
            a.yaxis.label.set_color(t.foreground)
            a.title.set_color(t.foreground)

    def _set_time_axis(self) -> None:
        ax = self.ax
        locator = mdates.AutoDateLocator(tz=self.tz, minticks=4, maxticks=12, interval_multiples=True)
        locator.intervald[mdates.HOURLY] = [1, 2, 3, 4, 6]
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M", tz=self.tz))
        ax.set_xlabel(f"Time ({self.tz_label})")
        if self.obs is not None:
            middle = (self.obs.grid[0] + self.obs.grid[-1]) / 2.0
            evening = datetime.fromtimestamp(middle, tz=self.tz) - timedelta(hours=12)
            where = self.obs.site.label
            ax.set_title(f"Night of {evening:%a %d %b %Y} · {where}", fontsize=9, loc="left",
                         color=self.theme.foreground)

    # -- in-place updates ----------------------------------------------------------------

    def set_selection(self, selection: Sequence[int]) -> None:
        n = 0 if self.obs is None else len(self.obs.altitude)
        seen: set[int] = set()
        self.selection = [i for i in (int(s) for s in selection) if 0 <= i < n and not (i in seen or seen.add(i))]
        if self.obs is not None:
            self._draw_curves()
            self._draw_legend()

    def _name(self, index: int) -> str:
        if 0 <= index < len(self.names) and self.names[index]:
            return str(self.names[index])
        return f"target {index + 1}"

    def _draw_curves(self) -> None:
        """Reuse the Line2D objects already on the axes; only surplus ones are removed."""
        ax, t, obs = self.ax, self.theme, self.obs
        for label in self.peak_labels:
            label.remove()
        self.peak_labels = []
        while len(self.curves) > len(self.selection):
            self.curves.pop().remove()
        x = unix_to_num(obs.grid)
        xlo, xhi = ax.get_xlim()
        for k, index in enumerate(self.selection):
            y = np.asarray(obs.altitude[index], dtype=float)
            color, style = t.curve_color(k), t.curve_style(k)
            if k < len(self.curves):
                line = self.curves[k]
                line.set_data(x, y)
                line.set_color(color)
                line.set_linestyle(style)
            else:
                (line,) = ax.plot(x, y, color=color, ls=style, lw=t.line_width, zorder=2)
                self.curves.append(line)
            name = self._name(index)
            line.set_label(name)
            line.set_gid(f"target:{index}")
            if np.all(np.isnan(y)):
                continue
            peak = int(np.nanargmax(y))
            if y[peak] <= 0:
                continue  # never above the horizon tonight: nothing to label
            px = float(x[peak])
            ha = "left" if px - xlo < 0.06 * (xhi - xlo) else "right" if xhi - px < 0.06 * (xhi - xlo) else "center"
            self.peak_labels.append(
                ax.annotate(
                    name, (px, min(float(y[peak]), 88.0)), xytext=(0, 3), textcoords="offset points",
                    ha=ha, va="bottom", fontsize=8, color=color, zorder=4, clip_on=True,
                    annotation_clip=True,
                )
            )
        if self.hint is not None:
            self.hint.remove()
            self.hint = None
        if not self.selection:
            self.hint = ax.text(0.5, 0.55, NO_SELECTION_HINT, transform=ax.transAxes, ha="center",
                                va="center", fontsize=9, color=t.foreground, alpha=0.8, zorder=5)

    def set_now(self, now: float | None) -> None:
        self.now = now
        self._draw_now()

    def now_visible(self) -> bool:
        return self.now_line is not None and self.now_line.get_visible()

    def _draw_now(self) -> None:
        if self.now_line is None or self.obs is None:
            return
        inside = self.now is not None and self.obs.grid[0] <= self.now <= self.obs.grid[-1]
        self.now_line.set_visible(bool(inside))
        if inside:
            x = float(unix_to_num(self.now))
            self.now_line.set_xdata([x, x])

    def set_plan_blocks(self, blocks: Sequence[tuple[float, float, str]]) -> None:
        self.plan_blocks = [(float(a), float(b), str(label)) for a, b, label in blocks]
        self._draw_blocks()

    def _draw_blocks(self) -> None:
        for artist in self.block_artists:
            artist.remove()
        self.block_artists = []
        if self.obs is None:
            return
        ax, t = self.ax, self.theme
        for start, end, label in self.plan_blocks:
            if end <= start:
                continue
            a, b = unix_to_num(start), unix_to_num(end)
            # Hatched, so a block never reads as a band of twilight (night mode's are both red).
            span = ax.axvspan(a, b, ymin=0.0, ymax=1.0, facecolor=t.plan_block, alpha=t.plan_alpha,
                              edgecolor=t.plan_edge, hatch="///", lw=0, zorder=0.5, label=f"_plan:{label}")
            self.block_artists.append(span)
            for edge in (a, b):
                self.block_artists.append(
                    ax.axvline(edge, color=t.plan_edge, lw=0.8, alpha=0.9, zorder=0.6, label="_plan_edge")
                )
            if label:
                self.block_artists.append(
                    ax.text(a, 89, f" {label}", rotation=90, ha="left", va="top", fontsize=7,
                            color=t.foreground, alpha=0.9, clip_on=True, zorder=4)
                )

    def _draw_legend(self) -> None:
        ax = self.ax
        handles = [h for h in (self.moon_line, self.limit_line) if h is not None]
        if not handles:
            return
        legend = ax.legend(handles=handles, loc="upper right", fontsize=7, framealpha=0.75,
                           facecolor=self.theme.axes_bg, edgecolor=self.theme.grid)
        for text in legend.get_texts():
            text.set_color(self.theme.foreground)
        legend.set_zorder(6)

    def set_time_zone(self, tz: tzinfo, label: str) -> None:
        self.tz, self.tz_label = tz, label
        if self.obs is not None:
            self._set_time_axis()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.draw()

    # -- reading -------------------------------------------------------------------------

    def snapshot(self) -> "HoverSnapshot":
        """What the hover read-out needs, copied out of the artists: safe to read from another
        thread while this plot is being changed and drawn."""
        return HoverSnapshot.of(self)

    def hit(self, x_px: float, y_px: float) -> HoverHit | None:
        """What lies under display point (x_px, y_px): the nearest curve within a few pixels."""
        return self.snapshot().hit(x_px, y_px)

    def describe(self, hit: HoverHit | None) -> str:
        return describe_hit(hit, self.tz, self.tz_label)


def describe_hit(hit: HoverHit | None, tz: tzinfo, tz_label: str) -> str:
    if hit is None:
        return ""
    when = datetime.fromtimestamp(round(hit.unix / 60.0) * 60.0, tz=tz).strftime("%H:%M")
    head = f"{when} {tz_label}"
    if hit.name is None:
        return f"{head} · {hit.sky}"
    am = "—" if hit.airmass is None else f"{hit.airmass:.2f}"
    return f"{head} · {hit.name}: altitude {hit.altitude:.1f}°, airmass {am} · {hit.sky}"


@dataclass(frozen=True, eq=False)
class HoverSnapshot:
    """The geometry and data of one drawn chart: the axes' box in display pixels (origin at
    the bottom left, as matplotlib's), its limits and the curves. The axes are linear in both
    directions, so mapping a pixel to a time and an altitude needs nothing else."""

    bbox: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # x0, y0, x1, y1
    xlim: tuple[float, float] = (0.0, 1.0)
    ylim: tuple[float, float] = (0.0, 1.0)
    grid: np.ndarray | None = None
    sun: np.ndarray | None = None
    series: tuple[tuple[str, np.ndarray], ...] = ()
    tz: tzinfo = timezone.utc
    tz_label: str = "UTC"

    @classmethod
    def of(cls, plot: NightPlot) -> "HoverSnapshot":
        obs = plot.obs
        if obs is None or len(obs.grid) < 2:
            return cls(tz=plot.tz, tz_label=plot.tz_label)
        x0, y0, x1, y1 = plot.ax.bbox.extents
        series = [(plot._name(i), np.asarray(obs.altitude[i], dtype=float)) for i in plot.selection]
        series.append(("Moon", np.asarray(obs.moon_altitude, dtype=float)))
        return cls(bbox=(float(x0), float(y0), float(x1), float(y1)),
                   xlim=tuple(float(v) for v in plot.ax.get_xlim()),
                   ylim=tuple(float(v) for v in plot.ax.get_ylim()),
                   grid=np.asarray(obs.grid, dtype=float), sun=np.asarray(obs.sun_altitude, dtype=float),
                   series=tuple(series), tz=plot.tz, tz_label=plot.tz_label)

    def _x_to_num(self, x_px: float) -> float:
        (x0, _, x1, _), (a, b) = self.bbox, self.xlim
        return a + (x_px - x0) / (x1 - x0) * (b - a)

    def _alt_to_px(self, alt: float) -> float:
        (_, y0, _, y1), (a, b) = self.bbox, self.ylim
        return y0 + (alt - a) / (b - a) * (y1 - y0)

    def hit(self, x_px: float, y_px: float) -> HoverHit | None:
        """What lies under display point (x_px, y_px): the nearest curve within a few pixels."""
        x0, y0, x1, y1 = self.bbox
        if self.grid is None or x1 <= x0 or y1 <= y0 or not (x0 <= x_px <= x1 and y0 <= y_px <= y1):
            return None
        unix = float(num_to_unix(self._x_to_num(x_px)))
        grid = self.grid
        if not grid[0] <= unix <= grid[-1]:
            return None
        sky = SKY_STATE_TEXT[_state(float(np.interp(unix, grid, self.sun)))]
        best: tuple[float, str, float] | None = None
        for name, series in self.series:
            alt = float(np.interp(unix, grid, series))
            if not math.isfinite(alt):
                continue
            distance = abs(self._alt_to_px(alt) - y_px)
            if distance <= HOVER_TOLERANCE_PX and (best is None or distance < best[0]):
                best = (distance, name, alt)
        if best is None:
            return HoverHit(unix=unix, sky=sky)
        am = float(airmass(best[2]))
        return HoverHit(unix=unix, name=best[1], altitude=best[2],
                        airmass=am if math.isfinite(am) else None, sky=sky)

    def describe(self, hit: HoverHit | None) -> str:
        return describe_hit(hit, self.tz, self.tz_label)

    def readout(self, x_px: float, y_px: float) -> str:
        return self.describe(self.hit(x_px, y_px))


def draw_night(
    ax: Axes,
    obs: Observability | None,
    selection: Sequence[int] = (),
    *,
    names: Sequence[str] = (),
    theme: Theme | str = "light",
    tz: tzinfo = timezone.utc,
    tz_label: str = "UTC",
    now: float | None = None,
    plan_blocks: Sequence[tuple[float, float, str]] = (),
) -> NightPlot:
    """Draw one night's chart on ``ax`` and return the ``NightPlot`` that owns its artists."""
    plot = NightPlot(ax=ax, theme=get_theme(theme), tz=tz, tz_label=tz_label, obs=obs, names=list(names),
                     now=now, plan_blocks=[(float(a), float(b), str(c)) for a, b, c in plan_blocks])
    plot.selection = []
    plot.draw()
    if obs is not None:
        plot.set_selection(selection)
    return plot


# -- the Qt widget ---------------------------------------------------------------------
#
# Drawing the chart costs 100-300 ms of matplotlib (artists, text layout, Agg). On the GUI
# thread that froze the window; in a thread of the GUI process it still did, since the
# render holds the GIL that every Qt-to-Python call of the GUI thread (each table cell's
# data(), each timer) must win back: 120-350 ms stalls measured. So the figure lives in a
# child process (spawned once, kept): the GUI thread records what should be shown (a
# ChartState) and hands it to one sender thread, which ships it over a pipe (the night
# only when it changed), waits for the RGBA pixels with the GIL released, and hands a
# QImage with a HoverSnapshot back to the GUI thread. Requests coalesce: the newest state
# wins, and a render in progress is followed by at most one more.

import logging  # noqa: E402
import multiprocessing  # noqa: E402
import os  # noqa: E402
import threading  # noqa: E402
import traceback  # noqa: E402
import weakref  # noqa: E402
from dataclasses import replace  # noqa: E402

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from PySide6.QtCore import QCoreApplication, QObject, QRectF, Qt, QTimer, Signal  # noqa: E402
from PySide6.QtGui import QColor, QImage, QPainter  # noqa: E402
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget  # noqa: E402

from planner.ui.listen import listen  # noqa: E402

log = logging.getLogger(__name__)

NOW_INTERVAL_MS = 60_000
RESIZE_DEBOUNCE_MS = 50
MARGINS_PX = (58, 56, 44, 26)  # left (altitude ticks+label), right (airmass), bottom (time), top (title)
MIN_RENDER_PX = (200, 120)  # below this the margins leave no axes; a hidden widget is drawn this big
BASE_DPI = 100.0
_KEEP = "same night as before"
DRAWING_NICENESS = 10  # sent instead of an unchanged Observability


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


def _drawing_process_main(conn) -> None:
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
        process = ctx.Process(target=_drawing_process_main, args=(child,), name="planner-chart", daemon=True)
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


class ChartView(QWidget):
    """Paints the newest picture of the chart (scaled while a new size is being rendered) and
    reports the mouse position in the picture's pixels."""

    def __init__(self, chart: "TonightChart") -> None:
        super().__init__(chart)
        self._chart = chart
        self.image: QImage | None = None
        self.background = QColor(get_theme("light").figure_bg)
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(180)

    def set_image(self, image: QImage) -> None:
        self.image = image
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        if self.image is None or self.image.isNull():
            painter.fillRect(self.rect(), self.background)
        else:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(QRectF(self.rect()), self.image)
        painter.end()

    def picture_point(self, x: float, y: float) -> tuple[float, float] | None:
        """Widget coordinates to the shown picture's pixels, origin at the bottom left."""
        if self.image is None or self.width() <= 0 or self.height() <= 0:
            return None
        return (x / self.width() * self.image.width(),
                (1.0 - y / self.height()) * self.image.height())

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        pos = event.position()
        self._chart._hover(self.picture_point(pos.x(), pos.y()))
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: N802
        self._chart._hover(None)
        super().leaveEvent(event)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._chart._view_resized()


class TonightChart(QWidget):
    """The chart under the targets table: altitude against time for the selected targets.

    Every ``set_*`` returns at once: the picture is drawn in the drawing process and shown
    when ready (``rendered`` is emitted then). ``flush()`` waits for it, for tests and
    screenshots; ``curve_lines()`` flushes first.
    """

    rendered = Signal()

    def __init__(self, parent: QWidget | None = None, *, clock: Callable[[], float] | None = time.time,
                 state=None) -> None:
        super().__init__(parent)
        self._renderer = ChartRenderer()
        self._state = ChartState(now=clock() if clock is not None else None)
        self._submitted: ChartState | None = None
        self._shown: RenderResult | None = None
        self._snapshot = HoverSnapshot()
        self._hover_at: tuple[float, float] | None = None
        self.view = ChartView(self)
        self.readout = QLabel(" ")
        self.readout.setObjectName("chartReadout")
        self.readout.setToolTip("Time, altitude and airmass of the curve under the mouse")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.readout)
        # every set_* in one turn of the event loop makes one request
        self._kick = QTimer(self)
        self._kick.setSingleShot(True)
        self._kick.setInterval(0)
        self._kick.timeout.connect(self._submit)
        self._resize_timer = QTimer(self)
        self._resize_timer.setSingleShot(True)
        self._resize_timer.setInterval(RESIZE_DEBOUNCE_MS)
        self._resize_timer.timeout.connect(self._submit)
        self._renderer.bridge.rendered.connect(self._take_result, Qt.ConnectionType.QueuedConnection)
        renderer = self._renderer
        # closing the window mid-render: the thread finishes quietly, its picture goes nowhere,
        # and the drawing process is told to leave
        self.destroyed.connect(lambda *_: renderer.stop())
        app = QCoreApplication.instance()
        if app is not None:
            ref = weakref.ref(renderer)
            app.aboutToQuit.connect(lambda: (r := ref()) is not None and r.stop(join_s=2.0))
        self._clock = clock
        self._timer = QTimer(self)
        self._timer.setInterval(NOW_INTERVAL_MS)
        self._timer.timeout.connect(self._tick)
        if clock is not None:
            self._timer.start()
        self._request()
        if state is not None:
            self._listen(state)

    def _listen(self, state) -> None:
        """Follow the window's night: its visibility, selection, time zone and plan."""
        def names() -> list[str]:
            return [t.star_name for t in state.targets]

        listen(self, state.targets_changed, lambda _tl: self.set_data(None, names()))
        listen(self, state.observability_changed, lambda obs: (self.set_data(obs, names()),
                                                               self.set_selection(state.selection)))
        listen(self, state.selection_changed, self.set_selection)
        listen(self, state.time_zone_changed, lambda: self.set_time_zone(state.display_tz(), state.tz_label()))
        listen(self, state.plan_changed, lambda plan: self.set_plan_blocks(plan.blocks() if plan is not None else []))
        self.set_time_zone(state.display_tz(), state.tz_label())

    # -- contract ------------------------------------------------------------------------

    def set_data(self, obs: Observability | None, names: Sequence[str]) -> None:
        """A new night (or site, or target list); ``None`` shows the empty-state message.
        The selection is kept as far as the new night has those targets."""
        self._request(obs=obs, names=tuple(str(n) for n in names),
                      selection=self._valid_selection(self._state.selection, obs))
        self.readout.setText(" ")

    def set_selection(self, indices: Sequence[int]) -> None:
        self._request(selection=self._valid_selection(indices, self._state.obs))

    def set_time_zone(self, tz: tzinfo, label: str) -> None:
        self._request(tz=tz, tz_label=str(label))

    def set_theme(self, theme: Theme | str) -> None:
        t = get_theme(theme)
        self.view.background = QColor(t.figure_bg)
        self._request(theme=t)

    def set_now(self, unix: float | None) -> None:
        """Move the "now" line (hidden when ``None`` or outside the night); the minute timer
        calls this with the clock's time."""
        self._request(now=None if unix is None else float(unix))

    def set_plan_blocks(self, blocks: Sequence[tuple[float, float, str]]) -> None:
        self._request(plan_blocks=tuple((float(a), float(b), str(label)) for a, b, label in blocks))

    # -- reading -------------------------------------------------------------------------

    @property
    def selection(self) -> list[int]:
        """The selection asked for (indices into the night's targets, valid ones only)."""
        return list(self._state.selection)

    @property
    def state(self) -> ChartState:
        return self._state

    def curve_lines(self) -> list[Line2D]:
        """The target curves of the latest state as drawn (waits for the picture): unattached
        copies of the drawing process's Line2D objects, with their data, label, gid, colour and style."""
        self.flush()
        result = self._shown
        if result is None:
            return []
        return [Line2D(c.xdata, c.ydata, color=c.color, linestyle=c.linestyle, label=c.label, gid=c.gid)
                for c in result.curves]

    def readout_for(self, x_px: float, y_px: float) -> str:
        """The read-out for a point of the shown picture (display pixels, origin bottom left)."""
        return self._snapshot.readout(x_px, y_px)

    @property
    def theme(self) -> Theme:
        return self._state.theme

    @property
    def snapshot(self) -> HoverSnapshot:
        return self._snapshot

    @property
    def image(self) -> QImage | None:
        """The picture shown (``None`` before the first one is ready)."""
        return self.view.image

    @property
    def shown(self) -> RenderResult | None:
        """The render on screen: its picture, snapshot, curves and the state it shows."""
        return self._shown

    @property
    def renderer(self) -> ChartRenderer:
        return self._renderer

    def is_idle(self) -> bool:
        """Whether the picture shown is of the latest state (nothing asked for is pending)."""
        return (not self._kick.isActive() and not self._resize_timer.isActive()
                and self._state_for_render().same(self._submitted) and self._renderer.idle
                and (self._renderer.result is None or self._renderer.result is self._shown))

    def flush(self, timeout_ms: int = 10_000) -> bool:
        """Render what was asked for now and wait until it is shown. Blocks the GUI thread:
        for tests, screenshots and exports, not for interactive paths. True when done in time."""
        self._kick.stop()
        self._resize_timer.stop()
        self._submit()
        done = self._renderer.wait_idle(timeout_ms / 1000.0)
        self._take_result()
        return done

    @property
    def last_render_error(self) -> BaseException | None:
        return self._renderer.last_error

    # -- internals -----------------------------------------------------------------------

    def _valid_selection(self, indices: Sequence[int], obs: Observability | None) -> tuple[int, ...]:
        n = 0 if obs is None else len(obs.altitude)
        seen: set[int] = set()
        return tuple(i for i in (int(s) for s in indices) if 0 <= i < n and not (i in seen or seen.add(i)))

    def _request(self, **changes) -> None:
        self._state = replace(self._state, **changes)
        if not self._kick.isActive():
            self._kick.start()

    def _state_for_render(self) -> ChartState:
        dpr = float(self.view.devicePixelRatioF()) or 1.0
        return replace(self._state, width=int(self.view.width()), height=int(self.view.height()), dpr=dpr)

    def _submit(self) -> None:
        state = self._state_for_render()
        if state.same(self._submitted):
            return
        self._submitted = state
        self._renderer.submit(state)

    def _view_resized(self) -> None:
        if self.view.image is None:
            if not self._kick.isActive():
                self._kick.start()
        else:  # paint the old picture scaled until the new size is drawn
            self._resize_timer.start()

    def _take_result(self) -> None:
        result = self._renderer.result
        if result is None or result is self._shown:
            return
        self._shown = result
        self._snapshot = result.snapshot  # the read-out describes the picture on screen
        self.view.set_image(result.image)
        if self._hover_at is not None:
            self._hover(self._hover_at)
        self.rendered.emit()

    def _hover(self, point: tuple[float, float] | None) -> None:
        # Reads the snapshot published with the picture, never the figure: no waiting.
        self._hover_at = point
        text = (self._snapshot.readout(*point) if point is not None else "") or " "
        if text != self.readout.text():  # most mouse moves stay within the same minute and curve
            self.readout.setText(text)

    def _tick(self) -> None:
        if self._clock is not None:
            self.set_now(self._clock())
