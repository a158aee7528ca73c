"""What changes touches only what reads it: visibility arriving redraws and re-sorts the
sky columns alone (no layout change of 2,000 rows, no repaint of the whole table), the
proxy re-filters only when a filter reads what changed, and the view repaints the strip
of the changed columns."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt

from planner.ui.columns import COLUMNS
from planner.ui.targets_model import COLUMN_INDEX, SORT_ROLE, TargetsModel, TargetsProxy
from planner.ui.targets_view import TargetsView
from tests.ui.conftest import NOW, make_observability, make_targets

SKY = [i for i, c in enumerate(COLUMNS) if c.reads == "sky"]


class Recorder:
    def __init__(self, model) -> None:
        self.layouts = 0
        self.resets = 0
        self.changed: list[tuple[int, int, int, int]] = []
        model.layoutChanged.connect(lambda *_: setattr(self, "layouts", self.layouts + 1))
        model.modelReset.connect(lambda: setattr(self, "resets", self.resets + 1))
        model.dataChanged.connect(lambda a, b, *_: self.changed.append((a.row(), a.column(), b.row(), b.column())))


def table(n: int = 200):
    targets = make_targets(n)
    model = TargetsModel()
    model.set_now(NOW)
    model.set_targets(targets)
    proxy = TargetsProxy()
    proxy.setSourceModel(model)
    return targets, model, proxy


def test_visibility_arriving_changes_the_sky_columns_only_without_a_layout_change(qapp):
    targets, model, proxy = table()
    proxy.sort(COLUMN_INDEX["name"], Qt.SortOrder.AscendingOrder)
    name_before = model.index(0, COLUMN_INDEX["name"]).data()
    seen = Recorder(model)
    model.set_observability(make_observability(targets))
    assert seen.layouts == 0 and seen.resets == 0
    assert seen.changed == [(0, min(SKY), len(targets) - 1, max(SKY))]
    assert model.index(0, COLUMN_INDEX["name"]).data() == name_before
    rise = model.index(0, COLUMN_INDEX["max_alt"]).data()
    assert rise.endswith("°")  # the sky cells were made again from the new results


def test_sorted_by_a_sky_column_the_rows_follow_the_new_night(qapp):
    targets, model, proxy = table()
    model.set_observability(make_observability(targets, seed=3))
    col = COLUMN_INDEX["max_alt"]
    proxy.sort(col, Qt.SortOrder.DescendingOrder)
    seen = Recorder(model)
    model.set_observability(make_observability(targets, seed=4))
    assert seen.layouts == 1
    values = [proxy.index(r, col).data(SORT_ROLE) for r in range(proxy.rowCount())]
    present = [v for v in values if v is not None]
    assert present == sorted(present, reverse=True)


def test_the_observable_filter_follows_visibility_without_a_layout_change(qapp):
    targets, model, proxy = table()
    proxy.set_observable_only(True)
    assert proxy.rowCount() == len(targets)  # unknown yet: nothing hidden for it
    obs = make_observability(targets)
    model.set_observability(obs)
    assert proxy.rowCount() == int(obs.observable.sum()) < len(targets)


def test_the_due_filter_follows_the_night_and_the_name_sort_stays(qapp):
    targets, model, proxy = table()
    proxy.sort(COLUMN_INDEX["name"], Qt.SortOrder.AscendingOrder)
    proxy.set_due_only(True)
    due_now = proxy.rowCount()
    seen = Recorder(model)
    model.set_now(NOW + 400 * 86400)  # a year on: every target with a cadence is due
    assert seen.layouts == 0
    assert proxy.rowCount() > due_now


class PaintRegions(QObject):
    def __init__(self, widget) -> None:
        super().__init__()
        self.rects = []
        widget.installEventFilter(self)

    def eventFilter(self, obj, event):  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            self.rects.append(event.region().boundingRect())
        return False


def test_the_view_repaints_the_strip_of_the_changed_columns_not_the_whole_table(qtbot):
    targets, model, proxy = table(500)
    view = TargetsView(proxy)
    qtbot.addWidget(view)
    for i in range(len(COLUMNS)):  # the name, then the sky columns, in view
        view.setColumnHidden(i, i != COLUMN_INDEX["name"] and i not in SKY)
    view.resize(1200, 500)
    view.show()
    qtbot.waitExposed(view)
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    view.viewport().repaint()  # whatever was pending is painted now, before the change
    paints = PaintRegions(view.viewport())
    model.set_observability(make_observability(targets))
    qtbot.waitUntil(lambda: bool(paints.rects), timeout=60_000)
    header = view.horizontalHeader()
    left = min(header.sectionViewportPosition(c) for c in SKY if not view.isColumnHidden(c))
    strip = paints.rects[-1]
    assert strip.left() >= left > 0  # the name column was not repainted
    assert strip.height() == view.viewport().height()


def test_the_same_time_zone_or_cross_check_again_redraws_nothing(qapp):
    from zoneinfo import ZoneInfo

    targets, model, proxy = table()
    model.set_time_zone(ZoneInfo("Europe/Amsterdam"))
    model.set_differing(["V0001 Aql"])
    seen = Recorder(model)
    model.set_time_zone(ZoneInfo("Europe/Amsterdam"))  # what every night change announces
    model.set_differing(["V0001 Aql"])
    assert seen.changed == []
    model.set_time_zone(ZoneInfo("UTC"))
    assert seen.changed == [(0, 0, len(targets) - 1, len(COLUMNS) - 1)]
