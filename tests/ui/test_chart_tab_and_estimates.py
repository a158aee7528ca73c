"""The Chart tab and the Plan dock's charts and estimates (pytest-qt, offscreen), against a
local server that answers as AAVSO VSP does: a chart fetched in a worker and kept, shown
red on black in night mode, opened again with no network, the stale copy with its date
when VSP fails; tonight's charts prepared with progress and cancel; estimates entered
beside the chart, refused with the field named, and in the plan."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from planner.app.state import NightState
from planner.app.targets import SAMPLE, TargetList
from planner.catalog.target import Target
from planner.config import Settings
from planner.plan.model import PlanTarget
from planner.ui.details_pane import DetailsPane
from planner.ui.plan_dock import PlanDock
from tests.vsp_service import serve_vsp

SETTINGS = Settings(site_name="Backyard", latitude=52.0, longitude=4.0, elevation=5.0, timezone="Europe/Amsterdam",
                    telescope_aperture_mm=200.0, telescope_focal_length_mm=1200.0, eyepiece_focal_length_mm=25.0,
                    eyepiece_field_deg=52.0)
EVENING = dt.datetime(2026, 11, 23, 19, 30, tzinfo=dt.timezone.utc).timestamp()
SS_CYG = Target(star_name="SS Cyg", ra=325.6787, dec=43.5861, min_mag=12.2, min_mag_band="V", max_mag=8.2)


@pytest.fixture
def vsp(httpserver, monkeypatch):
    serve_vsp(httpserver, monkeypatch, unknown=("T Cen",))
    return httpserver


def offline(server):
    server.clear()
    server.no_handler_status_code = 503


@pytest.fixture
def state():
    night = NightState(SETTINGS, clock=lambda: EVENING)
    night.set_target_list(TargetList([SS_CYG, Target(star_name="T Cen", ra=205.0, dec=-33.6)], SAMPLE))
    return night


@pytest.fixture
def pane(qtbot, state):
    widget = DetailsPane(state=state)
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    return widget


def wait_shown(qtbot, panel, *, with_chart: bool = True):
    qtbot.waitUntil(lambda: panel.shown is not None and (panel.shown.result is not None) == with_chart, timeout=30_000)


def test_the_chart_tab_gets_a_chart_shows_it_and_keeps_it(qtbot, pane, state, vsp):
    chart = pane.chart
    kept = []
    state.chart_kept.connect(lambda star, chart_id: kept.append((star, chart_id)))
    state.set_selection([0])
    wait_shown(qtbot, chart, with_chart=False)
    assert "No chart of SS Cyg is kept yet" in chart.status.text() and chart.get_button.text() == "Get chart"
    chart.get_button.click()
    wait_shown(qtbot, chart)
    assert kept == [("SS Cyg", "X28471AB")]
    assert chart.chart_id_edit.text() == "X28471AB" and chart.view.has_picture()
    assert chart.table.rowCount() == 4
    headers = [chart.table.horizontalHeaderItem(i).text() for i in range(chart.table.columnCount())]
    assert headers == ["Label", "AUID", "V", "B−V", "Rc", "Ic", "Comments"]
    assert chart.table.item(0, 2).text() == "8.524 ± 0.012" and chart.table.item(0, 3).text() == "1.127 ± 0.022"
    assert "65′" not in chart.title.text() and "60′" in chart.title.text()  # the chart as VSP made it
    asked = [r for r, _ in vsp.log if r.path == "/vsp/api/chart/"]
    assert asked[0].args["fov"] == "65" and asked[0].args["maglimit"] == "13.5"  # the eyepiece's field
    chart.copy_button.click()
    assert QGuiApplication.clipboard().text() == "X28471AB"
    # the chart is kept: with no network it opens again
    offline(vsp)
    state.set_selection([1])
    state.set_selection([0])
    wait_shown(qtbot, chart)
    assert chart.shown.result.source == "store" and "Kept chart from" in chart.status.text()


def test_when_vsp_fails_the_last_kept_chart_is_shown_with_its_date(qtbot, pane, state, vsp):
    chart = pane.chart
    state.set_selection([0])
    wait_shown(qtbot, chart, with_chart=False)
    chart.fetch()
    wait_shown(qtbot, chart)
    offline(vsp)
    chart.fetch(refresh=True)
    qtbot.waitUntil(lambda: chart.shown.result.source == "stale", timeout=30_000)
    assert "Showing chart X28471AB kept from" in chart.status.text() and chart.view.has_picture()


@pytest.fixture
def vsp_by_field(httpserver, monkeypatch):
    """A VSP that makes a chart of its own for a 3° (scale B) field, as the real one does."""
    serve_vsp(httpserver, monkeypatch, chart_ids={"180": "X28471BB"})
    return httpserver


def test_the_scale_list_switches_between_the_telescopes_field_and_aavsos_scales(qtbot, pane, state, vsp_by_field):
    chart = pane.chart
    assert chart.scale_combo.currentData() == "" and chart.scale_combo.count() == 8  # the field, then A-G
    assert chart.scale_combo.itemText(0) == "Telescope (65′)" and chart.scale_combo.itemText(2) == "B (3°)"
    assert "25 mm eyepiece" in chart.scale_combo.itemData(0, Qt.ItemDataRole.ToolTipRole)
    state.set_selection([0])
    wait_shown(qtbot, chart, with_chart=False)
    chart.fetch()
    wait_shown(qtbot, chart)
    assert chart.chart_id_edit.text() == "X28471AB"
    chart.set_scale("B")  # the finder's chart of the same star: not kept yet
    wait_shown(qtbot, chart, with_chart=False)
    assert "No scale-B chart of SS Cyg is kept yet" in chart.status.text()
    chart.fetch()
    wait_shown(qtbot, chart)
    asked = [r.args for r, _ in vsp_by_field.log if r.path == "/vsp/api/chart/"]
    assert asked[-1]["fov"] == "180" and chart.chart_id_edit.text() == "X28471BB"
    offline(vsp_by_field)  # at the dark site both are kept, each at its scale
    chart.set_scale("")
    wait_shown(qtbot, chart)
    assert chart.chart_id_edit.text() == "X28471AB" and chart.shown.result.source == "store"
    chart.set_scale("B")
    wait_shown(qtbot, chart)
    assert chart.chart_id_edit.text() == "X28471BB" and chart.shown.result.source == "store"


def test_the_scale_list_follows_settings_until_one_is_chosen_in_the_tab(qtbot, pane, state, vsp):
    import dataclasses

    chart = pane.chart
    state.set_selection([0])
    wait_shown(qtbot, chart, with_chart=False)
    state.apply_settings(dataclasses.replace(state.settings, chart_scale="E"))
    assert chart.scale_combo.currentData() == "E" and chart.scale() is None
    wait_shown(qtbot, chart, with_chart=False)
    chart.fetch()
    wait_shown(qtbot, chart)
    asked = [r.args for r, _ in vsp.log if r.path == "/vsp/api/chart/"]
    assert asked[-1]["fov"] == "30"  # scale E, as Settings now says
    chart.set_scale("")
    state.apply_settings(dataclasses.replace(state.settings, chart_scale="B", eyepiece_focal_length_mm=10.0))
    assert chart.scale_combo.currentData() == ""  # the observer's choice in the tab stays
    assert chart.scale_combo.itemText(0) == "Telescope (26′)"  # the new eyepiece's field


def test_an_unknown_star_says_so_in_one_line(qtbot, pane, state, vsp):
    chart = pane.chart
    state.set_selection([1])
    wait_shown(qtbot, chart, with_chart=False)
    chart.fetch()
    qtbot.waitUntil(lambda: "star not found" in chart.status.text(), timeout=30_000)
    assert "\n" not in chart.status.text() and chart.status.property("role") == "error"


def test_night_mode_draws_the_chart_red_on_black(qtbot, pane, state, vsp):
    from PySide6.QtWidgets import QApplication

    from planner.ui.themes import apply_theme

    chart = pane.chart
    state.set_selection([0])
    wait_shown(qtbot, chart, with_chart=False)
    chart.fetch()
    wait_shown(qtbot, chart)
    assert chart.shown.look == "normal"
    app = QApplication.instance()
    try:
        apply_theme(app, "night")
        qtbot.waitUntil(lambda: chart.shown.look == "red", timeout=30_000)
        image = chart.view._item.pixmap().toImage()
        sky, star = image.pixelColor(0, 0), image.pixelColor(10, 10)
        assert (sky.red(), sky.green(), sky.blue()) == (0, 0, 0)
        assert star.red() == 255 and star.green() == 0 and star.blue() == 0
    finally:
        apply_theme(app, "light")
    qtbot.waitUntil(lambda: chart.shown.look == "normal", timeout=30_000)


def test_zoom_and_fit(qtbot, pane, state, vsp):
    chart = pane.chart
    state.set_selection([0])
    wait_shown(qtbot, chart, with_chart=False)
    chart.fetch()
    wait_shown(qtbot, chart)
    fitted = chart.view.scale_factor()
    chart.view.zoom(2.0)
    assert chart.view.scale_factor() == pytest.approx(2 * fitted)
    chart.view.fit()
    assert chart.view.scale_factor() == pytest.approx(fitted)


@pytest.fixture
def dock(qtbot, state):
    d = PlanDock(state=state)
    qtbot.addWidget(d)
    d.plan.site = state.site
    d.plan.date = "2026-11-23"
    d.add_targets([SS_CYG, Target(star_name="T Cen", ra=205.0, dec=-33.6)])
    d.resize(700, 800)
    d.show()
    return d


def test_prepare_tonights_charts_with_progress_and_the_entries_remember_them(qtbot, dock, state, vsp):
    seen = []
    dock._prepare_progress.changed.connect(lambda done, total, star: seen.append((done, total, star)))
    with qtbot.waitSignal(dock.charts_prepared, timeout=60_000) as blocker:
        assert dock.prepare_charts()
        assert dock.prepare_cancel.isVisible() and not dock.prepare_button.isEnabled()
    report = blocker.args[0]
    assert [e.chart_id for e in dock.plan.entries] == ["X28471AB", ""]
    assert seen[:2] == [(0, 2, "SS Cyg"), (1, 2, "T Cen")]
    assert "1 of 2 charts ready" in dock.status_label.text() and "T Cen" in dock.status_label.text()
    assert report.failed[0].star == "T Cen" and dock.has_unsaved_changes()
    qtbot.waitUntil(lambda: not dock.prepare_cancel.isVisible(), timeout=10_000)


def test_prepare_can_be_cancelled_between_stars(qtbot, dock, vsp):
    dock.prepare_charts()
    dock.cancel_prepare()
    qtbot.waitUntil(lambda: dock.last_prepare is not None, timeout=60_000)
    assert dock.last_prepare.cancelled and "cancelled" in dock.status_label.text()


def test_an_estimate_entered_beside_the_chart_goes_into_the_plan(qtbot, dock, pane, state, vsp):
    with qtbot.waitSignal(dock.charts_prepared, timeout=60_000):
        dock.prepare_charts()
    offline(vsp)  # from here on, no network
    box = dock.estimate_box
    dock.select_entry(0)
    assert state.plan_selection == dock.plan.entries[0].id
    qtbot.waitUntil(lambda: box._chart is not None, timeout=30_000)
    wait_shown(qtbot, pane.chart)  # the Chart tab follows the plan entry, from the store
    assert pane.chart.chart_id_edit.text() == "X28471AB"
    assert "chart X28471AB" in box.star_label.text()
    labels = [box.comp_combos[0].itemData(i) for i in range(box.comp_combos[0].count())]
    assert labels == ["", "85", "104", "117", "128"]
    assert box.comp_combos[0].itemText(2) == "104  (V 10.412)"
    # refused: a label typed that is not on the chart
    box.set_time(EVENING)
    box.mag_edit.setText("11.6")
    box.comp_combos[0].setEditText("999")
    box.add_button.click()
    qtbot.waitUntil(lambda: "not on chart X28471AB" in box.message.text() and box.add_button.isEnabled(),
                    timeout=30_000)
    assert box.message.property("role") == "error" and dock.plan.entries[0].observations == ()
    # accepted
    box.comp_combos[0].setCurrentIndex(2)
    box.comp_combos[1].setCurrentIndex(3)
    box.code_buttons["B"].setChecked(True)
    box.notes_edit.setText("moon up")
    box.add_button.click()
    qtbot.waitUntil(lambda: dock.plan.entries[0].observations != (), timeout=30_000)
    o = dock.plan.entries[0].observations[0]
    assert (o.magnitude, o.comparison, o.comparison_magnitudes, o.comment_codes, o.chart_id) == (
        11.6, ("104", "117"), (10.412, 11.703), "B", "X28471AB")
    assert o.airmass is not None and dock.plan.entries[0].status == "observed"
    assert "Added Vis. 11.6 of SS Cyg" in box.message.text() and box.list.count() == 1
    assert box.mag_edit.text() == "" and not box.code_buttons["B"].isChecked()
    # a mistyped one is removed
    box.list.setCurrentRow(0)
    box.remove_button.click()
    assert dock.plan.entries[0].observations == () and box.list.count() == 0


def test_a_comparison_star_double_clicked_in_the_chart_tab_goes_into_the_estimate(qtbot, dock, pane, state, vsp):
    with qtbot.waitSignal(dock.charts_prepared, timeout=60_000):
        dock.prepare_charts()
    box = dock.estimate_box
    dock.select_entry(1)  # T Cen's entry: the chart shown is SS Cyg's (selected in the table)
    state.set_selection([0])
    wait_shown(qtbot, pane.chart)
    pane.chart.pick_row(1)
    assert box.comp_combos[0].currentText() == "" and "Choose SS Cyg's entry" in dock.status_label.text()
    dock.select_entry(0)
    qtbot.waitUntil(lambda: box._chart is not None, timeout=30_000)
    wait_shown(qtbot, pane.chart)
    pane.chart.table.cellDoubleClicked.emit(1, 0)  # 104
    pane.chart.pick_row(2)  # 117
    pane.chart.pick_row(1)  # 104 again: not twice
    assert [box._label(c) for c in box.comp_combos] == ["104", "117"]
    assert box.comp_combos[0].currentText() == "104  (V 10.412)"
    assert box.message.text() == "Comparison star 104 from the chart."


def test_the_estimate_box_scrolls_instead_of_making_the_dock_taller_than_a_laptop_screen(dock):
    # the whole dock (table, buttons, box) needs less height than the box laid out in full:
    # beside the other docks on a 768-pixel-high screen the window still fits
    assert dock.minimumSizeHint().height() < dock.estimate_box.minimumSizeHint().height()
    assert dock.minimumSizeHint().height() < 360
    assert dock.estimate_scroll.widget() is dock.estimate_box


def test_bad_typing_is_refused_before_anything_is_checked(qtbot, dock):
    box = dock.estimate_box
    dock.select_entry(0)
    box.add_button.click()
    assert box.message.text() == "Magnitude: type the magnitude (or the limit, with 'fainter than')."
    box.mag_edit.setText("bright")
    box.add_button.click()
    assert box.message.text() == "Magnitude: 'bright' is not a number." and box.message.property("role") == "error"
    box.mag_edit.setText("11.2")
    box.err_edit.setText("small")
    box.add_button.click()
    assert box.message.text() == "Error: 'small' is not a number."
    box.err_edit.clear()
    box.set_time(EVENING + 20 * 3600)  # the next afternoon
    box.add_button.click()
    qtbot.waitUntil(lambda: "outside the plan's night" in box.message.text(), timeout=30_000)
    assert dock.plan.entries[0].observations == ()


def test_a_chart_kept_from_the_chart_tab_is_remembered_by_the_entry(qtbot, dock, pane, state, vsp):
    state.set_selection([0])
    wait_shown(qtbot, pane.chart, with_chart=False)
    pane.chart.fetch()
    qtbot.waitUntil(lambda: dock.plan.entries[0].chart_id == "X28471AB", timeout=30_000)
    assert dock.plan.entries[1].chart_id == "" and isinstance(dock.plan.entries[0].target, PlanTarget)


def test_the_estimate_time_starts_at_the_windows_clock_and_now_returns_to_it(qtbot, dock):
    """The window runs on its own clock (a fixed one in tests and screenshots): the estimate's
    time is that clock's now, not the computer's."""
    box = dock.estimate_box
    assert box.time() == pytest.approx(EVENING, abs=1)
    box.set_time(EVENING - 7200)
    box.now_button.click()
    assert box.time() == pytest.approx(EVENING, abs=1)
