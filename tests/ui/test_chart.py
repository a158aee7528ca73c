"""Tonight's chart and the night summary, on a synthetic night whose shape is known.

The chart widget draws in the helper process: tests of what is drawn apply the widget's
``ChartState`` to a ``FigureRenderer`` (the same code the helper's draw lane runs) and inspect
its artists; tests of the widget wait for its picture (``chart.flush()`` or the
``rendered`` signal) and check the picture, the curves it reports and the hover read-out.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import replace

from datetime import timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from PySide6.QtCore import QCoreApplication, QPointF
from PySide6.QtGui import QImage

from planner.app.helper import DRAW, helper
from planner.plot.picture import charts_in_helper
from planner.sky.site import Site
from planner.sky.types import SUN_IS_UP, Night, Observability, Twilight
from planner.plot.night import (
    EMPTY_MESSAGE,
    airmass,
    altitude_for_airmass,
    draw_night,
    num_to_unix,
    sky_segments,
    unix_to_num,
)
from planner.plot.render import ChartState, FigureRenderer
from planner.ui.chart import TonightChart
from planner.ui.night_summary import NightSummary, moon_phase_name
from planner.ui.themes import theme
from PySide6.QtTest import QTest

START = 1771693200.0  # 2026-02-21 17:00 UTC
NAMES = ["R Leo", "SS Cyg", "chi Cyg", "T CrB"]


def synthetic_observability(n: int = 4, *, twilight: Twilight | None = None) -> Observability:
    """16 hours from 17:00 UTC: the Sun from +10° down to −35° and back, targets peaking 2.5 h apart."""
    site = Site(latitude=52.0, longitude=4.0, name="Test site")
    grid = START + np.arange(0, 16 * 3600 + 1, 300.0)
    hours = (grid - START) / 3600.0
    sun = 10 - 45 * np.sin(np.pi * hours / 16.0)
    moon = 50 * np.sin(np.pi * (hours - 2) / 12.0)
    alts = np.array([70 * np.sin(np.pi * (hours - k * 2.5) / 12.0) for k in range(n)])
    night = Night(status=SUN_IS_UP, time=START, sunset=START + 3600, sunrise=START + 15 * 3600,
                  start=START + 3600, end=START + 15 * 3600, twilight=twilight or Twilight())
    return Observability(
        site=site, night=night, ra=np.zeros(n), dec=np.zeros(n), events=[[] for _ in range(n)],
        rise=np.full(n, np.nan), set=np.full(n, np.nan), observable=np.ones(n, bool),
        hours_observable=np.ones(n), max_altitude=alts.max(1), max_altitude_time=grid[alts.argmax(1)],
        transit=grid[alts.argmax(1)], solar_conjunction=np.zeros(n, bool), sun_separation=np.full(n, 90.0),
        moon_separation=np.full(n, 60.0), grid=grid, altitude=alts, sun_altitude=sun, moon_altitude=moon,
        moon_illumination=0.63, moon_phase_angle=75.0, moon_waxing=True,
    )


@pytest.fixture
def chart(qtbot):
    widget = TonightChart(clock=None)
    qtbot.addWidget(widget)
    widget.resize(900, 380)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def drawn():
    """Draws ChartStates with the drawing process's code, here, so its artists can be inspected."""
    renderer = FigureRenderer()

    def draw(**fields) -> FigureRenderer:
        state = replace(drawn.state, **fields)
        drawn.state = state
        renderer.render(state)
        return renderer

    drawn.state = ChartState(width=900, height=360)
    return draw


def target_lines(ax) -> list[str]:
    return [line.get_label() for line in ax.get_lines() if (line.get_gid() or "").startswith("target:")]


def chart_curves(widget: TonightChart) -> list[str]:
    return [line.get_label() for line in widget.curve_lines()]


# -- what is drawn -------------------------------------------------------------------------


