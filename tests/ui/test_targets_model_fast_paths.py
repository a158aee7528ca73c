"""The table model's own fast paths. "Due" and "days overdue" (``TargetsModel.due`` /
``overdue``, arrays made once per list) agree with ``Target.is_due`` and
``Target.overdue_days`` for every target: a cadence of none, zero or less, a target never
observed, at several moments. ``index`` answers as the base class does; ``multiData`` (one call per painted cell, through
the filter proxy) answers as ``data`` does role by role."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tests.ui.conftest import NOW, make_targets


@pytest.fixture
def odd_targets():
    base = make_targets(300)
    return [*base,
            replace(base[0], star_name="zero cadence", obs_cadence=0.0),
            replace(base[0], star_name="negative cadence", obs_cadence=-3.0),
            replace(base[0], star_name="never observed", obs_cadence=5.0, last_data_point=None),
            replace(base[0], star_name="no cadence, never observed", obs_cadence=None, last_data_point=None),
            replace(base[0], star_name="exactly due", obs_cadence=2.0, last_data_point=NOW - 2 * 86400.0)]


@pytest.mark.parametrize("now", [NOW, NOW + 0.5 * 86400, NOW + 30 * 86400, NOW - 90 * 86400])
def test_due_and_overdue_agree_with_the_target_methods(qtbot, odd_targets, now):
    from planner.ui.targets_model import TargetsModel

    model = TargetsModel()
    model.set_targets(odd_targets)
    model.set_now(now)
    assert model.due.tolist() == [t.is_due(now) for t in odd_targets]
    expected = [np.nan if (d := t.overdue_days(now)) is None else d for t in odd_targets]
    np.testing.assert_array_equal(model.overdue, np.array(expected, dtype=float))
    assert model.due.sum() > 0 and (~model.due).sum() > 0  # both kinds among them


def test_index_answers_as_the_base_class_does(qtbot, odd_targets, qtlog):
    """``TargetsModel.index`` (written out: the base class asks rowCount and columnCount of
    the Python model for every painted cell) gives the base class's answers, inside and
    outside the table, and Qt's model tester finds nothing wrong through a reset."""
    from PySide6.QtCore import QAbstractTableModel, QModelIndex
    from PySide6.QtTest import QAbstractItemModelTester

    from planner.ui.targets_model import TargetsModel

    model = TargetsModel()
    tester = QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Warning)  # noqa: F841 (kept alive)
    model.set_targets(odd_targets)
    rows, columns = model.rowCount(), model.columnCount()
    inside = model.index(0, 0)
    for row, column, parent in [(0, 0, QModelIndex()), (rows - 1, columns - 1, QModelIndex()), (rows, 0, QModelIndex()),
                                (0, columns, QModelIndex()), (-1, 0, QModelIndex()), (0, -1, QModelIndex()),
                                (0, 0, inside)]:
        mine = model.index(row, column, parent)
        base = QAbstractTableModel.index(model, row, column, parent)
        assert (mine.isValid(), mine.row(), mine.column(), mine.model()) == \
               (base.isValid(), base.row(), base.column(), base.model()), (row, column)
    assert model.index(3, 2).data() == model.data(QAbstractTableModel.index(model, 3, 2))
    model.set_targets(odd_targets[:7])
    failures = [r.message for r in qtlog.records if "FAIL" in r.message]
    assert failures == [], failures


DELEGATE_ROLES = ("FontRole", "TextAlignmentRole", "ForegroundRole", "CheckStateRole", "DecorationRole",
                  "DisplayRole", "BackgroundRole", "ToolTipRole")


def _multi(model, index, roles):
    from PySide6.QtCore import QModelRoleData

    span = [QModelRoleData(role) for role in roles]
    for item in span:
        item.setData("stale")  # a reused span: a role with nothing is cleared, not left
    model.multiData(index, span)
    return [item.data() for item in span]


def test_multi_data_answers_as_data_does_role_by_role_through_the_proxy(qtbot, odd_targets):
    """Every cell of a sorted, filtered table, each role a delegate asks (and the tooltip):
    the model's and the proxy's ``multiData`` give what ``data`` gives, fonts (bold for a
    priority target or a due one) and brushes included; an invalid index clears the span."""
    from PySide6.QtCore import QModelIndex, Qt

    from planner.ui.targets_model import TargetsModel
    from planner.ui.targets_proxy import TargetsProxy

    model = TargetsModel()
    model.set_targets(odd_targets)
    model.set_now(NOW)
    proxy = TargetsProxy()
    proxy.setSourceModel(model)
    model.sort(3, Qt.SortOrder.DescendingOrder)
    proxy.set_text("cyg")
    roles = [getattr(Qt.ItemDataRole, name) for name in DELEGATE_ROLES]
    assert 0 < proxy.rowCount() < model.rowCount()
    fonts = 0
    for source in (model, proxy):
        for row in range(source.rowCount()):
            for column in range(source.columnCount()):
                index = source.index(row, column)
                by_role = [source.data(index, role) for role in roles]
                assert _multi(source, index, roles) == by_role, (source, row, column)
                fonts += by_role[0] is not None
        assert _multi(source, QModelIndex(), roles) == [None] * len(roles)
    assert fonts > 0  # bold cells among them


def test_painting_the_table_asks_each_cell_once(qtbot, odd_targets, monkeypatch):
    """A repaint of the table reaches the model through ``multiData``, one call per painted
    cell, not ``data`` role by role (seven calls into Python per cell, each through the proxy)."""
    from PySide6.QtCore import Qt

    from planner.ui.targets_model import TargetsModel
    from planner.ui.targets_proxy import TargetsProxy
    from planner.ui.targets_view import TargetsView

    calls = {"data": 0, "multi": 0}
    data, multi = TargetsModel.data, TargetsModel.multiData

    def counted_data(self, index, role=Qt.ItemDataRole.DisplayRole):
        calls["data"] += 1
        return data(self, index, role)

    def counted_multi(self, index, span):
        calls["multi"] += 1
        return multi(self, index, span)

    # patched before the objects are made: shiboken keeps the overrides it found for a wrapper
    monkeypatch.setattr(TargetsModel, "data", counted_data)
    monkeypatch.setattr(TargetsModel, "multiData", counted_multi)
    model = TargetsModel()
    model.set_targets(odd_targets)
    proxy = TargetsProxy()
    proxy.setSourceModel(model)
    view = TargetsView(proxy)
    qtbot.addWidget(view)
    view.resize(900, 400)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: calls["multi"] > 0)  # painted once shown
    calls.update(data=0, multi=0)
    view.viewport().repaint()
    shown = sum(not view.isColumnHidden(c) for c in range(proxy.columnCount()))
    assert calls["multi"] >= shown * 5  # every painted cell of several rows
    assert calls["data"] <= calls["multi"] // 10  # not seven per cell
