"""The cross-check panel on canned reports: badge, table of disagreements (sorting by value,
time zone), nighttime line, the wholesale message and the push-site button."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt

from planner.sky.crosscheck import crosscheck
from planner.ui.crosscheck_panel import API, DIFF, KIND, LOCAL, NAME, CrossCheckPanel

T0 = 1771705415.0
DAWN = 1771740703.0
NIGHT = {"status": "SUN_IS_DOWN", "sunrise": DAWN, "time": T0, "start": T0, "end": DAWN}
RISES, SETS, UP = "TARGET_RISES", "TARGET_SETS", "TARGET_IS_ALWAYS_UP"

API_EVENTS = {
    "CH Cyg": [[RISES, 1771719131]],
    "AG Dra": [[UP, None]],
    "3C 279": [[RISES, 1771716517], [SETS, 1771738699]],
    "RW Aur": [[SETS, 1771722642]],
    "EE Cep": [[SETS, 1771711443], [RISES, 1771723754]],
    "Proxima Cen": [],
    "AAVSO Only": [],
}
# Targets both sides agree on, so that four disagreements are a minority.
API_EVENTS.update({f"Agreeing {i}": [[UP, None]] if i % 2 else [] for i in range(6)})


def few_differences():
    local = {k: v for k, v in API_EVENTS.items() if k != "AAVSO Only"}
    local.update(
        {
            "CH Cyg": [[RISES, 1771719131 + 400]],
            "RW Aur": [[SETS, 1771722642 - 1000]],
            "AG Dra": [[SETS, T0 + 8000]],
            "3C 279": [[RISES, 1771716517]],
            "Local Only": [[UP, None]],
        }
    )
    return crosscheck(NIGHT, {"status": "SUN_IS_DOWN", "sunrise": DAWN}, local, API_EVENTS, time=T0)


def wholesale():
    local = {name: [[c, None if t is None else t + 600] for c, t in ev] for name, ev in API_EVENTS.items()}
    return crosscheck(NIGHT, {"status": "SUN_IS_DOWN", "sunrise": DAWN + 900}, local, API_EVENTS, time=T0)


@pytest.fixture
def panel(qtbot):
    widget = CrossCheckPanel()
    qtbot.addWidget(widget)
    widget.resize(800, 400)
    widget.show()
    return widget


def column(panel, col, role=Qt.ItemDataRole.DisplayRole):
    model = panel.table.model()
    return [model.index(r, col).data(role) for r in range(model.rowCount())]


def test_empty_panel_before_any_report(panel):
    assert panel.badge_text() == "cross-check: not run yet"
    assert panel.table.model().rowCount() == 0
    assert not panel.push_button.isEnabled()


def test_report_fills_badge_table_and_labels(panel):
    report = few_differences()
    panel.set_report(report)
    assert panel.badge_text() == report.summary()
    assert panel.badge_text() == "cross-check: 8 agree, 4 differ (1 only local, 1 only at AAVSO)"
    assert panel.table.model().rowCount() == 4  # one disagreement per differing target
    assert sorted(set(column(panel, NAME))) == ["3C 279", "AG Dra", "CH Cyg", "RW Aur"]
    kinds = dict(zip(column(panel, NAME), column(panel, KIND)))
    assert kinds["CH Cyg"] == "time differs (rises)"
    assert kinds["AG Dra"] == "status differs"
    assert kinds["3C 279"] == "event missing (sets)"
    assert "nighttime agrees" in panel.night_label.text() and panel.night_label.isVisible()
    assert "AAVSO Only" in panel.one_side_label.text() and "Local Only" in panel.one_side_label.text()
    assert not panel.cause_label.isVisible()
    assert not panel.push_button.isEnabled()


def test_rows_show_both_times_and_the_difference(panel):
    panel.set_report(few_differences())
    rows = {r[0]: r[1:] for r in zip(column(panel, NAME), column(panel, LOCAL), column(panel, API), column(panel, DIFF))}
    assert rows["CH Cyg"] == ("2026-02-22 00:18:51Z", "2026-02-22 00:12:11Z", "+400")
    assert rows["RW Aur"][2] == "-1000"
    assert rows["AG Dra"] == ("sets", "always up", "")
    assert rows["3C 279"][0] == "" and rows["3C 279"][1] == "2026-02-22 05:38:19Z"


def test_sorting_by_difference_is_by_value_with_missing_last(panel):
    panel.set_report(few_differences())
    panel.table.sortByColumn(DIFF, Qt.SortOrder.DescendingOrder)
    assert column(panel, NAME)[:2] == ["RW Aur", "CH Cyg"]
    assert column(panel, DIFF)[-2:] == ["", ""]
    panel.table.sortByColumn(DIFF, Qt.SortOrder.AscendingOrder)
    assert column(panel, NAME)[:2] == ["CH Cyg", "RW Aur"]  # |400| < |-1000|
    assert column(panel, DIFF)[-2:] == ["", ""]
    panel.table.sortByColumn(NAME, Qt.SortOrder.AscendingOrder)
    assert column(panel, NAME) == ["3C 279", "AG Dra", "CH Cyg", "RW Aur"]


def test_time_zone_switch_changes_times_and_headers(panel):
    panel.set_report(few_differences())
    panel.set_time_zone(ZoneInfo("Europe/Amsterdam"), "site time")
    header = panel.table.model().headerData(LOCAL, Qt.Orientation.Horizontal)
    assert header == "Local (site time)"
    rows = dict(zip(column(panel, NAME), column(panel, LOCAL)))
    assert rows["CH Cyg"] == "2026-02-22 01:18:51 CET"
    assert "07:11:43 CET" in panel.night_label.text()
    panel.set_time_zone(None, "UTC")
    assert dict(zip(column(panel, NAME), column(panel, LOCAL)))["CH Cyg"] == "2026-02-22 00:18:51Z"


def test_wholesale_report_explains_and_offers_the_push(panel, qtbot):
    report = wholesale()
    assert report.suggest_push_site
    panel.set_report(report)
    assert panel.cause_label.isVisible()
    assert "telescope settings stored in your account" in panel.cause_label.text()
    assert "nighttime differs" in panel.night_label.text()
    assert panel.push_button.isEnabled()
    with qtbot.waitSignal(panel.push_site_requested, timeout=60_000):
        qtbot.mouseClick(panel.push_button, Qt.MouseButton.LeftButton)


def test_push_button_disabled_again_when_a_good_report_replaces_a_bad_one(panel):
    panel.set_report(wholesale())
    assert panel.push_button.isEnabled()
    panel.set_report(few_differences())
    assert not panel.push_button.isEnabled() and not panel.cause_label.isVisible()
    panel.set_report(None)
    assert panel.table.model().rowCount() == 0 and panel.badge_text() == "cross-check: not run yet"


def test_badge_colour_follows_the_theme(panel, qapp, qtbot):
    from planner.ui.themes import apply_theme, theme

    try:
        apply_theme(qapp, "night")
        panel.set_report(few_differences())
        assert theme("night").error in panel.badge.styleSheet()
        apply_theme(qapp, "light")
        qtbot.waitUntil(lambda: theme("light").error in panel.badge.styleSheet(), timeout=60_000)
        panel.set_report(crosscheck(NIGHT, None, API_EVENTS, API_EVENTS))
        assert theme("light").ok in panel.badge.styleSheet()
    finally:
        apply_theme(qapp, "light")


def test_double_click_names_the_target(panel, qtbot):
    panel.set_report(few_differences())
    panel.table.sortByColumn(NAME, Qt.SortOrder.AscendingOrder)
    index = panel.table.model().index(2, NAME)
    rect = panel.table.visualRect(index)
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(panel.target_activated, timeout=60_000) as blocker:
        qtbot.mouseDClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == ["CH Cyg"]


def test_push_status_line_shows_the_outcome_and_a_new_report_clears_it(panel):
    from planner.ui.themes import current_theme

    panel.set_report(wholesale())
    panel.set_push_status("AAVSO Target Tool: refused the connection; check your network.", ok=False)
    assert panel.push_status.isVisible() and "refused" in panel.push_status.text()
    assert current_theme().error in panel.push_status.styleSheet()
    panel.set_push_status("Site stored at AAVSO: 52.0000 N, 4.0000 E", ok=True)
    assert current_theme().ok in panel.push_status.styleSheet()
    panel.set_report(few_differences())
    assert not panel.push_status.isVisible()