def test_draws_one_labelled_curve_per_selected_target(drawn):
    obs = synthetic_observability()
    r = drawn(obs=obs, names=tuple(NAMES), selection=(2, 0))
    assert target_lines(r.ax) == ["chi Cyg", "R Leo"]
    np.testing.assert_allclose(r.plot.curves[0].get_ydata(), obs.altitude[2])
    assert sorted(t.get_text() for t in r.plot.peak_labels) == ["R Leo", "chi Cyg"]


def test_selection_change_reuses_line_objects_and_drops_surplus(drawn):
    obs = synthetic_observability()
    r = drawn(obs=obs, names=tuple(NAMES), selection=(0, 1, 2))
    first = r.plot.curves[0]
    r = drawn(selection=(3,))
    assert r.plot.curves[0] is first  # updated in place: no new artist
    assert target_lines(r.ax) == ["T CrB"]
    np.testing.assert_allclose(first.get_ydata(), obs.altitude[3])


def test_twilight_spans_cover_the_night_in_order(drawn):
    r = drawn(obs=synthetic_observability(), names=tuple(NAMES))
    states = [p.get_label().split(":")[1] for p in r.ax.patches if p.get_label().startswith("_sky:")]
    assert states == ["day", "civil", "nautical", "astronomical", "darkness",
                      "astronomical", "nautical", "civil", "day"]


def test_sky_segments_place_edges_where_the_sun_crosses_the_thresholds():
    grid = np.array([0.0, 600.0, 1200.0])
    sun = np.array([-10.0, -14.0, -20.0])
    segments = sky_segments(grid, sun)
    assert [s[2] for s in segments] == ["nautical", "astronomical", "darkness"]
    assert segments[0][1] == pytest.approx(300.0)  # -12 halfway between -10 and -14
    assert segments[1][1] == pytest.approx(600 + 600 * 4 / 6)


def test_limit_and_moon_are_drawn_with_their_values(drawn):
    r = drawn(obs=synthetic_observability(), names=tuple(NAMES))
    labels = {line.get_label(): line for line in r.ax.get_lines()}
    assert "limit 20°" in labels
    np.testing.assert_allclose(labels["limit 20°"].get_ydata(), [20, 20])
    assert "Moon 63% waxing" in labels
    legend = [t.get_text() for t in r.ax.get_legend().get_texts()]
    assert legend == ["Moon 63% waxing", "limit 20°"]


def test_now_line_only_inside_the_night(drawn):
    obs = synthetic_observability()
    r = drawn(obs=obs, names=tuple(NAMES), now=float(obs.grid[10]))
    assert r.plot.now_visible()
    assert r.plot.now_line.get_xdata()[0] == pytest.approx(unix_to_num(obs.grid[10]))
    assert not drawn(now=float(obs.grid[-1] + 3600)).plot.now_visible()
    assert not drawn(now=None).plot.now_visible()


def test_plan_blocks_are_drawn_and_replaced(drawn):
    obs = synthetic_observability()
    blocks = ((obs.grid[10], obs.grid[20], "R Leo"), (obs.grid[30], obs.grid[40], "SS Cyg"))
    r = drawn(obs=obs, names=tuple(NAMES), plan_blocks=blocks)
    spans = [p for p in r.ax.patches if p.get_label().startswith("_plan:")]
    assert [p.get_label() for p in spans] == ["_plan:R Leo", "_plan:SS Cyg"]
    x0, x1 = spans[0].get_x(), spans[0].get_x() + spans[0].get_width()
    assert (x0, x1) == pytest.approx((unix_to_num(obs.grid[10]), unix_to_num(obs.grid[20])))
    r = drawn(plan_blocks=())
    assert not [p for p in r.ax.patches if p.get_label().startswith("_plan:")]
    assert not [t for t in r.ax.texts if "R Leo" == t.get_text().strip()]


