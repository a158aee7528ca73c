"""The night chart without Qt: drawn on an Axes it is given, in the print look its curves
are told apart without colour, and the PDF night sheet is that same chart."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
from matplotlib.figure import Figure

from planner.plot.night import draw_night
from planner.plot.palette import PRINT, theme
from planner.sky import Site, compute_observability

SITE = Site(52.0, 4.0, timezone="Europe/Amsterdam", name="Test site")
WHEN = 1_795_449_600.0  # 2026-11-23T16:00:00Z


def test_print_curves_differ_without_colour():
    rng = np.random.default_rng(3)
    obs = compute_observability(rng.uniform(0, 360, 6), rng.uniform(20, 80, 6), SITE, WHEN)
    ax = Figure().add_subplot(1, 1, 1)
    plot = draw_night(ax, obs, range(6), names=[f"S{i}" for i in range(6)], theme="print", tz=SITE.tz)
    def dashes(line):
        return tuple(line._dash_pattern[1] or ())  # matplotlib keeps the scaled pattern here

    patterns = [dashes(line) for line in plot.curves]
    assert len(set(patterns)) == 6  # six curves, six dash patterns: apart in grey-scale print
    assert dashes(plot.moon_line) not in patterns  # and none looks like the Moon's dotted line
    assert {t.get_text() for t in plot.peak_labels} <= {f"S{i}" for i in range(6)}
    assert theme("print") is PRINT and PRINT.figure_bg == "#ffffff"


def test_the_pdf_night_sheet_is_the_windows_chart():
    import pypdf

    from planner.catalog import load_sample
    from planner.plan.export import render
    from planner.plan.scheduler import schedule
    from planner.sky import night_for_date

    targets = [t for t in load_sample().targets if t.star_name in ("SS Cyg", "omi Cet", "chi Cyg")]
    plan = schedule(targets, SITE, night_for_date(SITE, dt.date(2026, 11, 23)), duration=1800, now=WHEN,
                    title="Test night").plan
    text = pypdf.PdfReader(io.BytesIO(render(plan, "pdf"))).pages[0].extract_text()
    for expected in ("Test night", "Altitude", "Airmass", "Moon", "limit 20°", "SS Cyg"):
        assert expected in text, expected


# -- minima, transits and maxima on the curves (planner.app.events.NightEvents.chart_events) --

def _event_night():
    rng = np.random.default_rng(5)
    obs = compute_observability(rng.uniform(0, 360, 3), rng.uniform(40, 80, 3), SITE, WHEN)
    grid = obs.grid
    t0, t1 = float(grid[0]), float(grid[-1])
    middle = t0 + 0.5 * (t1 - t0)
    events = [
        (0, middle - 3600.0, middle, middle + 3600.0, "Min I"),  # target 0: a two-hour eclipse
        (1, t0 - 7200.0, t0 + 1800.0, t0 + 1800.0, "Max"),  # target 1: a rise begun before the night
        (2, middle, middle, middle, "Transit"),  # target 2: not selected below
    ]
    return obs, events


def _band(plot, index):
    return [a for a in plot.event_artists if str(a.get_gid() or "").startswith(f"event:{index}:")]


def _marks(plot):
    return [a for a in plot.event_artists if str(a.get_label()).startswith("_event_mark:")]


def test_events_are_drawn_on_their_selected_curve_in_its_colour():
    obs, events = _event_night()
    ax = Figure().add_subplot(1, 1, 1)
    plot = draw_night(ax, obs, [0, 1], names=["A", "B", "C"], theme="light", tz=SITE.tz, events=events)
    (band0,) = _band(plot, 0)
    (band1,) = _band(plot, 1)
    assert not _band(plot, 2)  # target 2 is not selected: its transit is not drawn
    # the band follows the target's own curve from the event's start to its end
    from planner.plot.night import unix_to_num

    x = np.asarray(band0.get_xdata(), float)
    assert x[0] == unix_to_num(events[0][1]) and x[-1] == unix_to_num(events[0][3])
    expected = np.interp(events[0][1], obs.grid, obs.altitude[0])
    assert abs(band0.get_ydata()[0] - expected) < 1e-9
    assert band0.get_color() == plot.curves[0].get_color()
    assert band0.get_linewidth() > plot.curves[0].get_linewidth()  # thick and translucent
    assert 0 < band0.get_alpha() < 1
    # a rise begun before the night is cut at the night's start
    assert np.asarray(band1.get_xdata(), float)[0] == unix_to_num(obs.grid[0])
    marks = {str(m.get_label()).split(":")[-1]: m for m in _marks(plot)}
    assert marks["Min I"].get_marker() == "v" and marks["Max"].get_marker() == "^"
    assert abs(marks["Min I"].get_ydata()[0] - np.interp(events[0][2], obs.grid, obs.altitude[0])) < 1e-9
    labels = [a.get_text() for a in plot.event_artists if hasattr(a, "get_text")]
    assert sorted(labels) == ["Max", "Min I"]


def test_events_follow_the_selection_and_are_replaced():
    obs, events = _event_night()
    ax = Figure().add_subplot(1, 1, 1)
    plot = draw_night(ax, obs, [0], names=["A", "B", "C"], tz=SITE.tz, events=events)
    assert _band(plot, 0) and not _band(plot, 1)
    plot.set_selection([1, 2])
    assert not _band(plot, 0) and _band(plot, 1) and _band(plot, 2)
    # the colour is the curve's: target 1 is now the first curve
    assert _band(plot, 1)[0].get_color() == plot.curves[0].get_color()
    before = len(ax.get_lines())
    plot.set_events([])
    assert plot.event_artists == [] and len(ax.get_lines()) < before
    plot.set_events(events[:1])
    assert plot.event_artists == []  # target 0 is not selected


def test_an_event_outside_the_night_is_not_drawn():
    obs, _ = _event_night()
    late = float(obs.grid[-1]) + 86400.0
    ax = Figure().add_subplot(1, 1, 1)
    plot = draw_night(ax, obs, [0], tz=SITE.tz, events=[(0, late, late + 60, late + 120, "Min I")])
    assert plot.event_artists == []


def test_events_in_every_theme_keep_the_curve_colour():
    obs, events = _event_night()
    for name in ("light", "dark", "night", "print"):
        ax = Figure().add_subplot(1, 1, 1)
        plot = draw_night(ax, obs, [0, 1], theme=name, tz=SITE.tz, events=events)
        for k, index in enumerate((0, 1)):
            assert _band(plot, index)[0].get_color() == plot.curves[k].get_color()
            assert plot.curves[k].get_color() == theme(name).curve_color(f"target {index + 1}")
