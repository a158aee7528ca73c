"""The targets table model and proxy: values sort by value with missing values last, filters
combine, times follow the chosen zone, and every column answers with tooltips."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt

from planner.catalog.target import Target
from planner.ui.targets_model import (
    COLUMN_INDEX,
    COLUMNS,
    ROW_ROLE,
    SORT_ROLE,
    TargetsModel,
    TargetsProxy,
)
from tests.ui.conftest import NOW, make_observability

ASC, DESC = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder


@pytest.fixture
def proxy(qapp, targets, observability):
    model = TargetsModel()
    model.set_now(NOW)
    model.set_targets(targets, observability)
    proxy = TargetsProxy()
    proxy.setSourceModel(model)
    return proxy


def column_values(proxy, key):
    col = COLUMN_INDEX[key]
    return [proxy.index(r, col).data(SORT_ROLE) for r in range(proxy.rowCount())]


@pytest.mark.parametrize("key", ["max_mag", "period", "rise", "set", "cadence", "last_data", "due"])
@pytest.mark.parametrize("order", [ASC, DESC])
def test_numbers_and_times_sort_by_value_with_missing_last(proxy, key, order):
    proxy.sort(COLUMN_INDEX[key], order)
    values = column_values(proxy, key)
    present = [v for v in values if v is not None]
    assert present, "the fixture must have values in this column"
    assert None in values, "the fixture must have missing values in this column"
    # every missing value comes after every present one, whatever the order
    first_missing = values.index(None)
    assert all(v is None for v in values[first_missing:])
    assert present == sorted(present, reverse=(order == DESC))


def test_text_sorts_case_insensitively_and_empty_last(qapp):
    targets = [Target("b star", 1, 1, var_type="m"), Target("A star", 2, 2, var_type=""),
               Target("c star", 3, 3, var_type="EA")]
    model = TargetsModel()
    model.set_targets(targets)
    proxy = TargetsProxy()
    proxy.setSourceModel(model)
    proxy.sort(COLUMN_INDEX["name"], ASC)
    assert [proxy.index(r, 0).data() for r in range(3)] == ["A star", "b star", "c star"]
    proxy.sort(COLUMN_INDEX["var_type"], DESC)
    assert [proxy.index(r, 0).data() for r in range(3)] == ["b star", "c star", "A star"]
    proxy.sort(COLUMN_INDEX["var_type"], ASC)
    assert [proxy.index(r, 0).data() for r in range(3)] == ["c star", "b star", "A star"]


def test_ra_sorts_by_degrees_not_by_text(qapp):
    # "9h" sorts after "10h" as text but before it by value
    targets = [Target("ten", 150.0, 0), Target("nine", 135.0, 0), Target("zero", 1.0, 0)]
    model = TargetsModel()
    model.set_targets(targets)
    proxy = TargetsProxy()
    proxy.setSourceModel(model)
    proxy.sort(COLUMN_INDEX["ra"], ASC)
    assert [proxy.index(r, 0).data() for r in range(3)] == ["zero", "nine", "ten"]
    assert proxy.index(0, COLUMN_INDEX["ra"]).data() == "00:04:00"


def test_text_filter_matches_name_type_and_constellation(proxy, targets):
    proxy.set_text("ugss")
    names = {proxy.index(r, 0).data() for r in range(proxy.rowCount())}
    assert names == {t.star_name for t in targets if t.var_type == "UGSS"}
    proxy.set_text("CYG ugss")  # both words must match, any case; the fixture's UGSS stars are in Aql
    assert proxy.rowCount() == 0
    proxy.set_text("AQL ugss")
    assert proxy.rowCount() == sum(t.var_type == "UGSS" and t.constellation == "Aql" for t in targets) > 0
    proxy.set_text("aql")
    assert proxy.rowCount() == sum(t.constellation == "Aql" for t in targets)
    proxy.set_text("")
    assert proxy.rowCount() == len(targets)


def test_section_observable_and_due_filters_combine(proxy, targets, observability):
    model = proxy.source
    proxy.set_sections(["cv", "lpv"])
    expected = [i for i, t in enumerate(targets) if set(t.section_codes) & {"cv", "lpv"}]
    assert sorted(proxy.visible_target_indices()) == expected
    proxy.set_observable_only(True)
    expected = [i for i in expected if observability.observable[i]]
    assert sorted(proxy.visible_target_indices()) == expected
    proxy.set_due_only(True)
    expected = [i for i in expected if targets[i].is_due(model.now)]
    assert sorted(proxy.visible_target_indices()) == expected
    assert expected, "the fixture must leave some rows"
    proxy.set_sections(None)
    proxy.set_observable_only(False)
    proxy.set_due_only(False)
    assert proxy.rowCount() == len(targets)


def test_filter_survives_sorting_and_new_observability(proxy, targets):
    proxy.set_text("cyg")
    count = proxy.rowCount()
    proxy.sort(COLUMN_INDEX["max_alt"], DESC)
    assert proxy.rowCount() == count
    assert all("Cyg" in proxy.index(r, 0).data() for r in range(count))
    proxy.set_observable_only(True)
    before = proxy.rowCount()
    proxy.source.set_observability(make_observability(targets, seed=9))
    # still sorted by maximum altitude after the new results, and still filtered
    values = column_values(proxy, "max_alt")
    assert values == sorted(values, reverse=True)
    assert all("Cyg" in proxy.index(r, 0).data() for r in range(proxy.rowCount()))
    assert before > 0


def test_observable_filter_hides_nothing_before_visibility_is_known(qapp, targets):
    model = TargetsModel()
    model.set_targets(targets)
    proxy = TargetsProxy()
    proxy.setSourceModel(model)
    proxy.set_observable_only(True)
    assert proxy.rowCount() == len(targets)


def test_times_follow_the_chosen_zone(qapp, targets, observability):
    model = TargetsModel()
    model.set_targets(targets, observability)
    row = next(r for r in range(len(targets)) if not math.isnan(observability.rise[model.target_index(r)]))
    rise = float(observability.rise[model.target_index(row)])
    index = model.index(row, COLUMN_INDEX["rise"])
    nearest = round(rise / 60.0) * 60.0  # times read to the nearest minute, as in the CLI
    model.set_time_zone(timezone.utc)
    assert index.data() == datetime.fromtimestamp(nearest, timezone.utc).strftime("%H:%M")
    tz = ZoneInfo("Asia/Kolkata")  # +05:30, so the minutes change too
    model.set_time_zone(tz)
    assert index.data() == datetime.fromtimestamp(nearest, tz).strftime("%H:%M")


def test_always_up_and_never_up_are_spelled_out(qapp, targets, observability):
    model = TargetsModel()
    model.set_targets(targets, observability)
    # the fixture makes target 0 always up and target 1 never up
    assert model.index(model.row_of_target(0), COLUMN_INDEX["rise"]).data() == "up"
    assert model.index(model.row_of_target(0), COLUMN_INDEX["set"]).data() == "all night"
    assert model.index(model.row_of_target(1), COLUMN_INDEX["rise"]).data() == "—"


def test_priority_and_due_are_visible_at_a_glance(qapp):
    now = NOW
    due = Target("late", 10, 10, obs_cadence=3, last_data_point=now - 10 * 86400, priority=True)
    fresh = Target("fresh", 10, 10, obs_cadence=30, last_data_point=now - 86400)
    model = TargetsModel()
    model.set_now(now)
    model.set_targets([due, fresh])
    name, pri, due_col = COLUMN_INDEX["name"], COLUMN_INDEX["priority"], COLUMN_INDEX["due"]
    assert model.index(0, name).data(Qt.ItemDataRole.FontRole).bold()
    assert model.index(1, name).data(Qt.ItemDataRole.FontRole) is None
    assert model.index(0, pri).data() == "★"
    assert model.index(0, due_col).data() == "+7"
    assert model.index(0, due_col).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.index(1, due_col).data(Qt.ItemDataRole.ForegroundRole) is None
    assert model.index(1, due_col).data() == "-29"


def test_other_info_shows_link_labels_and_urls_in_tooltip(qapp):
    t = Target("x", 1, 1, other_info="Campaign.\r\nSee [[Alert 123 https://www.aavso.org/aavso-alert-notice-123]]")
    model = TargetsModel()
    model.set_targets([t])
    index = model.index(0, COLUMN_INDEX["other_info"])
    assert index.data() == "Campaign. See Alert 123"
    assert "https://www.aavso.org/aavso-alert-notice-123" in index.data(Qt.ItemDataRole.ToolTipRole)


def test_every_column_has_a_header_tooltip_and_displays_without_error(qapp, targets, observability):
    model = TargetsModel()
    model.set_targets(targets, observability)
    for col, column in enumerate(COLUMNS):
        assert model.headerData(col, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == column.tooltip
        for row in range(model.rowCount()):
            assert isinstance(model.index(row, col).data(), str)


def test_cross_check_differences_are_marked(qapp, targets):
    model = TargetsModel()
    model.set_targets(targets)
    model.set_differing({targets[3].star_name})
    row = model.row_of_target(3)
    assert model.index(row, 0).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert "cross-check" in model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    other = model.row_of_target(4)
    assert model.index(other, 0).data(Qt.ItemDataRole.ForegroundRole) is None


def test_wrong_length_observability_is_refused(qapp, targets):
    model = TargetsModel()
    model.set_targets(targets)
    with pytest.raises(ValueError):
        model.set_observability(make_observability(targets[:5]))


def test_selection_survives_a_resort(qapp, qtbot, proxy):
    from PySide6.QtWidgets import QTableView

    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(proxy)
    view.selectRow(5)
    chosen = proxy.index(5, 0).data(ROW_ROLE)
    proxy.sort(COLUMN_INDEX["dec"], DESC)
    rows = view.selectionModel().selectedRows()
    assert [r.data(ROW_ROLE) for r in rows] == [chosen]


def test_the_table_and_the_cli_read_the_same_minute(qapp):
    from planner.commands.common import fmt_local

    t = datetime(2026, 12, 1, 16, 12, 40, tzinfo=timezone.utc).timestamp()
    assert TargetsModel()._time_text(t) == fmt_local(t, timezone.utc) == "16:13"


def test_a_new_column_is_one_declaration(qapp, targets, observability, monkeypatch):
    """The registry is the only place a column lives: a declared column is shown, sorted and
    read like the built-in ones (what the ephemeris and Moon issues will add)."""
    import planner.ui.targets_model as tm
    from planner.ui import columns

    extra = columns.Column("dec_abs", "|Dec|", columns.NUMBER, "Distance from the equator.",
                           lambda m: columns.floats([abs(t.dec) for t in m.targets]),
                           lambda m, i: f"{abs(m.targets[i].dec):.1f}")
    registry = columns.COLUMNS + (extra,)
    monkeypatch.setattr(tm, "COLUMNS", registry)
    monkeypatch.setattr(tm, "COLUMN_INDEX", {c.key: i for i, c in enumerate(registry)})
    model = TargetsModel()
    model.set_targets(targets, observability)
    col = len(registry) - 1
    assert model.columnCount() == len(registry) and model.headerData(col, Qt.Orientation.Horizontal) == "|Dec|"
    model.sort(col, Qt.SortOrder.DescendingOrder)
    shown = [float(model.index(r, col).data()) for r in range(model.rowCount())]
    assert shown == sorted(shown, reverse=True)