def test_night_theme_colours_the_figure_red_on_black(drawn):
    r = drawn(obs=synthetic_observability(), names=tuple(NAMES), selection=(0, 1))
    first = r.plot.curves[0]
    night = theme("night")
    r = drawn(theme=night)
    assert sum(to_rgb(r.figure.get_facecolor())) < 0.1
    assert sum(to_rgb(r.ax.get_facecolor())) < 0.1
    texts = [r.ax.xaxis.label, r.ax.yaxis.label, r.ax.title]
    texts += r.ax.get_xticklabels() + r.ax.get_yticklabels()
    texts += r.plot.airmass_axis.get_yticklabels()
    for text in texts:
        red, green, blue = to_rgb(text.get_color())
        assert red > 0.3 and blue == 0 and green < 0.45 * red, text.get_text()
    for line in r.plot.curves:
        red, green, blue = to_rgb(line.get_color())
        assert blue == 0 and green < 0.45 * red
    # the selection and the night stay across a theme change
    assert target_lines(r.ax) == ["R Leo", "SS Cyg"]
    assert r.plot.curves[0] is not first  # a theme change rebuilds the artists
    assert night.foreground == r.ax.xaxis.label.get_color()


def test_no_data_shows_the_empty_state_message(drawn):
    drawn(obs=synthetic_observability(), names=tuple(NAMES), selection=(0,))
    r = drawn(obs=None, names=(), selection=(), now=START, plan_blocks=((START, START + 600, "x"),))
    assert [t.get_text() for t in r.ax.texts] == [EMPTY_MESSAGE]
    assert r.plot.curves == []


def test_time_axis_uses_the_given_time_zone(drawn):
    r = drawn(obs=synthetic_observability(), names=tuple(NAMES), tz=ZoneInfo("Europe/Amsterdam"), tz_label="CET")
    assert r.ax.get_xlabel() == "Time (CET)"
    assert r.ax.xaxis.get_major_formatter()(unix_to_num(START)) == "18:00"  # 17:00 UTC is 18:00 CET
    r = drawn(tz=timezone.utc, tz_label="UTC")
    assert r.ax.xaxis.get_major_formatter()(unix_to_num(START)) == "17:00"


def test_airmass_axis_ticks_and_conversion():
    assert airmass(90.0) == pytest.approx(1.0, abs=1e-3)
    assert airmass(30.0) == pytest.approx(2.0, abs=0.01)
    assert np.isnan(airmass(-1.0))
    assert altitude_for_airmass(2.0) == pytest.approx(30.0, abs=0.2)
    assert airmass(altitude_for_airmass(1.5)) == pytest.approx(1.5, abs=1e-3)


def test_draw_night_draws_on_a_plain_axes_for_export():
    fig = Figure()
    ax = fig.add_subplot()
    obs = synthetic_observability()
    plot = draw_night(ax, obs, [0, 1], names=NAMES, theme="light", now=obs.grid[5],
                      plan_blocks=[(obs.grid[3], obs.grid[9], "R Leo")])
    fig.canvas.draw()  # Agg renders it with no Qt involved
    assert [line.get_label() for line in plot.curves] == ["R Leo", "SS Cyg"]
    assert plot.now_visible()


# -- the widget ----------------------------------------------------------------------------


def test_widget_shows_the_selected_curves(chart):
    obs = synthetic_observability()
    chart.set_data(obs, NAMES)
    chart.set_selection([2, 0])
    assert chart_curves(chart) == ["chi Cyg", "R Leo"]  # waits for the picture
    np.testing.assert_allclose(chart.curve_lines()[0].get_ydata(), obs.altitude[2])
    assert chart.shown.state.selection == (2, 0)
    assert chart.last_render_error is None


def test_selection_ignores_out_of_range_and_duplicate_indices(chart):
    chart.set_data(synthetic_observability(), NAMES)
    chart.set_selection([1, 1, 99, -1])
    assert chart.selection == [1]
    assert chart_curves(chart) == ["SS Cyg"]


def test_selection_survives_a_new_night(chart):
    chart.set_data(synthetic_observability(), NAMES)
    chart.set_selection([1])
    chart.set_data(synthetic_observability(), NAMES)
    assert chart_curves(chart) == ["SS Cyg"]


