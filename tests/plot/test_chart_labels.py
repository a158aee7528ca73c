"""The chart's curve names, legend and colours (issue 17 item 5), checked on the artists as the
Agg renderer draws them: each name's measured extent (``get_window_extent`` with the
canvas's renderer) inside the axes and clear of the others and of the key marks, the legend
listing the curves only above ``LEGEND_CURVES_AFTER``, and a star's colour keyed by its name.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from planner.plot.night import LEGEND_CURVES_AFTER, draw_night
from planner.plot.palette import THEME_NAMES, theme
from planner.plot.render import ChartState, FigureRenderer
from planner.sky import Site, compute_observability, night_for_date
from planner.sky.types import SUN_IS_UP, Night, Observability, Twilight

START = 1771693200.0  # 2026-02-21 17:00 UTC
SITE = Site(52.0, 4.0, timezone="Europe/Amsterdam", name="Test site")
HOURS = np.arange(0, 16 * 60 + 1, 5) / 60.0  # 16 h, every 5 minutes

# Altitude shapes of the kinds that lost their names: CH Cyg setting from its peak at the
# left edge, SS Cyg-like near the zenith, one rising to its peak at the right edge, and one
# below the horizon most of the night (a few degrees up for two hours).
SHAPES = {
    "left edge": 86.0 - 4.5 * HOURS,
    "top": 89.8 - 9.0 * np.abs(HOURS - 6.0),
    "right edge": 10.0 + 4.0 * HOURS,
    "mostly down": 6.0 - 6.0 * np.abs(HOURS - 11.0),
}


def observability(alts: np.ndarray) -> Observability:
    n = len(alts)
    grid = START + HOURS * 3600.0
    night = Night(status=SUN_IS_UP, time=START, sunset=START + 3600, sunrise=START + 15 * 3600,
                  start=START + 3600, end=START + 15 * 3600, twilight=Twilight())
    return Observability(
        site=Site(latitude=52.0, longitude=4.0, name="Test site"), night=night, ra=np.zeros(n), dec=np.zeros(n),
        events=[[] for _ in range(n)], rise=np.full(n, np.nan), set=np.full(n, np.nan),
        observable=np.ones(n, bool), hours_observable=np.ones(n), max_altitude=alts.max(1),
        max_altitude_time=grid[alts.argmax(1)], transit=grid[alts.argmax(1)],
        solar_conjunction=np.zeros(n, bool), sun_separation=np.full(n, 90.0), moon_separation=np.full(n, 60.0),
        grid=grid, altitude=alts, sun_altitude=10 - 45 * np.sin(np.pi * HOURS / 16.0),
        moon_altitude=40 * np.sin(np.pi * (HOURS - 2) / 12.0), moon_illumination=0.5, moon_phase_angle=90.0,
        moon_waxing=True,
    )


def drawn(obs, names, selection, *, theme_name="light", width=900, height=360, events=()):
    renderer = FigureRenderer()
    renderer.render(ChartState(obs=obs, names=tuple(names), selection=tuple(selection), theme=theme(theme_name),
                               width=width, height=height, events=tuple(events)))
    return renderer, renderer.canvas.get_renderer()


def inside(box, frame) -> bool:
    return frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1


def overlaps(a, b) -> bool:
    return min(a.x1, b.x1) > max(a.x0, b.x0) and min(a.y1, b.y1) > max(a.y0, b.y0)


@pytest.mark.parametrize("size", [(900, 360), (420, 200)])
def test_every_name_lands_inside_the_axes_whatever_its_curve_does(size):
    names = list(SHAPES)
    obs = observability(np.array([SHAPES[n] for n in names]))
    r, renderer = drawn(obs, names, range(len(names)), width=size[0], height=size[1])
    frame = r.ax.get_window_extent(renderer)
    labels = {t.get_text(): t for t in r.plot.peak_labels}
    assert sorted(labels) == sorted(names)  # every curve is named, the one mostly down too
    boxes = {name: t.get_window_extent(renderer) for name, t in labels.items()}
    for name, box in boxes.items():
        assert labels[name].get_visible()
        assert inside(box, frame), (name, box, frame)
    for a in names:  # and no two names on one another
        for b in names:
            if a < b:
                assert not overlaps(boxes[a], boxes[b]), (a, b)


def test_the_name_stays_near_its_own_curve():
    names = ["left edge", "top"]
    obs = observability(np.array([SHAPES[n] for n in names]))
    r, renderer = drawn(obs, names, [0, 1])
    for text, line in zip(r.plot.peak_labels, r.plot.curves):
        box = text.get_window_extent(renderer)
        xy = line.get_transform().transform(line.get_xydata())
        distance = np.min(np.hypot(xy[:, 0] - (box.x0 + box.x1) / 2, xy[:, 1] - (box.y0 + box.y1) / 2))
        assert distance < box.width, text.get_text()  # next to the curve, not parked in a corner


def test_a_curve_never_above_the_horizon_gets_no_name():
    obs = observability(np.array([SHAPES["top"], -5.0 - HOURS]))
    r, _ = drawn(obs, ["up", "down"], [0, 1])
    assert [t.get_text() for t in r.plot.peak_labels] == ["up"]


def test_names_keep_clear_of_the_legend_and_the_events():
    names = list(SHAPES) + ["second top", "third"]
    alts = [SHAPES[n] for n in SHAPES] + [88.0 - 8.0 * np.abs(HOURS - 13.0), 60 - 3 * np.abs(HOURS - 8)]
    obs = observability(np.array(alts))
    top_peak = START + 6 * 3600.0
    events = [(1, top_peak - 1800, top_peak, top_peak + 1800, "Min I")]
    r, renderer = drawn(obs, names, range(len(names)), events=events)
    legend = r.ax.get_legend().get_window_extent(renderer)
    marks = [a.get_window_extent(renderer) for a in r.plot.event_artists if hasattr(a, "get_text")]
    assert marks  # the event's label is drawn
    for text in r.plot.peak_labels:
        box = text.get_window_extent(renderer)
        assert not overlaps(box, legend), text.get_text()
        for mark in marks:
            assert not overlaps(box, mark), text.get_text()


# -- the legend ----------------------------------------------------------------------------------

def _legend_texts(r) -> list[str]:
    return [t.get_text() for t in r.ax.get_legend().get_texts()]


def test_the_legend_lists_the_curves_only_above_the_threshold():
    rng = np.random.default_rng(7)
    n = LEGEND_CURVES_AFTER + 1
    obs = observability(np.array([60 * np.sin(np.pi * (HOURS - rng.uniform(0, 6)) / 12.0) for _ in range(n)]))
    names = [f"V{i} Cyg" for i in range(n)]
    few, _ = drawn(obs, names, range(LEGEND_CURVES_AFTER))
    assert not set(names) & set(_legend_texts(few))  # the names on the curves say it all
    many, renderer = drawn(obs, names, range(n))
    texts = _legend_texts(many)
    assert texts[:n] == names  # the curves first, in the selection's order, then the key
    assert any(t.startswith("Moon") for t in texts)
    legend = many.ax.get_legend()
    handles = {t.get_text(): h for t, h in zip(legend.get_texts(), legend.legend_handles)}
    for line in many.plot.curves:
        assert handles[line.get_label()].get_color() == line.get_color()
    assert inside(legend.get_window_extent(renderer), many.ax.get_window_extent(renderer))


def test_the_legend_hides_no_event():
    """Nine stars on the fixed night (docs/screenshots/chart-legend-light.png) with U Gem's
    eclipse at 05:05 CET: matplotlib's loc="best" (fewest curve points) put the legend over
    the eclipse's mark and label; it goes where it hides none of them."""
    from planner.catalog import load_sample

    stars = ("SS Cyg", "CH Cyg", "omi Cet", "R Leo", "chi Cyg", "T CrB", "R Cas", "U Gem", "Z Cam")
    targets = load_sample().targets
    names = [t.star_name for t in targets]
    obs = compute_observability(np.array([t.ra for t in targets]), np.array([t.dec for t in targets]), SITE,
                                night_for_date(SITE, dt.date(2026, 11, 23)))
    when = dt.datetime(2026, 11, 24, 4, 5, tzinfo=dt.timezone.utc).timestamp()
    eclipse = (names.index("U Gem"), when - 1800.0, when, when + 1800.0, "Min I")
    r, renderer = drawn(obs, names, [names.index(n) for n in stars], width=922, height=268, events=[eclipse])
    legend = r.ax.get_legend().get_window_extent(renderer)
    label = [a.get_window_extent(renderer) for a in r.plot.event_artists if hasattr(a, "get_text")]
    marks = [a.get_transform().transform(a.get_xydata())[0] for a in r.plot.event_artists
             if str(a.get_label()).startswith("_event_mark:")]
    assert label and marks
    assert not overlaps(legend, label[0])
    assert not any(legend.contains(px, py) for px, py in marks)
    assert inside(legend, r.ax.get_window_extent(renderer))


