"""The plan dock with pytest-qt (offscreen): adding and dropping targets, reordering,
editing, conflicts, scheduling in a worker, files, recovery and exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QMessageBox

from planner.catalog import load_targets_file
from planner.plan import PlanFileError, load_plan, store
from planner.ui.plan_dock import PlanDock
from planner.ui.plan_table import COLUMNS, CONFLICT_ROLE, mime_for_targets, targets_from_mime
from tests.plan.helpers import SITE, sample_plan

TARGETS = load_targets_file("tests/data/plan/targets.json").targets
COL = {key: i for i, (key, _) in enumerate(COLUMNS)}


class Context:
    def __init__(self, time):
        self.night = type("N", (), {"time": time})()


@pytest.fixture
def night_time():
    from planner.sky import night_for_date

    return night_for_date(SITE, dt.date(2026, 11, 23))


@pytest.fixture
def dock(qtbot, night_time):
    d = PlanDock()
    qtbot.addWidget(d)
    d.set_context(SITE, Context(night_time), TARGETS)
    return d


def names(d):
    return [e.name for e in d.plan.entries]


def test_a_new_dock_has_an_empty_plan_for_the_context(dock):
    assert dock.plan.entries == [] and dock.plan.site == SITE and dock.plan.date == "2026-11-23"
    assert not dock.has_unsaved_changes()
    assert dock.model.rowCount() == 0


def test_add_targets_inserts_rows_and_marks_unsaved(dock, qtbot):
    inserted = []
    dock.model.rowsInserted.connect(lambda parent, first, last: inserted.append((first, last)))
    with qtbot.waitSignal(dock.plan_changed):
        dock.add_targets(TARGETS[:3])
    assert inserted == [(0, 2)]
    assert names(dock) == ["SS Cyg", "omi Cet", "chi Cyg"]
    assert dock.has_unsaved_changes()
    assert dock.plan.entries[1].filters == ("V", "B")  # the AAVSO-requested filters
    assert dock.plan.entries[0].duration == 30 * 60
    assert dock.model.index(0, COL["name"]).data() == "SS Cyg"


def test_dropping_targets_from_the_table_adds_them_at_the_drop_row(dock):
    dock.add_targets(TARGETS[:2])
    mime = mime_for_targets(TARGETS[5:7])
    assert [t.star_name for t in targets_from_mime(mime)] == ["U Gem", "Z Cam"]
    assert dock.model.canDropMimeData(mime, Qt.DropAction.CopyAction, 1, 0, QModelIndex())
    assert dock.model.dropMimeData(mime, Qt.DropAction.CopyAction, 1, 0, QModelIndex())
    assert names(dock) == ["SS Cyg", "U Gem", "Z Cam", "omi Cet"]


def test_drag_to_reorder_moves_rows_with_move_signals(dock):
    dock.add_targets(TARGETS[:4])
    moves = []
    dock.model.rowsMoved.connect(lambda *a: moves.append(a[1:]))
    mime = dock.model.mimeData([dock.model.index(0, 0), dock.model.index(2, 0)])
    accepted = dock.model.dropMimeData(mime, Qt.DropAction.MoveAction, 4, 0, QModelIndex())
    assert accepted is False  # handled in place, so the view does not delete the dragged rows
    assert names(dock) == ["omi Cet", "T CrB", "SS Cyg", "chi Cyg"]
    assert moves and dock.model.rowCount() == 4
    mime = dock.model.mimeData([dock.model.index(3, 0)])
    dock.model.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert names(dock) == ["chi Cyg", "omi Cet", "T CrB", "SS Cyg"]


def test_editing_duration_filters_notes_and_status(dock):
    dock.add_targets(TARGETS[:1])
    m = dock.model
    assert m.setData(m.index(0, COL["duration"]), 45)
    assert m.setData(m.index(0, COL["filters"]), "B, V R")
    assert m.setData(m.index(0, COL["notes"]), "check comparison star")
    assert m.setData(m.index(0, COL["status"]), "skipped")
    assert m.setData(m.index(0, COL["count"]), 5)
    e = dock.plan.entries[0]
    assert (e.duration, e.filters, e.notes, e.status, e.count) == (2700.0, ("B", "V", "R"), "check comparison star",
                                                                      "skipped", 5)
    # bad values are refused and change nothing
    assert not m.setData(m.index(0, COL["duration"]), -3)
    assert not m.setData(m.index(0, COL["status"]), "maybe")
    assert not m.setData(m.index(0, COL["count"]), "lots")
    assert not m.setData(m.index(0, COL["name"]), "renamed")
    assert dock.plan.entries[0].duration == 2700.0 and dock.plan.entries[0].name == "SS Cyg"
    assert m.flags(m.index(0, COL["notes"])) & Qt.ItemFlag.ItemIsEditable
    assert not m.flags(m.index(0, COL["airmass"])) & Qt.ItemFlag.ItemIsEditable


def test_schedule_runs_in_a_worker_and_emits_blocks(dock, qtbot):
    dock.add_targets(TARGETS)
    blocks = []
    dock.blocks_changed.connect(blocks.append)
    with qtbot.waitSignal(dock.schedule_finished, timeout=60_000) as blocker:
        assert dock.schedule()
    result = blocker.args[0]
    assert result.placed and dock.plan.conflicts() == []
    scheduled = dock.plan.scheduled_entries
    assert blocks[-1] == [(e.start, e.end, e.name) for e in scheduled]
    assert dock.model.index(0, COL["start"]).data()  # HH:MM shown
    reasons = {u.name: u.reason for u in dock.last_unplaced}
    assert reasons["eta Car"] == "below the altitude limit all night"
    assert "eta Car" in dock.status_label.text()
    assert len(dock.plan.entries) == len(TARGETS)  # unplaced ones stay, unscheduled
    assert dock.plan.date == "2026-11-23"


def test_schedule_lays_out_the_open_plan_in_place_without_resetting_the_table(dock, qtbot):
    dock.add_targets(TARGETS)
    plan = dock.plan
    dock.table.selectRow(names(dock).index("eta Car"))  # never rises high enough: it goes to the end
    resets, moves, announced = [], [], []
    dock.model.modelAboutToBeReset.connect(lambda: resets.append(1))
    dock.model.rowsMoved.connect(lambda *a: moves.append(a[1]))
    dock.plan_changed.connect(lambda: announced.append(1))
    with qtbot.waitSignal(dock.schedule_finished, timeout=120000):
        assert dock.schedule()
    assert dock.plan is plan and resets == [] and moves
    selected = [dock.model.index(i.row(), 0).data() for i in dock.table.selectionModel().selectedRows()]
    assert selected == ["eta Car"]
    assert dock.plan.entries[names(dock).index("eta Car")].start is None
    assert announced == [1]  # one plan_changed for the whole layout, not one per row
    assert dock.has_unsaved_changes()


def test_an_edit_that_overlaps_is_marked_as_a_conflict(dock, qtbot):
    dock.add_targets(TARGETS[:3])
    with qtbot.waitSignal(dock.schedule_finished, timeout=60_000):
        dock.schedule()
    m = dock.model
    row = next(i for i, e in enumerate(dock.plan.entries) if e.start is not None)
    assert m.setData(m.index(row, COL["duration"]), 600)  # ten hours: overlaps the rest, leaves its window
    problems = m.index(row, 0).data(CONFLICT_ROLE)
    assert problems and any("overlaps" in p for p in problems)
    assert m.index(row, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert "⚠" in dock.windowTitle()


def test_save_open_round_trip_and_dirty_flag(dock, tmp_path):
    dock.add_targets(TARGETS[:2])
    path = tmp_path / "night.plan.json"
    assert dock.save_as(path)
    assert not dock.has_unsaved_changes() and dock.path == path
    assert load_plan(path) == dock.plan
    other = PlanDock()
    assert other.open_plan(path)
    assert other.plan == dock.plan and not other.has_unsaved_changes()
    other.deleteLater()


def test_opening_a_bad_file_raises_and_keeps_the_open_plan(dock, tmp_path):
    dock.add_targets(TARGETS[:2])
    before = [e.id for e in dock.plan.entries]
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "planner-plan", "version": 7, "plan": {}}', "utf-8")
    with pytest.raises(PlanFileError, match="newer planner"):
        dock.open_plan(bad)
    assert [e.id for e in dock.plan.entries] == before and dock.has_unsaved_changes()


@pytest.mark.parametrize("answer", ["No", "Yes"])
def test_saving_over_a_file_it_cannot_read_asks_first(dock, monkeypatch, tmp_path, answer):
    dock.add_targets(TARGETS[:2])
    newer = tmp_path / "night.plan.json"
    newer.write_text('{"format": "planner-plan", "version": 7, "plan": {}}', "utf-8")
    asked = []

    def reply(parent, title, text, *args, **kwargs):
        asked.append(text)
        return getattr(QMessageBox.StandardButton, answer)
    monkeypatch.setattr(QMessageBox, "question", reply)
    saved = dock.save_as(newer)
    assert len(asked) == 1 and "night.plan.json is not a plan this planner can read" in asked[0]
    assert "newer planner" in asked[0]
    if answer == "No":
        assert not saved and dock.has_unsaved_changes() and dock.path is None
        assert "version\": 7" in newer.read_text("utf-8")
        assert "kept as it is" in dock.status_label.text()
    else:
        assert saved and not dock.has_unsaved_changes() and dock.path == newer
        assert load_plan(newer) == dock.plan


def test_saving_over_an_older_copy_of_the_plan_does_not_ask(dock, monkeypatch, tmp_path):
    dock.add_targets(TARGETS[:1])
    path = tmp_path / "night.plan.json"
    assert dock.save_as(path)
    dock.add_targets(TARGETS[1:2])
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: pytest.fail("asked for a readable plan"))
    assert dock.save() and len(load_plan(path).entries) == 2


def test_new_plan_asks_before_discarding(dock, monkeypatch):
    dock.add_targets(TARGETS[:1])
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    assert not dock.new_plan() and len(dock.plan.entries) == 1
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    assert dock.new_plan() and dock.plan.entries == [] and not dock.has_unsaved_changes()


def test_autosave_writes_recovery_and_clean_save_removes_it(dock, qtbot, tmp_path):
    dock.add_targets(TARGETS[:2])
    dock.autosave_now()
    recovery = store.find_recovery()
    assert recovery is not None and recovery.plan == dock.plan
    dock.save_as(tmp_path / "p.plan.json")
    assert store.find_recovery() is None


def test_a_new_dock_offers_the_recovery_after_a_crash(qtbot, monkeypatch):
    plan = sample_plan()
    store.autosave(plan, None)
    asked = []

    def answer(*args, **kwargs):
        asked.append(args[2])
        return QMessageBox.StandardButton.Yes
    monkeypatch.setattr(QMessageBox, "question", answer)
    d = PlanDock()
    qtbot.addWidget(d)
    qtbot.waitUntil(lambda: bool(asked))
    assert "4 entries" in asked[0]
    assert d.plan == plan and d.has_unsaved_changes()


def test_export_runs_in_a_worker(dock, qtbot, tmp_path):
    dock.add_targets(TARGETS[:3])
    out = tmp_path / "plan.csv"
    with qtbot.waitSignal(dock.export_finished, timeout=60_000) as blocker:
        assert dock.export("csv", out)
    assert blocker.args == [str(out)]
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig"))))
    assert [r["name"] for r in rows] == ["SS Cyg", "omi Cet", "chi Cyg"]


def test_ekos_export_writes_the_sequences_and_says_what_it_left_out(dock, qtbot, tmp_path):
    from tests.plan.readers import load_ekos_schedule

    dock.add_targets(TARGETS[:3])
    dock.plan.update(0, filters=("V",))
    dock.plan.update(1, filters=("Vis",))
    dock.plan.update(2, filters=())
    out = tmp_path / "night.esl"
    with qtbot.waitSignal(dock.export_finished, timeout=60_000):
        assert dock.export("esl", out)
    schedule = load_ekos_schedule(out, ["Clear", "V", "B"])
    assert [j.name for j in schedule.jobs] == [dock.plan.entries[0].name, dock.plan.entries[2].name]
    assert all(j.sequence for j in schedule.jobs)
    assert f"Left out {dock.plan.entries[1].name}: visual only" in dock.status_label.text()
    assert "more file(s)" in dock.status_label.text()


def test_export_failure_is_reported_not_raised(dock, qtbot, tmp_path):
    dock.add_targets(TARGETS[:1])
    blocker_file = tmp_path / "file"
    blocker_file.write_text("x")
    with qtbot.waitSignal(dock.export_failed, timeout=60_000) as blocker:
        dock.export("pdf", blocker_file / "sub" / "plan.pdf")
    assert "could not write" in blocker.args[0]


def test_remove_selected(dock):
    dock.add_targets(TARGETS[:3])
    dock.table.selectRow(1)
    dock.remove_selected()
    assert names(dock) == ["SS Cyg", "chi Cyg"]


def test_limits_widgets_edit_the_plan(dock):
    dock.twilight_combo.setCurrentText("nautical")
    dock.moon_spin.setValue(25)
    assert dock.plan.limits.twilight == "nautical" and dock.plan.limits.moon_separation == 25
    dock.moon_spin.setValue(0)
    assert dock.plan.limits.moon_separation is None
    assert dock.has_unsaved_changes()


def test_each_scheduled_entry_shows_its_air_mass_as_astropy_computes_it(dock, qtbot):
    """The Air mass column holds the block's mean air mass, checked against astropy's AltAz
    (sec z of the refracted altitude, every minute of the block). Tolerance 1.5 %: the
    program uses Pickering's formula, which is within 1 % of sec z down to 20° (the limit)."""
    import numpy as np
    from astropy import units as u
    from astropy.coordinates import AltAz, EarthLocation, SkyCoord
    from astropy.time import Time

    from planner.sky._offline import configure_astropy_offline

    configure_astropy_offline()
    dock.add_targets(TARGETS)
    with qtbot.waitSignal(dock.schedule_finished, timeout=120_000):
        assert dock.schedule()
    location = EarthLocation.from_geodetic(SITE.longitude * u.deg, SITE.latitude * u.deg, SITE.elevation * u.m)
    shown = 0
    for row, entry in enumerate(dock.plan.entries):
        text = dock.model.index(row, COL["airmass"]).data()
        if entry.start is None:
            assert text == ""
            continue
        times = np.append(np.arange(entry.start, entry.end, 60.0), entry.end)
        frame = AltAz(obstime=Time(times, format="unix"), location=location, pressure=1013.25 * u.hPa,
                      temperature=10 * u.deg_C, relative_humidity=0.0, obswl=0.55 * u.um)
        secz = SkyCoord(entry.target.ra * u.deg, entry.target.dec * u.deg).transform_to(frame).secz
        expected = float(np.mean(np.asarray(secz)))
        assert float(text.split()[0]) == pytest.approx(expected, rel=0.015), entry.name
        assert "mean" in dock.model.index(row, COL["airmass"]).data(Qt.ItemDataRole.ToolTipRole)
        shown += 1
    assert shown >= 3
    # moved by hand, a block's air mass is no longer known: the cell empties until Schedule
    row = next(i for i, e in enumerate(dock.plan.entries) if e.start is not None)
    entry = dock.plan.entries[row]
    dock.plan.set_times(row, entry.start + 600, entry.end + 600)
    assert dock.model.index(row, COL["airmass"]).data() == ""