def test_no_data_in_the_widget_is_not_an_error(chart):
    chart.set_data(synthetic_observability(), NAMES)
    chart.set_data(None, [])
    chart.set_selection([0])  # no night: nothing to select, and no crash
    chart.set_now(START)
    chart.set_plan_blocks([(START, START + 600, "x")])
    assert chart.flush()
    assert chart.last_render_error is None
    assert chart.selection == [] and chart.curve_lines() == []
    assert chart.shown.state.obs is None


def test_now_line_follows_the_clock_on_each_tick(qtbot):
    obs = synthetic_observability()
    moments = iter([obs.grid[0] - 10, obs.grid[20]])
    # The last moment stays: under load the real minute timer may tick again before the
    # widget is gone, which must not end the clock (a StopIteration in the next test).
    widget = TonightChart(clock=lambda: next(moments, obs.grid[20]))
    qtbot.addWidget(widget)
    widget.set_data(obs, NAMES)
    widget.flush()
    assert widget.shown.state.now == obs.grid[0] - 10  # before the night starts
    widget._tick()  # what the minute timer does
    widget.flush()
    assert widget.shown.state.now == obs.grid[20]
    check = FigureRenderer()
    check.render(widget.shown.state)
    assert check.plot.now_visible()
    assert widget._timer.isActive() and widget._timer.interval() == 60_000


def move_mouse(chart: TonightChart, x_px: float, y_px: float) -> None:
    """A real mouse move over the picture at figure pixel (x_px, y_px) (origin bottom left)."""
    image = chart.image
    x = x_px / image.width() * chart.view.width()
    y = (1.0 - y_px / image.height()) * chart.view.height()
    QTest.mouseMove(chart.view, QPointF(x, y).toPoint())


def shown_axes(chart: TonightChart):
    """The shown picture's figure, redrawn here from its state (same size, same code)."""
    chart.flush()
    check = FigureRenderer()
    check.render(chart.shown.state)
    return check


def test_hover_readout_names_the_curve_with_altitude_and_airmass(chart):
    obs = synthetic_observability()
    chart.set_data(obs, NAMES)
    chart.set_selection([0])
    chart.set_time_zone(timezone.utc, "UTC")
    check = shown_axes(chart)
    assert (chart.image.width(), chart.image.height()) == (chart.view.width(), chart.view.height())
    when = START + 6 * 3600  # R Leo's peak, 70°
    x_px, y_px = check.ax.transData.transform((unix_to_num(when), 70.0))
    move_mouse(chart, x_px, y_px - 3)
    text = chart.readout.text()
    # a pixel spans about a minute, and the mouse's position is whole pixels
    assert re.match(r"(22:59|23:00) UTC · R Leo: altitude 70\.0°, airmass 1\.06 ·", text), text
    assert "astronomical night" in text
    # far from every curve: only the time and the sky
    x_px, y_px = check.ax.transData.transform((unix_to_num(when), 5.0))
    assert re.fullmatch(r"(22:59|23:00) UTC · astronomical night", chart.readout_for(x_px, y_px))
    # the snapshot sent with the picture agrees with matplotlib's own transforms
    for point in [(x_px, y_px), check.ax.transData.transform((unix_to_num(when), 69.0))]:
        assert chart.readout_for(*point) == check.plot.describe(check.plot.hit(*point))
        xnum, _ = check.ax.transData.inverted().transform(point)
        assert chart.snapshot._x_to_unix(point[0]) == pytest.approx(float(num_to_unix(xnum)))
    # outside the axes: nothing
    assert chart.readout_for(1, 1) == ""
    move_mouse(chart, 1, 1)
    assert chart.readout.text() == " "


def pixels(image) -> np.ndarray:
    """The picture as an (h, w, 4) RGBA array."""
    from PySide6.QtGui import QImage

    image = image.convertToFormat(QImage.Format.Format_RGBA8888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : 4 * image.width()].reshape(image.height(), image.width(), 4).copy()


