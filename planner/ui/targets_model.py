"""The targets table's Qt model: AAVSO ``Target`` records joined with tonight's ``Observability``.

``TargetsModel`` adapts a plain list of targets (and the sky engine's arrays for them) to a
``QAbstractTableModel``; display strings are made lazily, sort keys and search strings are
precomputed in bulk when the data changes. Sorting is by value with missing values last in
both orders, done as one numpy ``lexsort`` that permutes the model's rows (a Python
``lessThan`` called 20,000 times for 2,000 rows took 60-200 ms; this takes ~2 ms).
``TargetsProxy`` (``planner.ui.targets_proxy``) forwards sorting to the model and filters
through a precomputed row mask, so that 2,000 rows sort and filter in milliseconds.

What changes touches only what reads it (``Column.reads``): visibility arriving clears the
sky columns' cells and sort keys, re-sorts only when the table is sorted by one of them,
and announces ``dataChanged`` for those columns alone, so the view repaints that strip;
a new list is one model reset (fixed row heights, no size hints: Qt's layout stays cheap).
``data()`` answers the roles a painted cell asks for (seven per cell, through the proxy)
from precomputed per-column values: painting ~600 visible cells is its main cost.

The columns are declared once in ``planner.ui.columns.COLUMNS`` (title, tooltip, sort
values and cell text of each); the model asks them. Row numbers of the model are display
positions; ``ROW_ROLE`` gives the index into
``model.targets`` (and into the ``Observability`` arrays), which is what other widgets use.
"""

from __future__ import annotations

import math
import time as _time
from datetime import timezone, tzinfo
from typing import Any, Sequence

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from planner.catalog.target import DueColumns, Target
from planner.formatting import format_clock
from planner.sky.types import Observability
from planner.ui.columns import (  # noqa: F401
    COLUMN_INDEX,
    COLUMN_KEYS,
    COLUMNS,
    FLAG,
    NUMBER,
    READS,
    TEXT,
    TIME,
    Column,
)
from planner.ui.listen import listen
from planner.ui.plan_table import TARGETS_MIME, mime_for_targets
from planner.ui.targets_proxy import TargetsProxy  # noqa: F401 - its home before the split

SORT_ROLE = Qt.ItemDataRole.UserRole + 1  # the value a column sorts by (float, str or None)
TARGET_ROLE = Qt.ItemDataRole.UserRole + 2  # the row's Target
ROW_ROLE = Qt.ItemDataRole.UserRole + 3  # the row's index in the model's target list

# data() is called ~4,000 times per repaint: the roles as plain ints, looked up once
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_SORT, _TARGET, _ROW = int(SORT_ROLE), int(TARGET_ROLE), int(ROW_ROLE)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ALIGNMENT = tuple(_RIGHT if c.kind in (NUMBER, TIME) or c.key in ("priority", "solar_conj") else None
                   for c in COLUMNS)
_NAME, _DUE, _MOON = COLUMN_INDEX["name"], COLUMN_INDEX["due"], COLUMN_INDEX["moon_sep"]
_READING = {reads: tuple(i for i, c in enumerate(COLUMNS) if c.reads == reads) for reads in READS}
_CELL_FLAGS = (Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemNeverHasChildren
               | Qt.ItemFlag.ItemIsDragEnabled)  # rows drag onto the plan
_NO_FLAGS = Qt.ItemFlag.NoItemFlags