def test_dragging_a_row_re_times_the_plan_in_the_new_order(dock, qtbot):
    dock.add_targets(TARGETS)
    with qtbot.waitSignal(dock.schedule_finished, timeout=120_000):
        assert dock.schedule()
    scheduled = [e.name for e in dock.plan.entries if e.start is not None]
    assert len(scheduled) >= 3
    last = names(dock).index(scheduled[-1])
    with qtbot.waitSignal(dock.schedule_finished, timeout=120_000) as blocker:
        dock.model.move_rows([last], 0)  # as a drop does: the latest block goes first
    assert blocker.args[0].plan is not None
    assert names(dock)[0] == scheduled[-1]  # the user's order is kept
    timed = [e for e in dock.plan.entries if e.start is not None]
    # and the times follow it: every placed block starts after the one above it ends
    order = [e.name for e in timed]
    assert order == [n for n in names(dock) if n in order]
    assert all(a.end <= b.start for a, b in zip(timed, timed[1:]))
    assert "Re-timing" not in dock.status_label.text()  # done, with the result said


def test_the_export_dialog_remembers_its_folder_and_format(dock, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from planner.plan.export import FORMATS

    night = tmp_path / "tonight"
    night.mkdir()
    asked = []

    def dialog(_parent, _caption, start, _filters, selected=""):
        asked.append((start, selected))
        return str(night / "plan"), f"{FORMATS['acp'].label} (*{FORMATS['acp'].suffix})"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(dialog))
    # the entries have no times: the export asks first (tests/ui/test_plan_edit_times.py answers it)
    monkeypatch.setattr("planner.ui.plan_files.ask_export_anyway", lambda *_args: True)
    dock.add_targets(TARGETS[:2])
    with qtbot.waitSignal(dock.export_finished, timeout=60_000):
        assert dock.export()
    assert (night / f"plan{FORMATS['acp'].suffix}").exists()
    # the next export, even from a new dock (the next start), opens there with that format
    again = PlanDock()
    qtbot.addWidget(again)
    again.add_targets(TARGETS[:1])
    with qtbot.waitSignal(again.export_finished, timeout=60_000):
        assert again.export()
    start, selected = asked[-1]
    assert Path(start).parent == night
    assert selected.startswith(FORMATS["acp"].label)