def test_rendering_happens_off_the_gui_thread_in_the_drawing_process(chart, qtbot):
    with qtbot.waitSignal(chart.rendered, timeout=60_000):
        chart.set_data(synthetic_observability(), NAMES)
        chart.set_selection([0, 1])
    renderer = chart.renderer
    assert renderer.sender_threads and threading.get_ident() not in renderer.sender_threads
    assert renderer.sender_threads == {renderer.thread.ident}  # one thread, always the same
    assert renderer.render_pids == {renderer.process.pid} and os.getpid() not in renderer.render_pids
    assert chart.image is not None and not chart.image.isNull()


def test_set_calls_return_before_the_picture_is_drawn(chart, qtbot):
    chart.flush()
    renderer = chart.renderer
    with renderer.lock:  # the sender thread cannot render while we hold this
        chart.set_data(synthetic_observability(), NAMES)
        chart.set_selection([2])
        qtbot.waitUntil(lambda: renderer.rendering, timeout=60_000)  # taken, and held by our lock
        assert not chart.is_idle()
        shown = chart.image
    with qtbot.waitSignal(chart.rendered, timeout=60_000):
        pass
    assert chart.image is not shown
    assert chart.is_idle()


def test_rapid_selection_changes_coalesce_into_few_renders(chart, qtbot):
    chart.set_data(synthetic_observability(), NAMES)
    chart.flush()
    renderer = chart.renderer
    before = renderer.renders
    for k in range(30):  # in one turn of the event loop: one render
        chart.set_selection([k % 4])
    chart.flush()
    assert renderer.renders - before == 1
    before = renderer.renders
    with renderer.lock:  # a render in progress (blocked) while ten more requests arrive
        chart.set_selection([0])
        qtbot.waitUntil(lambda: renderer.rendering and renderer.waiting is None, timeout=60_000)
        for k in range(1, 11):  # each in a turn of its own, reaching the renderer while it is busy
            chart.set_selection([k % 4])
            qtbot.waitUntil(lambda k=k: renderer.waiting is not None and renderer.waiting.selection == (k % 4,),
                            timeout=60_000)
    qtbot.waitUntil(chart.is_idle, timeout=60_000)
    # the one in progress, then only the newest of the ten
    assert renderer.renders - before == 2
    assert chart_curves(chart) == [NAMES[10 % 4]]


def test_night_theme_changes_the_shown_picture(chart, qtbot):
    chart.set_data(synthetic_observability(), NAMES)
    chart.set_selection([0, 1])
    chart.flush()
    light = pixels(chart.image)[..., :3].astype(float)
    assert light.mean() > 150  # mostly light
    with qtbot.waitSignal(chart.rendered, timeout=60_000):
        chart.set_theme("night")
    assert chart.theme.name == "night"
    night = pixels(chart.image)[..., :3].astype(float)
    assert night.mean() < 40  # dark
    r, g, b = night[..., 0], night[..., 1], night[..., 2]
    assert b.max() == 0  # no blue anywhere
    assert (g <= 0.45 * r + 1).all()  # green at most 45 % of red
    assert r.max() > 100  # and something is drawn, in red


def _painted(widget) -> np.ndarray:
    """What the widget paints now (its grab), as RGB."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    arr = np.frombuffer(image.constBits(), np.uint8, image.bytesPerLine() * image.height())
    return arr.reshape(image.height(), image.bytesPerLine())[:, :image.width() * 3].reshape(
        image.height(), image.width(), 3)


@pytest.mark.parametrize("before, after", [("night", "light"), ("light", "night"), ("night", "dark")])
def test_after_a_theme_switch_no_picture_of_the_old_theme_is_painted(chart, qtbot, before, after):
    """Issue 17 item 13: switching from night mode the chart stayed a black rectangle in the
    light window until the new picture came (about a second, measured under Xvfb); switching
    to night mode it stayed bright. Until the new theme's picture is ready the placeholder is
    painted, in the new theme's background."""
    chart.set_theme(before)
    chart.set_data(synthetic_observability(), NAMES)
    chart.set_selection([0, 1])
    chart.flush()
    assert chart.image is not None and chart.shown.state.theme.name == before
    renderer = chart.renderer
    with renderer.lock:  # the new theme's picture is in the making, and stays so
        chart.set_theme(after)
        qtbot.waitUntil(lambda: renderer.rendering, timeout=60_000)
        painted = _painted(chart.view)
        background = np.array(to_rgb(theme(after).figure_bg)) * 255
        share = (np.abs(painted.astype(float) - background).max(axis=2) <= 2).mean()
        assert share > 0.9, share  # the new theme's background, not the old picture
        assert not chart.view.showing_picture
    qtbot.waitUntil(lambda: chart.shown.state.theme.name == after and chart.is_idle(), timeout=60_000)
    assert chart.view.showing_picture


