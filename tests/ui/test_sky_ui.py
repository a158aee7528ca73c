"""The observer's sky in the window: Settings > Horizon, Moon & mount, the Outlook dock's
heat map (a click opens that night), the chart's horizon shading, Moon bands and flip
markers, and the table's Transit and Moon columns."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from planner.app.state import NightState
from planner.config import Settings
from planner.plot.night import draw_night
from planner.sky import Site, compute_observability, night_for_date
from planner.sky.horizon import HorizonMask, read_horizon
from planner.ui.columns import COLUMN_INDEX, COLUMNS

DATA = Path(__file__).resolve().parents[1] / "data" / "horizon"


# -- Settings page ------------------------------------------------------------------------

def test_settings_page_imports_a_horizon_and_keeps_it_on_a_bad_file(qtbot):
    from planner.ui.settings.sky import SkyPage

    page = SkyPage(Settings(target_altitude=15.0))
    qtbot.addWidget(page)
    assert page.mask is None and "No horizon mask" in page.status.text()
    assert page.import_file(DATA / "backyard.hrz")
    assert page.mask == read_horizon(DATA / "backyard.hrz")
    assert "11 points" in page.status.text() and "backyard.hrz" in page.status.text()
    good = page.mask
    # a bad file: refused with its line and reason, the mask in force stays
    assert not page.import_file(DATA / "bad_azimuth.hrz")
    assert "line 2: azimuth 400 is outside 0-360" in page.horizon_message.text()
    assert "was not changed" in page.horizon_message.text()
    assert page.mask == good and page.errors() == []
    applied = page.apply(Settings())
    assert HorizonMask.from_json(applied.horizon).points == good.points


def test_settings_page_typed_points_and_the_rest(qtbot):
    from planner.ui.settings.sky import SkyPage

    page = SkyPage(Settings())
    qtbot.addWidget(page)
    qtbot.keyClicks(page.points_edit, "0 10, 180 30")
    assert page.mask.points == ((0.0, 10.0), (180.0, 30.0)) and page.errors() == []
    page.points_edit.clear()
    qtbot.keyClicks(page.points_edit, "0 10, 180 95")
    assert page.errors() and "point 2: altitude 95 is over 90" in page.errors()[0]
    page.distance_spin.setValue(45)
    page.width_spin.setValue(5)
    assert "45° at full Moon" in page.moon_caption.text()
    page.german_check.setChecked(True)
    page.policy_combo.setCurrentIndex(page.policy_combo.findData("mark"))
    page.nights_spin.setValue(14)
    page.points_edit.clear()
    qtbot.keyClicks(page.points_edit, "0 10, 180 30")
    s = page.apply(Settings())
    assert s.moon().distance == 45 and s.moon().width == 5
    assert s.mount_model().german and s.mount_model().flip_policy == "mark"
    assert s.outlook_nights == 14
    assert s.site().horizon.points == ((0.0, 10.0), (180.0, 30.0))


def test_the_horizon_preview_draws_no_green_or_blue_light_in_night_mode(qtbot, qapp):
    """Issue 17 item 4: its limit line was a fixed #c0392b (blue 43) in every theme."""
    from planner.ui.settings.sky import HorizonPreview
    from planner.ui.themes import apply_theme
    from tests.ui.pixels import unsafe_colours

    try:
        apply_theme(qapp, "night")
        preview = HorizonPreview()
        qtbot.addWidget(preview)
        preview.resize(420, 120)
        preview.set_mask(read_horizon(DATA / "backyard.hrz"), 20.0)
        assert unsafe_colours(preview) == []
    finally:
        apply_theme(qapp, "light")


def test_the_settings_dialog_refuses_ok_on_bad_typed_points(qtbot):
    from planner.ui.settings.dialog import SettingsDialog

    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.page("sky").points_edit, "0 10, 400 5")
    assert not dialog.validate() and not dialog.ok_button.isEnabled()
    dialog.page("sky").points_edit.clear()
    qtbot.keyClicks(dialog.page("sky").points_edit, "0 10, 200 5")
    assert dialog.validate()
    assert dialog.build_settings().horizon["points"] == [[0.0, 10.0], [200.0, 5.0]]


# -- Outlook dock -------------------------------------------------------------------------

def _state_with(targets, site: Site, nights: int = 5) -> NightState:
    from planner.app.targets import TargetList

    settings = Settings(latitude=site.latitude, longitude=site.longitude, timezone=site.timezone,
                        target_altitude=site.target_altitude, outlook_nights=nights)
    if site.horizon is not None:
        settings.horizon = site.horizon.to_json()
    when = night_for_date(site, dt.date(2026, 11, 23))
    state = NightState(settings, clock=lambda: when)
    state.set_target_list(TargetList(targets=list(targets), origin="file", fetched_at=None))
    return state


