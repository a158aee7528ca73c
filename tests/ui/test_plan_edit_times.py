"""The Plan dock's Start and End cells (pytest-qt, offscreen): typed in a time editor in the
window's time zone, set through the plan (row signals, no reset), pinned, warned about on
the row; and the export dialog's conflict question."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt, QTime, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QTimeEdit

from planner.app.state import NightState
from planner.config import Settings
from planner.plan import save_plan
from planner.ui.plan_dock import PlanDock
from planner.ui.plan_table import COLUMNS
from tests.plan.helpers import sample_plan

COL = {key: i for i, (key, _) in enumerate(COLUMNS)}
AMS = ZoneInfo("Europe/Amsterdam")


def local(day: int, hour: int, minute: int = 0) -> float:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=AMS).timestamp()


@pytest.fixture
def state():
    settings = Settings(site_name="Test site", latitude=52.0, longitude=4.0, elevation=5.0,
                        timezone="Europe/Amsterdam")
    return NightState(settings, clock=lambda: local(23, 12))


@pytest.fixture
def dock(qtbot, state, tmp_path):
    d = PlanDock(state=state)
    qtbot.addWidget(d)
    path = tmp_path / "night.plan.json"
    save_plan(sample_plan(), path)  # SS Cyg 18:40, omi Cet 19:30, T CrB untimed, chi Cyg 20:20 (CET)
    d.open_plan(path)
    d.resize(1100, 700)
    d.show()
    qtbot.waitExposed(d)
    return d


def type_time(qtbot, dock, row: int, key: str, hour: int, minute: int) -> QTimeEdit:
    """Open the cell's editor as a user does (select it, F2), type the time, press Enter."""
    index = dock.model.index(row, COL[key])
    dock.table.setCurrentIndex(index)
    qtbot.keyClick(dock.table.viewport(), Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: dock.table.findChild(QTimeEdit, "planTimeEdit") is not None, timeout=60000)
    editor = dock.table.findChild(QTimeEdit, "planTimeEdit")
    shown = editor.displayFormat()
    editor.setTime(QTime(hour, minute))
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dock.table.findChild(QTimeEdit, "planTimeEdit") is None
                    or not dock.table.findChild(QTimeEdit, "planTimeEdit").isVisible(), timeout=60000)
    return shown


def test_start_is_typed_in_the_windows_zone_and_the_row_says_what_it_breaks(dock, qtbot):
    resets, changed = [], []
    dock.model.modelReset.connect(lambda: resets.append(1))
    dock.model.dataChanged.connect(lambda a, b: changed.append((a.row(), b.row())))
    assert dock.model.headerData(COL["start"], Qt.Orientation.Horizontal) == "Start (CET)"
    shown = type_time(qtbot, dock, 1, "start", 19, 0)  # omi Cet (up from 18:57) onto SS Cyg (18:40-19:10)
    assert shown == "HH:mm 'CET'"  # the editor shows the zone it takes the time in
    omi = dock.plan.entries[1]
    assert (omi.start, omi.end, omi.pinned) == (local(23, 19, 0), local(23, 19, 20), True)
    assert resets == [] and (1, 1) in changed  # the row was redrawn, not the table reset
    # the row says why, in its Warning cell and tooltip; the status line says it was kept
    assert dock.model.index(1, COL["warning"]).data() == "overlaps SS Cyg"
    assert dock.model.index(0, COL["warning"]).data() == "overlaps omi Cet"
    assert "overlaps SS Cyg" in dock.model.index(1, COL["warning"]).data(Qt.ItemDataRole.ToolTipRole)
    assert "pinned" in dock.status_label.text() and "overlaps SS Cyg" in dock.status_label.text()
    assert dock.model.index(1, COL["start"]).data(Qt.ItemDataRole.FontRole).bold()
    assert dock.has_unsaved_changes()


def test_a_time_after_midnight_is_the_next_morning_and_outside_the_dark_time_is_warned(dock, qtbot):
    type_time(qtbot, dock, 0, "start", 6, 45)  # SS Cyg at 06:45: after the dark time (ends ~06:30)
    ss = dock.plan.entries[0]
    assert ss.start == local(24, 6, 45)  # the morning after the evening of 2026-11-23
    warning = dock.model.index(0, COL["warning"]).data()
    assert "outside the dark time" in warning and "below 25°" in warning


def test_an_end_before_the_start_is_refused_with_the_reason(dock, qtbot):
    before = dock.plan.entries[0]
    type_time(qtbot, dock, 0, "end", 18, 0)  # SS Cyg starts 18:40
    assert dock.plan.entries[0] == before
    assert "must be after Start 18:40" in dock.status_label.text()