def test_resizing_renders_again_at_the_new_size(chart, qtbot):
    chart.set_data(synthetic_observability(), NAMES)
    chart.flush()
    assert chart.image.width() == chart.view.width()
    old = chart.image
    with qtbot.waitSignal(chart.rendered, timeout=60_000):
        chart.resize(640, 300)
        assert chart.image is old  # the old picture stays (scaled) until the new one is drawn
    assert (chart.image.width(), chart.image.height()) == (chart.view.width(), chart.view.height())
    assert chart.view.width() < 700


def test_hover_works_while_a_render_is_in_progress_and_after_it(chart, qtbot):
    chart.set_data(synthetic_observability(), NAMES)
    chart.set_selection([0])
    chart.set_time_zone(timezone.utc, "UTC")
    check = shown_axes(chart)
    x_px, y_px = check.ax.transData.transform((unix_to_num(START + 6 * 3600), 70.0))  # R Leo's peak
    renderer = chart.renderer
    with renderer.lock:  # the sender thread is stuck mid-render
        chart.set_selection([1])
        qtbot.waitUntil(lambda: renderer.rendering, timeout=60_000)
        move_mouse(chart, x_px, y_px - 3)
        # the read-out answers at once, for the picture on screen (R Leo's curve)
        assert "R Leo: altitude 70.0°" in chart.readout.text()
    with qtbot.waitSignal(chart.rendered, timeout=60_000):
        pass
    # the new picture has SS Cyg instead: the read-out under the still mouse follows it
    assert "R Leo" not in chart.readout.text()
    assert "UTC · " in chart.readout.text()


def test_closing_the_chart_while_it_renders_is_quiet(qtbot):
    errors = []
    old_hook = threading.excepthook
    threading.excepthook = lambda args: errors.append(args.exc_value)
    try:
        widget = TonightChart(clock=None)
        widget.resize(800, 300)
        widget.show()
        qtbot.waitExposed(widget)
        widget.flush()
        renderer = widget.renderer
        process = renderer.process
        with renderer.lock:
            widget.set_data(synthetic_observability(), NAMES)
            widget.set_selection([0, 1, 2])
            qtbot.waitUntil(lambda: renderer.rendering, timeout=60_000)  # taken; waits for our lock
            assert not renderer.idle
            gone = []
            widget.destroyed.connect(lambda *_: gone.append(True))
            widget.close()
            widget.deleteLater()
            qtbot.waitUntil(lambda: bool(gone), timeout=60_000)  # the widget is gone; the render still pending
            assert renderer.stopped
        renderer.thread.join(20)
        assert not renderer.thread.is_alive()
        # the helper (shared with the window's astronomy) stays, without this chart's figure
        assert process.is_alive()
        assert renderer.client not in helper().call(DRAW, charts_in_helper)
        QCoreApplication.processEvents()  # anything the thread posted before it ended: nothing may reach the widget
    finally:
        threading.excepthook = old_hook
    assert errors == []
    assert renderer.last_error is None


