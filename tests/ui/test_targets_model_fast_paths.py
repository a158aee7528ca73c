"""The table model's own fast paths. "Due" and "days overdue" (``TargetsModel.due`` /
``overdue``, arrays made once per list) agree with ``Target.is_due`` and
``Target.overdue_days`` for every target: a cadence of none, zero or less, a target never
observed, at several moments. ``index`` answers as the base class does."""

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