def test_outlook_dock_heat_map_and_a_click_opens_that_night(qtbot):
    from planner.catalog import load_sample
    from planner.ui.outlook_dock import HOURS_ROLE, OutlookPanel

    site = Site(52.0, 4.0, timezone="Europe/Amsterdam", target_altitude=15.0,
                horizon=read_horizon(DATA / "backyard.hrz"))
    targets = load_sample().targets[:12]
    state = _state_with(targets, site)
    panel = OutlookPanel(state=state)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.model.outlook is not None and not panel.runner.busy, timeout=120_000)
    outlook = panel.model.outlook
    assert outlook.site.horizon is not None and len(outlook.nights) == 5
    assert [n.date for n in outlook.nights][0] == dt.date(2026, 11, 23)
    assert panel.model.rowCount() == 12 and panel.model.columnCount() == 6
    # the cells are the outlook's hours (row i is target i)
    for row in (0, 5, 11):
        for k in (0, 4):
            cell = panel.model.index(row, 1 + k)
            assert cell.data(HOURS_ROLE) == pytest.approx(float(outlook.hours[row, k]))
    assert "23" in panel.model.headerData(1, Qt.Orientation.Horizontal)
    # a click opens that night and selects the target
    proxy_index = panel.proxy.mapFromSource(panel.model.index(3, 3))
    rect = panel.view.visualRect(proxy_index)
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert state.night_date == dt.date(2026, 11, 25)
    assert state.selection == [3]


def test_outlook_dock_waits_until_shown_and_follows_the_list(qtbot):
    from planner.app.targets import TargetList
    from planner.catalog import load_sample
    from planner.ui.outlook_dock import OutlookPanel

    site = Site(52.0, 4.0, timezone="Europe/Amsterdam")
    sample = load_sample().targets
    state = _state_with(sample[:4], site, nights=3)
    panel = OutlookPanel(state=state)
    qtbot.addWidget(panel)
    assert panel.model.outlook is None and not panel.runner.busy  # hidden: nothing computed
    panel.show()
    qtbot.waitUntil(lambda: panel.model.outlook is not None and not panel.runner.busy, timeout=120_000)
    state.set_target_list(TargetList(targets=list(sample[:7]), origin="file", fetched_at=None))
    qtbot.waitUntil(lambda: panel.model.outlook is not None and len(panel.model.outlook.targets) == 7
                    and not panel.runner.busy, timeout=120_000)
    panel.observable_check.setChecked(True)
    visible = panel.proxy.rowCount()
    assert visible == int(np.sum(np.any(panel.model.outlook.hours >= 0.05, axis=1)))


def test_outlook_cells_mark_the_nights_events_and_list_them_in_the_tooltip(qtbot):
    """A cell with an event that can be watched gets a filled corner triangle, one whose
    events cannot be watched a hollow one, none without events; the tooltip lists each
    event (label, local and UTC time, visibility) as ``events_for_night`` gives it."""
    from planner.app.events import events_for_night
    from planner.app.outlook import outlook
    from planner.catalog import load_sample
    from planner.formatting import format_clock
    from planner.ui.outlook_dock import EVENT_MARK_COLOR, EVENT_ROLE, OutlookPanel

    site = Site(52.0, 4.0, timezone="Europe/Amsterdam")
    targets = load_sample().targets
    dates = [dt.date(2026, 12, 1), dt.date(2026, 12, 2)]
    panel = OutlookPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 700)
    panel.show()  # without a state it has nothing to compute: the outlook is given to it
    qtbot.waitUntil(panel.view.isVisible)
    panel.model.set_outlook(outlook(targets, site, dates))
    assert panel.model.rowCount() == len(targets)
    direct = events_for_night(targets, site, night_for_date(site, dates[1]))
    marks = {}
    for i, target in enumerate(targets):
        cell = panel.model.index(i, 2)
        events = direct.targets[i].events
        mark = cell.data(EVENT_ROLE)
        tip = cell.data(Qt.ItemDataRole.ToolTipRole)
        if not events:
            assert mark is None
            continue
        watchable = any(e.observable in ("full", "partial") for e in events)
        assert mark == ("watchable" if watchable else "unwatchable")
        marks.setdefault(mark, i)
        for e in events:
            assert f"{e.label} at {format_clock(e.time, site.tz)}" in tip
    assert "watchable" in marks and "unwatchable" in marks
    algol = [t.star_name for t in targets].index("bet Per")
    assert "can be watched whole" in panel.model.index(algol, 2).data(Qt.ItemDataRole.ToolTipRole)
    # the mark is drawn: the lower-left corner of a marked cell is amber, filled or hollow
    no_event = next(i for i, row in enumerate(direct.targets) if not row.events)

    def corner(row):
        index = panel.proxy.mapFromSource(panel.model.index(row, 2))
        panel.view.scrollTo(index)
        rect = panel.view.visualRect(index)
        image = panel.view.viewport().grab().toImage()
        return image.pixelColor(rect.left() + 3, rect.bottom() - 3).name()

    amber = EVENT_MARK_COLOR.name()
    assert corner(marks["watchable"]) == amber
    assert corner(no_event) != amber
    assert corner(marks["unwatchable"]) != amber  # hollow: the cell shows inside the outline
    # night mode: the mark is the theme's own red (amber's green would reach dark-adapted eyes)
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QApplication

    from planner.ui.themes import apply_theme, current_theme, theme

    before = current_theme()
    apply_theme(QApplication.instance(), theme("night"))
    try:
        night_red = QColor(theme("night").window_text)
        panel.view.viewport().update()
        assert QColor(corner(marks["watchable"])) == night_red
        assert night_red.blue() == 0 and night_red.green() < night_red.red() / 4  # amber: 149 of 230
    finally:
        apply_theme(QApplication.instance(), before)