@pytest.mark.parametrize("name", THEME_NAMES)
def test_the_legend_is_in_the_themes_colours(name):
    n = LEGEND_CURVES_AFTER + 2
    obs = observability(np.array([50 + 30 * np.sin(HOURS + k) for k in range(n)]))
    r, _ = drawn(obs, [f"S{k}" for k in range(n)], range(n), theme_name=name)
    legend, t = r.ax.get_legend(), theme(name)
    frame = legend.get_frame()
    assert to_rgb(frame.get_facecolor()) == to_rgb(t.axes_bg)
    assert to_rgb(frame.get_edgecolor()) == to_rgb(t.grid)
    assert {to_rgb(x.get_color()) for x in legend.get_texts()} == {to_rgb(t.foreground)}
    if name == "night":  # red on black: no green or blue anywhere in it
        for rgb in [to_rgb(frame.get_facecolor()), to_rgb(frame.get_edgecolor()),
                    *(to_rgb(h.get_color()) for h in legend.legend_handles if hasattr(h, "get_color"))]:
            assert rgb[2] == 0 and rgb[1] <= rgb[0], rgb


# -- names of real stars (their colours: tests/plot/test_curve_colours.py) ---------------------------

def test_ch_cyg_and_ss_cyg_are_named_inside_on_the_fixed_night():
    """The issue's case: CH Cyg peaks at the left edge near 88 deg on 23 Nov 2026 at 52 N 4 E;
    drawn on a Figure of its own (as the PDF and the Chart tab do), at the window's size."""
    from planner.catalog import load_sample

    targets = [t for t in load_sample().targets if t.star_name in ("CH Cyg", "SS Cyg")]
    obs = compute_observability(np.array([t.ra for t in targets]), np.array([t.dec for t in targets]), SITE,
                                night_for_date(SITE, dt.date(2026, 11, 23)))
    assert obs.altitude[[t.star_name for t in targets].index("CH Cyg")][:3].max() > 85  # the shape it had
    fig = Figure(figsize=(10, 4))
    canvas = FigureCanvasAgg(fig)
    plot = draw_night(fig.add_subplot(1, 1, 1), obs, [0, 1], names=[t.star_name for t in targets])
    fig.subplots_adjust(left=0.058, right=0.944, bottom=0.11, top=0.935)  # the window's margins
    canvas.draw()
    renderer = canvas.get_renderer()
    frame = plot.ax.get_window_extent(renderer)
    assert sorted(t.get_text() for t in plot.peak_labels) == ["CH Cyg", "SS Cyg"]
    for text in plot.peak_labels:
        assert inside(text.get_window_extent(renderer), frame), text.get_text()