def test_a_failing_render_keeps_the_last_picture_and_recovers(chart, qtbot, caplog):
    chart.set_data(synthetic_observability(), NAMES)
    chart.flush()
    shown = chart.image
    bad = synthetic_observability()
    bad.altitude = bad.altitude[:, :5]  # rows shorter than the grid: matplotlib refuses
    chart.set_data(bad, NAMES)
    chart.set_selection([0])
    chart.flush()
    assert chart.last_render_error is not None
    assert chart.image is shown  # the last good picture stays
    assert "could not be drawn" in caplog.text
    chart.set_data(synthetic_observability(), NAMES)
    chart.flush()
    assert chart.last_render_error is None and chart.image is not shown


def test_night_summary_shows_times_darkness_and_moon_phase(qtbot):
    tw = Twilight(sunset=START + 3600, civil_dusk=START + 5400, nautical_dusk=START + 7200,
                  astronomical_dusk=START + 9000, astronomical_dawn=START + 45000,
                  nautical_dawn=START + 46800, civil_dawn=START + 48600, sunrise=START + 50400)
    summary = NightSummary()
    qtbot.addWidget(summary)
    summary.set_observability(synthetic_observability(twilight=tw))
    summary.set_time_zone(ZoneInfo("Europe/Amsterdam"), "CET")
    shown = summary.text()
    assert shown == {"sunset": "19:00 CET", "dusk": "20:30 CET", "dawn": "06:30 CET",
                     "sunrise": "08:00 CET", "darkness": "10 h 00 min", "moon": "Waxing gibbous, 63%"}


def test_night_summary_without_darkness_says_why(qtbot):
    summary = NightSummary()
    qtbot.addWidget(summary)
    summary.set_observability(synthetic_observability(twilight=Twilight(sunset=START, sunrise=START + 20000)))
    assert summary.text()["dusk"] == "—"
    assert "no astronomical darkness" in summary.values["dusk"].toolTip()
    assert summary.text()["darkness"] == "0 h 00 min"
    summary.set_observability(None)
    assert set(summary.text().values()) == {"—"}


@pytest.mark.parametrize(
    "illumination, waxing, name",
    [(0.01, True, "New Moon"), (0.2, True, "Waxing crescent"), (0.5, True, "First quarter"),
     (0.8, True, "Waxing gibbous"), (0.99, False, "Full Moon"), (0.8, False, "Waning gibbous"),
     (0.5, False, "Last quarter"), (0.2, False, "Waning crescent")],
)
def test_moon_phase_names(illumination, waxing, name):
    assert moon_phase_name(illumination, waxing) == name


def test_real_night_from_the_sky_engine(chart, qtbot):
    """A real Leiden night (21 Feb 2026): twilight bands in order, summary in local time."""
    import datetime as dt

    from planner.sky import compute_observability, night_for_date

    site = Site(latitude=52.16, longitude=4.49, name="Leiden")
    obs = compute_observability(np.array([146.89, 325.68]), np.array([11.43, 43.59]), site,
                                night_for_date(site, dt.date(2026, 2, 21)))
    chart.set_data(obs, ["R Leo", "SS Cyg"])
    chart.set_selection([0, 1])
    chart.set_time_zone(site.tz, "CET")
    check = shown_axes(chart)
    states = [p.get_label().split(":")[1] for p in check.ax.patches if p.get_label().startswith("_sky:")]
    assert states[0] == "day" and states[-1] == "day" and "darkness" in states
    darkness = [p for p in check.ax.patches if p.get_label() == "_sky:darkness"][0]
    # the darkness band starts at the engine's astronomical dusk (within a minute)
    assert darkness.get_x() == pytest.approx(unix_to_num(obs.night.twilight.astronomical_dusk), abs=60 / 86400)
    assert chart_curves(chart) == ["R Leo", "SS Cyg"]
    summary = NightSummary()
    qtbot.addWidget(summary)
    summary.set_time_zone(site.tz, "CET")
    summary.set_observability(obs)
    shown = summary.text()
    assert shown["sunset"].startswith("18:") and shown["sunrise"].startswith("07:")
    assert shown["moon"].split(",")[0] in ("Waxing crescent", "Waning crescent")