# -- the chart ----------------------------------------------------------------------------

def _plot(site, targets, when, **kw):
    from matplotlib.figure import Figure

    obs = compute_observability([t[0] for t in targets], [t[1] for t in targets], site, when)
    ax = Figure().add_subplot(111)
    return draw_night(ax, obs, list(range(len(targets))), names=[f"T{i}" for i in range(len(targets))], **kw), obs


def test_chart_shades_the_horizon_under_each_curve():
    site = Site(52.0, 4.0, target_altitude=15.0, horizon=read_horizon(DATA / "backyard.hrz"))
    plot, obs = _plot(site, [(83.6, 22.0), (210.0, 40.0)], night_for_date(site, dt.date(2026, 11, 23)))
    labels = [str(a.get_label()) for a in plot.mask_artists]
    assert "_horizon:T0" in labels and "_horizon:T1" in labels
    edge = next(a for a in plot.mask_artists if a.get_label() == "_horizon_edge:T0")
    limit = obs.effective_limit(0)
    y = np.asarray(edge.get_ydata(), float)
    shown = ~np.isnan(y)
    assert np.allclose(y[shown], limit[shown]) and np.all(limit[shown] > 15.0)
    legend = [t.get_text() for t in plot.ax.get_legend().get_texts()]
    assert "behind the horizon mask (backyard.hrz)" in legend
    # without a mask there is nothing of the kind
    flat, _ = _plot(site.without_horizon(), [(83.6, 22.0)], night_for_date(site, dt.date(2026, 11, 23)))
    assert not any(str(a.get_label()).startswith("_horizon") for a in flat.mask_artists)


def test_chart_bands_the_moon_and_marks_flips():
    site = Site(52.0, 4.0, target_altitude=10.0)
    when = night_for_date(site, dt.date(2026, 1, 3))  # full Moon
    probe = compute_observability([0.0], [0.0], site, when)
    k = int(np.argmax(probe.moon_altitude))
    # a target beside the Moon at its highest (from the engine's own Moon direction)
    x, y_, z = (float(v) for v in probe.moon_direction[k])
    ra, dec = np.degrees(np.arctan2(y_, x)) % 360.0, np.degrees(np.arcsin(z)) - 15.0
    flip_at = float(probe.grid[k])
    plot, obs = _plot(site, [(ra, dec)], when, flips=[(flip_at, "T0")])
    assert any(str(a.get_label()) == "_moon_close:T0" for a in plot.mask_artists)
    assert "too close to the Moon" in [t.get_text() for t in plot.ax.get_legend().get_texts()]
    assert "keep" in plot.moon_line.get_label()
    flips = [a for a in plot.flip_artists if str(a.get_label()).startswith("_flip:")]
    assert len(flips) == 1 and np.isclose(flips[0].get_xdata()[0], flips[0].get_xdata()[1])


# -- the table ----------------------------------------------------------------------------

def test_transit_is_shown_and_the_moon_column_follows_the_moon(qapp):
    from planner.ui.targets_model import TargetsModel
    from planner.catalog import Target

    assert COLUMNS[COLUMN_INDEX["transit"]].visible
    site = Site(52.0, 4.0, target_altitude=10.0, timezone="Europe/Amsterdam")
    when = night_for_date(site, dt.date(2026, 1, 3))
    probe = compute_observability([0.0], [0.0], site, when)
    k = int(np.argmax(probe.moon_altitude))
    x, y_, z = (float(v) for v in probe.moon_direction[k])
    near = Target("Near the Moon", float(np.degrees(np.arctan2(y_, x)) % 360.0), float(np.degrees(np.arcsin(z)) - 15))
    far = Target("Far", (near.ra + 180.0) % 360.0, -near.dec + 40.0)
    model = TargetsModel()
    model.set_targets([near, far], now=when)
    obs = compute_observability([near.ra, far.ra], [near.dec, far.dec], site, when)
    model.set_observability(obs)
    moon = COLUMN_INDEX["moon_sep"]
    near_row, far_row = model.row_of_target(0), model.row_of_target(1)
    near_text = model.index(near_row, moon).data()
    assert near_text == f"{obs.moon_min_separation[0]:.0f}°"
    assert model.index(near_row, moon).data(Qt.ItemDataRole.ForegroundRole) is not None  # red: too close
    assert "Too close to the Moon" in model.index(near_row, moon).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(far_row, moon).data(Qt.ItemDataRole.ForegroundRole) is None
    transit = model.index(near_row, COLUMN_INDEX["transit"]).data()
    assert transit and ":" in transit
