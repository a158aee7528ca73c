"""Tonight's altitude chart, drawn on any matplotlib ``Axes`` it is given (as astroplan's
``plot_altitude(..., ax=None)`` is): the selected targets' altitude across the night, the
day/civil/nautical/astronomical twilight shaded, the altitude limit, the Moon with its
illumination, "now", airmass on the right axis, the plan's blocks and the selected targets'
minima, transits and maxima (a thick translucent stretch of the target's own curve from the
event's start to its end, with a marker and a short label at its middle); with a horizon
mask the mask along each target's track is shaded under its curve, stretches nearer the
risen Moon than the Moon avoidance asks are banded in the Moon's colour, and meridian
flips inside the plan's blocks are marked.

Qt-free: the window's chart (``planner.ui.chart``, drawn in a child process by
``planner.plot.render``), the PDF night sheet and any other picture use ``draw_night``.
Colours come from a ``planner.plot.palette.Theme``: a star's curve has the colour its name
picks unless a shown star already keeps it (``Theme.curve_looks``: no two shown curves share
a colour up to ten, the same set gets the same colours on every night, in the window and the
PDF); curves differ in dash pattern where colours cannot tell them apart (more curves than
colours, night mode, print). Each curve is named near its peak, inside
the axes and clear of the other names and the key marks (``planner.plot.labels``); with more
than ``LEGEND_CURVES_AFTER`` curves the legend lists them. It only reads an ``Observability``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Sequence

import numpy as np
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from planner.plot.hover import (  # noqa: F401 - also the names this module's callers know
    DAY_S,
    HOVER_TOLERANCE_PX,
    SKY_STATE_TEXT,
    SKY_STATES,
    TWILIGHT_EDGES,
    HoverHit,
    HoverSnapshot,
    airmass,
    altitude_for_airmass,
    describe_hit,
    sky_segments,
    sky_state,
)
from planner.plot.labels import CurveLabels, draw_legend, mark_boxes
from planner.plot.palette import Theme
from planner.plot.palette import theme as get_theme
from planner.sky.types import (
    Observability,
)

AIRMASS_TICKS = (1.0, 1.1, 1.2, 1.5, 2.0, 3.0, 5.0)
# Up to this many curves their names say which is which; with more, names get pushed from
# their peaks to dodge each other (and night mode's four dashes repeat): the legend lists them.
LEGEND_CURVES_AFTER = 4
EMPTY_MESSAGE = "No night to show yet.\nLoad targets and pick a night to see their altitudes."
NO_SELECTION_HINT = "Select targets in the table to plot their altitude."

# matplotlib's date numbers are days since its epoch (1970-01-01 unless someone changed it).
_EPOCH_NUM = mdates.date2num(datetime(1970, 1, 1, tzinfo=timezone.utc))


def unix_to_num(unix):
    """Unix seconds to matplotlib date numbers (array or float)."""
    return np.asarray(unix, dtype=float) / DAY_S + _EPOCH_NUM


def num_to_unix(num):
    return (np.asarray(num, dtype=float) - _EPOCH_NUM) * DAY_S


def moon_label(obs: Observability) -> str:
    """"Moon 84% waxing · keep 52°": the Moon's phase and, while it is up tonight, the
    separation the Moon avoidance asks for (the most it asks during the night)."""
    trend = "waxing" if obs.moon_waxing else "waning"
    text = f"Moon {obs.moon_illumination * 100:.0f}% {trend}"
    required = obs.moon_required
    if required is not None and np.any(required > 0):
        text += f" · keep {float(np.max(required)):.0f}°"
    return text


# An event on the chart: (target index, start, middle, end, label), times unix UTC; the
# label is short ("Min I", "Transit", "Max"). planner.app.events.NightEvents.chart_events()
# makes them.
EventMark = tuple[int, float, float, float, str]
EVENT_MARKERS = {"Min I": "v", "Min II": "v", "Transit": "v", "Max": "^"}
EVENT_BAND_ALPHA = 0.35
EVENT_BAND_WIDTH = 7.0  # points: well over any theme's curve width


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
    flips: list[tuple[float, str]] = field(default_factory=list)  # (unix, label): meridian flips inside blocks
    events: list[EventMark] = field(default_factory=list)
    curves: list[Line2D] = field(default_factory=list)
    event_artists: list = field(default_factory=list)
    mask_artists: list = field(default_factory=list)  # per curve: the horizon under it, the Moon too close
    flip_artists: list = field(default_factory=list)
    labels: CurveLabels | None = None  # the curves' names, placed inside the axes at each draw
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
        self.curves, self.block_artists, self.sky_artists = [], [], []
        self.labels = None
        self.mask_artists, self.flip_artists = [], []
        self.event_artists = []
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
        self.labels = CurveLabels(ax, self._keep_clear)
        ax.add_artist(self.labels)
        self._style_axes()
        self._set_time_axis()
        self._draw_curves()
        self._draw_events()
        self._draw_now()
        self._draw_blocks()
        self._draw_flips()
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
            self._draw_events()
            self._draw_legend()

    def _name(self, index: int) -> str:
        if 0 <= index < len(self.names) and self.names[index]:
            return str(self.names[index])
        return f"target {index + 1}"

    @property
    def peak_labels(self) -> list:  # the curves' names (Text), placed when the figure is drawn
        return [] if self.labels is None else list(self.labels.texts)

    def looks(self) -> dict[int, tuple[str, object]]:
        """(colour, line style) of each selected target's curve, by target index."""
        names = [self._name(i) for i in self.selection]
        return dict(zip(self.selection, self.theme.curve_looks(names)))

    def _keep_clear(self, renderer) -> list:
        """What the curves' names and the legend must not cover: events, plan blocks' and flips' labels."""
        return mark_boxes([*self.ax.texts, *self.event_artists], renderer)

    def _draw_curves(self) -> None:
        """Reuse the Line2D objects already on the axes; only surplus ones are removed."""
        ax, t, obs = self.ax, self.theme, self.obs
        for artist in self.mask_artists:
            artist.remove()
        self.mask_artists = []
        while len(self.curves) > len(self.selection):
            self.curves.pop().remove()
        x = unix_to_num(obs.grid)
        looks = self.looks()
        named = []
        for k, index in enumerate(self.selection):
            y = np.asarray(obs.altitude[index], dtype=float)
            color, style = looks[index]
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
            self._draw_horizon_and_moon(index, x, y, color, name)
            named.append((name, color, x, y))
        if self.labels is not None:
            self.labels.set_curves(named, fontsize=8)
        if self.hint is not None:
            self.hint.remove()
            self.hint = None
        if not self.selection:
            self.hint = ax.text(0.5, 0.55, NO_SELECTION_HINT, transform=ax.transAxes, ha="center",
                                va="center", fontsize=9, color=t.foreground, alpha=0.8, zorder=5)

    def _draw_horizon_and_moon(self, index: int, x, y, color: str, name: str) -> None:
        """Under a target's curve, the part of the sky its track passes behind the horizon
        mask (above the altitude limit's own band), shaded in its colour, and the curve broken
        where the target is hidden there; over the curve, a band in the Moon's colour where the
        target is observable but nearer the risen Moon than the Moon avoidance asks."""
        ax, t, obs = self.ax, self.theme, self.obs
        flat = float(obs.site.target_altitude)
        limit = np.full(y.shape, flat)
        if obs.horizon is not None and obs.apparent_ra is not None:
            limit = obs.effective_limit(index)
            above = limit > flat
            if np.any(above):
                self.mask_artists.append(ax.fill_between(
                    x, flat, limit, where=above, interpolate=True, color=color, alpha=0.22, lw=0, zorder=0.8,
                    label=f"_horizon:{name}"))
                self.mask_artists.append(ax.plot(
                    x, np.where(above, limit, np.nan), color=color, lw=0.9, alpha=0.8, zorder=0.9,
                    label=f"_horizon_edge:{name}")[0])
                hidden = (y < limit) & (y > flat)
                if np.any(hidden):
                    self.mask_artists.append(ax.plot(
                        x, np.where(hidden, y, np.nan), color=t.axes_bg, lw=t.line_width * 0.6, ls=(0, (1, 2)),
                        zorder=2.05, label=f"_hidden:{name}")[0])
        close = obs.moon_too_close(index) & (y >= limit)
        if np.any(close):
            self.mask_artists.append(ax.plot(
                x, np.where(close, y, np.nan), color=t.moon, lw=t.line_width * 2.6, alpha=0.35,
                solid_capstyle="butt", zorder=1.9, label=f"_moon_close:{name}")[0])

    def set_flips(self, flips: Sequence[tuple[float, str]]) -> None:
        self.flips = [(float(when), str(label)) for when, label in flips]
        self._draw_flips()

    def _draw_flips(self) -> None:
        """A marker at each meridian flip inside a plan block (mount setting "mark")."""
        for artist in self.flip_artists:
            artist.remove()
        self.flip_artists = []
        if self.obs is None:
            return
        ax, t = self.ax, self.theme
        for when, label in self.flips:
            xf = float(unix_to_num(when))
            self.flip_artists.append(ax.axvline(xf, color=t.now, ls=(0, (4, 2)), lw=1.1, alpha=0.9, zorder=3.5,
                                                label=f"_flip:{label}"))
            self.flip_artists.append(ax.text(xf, 2, " flip", rotation=90, ha="left", va="bottom", fontsize=7,
                                             color=t.now, clip_on=True, zorder=4))

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

    def set_events(self, events: Sequence[EventMark]) -> None:
        """The night's events (of every target: only the selected ones' are drawn)."""
        self.events = [(int(i), float(a), float(m), float(b), str(label)) for i, a, m, b, label in events]
        if self.obs is not None:
            self._draw_events()

    def _draw_events(self) -> None:
        """Each selected target's events on its own curve, in its colour: the stretch from
        start to end thick and translucent, a marker at the middle (down for a minimum or a
        transit, up for a maximum) and the short label under it."""
        for artist in self.event_artists:
            artist.remove()
        self.event_artists = []
        obs = self.obs
        if obs is None or not self.events or not self.selection:
            return
        ax, t = self.ax, self.theme
        grid = np.asarray(obs.grid, dtype=float)
        looks = self.looks()
        for index, start, middle, end, label in self.events:
            if index not in looks:
                continue
            a, b = max(start, grid[0]), min(end, grid[-1])
            if b < a:
                continue
            y_all = np.asarray(obs.altitude[index], dtype=float)
            inside = (grid > a) & (grid < b)
            xs = np.concatenate(([a], grid[inside], [b]))
            ys = np.interp(xs, grid, y_all)
            color = looks[index][0]
            (band,) = ax.plot(unix_to_num(xs), ys, color=color, lw=EVENT_BAND_WIDTH, alpha=EVENT_BAND_ALPHA,
                              solid_capstyle="butt", zorder=1.8, label=f"_event:{index}:{label}")
            band.set_gid(f"event:{index}:{label}")
            self.event_artists.append(band)
            if not grid[0] <= middle <= grid[-1]:
                continue
            y = float(np.interp(middle, grid, y_all))
            if not math.isfinite(y) or y < ax.get_ylim()[0]:
                continue
            x = float(unix_to_num(middle))
            (mark,) = ax.plot([x], [y], marker=EVENT_MARKERS.get(label, "o"), ms=6, color=color,
                              markeredgecolor=t.axes_bg, markeredgewidth=0.8, ls="none", zorder=3.5,
                              label=f"_event_mark:{index}:{label}")
            self.event_artists.append(mark)
            self.event_artists.append(
                ax.annotate(label, (x, y), xytext=(0, -7), textcoords="offset points", ha="center",
                            va="top", fontsize=7, color=color, zorder=4, clip_on=True,
                            annotation_clip=True)  # under the curve: its name is above, at the peak
            )

    def _draw_legend(self) -> None:
        ax, t = self.ax, self.theme
        handles = [h for h in (self.moon_line, self.limit_line) if h is not None]
        if not handles:
            return
        # stand-ins for the per-curve shading and bands (not drawn on the axes)
        if self.obs is not None and self.obs.horizon is not None and self.selection:
            source = self.obs.horizon.source
            handles.append(Patch(facecolor=t.foreground, alpha=0.22, lw=0,
                                 label="behind the horizon mask" + (f" ({source})" if source else "")))
        if any(str(a.get_label()).startswith("_moon_close:") for a in self.mask_artists):
            handles.append(Line2D([], [], color=t.moon, lw=t.line_width * 2.6, alpha=0.35,
                                  label="too close to the Moon"))
        curves = self.curves if len(self.curves) > LEGEND_CURVES_AFTER else []
        draw_legend(ax, t, curves, handles)
        if self.labels is not None:
            self.labels.legend_moves = bool(curves)

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
        obs = self.obs
        if obs is None or len(obs.grid) < 2:
            return HoverSnapshot(tz=self.tz, tz_label=self.tz_label)
        x0, y0, x1, y1 = self.ax.bbox.extents
        series = [(self._name(i), np.asarray(obs.altitude[i], dtype=float)) for i in self.selection]
        series.append(("Moon", np.asarray(obs.moon_altitude, dtype=float)))
        return HoverSnapshot(bbox=(float(x0), float(y0), float(x1), float(y1)),
                             xlim=tuple(float(v) for v in num_to_unix(self.ax.get_xlim())),
                             ylim=tuple(float(v) for v in self.ax.get_ylim()),
                             grid=np.asarray(obs.grid, dtype=float), sun=np.asarray(obs.sun_altitude, dtype=float),
                             series=tuple(series), tz=self.tz, tz_label=self.tz_label)

    def hit(self, x_px: float, y_px: float) -> HoverHit | None:
        """What lies under display point (x_px, y_px): the nearest curve within a few pixels."""
        return self.snapshot().hit(x_px, y_px)

    def describe(self, hit: HoverHit | None) -> str:
        return describe_hit(hit, self.tz, self.tz_label)


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
    flips: Sequence[tuple[float, str]] = (),
    events: Sequence[EventMark] = (),
) -> NightPlot:
    """Draw one night's chart on ``ax`` and return the ``NightPlot`` that owns its artists."""
    plot = NightPlot(ax=ax, theme=get_theme(theme), tz=tz, tz_label=tz_label, obs=obs, names=list(names),
                     now=now, plan_blocks=[(float(a), float(b), str(c)) for a, b, c in plan_blocks],
                     flips=[(float(w), str(c)) for w, c in flips],
                     events=[(int(i), float(a), float(m), float(b), str(c)) for i, a, m, b, c in events])
    plot.selection = []
    plot.draw()
    if obs is not None:
        plot.set_selection(selection)
    return plot
