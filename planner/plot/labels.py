"""The names on the night chart's curves, placed when the figure is drawn, and its legend.

Each curve's name is put near its peak, and always wholly inside the axes: where the text
would stick out (a curve peaking at the left or right edge, or near 90°) it is pushed in;
where it would cover another name or a key mark (the legend, an event's marker or label, a
plan block's or a flip's label) it is tried below the curve and beside the point, then at points further along
the curve, nearest the peak first, preferring a spot no curve crosses. Positions are worked out in ``draw`` from the text's
extent as the renderer measures it (font, size and DPI included), so they stay right at any
size of the window or the PDF page, without a second draw.

The legend lists the key (the Moon, the limit, the shadings) and, when the chart has more
curves than its names can keep apart, the curves first; it then goes, of matplotlib's nine
legend places, to the one where it covers no event's mark or label and the fewest points of
the curves (matplotlib's own ``loc="best"`` counts only the curves), and the names keep
clear of it.

Qt-free: a matplotlib ``Artist`` that draws its own ``Text`` objects.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.text import Text
from matplotlib.transforms import Bbox, IdentityTransform

PAD_PX = 2.0  # between a name and the axes' edge
GAP_PX = 3.0  # between a name and its curve
CANDIDATES = 48  # points tried along each curve (besides the peak)
TRACK_STEP_PX = 3.0  # curves are checked against names at points this far apart
MARK_PX = 5.0  # half the size of the box kept clear around an event marker


def _overlap(a: Bbox, b: Bbox) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


class CurveLabels(Artist):
    """The curves' names, as ``Text`` artists of their own (``texts``), placed at each draw.

    ``keep_clear(renderer)`` gives the boxes (display pixels) the names and a moving legend
    must not cover; the axes' legend is kept clear too, after being moved where it hides least
    when ``legend_moves``."""

    def __init__(self, ax: Axes, keep_clear: Callable[[object], list[Bbox]] = lambda r: []) -> None:
        super().__init__()
        self._ax = ax
        self._keep_clear = keep_clear
        self.legend_moves = False
        self._curves: list[tuple[np.ndarray, np.ndarray]] = []
        self.texts: list[Text] = []
        self.set_zorder(4.5)
        self.set_figure(ax.figure)

    def set_curves(self, curves: Sequence[tuple[str, str, np.ndarray, np.ndarray]], **text_kw) -> None:
        """(name, colour, x data, y data) per curve; curves never above the axes' bottom get no name."""
        self._curves, self.texts = [], []
        ylo = self._ax.get_ylim()[0]
        for name, color, x, y in curves:
            x, y = np.asarray(x, float), np.asarray(y, float)
            if not np.any(np.isfinite(y) & (y > ylo)):
                continue  # below the horizon all night: nothing of it is shown
            text = Text(float(x[0]), float(y[0]), name, color=color, ha="left", va="bottom",
                        clip_on=False, **text_kw)
            text.set_figure(self._ax.figure)
            text.set_transform(IdentityTransform())  # display pixels, set at each draw
            self._curves.append((x, y))
            self.texts.append(text)
        self.stale = True

    # -- placing -------------------------------------------------------------------------

    def _anchors(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Indices of the points a name may sit at: the peak first, then along the curve
        outwards from it, only where the curve is inside the axes."""
        (xlo, xhi), (ylo, yhi) = self._ax.get_xlim(), self._ax.get_ylim()
        inside = np.flatnonzero(np.isfinite(y) & (y > ylo) & (y <= yhi) & (x >= xlo) & (x <= xhi))
        if len(inside) == 0:
            return inside
        peak = int(inside[np.argmax(y[inside])])
        step = max(1, len(inside) // CANDIDATES)
        others = inside[::step]
        others = others[np.argsort(np.abs(others - peak), kind="stable")]
        return np.concatenate(([peak], others[others != peak]))

    def place(self, renderer) -> None:
        """Set every name's position for this renderer (``draw`` calls it)."""
        ax = self._ax
        frame = ax.bbox
        lo_x, hi_x = frame.x0 + PAD_PX, frame.x1 - PAD_PX
        lo_y, hi_y = frame.y0 + PAD_PX, frame.y1 - PAD_PX
        taken = list(self._keep_clear(renderer))
        tracks = [ax.transData.transform(np.column_stack([x, y])) for x, y in self._curves]
        every = np.concatenate([_dense(t) for t in tracks]) if tracks else np.empty((0, 2))
        legend = ax.get_legend()
        if legend is not None and legend.get_visible():
            if self.legend_moves:
                _move_legend(legend, renderer, every, taken)
            taken.append(legend.get_window_extent(renderer))
        for text, (x, y), points in zip(self.texts, self._curves, tracks):
            text.set_position((0.0, 0.0))
            size = text.get_window_extent(renderer)
            w, h = size.width, size.height
            best = None
            for rank, i in enumerate(self._anchors(x, y)):
                px, py = points[i]
                # above the point, under it, then beside it (a sharp peak near the zenith)
                for x0, y0 in ((px - w / 2.0, py + GAP_PX), (px - w / 2.0, py - GAP_PX - h),
                               (px + 2 * GAP_PX, py - h), (px - 2 * GAP_PX - w, py - h)):
                    cx = min(max(x0, lo_x), max(lo_x, hi_x - w))
                    cy = min(max(y0, lo_y), max(lo_y, hi_y - h))
                    box = Bbox.from_bounds(cx, cy, w, h)
                    cover = sum(_overlap(box, other) for other in taken)
                    crossed = int(np.count_nonzero((every[:, 0] >= cx) & (every[:, 0] <= cx + w)
                                                   & (every[:, 1] >= cy) & (every[:, 1] <= cy + h)))
                    # a curve through the name costs about as much as moving it a quarter
                    # of its width's worth of candidates along its own curve
                    key = (cover > 0, cover, crossed + 2 * rank)
                    if best is None or key < best[0]:
                        best = (key, box)
                    if cover == 0 and crossed == 0:
                        break
                if best is not None and not best[0][0] and best[0][2] <= 2 * rank:
                    break  # no later anchor can do better
            if best is None:
                text.set_visible(False)
                continue
            text.set_visible(True)
            box = best[1]
            text.set_position((box.x0, box.y0))
            taken.append(box)

    def draw(self, renderer) -> None:
        if not self.get_visible() or not (self.texts or self.legend_moves):
            return
        self.place(renderer)
        for text in self.texts:
            text.draw(renderer)
        self.stale = False


LEGEND_PLACES = ("upper right", "upper left", "lower right", "lower left", "center right",
                 "center left", "upper center", "lower center", "center")


def _move_legend(legend, renderer, points: np.ndarray, marks: list[Bbox]) -> None:
    """Put ``legend`` at the place (of ``LEGEND_PLACES``, first wins a tie) covering no mark if
    it can, and the fewest of ``points`` (display pixels). The legend is measured once; its box
    at each place is worked out as matplotlib anchors it (``borderaxespad`` inside the axes)."""
    size = legend.get_window_extent(renderer)
    w, h = size.width, size.height
    frame = legend.axes.bbox
    pad = legend.borderaxespad * renderer.points_to_pixels(legend.prop.get_size_in_points())
    best = None
    for place in LEGEND_PLACES:
        vertical, _, horizontal = place.partition(" ")
        horizontal = horizontal or vertical  # "center"
        x0 = {"left": frame.x0 + pad, "right": frame.x1 - pad - w}.get(horizontal, (frame.x0 + frame.x1 - w) / 2)
        y0 = {"lower": frame.y0 + pad, "upper": frame.y1 - pad - h}.get(vertical, (frame.y0 + frame.y1 - h) / 2)
        box = Bbox.from_bounds(x0, y0, w, h)
        hidden = sum(_overlap(box, mark) > 0 for mark in marks)
        covered = int(np.count_nonzero((points[:, 0] >= box.x0) & (points[:, 0] <= box.x1)
                                       & (points[:, 1] >= box.y0) & (points[:, 1] <= box.y1)))
        if best is None or (hidden, covered) < best[0]:
            best = ((hidden, covered), place)
    legend.set_loc(best[1])


def _dense(points: np.ndarray, step_px: float = TRACK_STEP_PX) -> np.ndarray:
    """A polyline's finite points resampled every ``step_px`` along it: a steep stretch between
    two samples of the night's grid still crosses a name's box."""
    points = points[np.isfinite(points).all(axis=1)]
    if len(points) < 2:
        return points
    length = np.concatenate(([0.0], np.cumsum(np.hypot(*np.diff(points, axis=0).T))))
    at = np.arange(0.0, length[-1] + step_px, step_px)
    return np.column_stack([np.interp(at, length, points[:, 0]), np.interp(at, length, points[:, 1])])


def mark_boxes(artists, renderer) -> list[Bbox]:
    """Boxes (display pixels) to keep clear of names: every visible text's extent and a small
    square around every marker of a line drawn with markers and no line (event marks)."""
    boxes = []
    for artist in artists:
        if not artist.get_visible():
            continue
        if isinstance(artist, Text):
            if artist.get_text().strip():
                boxes.append(artist.get_window_extent(renderer))
        elif hasattr(artist, "get_marker") and artist.get_marker() not in (None, "", "None", "none"):
            xy = artist.get_transform().transform(np.asarray(artist.get_xydata(), float))
            boxes.extend(Bbox.from_extents(px - MARK_PX, py - MARK_PX, px + MARK_PX, py + MARK_PX)
                         for px, py in xy if np.isfinite(px) and np.isfinite(py))
    return boxes


def draw_legend(ax: Axes, theme, curves: Sequence, key: Sequence):
    """The chart's legend in ``theme``'s colours: ``curves`` (their Line2D, may be empty) and then
    the ``key`` handles, in the upper right (which the curves rarely reach at 52 N: high and late
    in the night); with curves, ``CurveLabels.legend_moves`` moves it where it hides least."""
    handles = [*curves, *key]
    legend = ax.legend(handles=handles, loc="upper right", fontsize=7,
                       framealpha=0.75, ncols=2 if len(handles) > 7 else 1,
                       facecolor=theme.axes_bg, edgecolor=theme.grid)
    for text in legend.get_texts():
        text.set_color(theme.foreground)
    legend.set_zorder(6)
    return legend
