"""The plan table follows the plan's own events (pytest-qt, offscreen): edits made on the
Plan itself (add, remove, move, edit, a schedule applied in place) reach the table as row
insertions, removals, moves and data changes, never as a reset, so a view keeps its
selection. Qt's QAbstractItemModelTester watches every signal for consistency."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QTableView
from shiboken6 import delete

from planner.plan.model import PlanEntry
from planner.ui.plan_table import COLUMNS, ENTRY_ROLE, PlanTableModel
from tests.plan.helpers import T0, sample_plan, target
from tests.ui.pixels import pixel_colours

COL = {key: i for i, (key, _) in enumerate(COLUMNS)}


class Watched:
    """A model on a plan, a view with one selected row, Qt's model tester and a log of the
    model's signals."""

    def __init__(self, qtbot, plan) -> None:
        self.plan = plan
        self.model = PlanTableModel(plan)
        self.tester = QAbstractItemModelTester(self.model, QAbstractItemModelTester.FailureReportingMode.Warning)
        self.view = QTableView()
        qtbot.addWidget(self.view)
        self.view.setModel(self.model)
        self.signals: list[tuple] = []
        m = self.model
        m.rowsInserted.connect(lambda _p, a, b: self.signals.append(("inserted", a, b)))
        m.rowsRemoved.connect(lambda _p, a, b: self.signals.append(("removed", a, b)))
        m.rowsMoved.connect(lambda _p, a, b, _d, row: self.signals.append(("moved", a, row)))
        m.dataChanged.connect(lambda tl, br, _roles=(): self.signals.append(("data", tl.row(), br.row())))
        m.modelAboutToBeReset.connect(lambda: self.signals.append(("reset",)))
        m.layoutChanged.connect(lambda *_: self.signals.append(("layout",)))

    def select(self, name: str) -> None:
        row = self.names().index(name)
        self.view.selectionModel().select(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)

    def selected_names(self) -> list[str]:
        return [self.model.index(i.row(), 0).data() for i in self.view.selectionModel().selectedRows()]

    def names(self) -> list[str]:
        return [self.model.index(row, COL["name"]).data() for row in range(self.model.rowCount())]

    def kinds(self) -> list[str]:
        return [s[0] for s in self.signals]


@pytest.fixture
def watched(qtbot, qtlog):
    w = Watched(qtbot, sample_plan())  # SS Cyg, omi Cet, T CrB, chi Cyg
    yield w
    failures = [r.message for r in qtlog.records if "FAIL" in r.message]
    assert failures == [], failures  # the model tester found an inconsistent signal


def test_entries_added_to_the_plan_appear_as_inserted_rows(watched):
    watched.select("omi Cet")
    watched.plan.insert(1, [PlanEntry(target=target("U Gem")), PlanEntry(target=target("Z Cam"))])
    watched.plan.add(PlanEntry(target=target("R Leo")))
    assert watched.names() == ["SS Cyg", "U Gem", "Z Cam", "omi Cet", "T CrB", "chi Cyg", "R Leo"]
    assert [s for s in watched.signals if s[0] == "inserted"] == [("inserted", 1, 2), ("inserted", 6, 6)]
    assert "reset" not in watched.kinds()
    assert watched.selected_names() == ["omi Cet"]  # the selection followed its row


def test_entries_removed_from_the_plan_disappear_as_removed_rows(watched):
    watched.select("chi Cyg")
    watched.plan.remove(0)
    assert watched.names() == ["omi Cet", "T CrB", "chi Cyg"]
    assert ("removed", 0, 0) in watched.signals and "reset" not in watched.kinds()
    assert watched.selected_names() == ["chi Cyg"]


def test_moves_in_the_plan_move_rows_and_the_selection_with_them(watched):
    watched.select("SS Cyg")
    watched.plan.move(0, 3)
    assert watched.names() == ["omi Cet", "T CrB", "chi Cyg", "SS Cyg"]
    watched.plan.move(2, 0)
    assert watched.names() == ["chi Cyg", "omi Cet", "T CrB", "SS Cyg"]
    assert [s for s in watched.signals if s[0] == "moved"] == [("moved", 0, 4), ("moved", 2, 0)]
    assert watched.selected_names() == ["SS Cyg"] and "reset" not in watched.kinds()