def test_times_follow_the_utc_switch(dock, qtbot, state):
    state.set_show_utc(True)
    assert dock.model.headerData(COL["start"], Qt.Orientation.Horizontal) == "Start (UTC)"
    assert dock.model.index(0, COL["start"]).data() == "17:40"  # 18:40 CET
    type_time(qtbot, dock, 0, "start", 23, 30)
    assert dock.plan.entries[0].start == local(24, 0, 30)  # 23:30 UTC is 00:30 CET, the next date


def test_schedule_keeps_the_pinned_entry_and_unpin_releases_it(dock, qtbot):
    type_time(qtbot, dock, 1, "start", 23, 20)
    pinned_id = dock.plan.entries[1].id
    with qtbot.waitSignal(dock.schedule_finished, timeout=120_000):
        assert dock.schedule()
    entry = dock.plan.entries[dock.plan.index_of(pinned_id)]
    assert (entry.start, entry.pinned) == (local(23, 23, 20), True)
    assert "Kept omi Cet at the time you typed" in dock.status_label.text()
    others = [e for e in dock.plan.entries if e.id != pinned_id and e.start is not None]
    assert others and all(e.end <= entry.start or e.start >= entry.end for e in others)
    dock.table.selectRow(dock.plan.index_of(pinned_id))
    dock.unpin_selected()
    assert not dock.plan.entries[dock.plan.index_of(pinned_id)].pinned
    assert "Unpinned omi Cet" in dock.status_label.text()


def answer_export_question(qtbot, button_text: str, seen: list[str]) -> None:
    """Click ``button_text`` in the export warning box once it is up."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(50, click)
            return
        seen.append(box.text() + "\n" + box.informativeText())
        next(b for b in box.buttons() if b.text().replace("&", "") == button_text).click()

    QTimer.singleShot(0, click)


def test_the_export_dialog_lists_the_conflicts_and_can_be_cancelled(dock, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    out = tmp_path / "night.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *_a, **_k: (str(out), "CSV table (*.csv)")))
    dock.plan.set_times(1, dock.plan.entries[0].start + 600)  # omi Cet over SS Cyg
    seen: list[str] = []
    answer_export_question(qtbot, "Cancel", seen)
    assert not dock.export()
    assert not out.exists() and "Not exported" in dock.status_label.text()
    assert "SS Cyg and omi Cet overlap." in seen[0] and "T CrB has no time" in seen[0]
    answer_export_question(qtbot, "Export anyway", seen)
    with qtbot.waitSignal(dock.export_finished, timeout=60_000):
        assert dock.export()
    assert out.exists() and "warnings" in dock.status_label.text()


def test_a_typed_block_gets_its_air_mass_and_a_never_scheduled_one_its_windows(dock, qtbot):
    """Checked in the sky helper after the edit. The air mass against astropy's AltAz (sec z,
    every minute of the block) within 1.5 %, as the Schedule column is (Pickering's formula
    is within 1 % of sec z down to 20°). T CrB, never scheduled, stays below the plan's 25°
    all the dark time (astropy: 19° at 18:40 CET, setting): the dock says so."""
    import numpy as np
    from astropy import units as u
    from astropy.coordinates import AltAz, EarthLocation, SkyCoord
    from astropy.time import Time

    from planner.sky._offline import configure_astropy_offline

    type_time(qtbot, dock, 0, "start", 21, 10)  # SS Cyg, high in the west
    column = COL["airmass"]
    qtbot.waitUntil(lambda: dock.model.index(0, column).data() != "", timeout=120_000)
    entry = dock.plan.entries[0]
    configure_astropy_offline()
    site = dock.plan.site
    location = EarthLocation.from_geodetic(site.longitude * u.deg, site.latitude * u.deg, site.elevation * u.m)
    times = np.append(np.arange(entry.start, entry.end, 60.0), entry.end)
    frame = AltAz(obstime=Time(times, format="unix"), location=location, pressure=1013.25 * u.hPa,
                  temperature=10 * u.deg_C, relative_humidity=0.0, obswl=0.55 * u.um)
    secz = float(np.mean(np.asarray(SkyCoord(entry.target.ra * u.deg, entry.target.dec * u.deg)
                                    .transform_to(frame).secz)))
    assert float(dock.model.index(0, column).data().split()[0]) == pytest.approx(secz, rel=0.015)

    type_time(qtbot, dock, 2, "start", 19, 0)  # T CrB: no windows until now
    qtbot.waitUntil(lambda: "never rises above the altitude limit" in dock.status_label.text(), timeout=120_000)
    assert "T CrB" in dock.status_label.text() and dock.plan.entries[2].pinned
