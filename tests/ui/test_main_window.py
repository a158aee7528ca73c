"""The main window: start-up from the cache and from the sample without network, the table
driving the chart and the details, filters, night navigation, copy, themes, and the
persistence of layout, columns, sort order and filters."""

from __future__ import annotations

import datetime as _dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel

from planner.catalog import load_sample
from planner.config import config_dir, load_settings
from planner.app import targets as data_source
from planner.ui.main_window import MainWindow
from planner.ui.targets_model import COLUMN_INDEX
from planner.ui.workers import LatestRunner
from tests.ui.conftest import NOW, make_targets

ASC, DESC = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder


_open: list[MainWindow] = []


@pytest.fixture(autouse=True)
def close_windows():
    """Windows are deleted at once after each test, so that no widget of one test lives on
    into the next (a theme change would reach it)."""
    yield
    from PySide6.QtCore import QCoreApplication, QEvent

    while _open:
        window = _open.pop()
        window.close()
        window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


def open_window(qtbot, **kw) -> MainWindow:
    window = MainWindow(**kw)
    _open.append(window)
    window.show()
    if kw.get("auto_start", True):
        # a condition, not a time: generous so that a loaded machine (the helper process starting,
        # astropy loading) waits longer instead of failing
        qtbot.waitUntil(lambda: window.is_ready and not window.sky_runner.busy, timeout=180_000)
    return window


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("the window tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_first_start_shows_the_bundled_sample_with_visibility(qtbot, no_network):
    window = open_window(qtbot)
    sample = load_sample()
    assert [t.star_name for t in window.model.targets] == [t.star_name for t in sample.targets]
    assert window.target_list.origin == data_source.SAMPLE
    assert window.source_label.text() == "bundled sample"
    obs = window.observability
    assert obs is not None and len(obs) == len(sample.targets)
    # the table shows the sky engine's numbers
    row = window.model.row_of_target(0)
    assert window.model.index(row, COLUMN_INDEX["max_alt"]).data().endswith("°")
    assert not window.refresh_runner.busy  # no key: no refresh


def test_start_from_the_cached_aavso_list(qtbot, no_network):
    targets = make_targets(25)
    fetched = NOW
    data_source.save_last_list(targets, fetched, sections=["all"])
    window = open_window(qtbot)
    assert [t.star_name for t in window.model.targets] == [t.star_name for t in targets]
    assert window.target_list.origin == data_source.CACHED
    assert window.target_list.fetched_at == fetched
    assert window.source_label.text().startswith("AAVSO cached at ")
    assert len(window.observability) == 25


def test_a_damaged_cache_falls_back_to_the_sample_with_a_message(qtbot, no_network):
    path = data_source.last_list_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{ not json", "utf-8")
    window = open_window(qtbot)
    assert window.target_list.origin == data_source.SAMPLE
    assert "damaged" in window.target_list.problems[0]
    assert "damaged" in window.statusBar().currentMessage()


def test_selection_drives_the_state_the_chart_and_the_details(qtbot):
    window = open_window(qtbot)
    window.table.sortByColumn(COLUMN_INDEX["name"], ASC)
    seen = []
    window.night_state.selection_changed.connect(seen.append)
    window.table.select_target_indices([2, 5])
    assert sorted(seen[-1]) == [2, 5] and sorted(window.night_state.selection) == [2, 5]
    assert sorted(window.chart.selection) == [2, 5]
    assert len(window.chart.curve_lines()) == 2
    first = window.current_target()
    assert first.star_name in window.details.toPlainText()
    window.table.clearSelection()
    assert window.chart.selection == []


def test_copy_gives_tab_separated_rows_with_a_header(qtbot):
    window = open_window(qtbot)
    window.table.sortByColumn(COLUMN_INDEX["name"], ASC)
    window.table.selectRow(0)
    window.table.selectionModel().select(window.proxy.index(1, 0),
                                         window.table.selectionModel().SelectionFlag.Select
                                         | window.table.selectionModel().SelectionFlag.Rows)
    window.table.setFocus()
    QApplication.clipboard().clear()
    window.table.copy_action.trigger()
    lines = QApplication.clipboard().text().splitlines()
    assert len(lines) == 3
    header = lines[0].split("\t")
    assert header[0] == "Star" and "Rises" in header and "Max alt" in header  # the first-start columns
    names = sorted((t.star_name for t in window.model.targets), key=str.lower)
    assert [line.split("\t")[0] for line in lines[1:]] == names[:2]
    assert all(len(line.split("\t")) == len(header) for line in lines)


def test_search_is_debounced_then_filters(qtbot):
    window = open_window(qtbot)
    total = window.proxy.rowCount()
    name = window.model.targets[0].star_name
    qtbot.keyClicks(window.search, name)
    assert window.proxy.rowCount() == total  # nothing yet: the debounce timer runs
    qtbot.waitUntil(lambda: window.proxy.rowCount() < total, timeout=60_000)
    visible = [window.model.targets[i].star_name for i in window.proxy.visible_target_indices()]
    assert name in visible and all(name.lower() in v.lower() for v in visible)


def test_due_and_section_filters_from_the_toolbar(qtbot):
    window = open_window(qtbot)
    window.due_action.setChecked(True)
    now = window.model.now
    assert all(window.model.targets[i].is_due(now) for i in window.proxy.visible_target_indices())
    window.due_action.setChecked(False)
    window.section_actions["cv"].setChecked(True)
    shown = window.proxy.visible_target_indices()
    assert shown and all("cv" in window.model.targets[i].section_codes for i in shown)
    assert window.section_button.text().startswith("Cataclysmic")
    window.set_section_filter(None)
    assert window.proxy.rowCount() == len(window.model.targets)


def test_night_navigation_recomputes_for_the_chosen_night(qtbot):
    window = open_window(qtbot)
    tonight = window.night_date()
    first_start = window.observability.night.start
    window.shift_night(+3)
    assert window.night_date() == tonight + _dt.timedelta(days=3)
    assert window.date_edit.date().toPython() == tonight + _dt.timedelta(days=3)
    qtbot.waitUntil(lambda: not window.sky_runner.busy
                    and window.observability.night.start > first_start + 2 * 86400, timeout=60_000)
    assert window.tonight_action.isEnabled()
    window.go_tonight()
    assert window.night_date() == tonight and not window.tonight_action.isEnabled()


def test_utc_switch_changes_the_times_shown(qtbot):
    window = open_window(qtbot)
    window.utc_action.setChecked(True)
    assert window.model.time_zone == _dt.timezone.utc
    assert load_settings().show_utc is True
    window.utc_action.setChecked(False)
    assert window.model.time_zone == window.site.tz


def test_night_mode_is_applied_and_remembered(qtbot):
    window = open_window(qtbot)
    window.theme_actions["night"].trigger()
    assert window.theme.name == "night"
    assert QApplication.instance().property("planner_theme") == "night"
    assert load_settings().theme == "night"
    assert window.chart.theme.name == "night"
    window.apply_theme("light")


def test_layout_columns_sort_and_filters_persist(qtbot):
    window = open_window(qtbot)
    header = window.table.horizontalHeader()
    window.table.sortByColumn(COLUMN_INDEX["max_alt"], DESC)
    window.table.setColumnHidden(COLUMN_INDEX["filter"], True)
    window.table.setColumnHidden(COLUMN_INDEX["transit"], False)
    header.moveSection(header.visualIndex(COLUMN_INDEX["due"]), 1)
    window.table.setColumnWidth(COLUMN_INDEX["var_type"], 133)
    window.crosscheck_dock.show()
    window.resize(760, 700)  # inside the offscreen screen (800x800): restoreGeometry clamps to it
    qtbot.waitUntil(lambda: (window.width(), window.height()) == (760, 700), timeout=60_000)
    window.splitter.setSizes([300, 400])
    sizes = window.splitter.sizes()
    size = (window.width(), window.height())
    window.due_action.setChecked(True)
    window.section_actions["lpv"].setChecked(True)
    window.close()
    assert (config_dir() / "window.ini").exists()

    again = open_window(qtbot)
    h2 = again.table.horizontalHeader()
    assert again.model.sort_column == COLUMN_INDEX["max_alt"]
    assert again.model.sort_order == DESC
    assert h2.sortIndicatorSection() == COLUMN_INDEX["max_alt"]
    assert again.table.isColumnHidden(COLUMN_INDEX["filter"])
    assert not again.table.isColumnHidden(COLUMN_INDEX["transit"])
    assert h2.visualIndex(COLUMN_INDEX["due"]) == 1
    assert again.table.columnWidth(COLUMN_INDEX["var_type"]) == 133
    assert (again.width(), again.height()) == size
    assert again.splitter.sizes() == sizes
    assert again.due_action.isChecked()
    assert again.proxy.sections == frozenset({"lpv"})
    assert again.crosscheck_dock.isVisible()
    values = [again.proxy.index(r, COLUMN_INDEX["max_alt"]).data(0x0101) for r in range(again.proxy.rowCount())]
    present = [v for v in values if v is not None]
    assert present == sorted(present, reverse=True)


def test_a_broken_window_state_file_is_ignored(qtbot):
    path = config_dir() / "window.ini"
    path.write_text("[General]\nversion=1\ngeometry=garbage\nsortColumn=notanumber\ntableHeader=@Invalid()\n")
    window = open_window(qtbot)
    assert window.model.rowCount() > 0


def test_panels_of_other_parts_plug_in_with_a_view_entry(qtbot):
    window = open_window(qtbot, auto_start=False)
    dock = QDockWidget("Reference images")
    dock.setObjectName("referenceImagesDock")
    dock.setWidget(QLabel("images"))
    window.add_panel_dock(dock)
    assert dock.toggleViewAction() in window.panels_menu.actions()
    assert window.dockWidgetArea(dock) == Qt.DockWidgetArea.RightDockWidgetArea


def test_refresh_without_a_key_explains_how_to_set_one(qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    window = open_window(qtbot)
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: shown.append(a[2]))
    window.refresh_action.trigger()
    assert shown and "Settings" in shown[0]
    assert not window.refresh_runner.busy


def test_cross_check_without_api_answers_says_what_to_do(qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    window = open_window(qtbot)
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: shown.append(a[2]))
    window.crosscheck_action.trigger()
    assert shown and "AAVSO key" in shown[0]


def test_latest_runner_drops_superseded_results(qtbot):
    import threading

    runner = LatestRunner("test")
    gate = threading.Event()
    results = []
    runner.finished.connect(lambda g, r: results.append(r))

    def slow():
        gate.wait(5)
        return "old"

    runner.submit(slow)
    runner.submit(lambda: "new")
    qtbot.waitUntil(lambda: results == ["new"], timeout=60_000)
    gate.set()
    qtbot.waitUntil(lambda: runner.running == 0, timeout=60_000)  # the old job ended, its answer dropped
    assert results == ["new"]
    qtbot.waitUntil(lambda: not runner.busy, timeout=60_000)


def _api_record(name: str, ra: float, dec: float, when: float) -> dict:
    return {"star_name": name, "ra": ra, "dec": dec, "var_type": "M", "constellation": "Cyg",
            "min_mag": 14.0, "min_mag_band": "V", "max_mag": 7.0, "max_mag_band": "V", "period": 400.0,
            "obs_cadence": 7, "obs_mode": "All", "obs_section": ["Long Period Variables"], "filter": "V",
            "other_info": "", "priority": False, "last_data_point": when - 86400,
            "observability_times": [["TARGET_SETS", when + 3600]], "solar_conjunction": False}


def test_with_a_key_the_list_is_refreshed_from_aavso_and_kept(qtbot, httpserver, monkeypatch):
    import time as _time

    now = _time.time()
    payload = {"targets": [_api_record("R Cyg", 299.6, 50.2, now), _api_record("chi Cyg", 297.6, 32.9, now)]}
    httpserver.expect_request("/targets").respond_with_json(
        payload, headers={"X-Rate-Limit-Limit": "1000", "X-Rate-Limit-Remaining": "987",
                          "X-Rate-Limit-Reset": "1800"})
    monkeypatch.setenv("PLANNER_AAVSO_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("PLANNER_AAVSO_KEY", "test-key-1234")
    window = open_window(qtbot)
    qtbot.waitUntil(lambda: window.target_list.origin == data_source.LIVE, timeout=60_000)
    assert [t.star_name for t in window.model.targets] == ["R Cyg", "chi Cyg"]
    assert window.source_label.text().startswith("AAVSO live")
    # the budget is read in a worker (a shared file under a lock)
    qtbot.waitUntil(lambda: "987/1000" in window.budget_label.text(), timeout=60_000)
    request = httpserver.log[0][0]
    assert request.args.getlist("obs_section") == ["all"]
    assert float(request.args["latitude"]) == pytest.approx(window.site.latitude)
    # kept for the next start, which then needs no network
    kept = data_source.load_last_list()
    assert [t.star_name for t in kept.targets] == ["R Cyg", "chi Cyg"]


def test_a_failing_refresh_keeps_the_current_list_and_says_so(qtbot, httpserver, monkeypatch):
    httpserver.expect_request("/targets").respond_with_data("Internal error", status=500)
    monkeypatch.setenv("PLANNER_AAVSO_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("PLANNER_AAVSO_KEY", "test-key-1234")
    window = open_window(qtbot)
    qtbot.waitUntil(lambda: window.source_label.text().endswith("(refresh failed)"), timeout=60_000)
    assert window.source_label.text() == "bundled sample (refresh failed)"
    assert window.target_list.origin == data_source.SAMPLE
    assert len(window.model.targets) == len(load_sample().targets)
    assert "Refresh from AAVSO failed" in window.statusBar().currentMessage()
    assert window.messages.has("aavso-refresh")