class TargetsModel(QAbstractTableModel):
    """Rows are targets, columns are ``COLUMNS``. Read-only; changes arrive as whole lists.

    ``inputs_changed(reads)`` says that what the columns of ``reads`` ("sky", "events",
    "now") read has changed without a new row order (the proxy re-filters if it cares)."""

    inputs_changed = Signal(str)

    def __init__(self, parent=None, *, state=None) -> None:
        super().__init__(parent)
        self._targets: list[Target] = []
        self._obs: Observability | None = None
        self._events = None  # planner.app.events.NightEvents, same rows as the targets
        self._now = _time.time()
        self._tz: tzinfo = timezone.utc
        self._differing: frozenset[str] = frozenset()
        self._due_color: QColor | None = QColor("#c0392b")
        self._differ_color: QColor | None = QColor("#d68910")
        self._due_brush: QBrush | None = QBrush(self._due_color)
        self._differ_brush: QBrush | None = QBrush(self._differ_color)
        self._bold = QFont()
        self._bold.setBold(True)
        self._cells: list[dict[int, str]] = [{} for _ in COLUMNS]  # per column: target index -> text
        self._sort_keys: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._search: list[str] = []
        self._section_codes: list[frozenset[str]] = []
        self._due = np.zeros(0, dtype=bool)
        self._overdue = np.zeros(0)
        self._due_columns = DueColumns.of(())
        self._order: list[int] = []  # display row -> target index
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        if state is not None:
            self._listen(state)

    def _listen(self, state) -> None:
        """Follow the window's night: its list, visibility, night, time zone and cross-check."""
        listen(self, state.targets_changed,
               lambda tl: self.set_targets(tl.targets if tl is not None else [], now=state.reference_time()))
        listen(self, state.observability_changed, self.set_observability)
        listen(self, state.events_changed, self.set_events)
        listen(self, state.night_changed, lambda _d: self.set_now(state.reference_time()))
        listen(self, state.site_changed, lambda _s: self.set_now(state.reference_time()))
        listen(self, state.time_zone_changed, lambda: self.set_time_zone(state.display_tz()))
        listen(self, state.crosscheck_changed,
               lambda report: self.set_differing(report.differing_names if report is not None else ()))
        self.set_time_zone(state.display_tz())

    # -- data in ---------------------------------------------------------------------------

    def set_targets(
        self, targets: Sequence[Target], obs: Observability | None = None, *, now: float | None = None
    ) -> None:
        """Replace every row. ``obs`` must describe the same targets in the same order, or be None;
        ``now`` (the moment "due" is judged at) may come along so the rows are built only once."""
        self.beginResetModel()
        if now is not None:
            self._now = float(now)
        self._targets = list(targets)
        self._obs = obs if obs is not None and len(obs) == len(self._targets) else None
        self._events = None
        self._rebuild()
        self._order = self._sorted_order()
        self.endResetModel()

    def set_observability(self, obs: Observability | None) -> None:
        """Join the sky engine's results (same order as the targets); None clears them."""
        if obs is not None and len(obs) != len(self._targets):
            raise ValueError(f"observability has {len(obs)} targets, the table {len(self._targets)}")
        self._obs = obs
        self._inputs_changed("sky")

    def set_events(self, events) -> None:
        """The night's minima, transits and maxima (``NightEvents``, same order as the
        targets); None clears them. Ignored when computed for another list."""
        if events is not None and len(events) != len(self._targets):
            return
        self._events = events
        self._inputs_changed("events")

    def set_now(self, now: float) -> None:
        """The moment "due" is judged at (the selected night)."""
        self._now = float(now)
        self._rebuild_now()
        self._inputs_changed("now")

    def set_time_zone(self, tz: tzinfo) -> None:
        """The zone times are shown in. The same zone again (the state announces the zone at
        every night change: its abbreviation may change) redraws nothing."""
        if tz == self._tz:
            return
        self._tz = tz
        self._clear_cells()
        self._all_changed()

    def set_differing(self, names: Sequence[str] | frozenset[str]) -> None:
        """Star names the AAVSO cross-check found different: marked in the table."""
        names = frozenset(names)
        if names == self._differing:
            return
        self._differing = names
        self._all_changed()

    def set_accent_colors(self, due: QColor | None, differ: QColor | None) -> None:
        """Colours for due targets and cross-check differences (themes pick calm ones at night)."""
        self._due_color, self._differ_color = due, differ
        self._due_brush = QBrush(due) if due is not None else None
        self._differ_brush = QBrush(differ) if differ is not None else None
        self._all_changed()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort rows by ``column``'s value, missing values last in either order; -1 restores list order."""
        self._sort_column = column if 0 <= column < len(COLUMNS) else -1
        self._sort_order = order
        self._apply_order(self._sorted_order())

    @property
    def sort_column(self) -> int:
        return self._sort_column

    @property
    def sort_order(self) -> Qt.SortOrder:
        return self._sort_order

    def _inputs_changed(self, reads: str) -> None:
        """What the columns of ``reads`` show changed: their cells and sort keys are made
        again; the rows are re-sorted only when sorted by one of them."""
        columns = _READING[reads]
        for column in columns:
            self._sort_keys.pop(column, None)
            self._cells[column].clear()
        if self._sort_column in columns:
            self._apply_order(self._sorted_order())  # the proxy re-filters on the layout change
        else:
            self.inputs_changed.emit(reads)
        if self._targets and columns:
            self.dataChanged.emit(self.index(0, min(columns)), self.index(len(self._targets) - 1, max(columns)))

    def _clear_cells(self) -> None:
        for cells in self._cells:
            cells.clear()

    def _apply_order(self, order: list[int]) -> None:
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_targets = [self._order[i.row()] if i.row() < len(self._order) else -1 for i in old]
        self._order = order
        position = {t: r for r, t in enumerate(order)} if old else {}
        new = [
            self.index(position[t], i.column()) if t in position else QModelIndex()
            for t, i in zip(old_targets, old)
        ]
        if old:
            self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def _sorted_order(self) -> list[int]:
        """Target indices in display order for the current sort column and order."""
        n = len(self._targets)
        if self._sort_column < 0 or n == 0:
            return list(range(n))
        values, missing = self.sort_key(self._sort_column)
        names, _ = self.sort_key(COLUMN_INDEX["name"])
        present = np.flatnonzero(~missing)
        descending = self._sort_order == Qt.SortOrder.DescendingOrder
        if values.dtype == object:
            ordered = sorted(present.tolist(), key=lambda i: (values[i], names[i]), reverse=descending)
        else:
            name_rank = np.empty(n, dtype=np.int64)
            name_rank[np.argsort(names, kind="stable")] = np.arange(n)
            key = values[present]
            ties = name_rank[present]
            if descending:
                key, ties = -key, -ties
            ordered = present[np.lexsort((ties, key))].tolist()
        return ordered + np.flatnonzero(missing).tolist()

    def display_order(self) -> list[int]:
        return self._order

    def target_index(self, row: int) -> int:
        """Index into ``targets`` (and the sky arrays) of display row ``row``."""
        return self._order[row]

    def row_of_target(self, target_index: int) -> int:
        return self._order.index(target_index)

    def _all_changed(self) -> None:
        if self._targets:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._targets) - 1, len(COLUMNS) - 1))
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)

    # -- data out --------------------------------------------------------------------------

    @property
    def targets(self) -> list[Target]:
        return self._targets

    @property
    def observability(self) -> Observability | None:
        return self._obs

    @property
    def events(self):
        """The night's ``NightEvents`` (None until computed)."""
        return self._events

    def event_mask(self) -> np.ndarray | None:
        """Per target: an event tonight that can be watched, at least in part (None: unknown yet)."""
        if self._events is None:
            return None
        return np.array(self._events.has_event_mask(), dtype=bool)

    @property
    def now(self) -> float:
        return self._now

    @property
    def time_zone(self) -> tzinfo:
        return self._tz

    @property
    def differing(self) -> frozenset[str]:
        return self._differing

    def target(self, row: int) -> Target:
        """The target shown on display row ``row``."""
        return self._targets[self._order[row]]

    # Dragging rows out: the plan dock (and any other drop site) receives the targets as the
    # AAVSO JSON of their records.

    def flags(self, index) -> Qt.ItemFlag:  # asked for every painted cell: no call to the base class
        return _CELL_FLAGS if index.isValid() else _NO_FLAGS

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [TARGETS_MIME]

    def mimeData(self, indexes):  # noqa: N802
        rows = sorted({index.row() for index in indexes if index.isValid()})
        return mime_for_targets([self.target(row) for row in rows])

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.CopyAction

    def search_strings(self) -> list[str]:
        """Per target (not per row): lowercase name, type and constellation."""
        return self._search

    def section_codes(self) -> list[frozenset[str]]:
        return self._section_codes

    def due_mask(self) -> np.ndarray:
        return self._due

    def observable_mask(self) -> np.ndarray | None:
        return None if self._obs is None else np.asarray(self._obs.observable, dtype=bool)

    def sort_key(self, column: int) -> tuple[np.ndarray, np.ndarray]:
        """(values, missing) for a column: floats or lowercase strings, and where they are unknown."""
        if column not in self._sort_keys:
            self._sort_keys[column] = self._make_sort_key(COLUMNS[column].key)
        return self._sort_keys[column]

    def index(self, row: int, column: int, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:
        # asked by the filter proxy for every painted cell and role: the base class's asks
        # rowCount and columnCount of this Python model each time (two calls into Python
        # instead of one; 5.5 of 18 ms of a 2,000-row table's repaint)
        if 0 <= row < len(self._targets) and 0 <= column < len(COLUMNS) and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._targets)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        column = COLUMNS[section]
        if role == _DISPLAY:
            return column.title
        if role == _TOOLTIP:
            return column.tooltip
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> Any:
        display_row = index.row()
        if display_row < 0:  # an invalid index
            return None
        return self._value(display_row, index.column(), role)

    def multiData(self, index: QModelIndex | QPersistentModelIndex, span) -> None:  # noqa: N802 (Qt name)
        """Every role a delegate asks of a cell, in one call: the hot path of painting.
        ``QStyledItemDelegate`` asks seven roles of each painted cell through ``multiData``;
        the base class's answers each with a call of ``data`` from C++ into Python (seven
        calls, with the proxy's ``index`` for each: ~60% of a repaint was those calls)."""
        display_row = index.row()
        if display_row < 0:
            for item in span:
                item.clearData()
            return
        col = index.column()
        value_of = self._value
        for item in span:
            value = value_of(display_row, col, item.role())
            if value is None:
                item.clearData()
            else:
                item.setData(value)

    def _value(self, display_row: int, col: int, role: int) -> Any:
        # roles this model has nothing for (decoration, background, check state) return at once
        if role == _DISPLAY:
            row = self._order[display_row]  # from here on ``row`` is the target index
            cells = self._cells[col]
            text = cells.get(row)
            if text is None:
                text = cells[row] = COLUMNS[col].text(self, row)
            return text
        if role == _ALIGN:
            return _ALIGNMENT[col]
        if role == _FONT:
            if col == _NAME or col == _DUE:
                row = self._order[display_row]
                if (self._targets[row].priority if col == _NAME else self._due[row]):
                    return self._bold
            return None
        if role == _FOREGROUND:
            return self._foreground(self._order[display_row], col)
        if role == _TOOLTIP:
            return self._tooltip(self._order[display_row], COLUMNS[col].key)
        if role == _SORT:
            row = self._order[display_row]
            values, missing = self.sort_key(col)
            value = values[row]
            return None if missing[row] else value.item() if hasattr(value, "item") else value
        if role == _TARGET:
            return self._targets[self._order[display_row]]
        if role == _ROW:
            return self._order[display_row]
        return None

    def _foreground(self, row: int, col: int) -> QBrush | None:
        if col == _DUE:
            if self._due[row] and self._due_color is not None:
                return self._due_brush
        elif col == _NAME:
            if self._differ_color is not None and self._targets[row].star_name in self._differing:
                return self._differ_brush
        elif col == _MOON:
            if self._due_color is not None and self._moon_too_close(row):
                return self._due_brush  # the theme's warning colour, as for "due"
        return None

    # -- internals -------------------------------------------------------------------------

    def _rebuild(self) -> None:
        """A new list: every cell, sort key, search string and "due" made again."""
        self._clear_cells()
        self._sort_keys.clear()
        targets = self._targets
        self._search = [f"{t.star_name}\n{t.var_type}\n{t.constellation}".lower() for t in targets]
        self._section_codes = [frozenset(t.section_codes) for t in targets]
        # what "due" reads, once per list (a new night then costs two array operations,
        # not two Python calls per target: 6 ms for 2,000 on the GUI thread)
        self._due_columns = DueColumns.of(targets)
        self._rebuild_now()

    def _rebuild_now(self) -> None:
        self._due = self._due_columns.due(self._now)
        self._overdue = self._due_columns.overdue(self._now)

    # -- what the columns read (planner.ui.columns) ----------------------------------------

    @property
    def due(self) -> np.ndarray:
        """Per target: due at ``now``."""
        return self._due

    @property
    def overdue(self) -> np.ndarray:
        """Per target: days past the cadence at ``now`` (NaN when unknown)."""
        return self._overdue

    def time_text(self, unix: float | None, *, with_date: bool = False) -> str:
        """A time in the table's zone, to the nearest minute ("" when unknown)."""
        if unix is None or not math.isfinite(unix):
            return ""
        return format_clock(unix, self._tz, date=with_date, missing="")

    _time_text = time_text

    def _make_sort_key(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        return COLUMNS[COLUMN_INDEX[key]].values(self)

    def _display(self, row: int, key: str) -> str:
        return COLUMNS[COLUMN_INDEX[key]].text(self, row)

    def _moon_too_close(self, row: int) -> bool:
        obs = self._obs
        return (obs is not None and obs.moon_clear is not None and row < len(obs.moon_clear)
                and bool(obs.observable[row]) and not bool(obs.moon_clear[row]))

    def _tooltip(self, row: int, key: str) -> str | None:
        column = COLUMNS[COLUMN_INDEX[key]]
        return column.tip(self, row) if column.tip is not None else column.tooltip


