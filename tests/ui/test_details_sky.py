"""The Details dock's Target tab: the selected target's position, tonight's window, transit
and an altitude sparkline (issue 17 item 10), from the night's observability; following the
selection, the night, the site and the time zone; in night mode red on black."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QApplication

from planner.app.state import NightState
from planner.app.target_sky import describe_target_sky, target_sky
from planner.app.targets import SAMPLE, TargetList
from planner.app.visibility import compute_visibility
from planner.catalog.target import Target
from planner.config import Settings
from planner.ui.details_pane import DetailsPane
from planner.ui.themes import apply_theme
from tests.ui.pixels import colour_names, pixel_colours, unsafe_colours

SETTINGS = Settings(site_name="Leiden", latitude=52.0, longitude=4.0, elevation=0.0, target_altitude=20.0,
                    timezone="Europe/Amsterdam")
EVENING = dt.datetime(2026, 11, 23, 17, 0, tzinfo=dt.timezone.utc).timestamp()
TARGETS = [Target("SS Cyg", 325.678, 43.586, constellation="Cyg"),
           Target("alf Oct", 319.0, -77.4, constellation="Oct"),
           Target("R Leo", 146.890, 11.429, constellation="Leo")]


def compute(state: NightState) -> None:
    """What the window's worker does: the shown night's visibility for the list, into the state."""
    state.set_observability(compute_visibility(state.targets, state.site, state.reference_time(),
                                               moon=state.settings.moon()))


def settle(qtbot, pane) -> None:
    """Wait until the Details block shows the last change (it follows ``REFRESH_AFTER_MS`` later)."""
    panel = pane.sky if hasattr(pane, "sky") else pane[0].sky
    qtbot.waitUntil(lambda: not panel.pending, timeout=60_000)


def open_pane(qtbot, clock: float):
    """A Details pane on the three targets at the moment ``clock``, their night computed."""
    state = NightState(SETTINGS, clock=lambda: clock)
    state.set_target_list(TargetList(list(TARGETS), SAMPLE))
    pane = DetailsPane(state=state)
    qtbot.addWidget(pane)
    pane.resize(480, 600)
    pane.show()
    compute(state)
    settle(qtbot, pane)
    return pane, state


@pytest.fixture
def pane(qtbot):
    return open_pane(qtbot, EVENING)


def test_no_selection_then_the_selected_targets_night(pane, qtbot):
    pane, state = pane
    assert "Select a target" in pane.sky.text()
    assert not pane.sky.sparkline.isVisible()
    state.set_selection([0])
    settle(qtbot, pane)
    text = pane.sky.text()
    expected = describe_target_sky(target_sky(state.observability, 0, TARGETS[0]), state.site.tz, "CET")
    for label, value in expected:
        assert f"{label} {value}" in text
    assert "RA 21:42:42.7  Dec +43:35:10 (J2000), in Cyg" in text
    start, end = state.observability.windows(0)[0]
    clock = lambda u: dt.datetime.fromtimestamp(round(u / 60) * 60, state.site.tz).strftime("%H:%M")  # noqa: E731
    assert f"{clock(start)} (now) – {clock(end)} CET" in text  # 18:00 CET: the night has begun
    assert pane.sky.sparkline.isVisible() and pane.sky.sparkline.sky is pane.sky.sky
    # the fields below are still there
    assert "SS Cyg" in pane.target.toPlainText()


def test_a_target_that_never_rises_says_so(pane, qtbot):
    pane, state = pane
    state.set_selection([1])
    settle(qtbot, pane)
    text = pane.sky.text()
    assert "Observable never: it never rises at this latitude" in text
    assert "below the horizon" in text


def test_the_sparkline_stays_in_place_while_a_new_night_is_computed(pane, qtbot):
    """Empty while the night is computed, but not hidden: hiding it and showing it again
    made the dock lay its text out again at each new night (10 ms of the GUI thread)."""
    pane, state = pane
    state.set_selection([2])
    settle(qtbot, pane)
    line = pane.sky.sparkline
    assert line.isVisible() and line.sky is not None
    state.set_night_date(dt.date(2027, 2, 20))
    settle(qtbot, pane)
    assert line.isVisible() and line.sky is None  # nothing drawn: the old night is not shown as the new
    compute(state)
    settle(qtbot, pane)
    assert line.isVisible() and line.sky is pane.sky.sky and line.sky.night[0] > EVENING + 80 * 86400
    state.set_selection([])
    settle(qtbot, pane)
    assert not line.isVisible()


def test_follows_the_night_the_site_and_the_time_zone(pane, qtbot):
    pane, state = pane
    state.set_selection([2])
    settle(qtbot, pane)
    before = pane.sky.text()
    state.set_night_date(dt.date(2027, 2, 20))  # R Leo is up much of a February night
    settle(qtbot, pane)
    assert "computing" in pane.sky.text()
    compute(state)
    settle(qtbot, pane)
    after = pane.sky.text()
    assert after != before and "computing" not in after
    assert pane.sky.sky.night[0] > EVENING + 80 * 86400

    state.apply_settings(Settings(site_name="Cape Town", latitude=-33.9, longitude=18.4, target_altitude=20.0,
                                  timezone="Africa/Johannesburg"))
    settle(qtbot, pane)
    assert "computing" in pane.sky.text()
    compute(state)
    settle(qtbot, pane)
    assert " SAST" in pane.sky.text() and pane.sky.sky.limit[0] == 20.0

    state.set_show_utc(True)
    settle(qtbot, pane)
    assert " UTC" in pane.sky.text() and " SAST" not in pane.sky.text()


def test_the_sparkline_is_red_on_black_in_night_mode(pane, qtbot):
    pane, state = pane
    state.set_selection([0])
    settle(qtbot, pane)
    app = QApplication.instance()
    apply_theme(app, "night")
    try:
        assert pane.sky.sparkline.width() > 100
        assert len(pixel_colours(pane.sky.sparkline)) > 3  # the curve, the limit, the dark time are drawn
        assert unsafe_colours(pane.sky.sparkline, step=1) == []
    finally:
        apply_theme(app, "light")


def _link_colours(browser) -> set[str]:
    """The colours the document paints its links in."""
    colours = set()
    block = browser.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isAnchor():
                colours.add(fmt.foreground().color().name())
            it += 1
        block = block.next()
    return colours


def test_the_details_links_follow_the_theme_both_ways(pane, qtbot):
    from planner.ui.themes import theme

    pane, state = pane
    state.set_selection([0])  # SS Cyg: "Look up in VSX" and the notes' links
    settle(qtbot, pane)
    app = QApplication.instance()
    try:
        for name in ("light", "night", "light", "dark"):
            apply_theme(app, name)
            assert _link_colours(pane.target) == {theme(name).link}, name
    finally:
        apply_theme(app, "light")


def test_tonight_in_progress_marks_now_on_the_sparkline(qtbot):
    from planner.ui.themes import theme

    late = dt.datetime(2026, 11, 23, 22, 0, tzinfo=dt.timezone.utc).timestamp()
    pane, state = open_pane(qtbot, late)
    state.set_selection([0])
    settle(qtbot, pane)
    assert "23:00 (now) – " in pane.sky.text()
    spark = pane.sky.sparkline
    apply_theme(QApplication.instance(), "light")
    image = spark.grab().toImage()
    x = round(spark.x_of(late) * image.width() / spark.width())
    column = {image.pixelColor(x, y).name() for y in range(image.height())}
    assert theme("light").now in column


def test_the_sparkline_draws_the_star_in_its_chart_colour(pane, qtbot):
    from planner.ui.themes import theme

    pane, state = pane
    apply_theme(QApplication.instance(), "light")
    for i in (0, 2):
        state.set_selection([i])
        settle(qtbot, pane)
        assert theme("light").curve_color(TARGETS[i].star_name) in colour_names(pane.sky.sparkline)


def test_the_sparkline_takes_the_colour_the_chart_gives_a_star_among_the_selected(qtbot):
    """R Leo and R Cas pick one colour by name; shown together R Cas keeps it and R Leo's curve
    moves on (``Theme.curve_colors``): the sparkline of R Leo follows the chart, not the name."""
    from planner.ui.themes import theme

    t = theme("light")
    state = NightState(SETTINGS, clock=lambda: EVENING)
    state.set_target_list(TargetList([TARGETS[2], Target("R Cas", 359.6, 51.39, constellation="Cas")], SAMPLE))
    pane = DetailsPane(state=state)
    qtbot.addWidget(pane)
    pane.resize(480, 600)
    pane.show()
    compute(state)
    settle(qtbot, pane)
    apply_theme(QApplication.instance(), "light")
    assert t.curve_color("R Leo") == t.curve_color("R Cas")
    chart_colour = t.curve_colors(["R Leo", "R Cas"])[0]
    assert chart_colour != t.curve_color("R Leo")
    state.set_selection([0, 1])
    settle(qtbot, pane)
    colours = colour_names(pane.sky.sparkline)
    assert chart_colour in colours and t.curve_color("R Leo") not in colours