def test_edits_in_the_plan_redraw_their_row(watched):
    m = watched.model
    watched.plan.update(2, notes="bright tonight", duration=1500)
    assert m.index(2, COL["notes"]).data() == "bright tonight" and m.index(2, COL["duration"]).data() == "25"
    assert ("data", 2, 2) in watched.signals
    watched.plan.set_times(2, T0 + 20000)
    assert m.index(2, COL["start"]).data() == "22:33"  # 2026-11-23 21:33 UTC, Amsterdam winter time
    assert "reset" not in watched.kinds()


def test_cell_edits_go_through_the_plan_and_come_back_as_its_events(watched):
    heard = []
    watched.plan.events.changed.connect(lambda index, new: heard.append((index, new.count)))
    m = watched.model
    assert m.setData(m.index(1, COL["count"]), 7)
    assert heard == [(1, 7)] and m.index(1, COL["count"]).data() == "7"
    assert not m.setData(m.index(1, COL["count"]), 0)  # refused by the plan: nothing announced
    assert heard == [(1, 7)]


def test_a_conflict_made_by_one_edit_redraws_every_row_it_touches(watched):
    m = watched.model
    assert m.index(1, 0).data(ENTRY_ROLE).name == "omi Cet" and not m.conflicts_of(1)
    watched.plan.set_times(1, T0 + 6000)  # onto SS Cyg's block
    assert m.conflicts_of(0) and m.conflicts_of(1)
    assert ("data", 0, 3) in watched.signals  # every row, since SS Cyg's row changed too


def test_a_schedule_applied_in_place_moves_and_redraws_rows_without_a_reset(watched):
    plan = watched.plan
    watched.select("T CrB")
    scheduled = copy.deepcopy(plan)
    e = scheduled.entries
    scheduled.entries = [replace(e[2], start=T0 + 5400, end=T0 + 6300), e[0], e[1], replace(e[3], start=None, end=None)]
    edited = []
    watched.model.edited.connect(lambda: edited.append(1))
    plan.apply_schedule(scheduled)
    assert watched.names() == ["T CrB", "SS Cyg", "omi Cet", "chi Cyg"]
    assert watched.model.index(0, COL["start"]).data() == "18:30"
    assert watched.model.index(3, COL["start"]).data() == ""
    assert "moved" in watched.kinds() and "reset" not in watched.kinds() and "layout" not in watched.kinds()
    assert watched.selected_names() == ["T CrB"] and edited


def test_only_a_different_plan_resets_the_table(watched):
    other = sample_plan()
    other.remove(0)
    watched.model.set_plan(other)
    assert watched.kinds() == ["reset"] and watched.names() == ["omi Cet", "T CrB", "chi Cyg"]
    watched.signals.clear()
    watched.plan.remove(0)  # the plan no longer shown: the table does not hear it
    assert watched.signals == [] and watched.model.rowCount() == 3
    other.remove(0)
    assert watched.kinds()[:1] == ["removed"]


def test_a_deleted_table_stops_listening_to_a_plan_that_outlives_it(qtbot):
    plan = sample_plan()
    model = PlanTableModel(plan)
    assert len(plan.events.inserted) == 1
    delete(model)
    assert len(plan.events.inserted) == 0
    plan.add(PlanEntry(target=target("U Gem")))  # nothing calls into the dead model
    assert len(plan.entries) == 5


def test_a_conflicting_row_emits_no_green_or_blue_light_in_night_mode(watched, qapp):
    """Issue 17 item 4: the warning icon was the style's yellow and the tint a fixed red/grey."""
    from PySide6.QtCore import Qt

    from planner.ui.themes import apply_theme, is_night_safe

    m = watched.model
    watched.plan.set_times(1, T0 + 6000)  # omi Cet onto SS Cyg's block: both rows warn
    watched.plan.update(3, status="skipped")
    try:
        apply_theme(qapp, "night")
        icon = m.index(1, COL["name"]).data(Qt.ItemDataRole.DecorationRole)
        colours = pixel_colours(icon, opaque=True)
        assert colours and all(g == 0 and b == 0 for _r, g, b in colours), sorted(colours)[:5]
        assert len({r for r, _g, _b in colours}) > 2  # the "!" still stands out from the triangle
        assert is_night_safe(m.index(1, COL["name"]).data(Qt.ItemDataRole.BackgroundRole).color())
        assert is_night_safe(m.index(3, COL["name"]).data(Qt.ItemDataRole.ForegroundRole).color())
        apply_theme(qapp, "light")  # and back: the style's own icon again
        light = pixel_colours(m.index(1, COL["name"]).data(Qt.ItemDataRole.DecorationRole), opaque=True)
        assert any(g > 0 for _r, g, _b in light)
    finally:
        apply_theme(qapp, "light")
