"""The plan's entries as a Qt table model that follows the plan's own events.

``PlanTableModel`` edits nothing itself: a cell edit, a drop or a drag calls one of
``Plan``'s methods, and the model translates what the plan then announces
(``planner.plan.events``) into Qt's row signals, as napari's ``_qt/containers`` models do
for its evented lists: ``inserting``/``inserted`` become ``beginInsertRows``/``endInsertRows``,
``removing``/``removed`` and ``moving``/``moved`` likewise, ``changed`` a ``dataChanged`` of
its row. So an edit made anywhere (the dock's buttons, a schedule applied in place, code
holding the plan) reaches the table without a reset, and views keep their selection.
Only a different plan (new, opened, restored) resets the model.

Rows are dragged to reorder; targets dropped from the targets table (MIME
``application/x-planner-targets+json``, the AAVSO JSON of the targets) become entries.
Start and End are typed with ``TimeDelegate`` (a time editor in the window's time zone,
with its label) and set through ``planner.app.plan_edit``, which pins the entry;
``times_edited`` carries what the new times break, ``edit_refused`` why an edit was refused.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any, Callable, Sequence

from PySide6.QtCore import (
    QAbstractTableModel,
    QMimeData,
    QModelIndex,
    QTime,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QTimeEdit

from planner.app.plan_edit import night_reference, parse_clock, set_entry_time
from planner.catalog.target import Target, parse_targets, targets_to_payload
from planner.formatting import format_clock
from planner.plan.model import STATUSES, Plan, PlanValueError
from planner.ui.themes import current_theme, standard_icon

TARGETS_MIME = "application/x-planner-targets+json"
ROWS_MIME = "application/x-planner-plan-rows"
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
CONFLICT_ROLE = Qt.ItemDataRole.UserRole + 2

COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "Target"),
    ("start", "Start"),
    ("end", "End"),
    ("duration", "Min"),
    ("airmass", "Air mass"),
    ("filters", "Filters"),
    ("exposure", "Exp (s)"),
    ("count", "×"),
    ("status", "Status"),
    ("warning", "Warning"),
    ("notes", "Notes"),
)
EDITABLE = {"start", "end", "duration", "filters", "exposure", "count", "status", "notes"}
TIME_KEYS = ("start", "end")


def mime_for_targets(targets: Sequence[Target]) -> QMimeData:
    """What the targets table puts on the clipboard/drag so the plan dock accepts it."""
    mime = QMimeData()
    mime.setData(TARGETS_MIME, json.dumps(targets_to_payload(targets)).encode("utf-8"))
    return mime


def targets_from_mime(mime: QMimeData) -> list[Target]:
    if not mime.hasFormat(TARGETS_MIME):
        return []
    try:
        payload = json.loads(bytes(mime.data(TARGETS_MIME)).decode("utf-8"))
        return parse_targets(payload).targets
    except (ValueError, UnicodeDecodeError):
        return []


def _cell_edit(key: str, value: Any) -> dict[str, Any] | None:
    """The entry fields a typed cell value stands for; None when the value is refused."""
    if key == "duration":
        minutes = float(value)
        return {"duration": minutes * 60.0} if minutes > 0 else None
    if key == "filters":
        parts = str(value).replace(";", ",").replace(" ", ",").split(",")
        return {"filters": tuple(p for p in parts if p)}
    if key == "exposure":
        return {"exposure": float(value)}
    if key == "count":
        return {"count": int(value)}
    if key == "status":
        return {"status": str(value)} if str(value) in STATUSES else None
    if key == "notes":
        return {"notes": str(value)}
    return None


class PlanTableModel(QAbstractTableModel):
    """The plan's entries, one row each, in the plan's order."""

    edited = Signal()  # after every change the plan announces, whoever made it
    targets_dropped = Signal(list, int)  # (targets, row) dropped from elsewhere
    times_edited = Signal(object)  # planner.app.plan_edit.TimeEdit: a typed Start/End, with its warnings
    edit_refused = Signal(str)  # why a typed value was not taken (nothing changed)

    def __init__(self, plan: Plan, parent=None) -> None:
        super().__init__(parent)
        self._plan = plan
        self._tz: Any = None  # the zone times are shown and typed in; None: the plan site's
        self._listening: list[tuple[Any, Callable[..., Any]]] = []
        self._conflicts: dict[str, list[str]] = {}
        self._short: dict[str, list[str]] = {}  # entry id -> the warnings in a few words
        # entry id -> (start, end, BlockAirmass) from the last Schedule: shown while the
        # entry keeps those times (a changed time makes it stale, so it is not shown)
        self._airmass: dict[str, tuple[float, float, Any]] = {}
        self._listen_to(plan)
        self._refresh_conflicts()
        # The plan may outlive the table (the window's state holds it): never call a dead model.
        self.destroyed.connect(lambda *_: PlanTableModel._stop_listening(self))

    # -- the plan ------------------------------------------------------------------------

    @property
    def plan(self) -> Plan:
        return self._plan

    def set_plan(self, plan: Plan) -> None:
        """Show a different plan (new, opened, restored): the one change that resets the model."""
        self.beginResetModel()
        self._stop_listening()
        self._plan = plan
        self._airmass = {}
        self._listen_to(plan)
        self._refresh_conflicts()
        self.endResetModel()

    def set_airmass(self, airmass: dict[str, Any]) -> None:
        """Each scheduled entry's air mass (``ScheduleResult.airmass``: id -> BlockAirmass),
        for the times the entries have now."""
        self._airmass = {e.id: (e.start, e.end, airmass[e.id]) for e in self._plan.entries
                         if e.id in airmass and e.start is not None}
        column = next(i for i, (key, _) in enumerate(COLUMNS) if key == "airmass")
        if self.rowCount():
            self.dataChanged.emit(self.index(0, column), self.index(self.rowCount() - 1, column))

    @property
    def tz(self):
        """The zone the Start and End cells are shown and typed in."""
        return self._tz if self._tz is not None else self._plan.site.tz

    def set_time_zone(self, tz) -> None:
        """Show and take times in ``tz`` (the window's: the site's zone or UTC)."""
        self._tz = tz
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
        self._all_rows_changed()

    def tz_label(self) -> str:
        """The zone's abbreviation on the plan's night ('CET', 'UTC')."""
        try:
            when = night_reference(self._plan)
        except PlanValueError:
            when = self._plan.modified
        return _dt.datetime.fromtimestamp(when, self.tz).strftime("%Z") or str(self.tz)

    def merge_airmass(self, airmass: dict[str, tuple[float, float, Any]]) -> None:
        """Add the air mass of some entries (id -> (start, end, BlockAirmass)), computed for
        those times (a typed Start or End, checked in the helper); the rest is kept."""
        self._airmass.update(airmass)
        column = next(i for i, (key, _) in enumerate(COLUMNS) if key == "airmass")
        for ident in airmass:
            try:
                row = self._plan.index_of(ident)
            except KeyError:
                continue
            self.dataChanged.emit(self.index(row, column), self.index(row, column))

    def airmass_of(self, entry) -> Any:
        """The entry's BlockAirmass if it still has the times it was computed for, else None."""
        kept = self._airmass.get(entry.id)
        if kept is None or (kept[0], kept[1]) != (entry.start, entry.end):
            return None
        return kept[2]

    def _listen_to(self, plan: Plan) -> None:
        events = plan.events
        for signal, slot in (
            (events.inserting, self._on_inserting),
            (events.inserted, self._on_inserted),
            (events.removing, self._on_removing),
            (events.removed, self._on_removed),
            (events.moving, self._on_moving),
            (events.moved, self._on_moved),
            (events.changed, self._on_entry_changed),
            (events.details_changed, self._on_details_changed),
        ):
            signal.connect(slot)
            self._listening.append((signal, slot))

    def _stop_listening(self) -> None:
        for signal, slot in self._listening:
            signal.disconnect(slot, missing_ok=True)
        self._listening = []

    # -- the plan's events, translated ---------------------------------------------------

    def _on_inserting(self, index: int, count: int) -> None:
        self.beginInsertRows(QModelIndex(), index, index + count - 1)

    def _on_inserted(self, _index: int, _entries: tuple) -> None:
        self.endInsertRows()
        self._changed()

    def _on_removing(self, index: int) -> None:
        self.beginRemoveRows(QModelIndex(), index, index)

    def _on_removed(self, _index: int, _entry) -> None:
        self.endRemoveRows()
        self._changed()

    def _on_moving(self, source: int, destination: int) -> None:
        # The plan says where the entry ends up; Qt wants the row it is put before, counted
        # before the move.
        self.beginMoveRows(QModelIndex(), source, source, QModelIndex(),
                           destination + 1 if destination > source else destination)

    def _on_moved(self, _source: int, _destination: int, _entry) -> None:
        self.endMoveRows()
        self._changed()

    def _on_entry_changed(self, index: int, _entry) -> None:
        self.dataChanged.emit(self.index(index, 0), self.index(index, self.columnCount() - 1))
        self._changed()

    def _on_details_changed(self) -> None:
        # The site's time zone shows in every time, the night in every conflict.
        self._refresh_conflicts()
        self._all_rows_changed()
        self.edited.emit()

    def _changed(self) -> None:
        before = self._conflicts
        self._refresh_conflicts()
        if before != self._conflicts:
            self._all_rows_changed()
        self.edited.emit()

    def _all_rows_changed(self) -> None:
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))

    # -- edits, asked of the plan --------------------------------------------------------

    def removeRows(self, row: int, count: int, parent=QModelIndex()) -> bool:  # noqa: N802
        if parent.isValid() or row < 0 or count < 1 or row + count > len(self._plan.entries):
            return False
        for _ in range(count):
            self._plan.remove(row)
        return True

    def move_row(self, source: int, destination: int) -> bool:
        """Move row ``source`` so it is shown before the row now at ``destination``."""
        n = len(self._plan.entries)
        if not (0 <= source < n and 0 <= destination <= n) or destination in (source, source + 1):
            return False
        self._plan.move(source, destination if destination < source else destination - 1)
        return True

    def move_rows(self, rows: Sequence[int], destination: int) -> None:
        """Move ``rows`` (kept in their order) so they sit before the row now at ``destination``."""
        self._plan.move_before(rows, destination)

    def conflicts_of(self, row: int) -> list[str]:
        return self._conflicts.get(self._plan.entries[row].id, [])

    def _refresh_conflicts(self) -> None:
        self._conflicts, self._short = {}, {}
        for c in self._plan.conflicts():
            self._conflicts.setdefault(c.entry_id, []).append(c.message)
            if c.short and c.short not in self._short.get(c.entry_id, []):
                self._short.setdefault(c.entry_id, []).append(c.short)

    # -- Qt model ------------------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._plan.entries)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            key, label = COLUMNS[section]
            return f"{label} ({self.tz_label()})" if key in TIME_KEYS else label
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def _time(self, t: float | None) -> str:
        return format_clock(t, self.tz, missing="")

    def data(self, index, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._plan.entries):
            return None
        entry = self._plan.entries[index.row()]
        key = COLUMNS[index.column()][0]
        problems = self._conflicts.get(entry.id)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            edit = role == Qt.ItemDataRole.EditRole
            if key == "name":
                return entry.name
            if key == "start":
                return self._time(entry.start)
            if key == "end":
                return self._time(entry.end)
            if key == "duration":
                minutes = entry.duration / 60.0
                return minutes if edit else f"{minutes:g}"
            if key == "airmass":
                airmass = self.airmass_of(entry)
                return "" if airmass is None else airmass.describe()
            if key == "filters":
                return ", ".join(entry.filters) if edit else " ".join(entry.filters)
            if key == "exposure":
                return entry.exposure if edit else f"{entry.exposure:g}"
            if key == "count":
                return entry.count if edit else str(entry.count)
            if key == "status":
                return entry.status
            if key == "warning":
                return ", ".join(self._short.get(entry.id, []))
            if key == "notes":
                return entry.notes
        if role == ENTRY_ROLE:
            return entry
        if role == CONFLICT_ROLE:
            return list(problems or [])
        if role == Qt.ItemDataRole.BackgroundRole and problems:
            colour = QColor(current_theme().error)
            colour.setAlpha(70)  # a tint of the theme's error colour: red on black at night
            return QBrush(colour)
        if role == Qt.ItemDataRole.ForegroundRole and entry.status != "planned":
            return QBrush(QColor(current_theme().disabled_text))
        if role == Qt.ItemDataRole.FontRole and key in TIME_KEYS and entry.pinned:
            font = QFont()
            font.setBold(True)  # typed by the user: Schedule keeps it
            return font
        if role == Qt.ItemDataRole.ToolTipRole and key in TIME_KEYS:
            zone = self.tz_label()
            if entry.pinned:
                return (f"Pinned at the time you typed ({zone}): Schedule keeps it here and fits the others around "
                        "it. Double-click to change it; Unpin lets Schedule place it again.")
            return f"Double-click (or F2) to type the {key.capitalize()} ({zone}); the entry is then pinned there."
        if role == Qt.ItemDataRole.ToolTipRole and key == "warning" and problems:
            return "\n".join(f"⚠ {p}" for p in problems)
        if role == Qt.ItemDataRole.DecorationRole and key == "name" and problems:
            return standard_icon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        if role == Qt.ItemDataRole.ToolTipRole and key == "airmass":
            airmass = self.airmass_of(entry)
            if airmass is None:
                return "The air mass over the block: press Schedule to compute it for these times."
            text = f"Air mass over the block: mean {airmass.mean:.2f}, worst {airmass.worst:.2f}."
            if airmass.best is not None:
                text += f" The best a block this long could have in its window: {airmass.best:.2f}."
            return text
        if role == Qt.ItemDataRole.TextAlignmentRole and key == "airmass":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [f"{entry.name}: RA {entry.target.ra:.4f}°, Dec {entry.target.dec:+.4f}°"]
            if entry.target.var_type or entry.target.magnitude_text():
                lines.append(" ".join(x for x in (entry.target.var_type, entry.target.magnitude_text()) if x))
            if entry.start is None:
                lines.append("Not scheduled yet: press Schedule.")
            lines.extend(f"⚠ {p}" for p in problems or [])
            return "\n".join(lines)
        return None

    def flags(self, index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsDropEnabled
        if not index.isValid():
            return base
        flags = base | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        if COLUMNS[index.column()][0] in EDITABLE:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        key = COLUMNS[index.column()][0]
        if key in TIME_KEYS:
            return self._set_time(index.row(), key, value)
        try:
            changes = _cell_edit(key, value)
            if changes is None:
                return False
            self._plan.update(index.row(), **changes)  # the plan's `changed` redraws the row
        except (PlanValueError, TypeError, ValueError):
            return False
        return True

    def _set_time(self, row: int, key: str, value: Any) -> bool:
        """A typed Start or End ('HH:MM' or a ``QTime``), through the one use case."""
        if isinstance(value, QTime):
            value = value.toString("HH:mm")
        try:
            result = set_entry_time(self._plan, row, key, parse_clock(str(value or "")), self.tz)
        except PlanValueError as exc:
            text = str(exc)
            self.edit_refused.emit(text[:1].upper() + text[1:] + ("" if text.endswith(".") else "."))
            return False
        self.times_edited.emit(result)
        return True

    # -- drag and drop -------------------------------------------------------------------

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [ROWS_MIME, TARGETS_MIME]

    def mimeData(self, indexes) -> QMimeData:  # noqa: N802
        rows = sorted({i.row() for i in indexes if i.isValid()})
        mime = QMimeData()
        mime.setData(ROWS_MIME, json.dumps(rows).encode("ascii"))
        return mime

    def canDropMimeData(self, data, action, row, column, parent) -> bool:  # noqa: N802
        return data.hasFormat(ROWS_MIME) or data.hasFormat(TARGETS_MIME)

    def dropMimeData(self, data, action, row, column, parent) -> bool:  # noqa: N802
        if row < 0:
            row = parent.row() if parent.isValid() else self.rowCount()
        if data.hasFormat(ROWS_MIME):
            try:
                rows = [r for r in json.loads(bytes(data.data(ROWS_MIME)).decode("ascii")) if isinstance(r, int)]
            except (ValueError, TypeError):
                return False
            self.move_rows(rows, row)
            # Moved in place; "not accepted" keeps the view from also removing the dragged
            # rows, which a successful MoveAction would make it do.
            return False
        targets = targets_from_mime(data)
        if not targets:
            return False
        self.targets_dropped.emit(targets, row)
        return True


class TimeDelegate(QStyledItemDelegate):
    """Start/End cells edited with a ``QTimeEdit`` showing the table's time zone after the
    time ('23:40 CET'); the model turns the time into the night's date."""

    def createEditor(self, parent, option, index):  # noqa: N802
        editor = QTimeEdit(parent)
        editor.setObjectName("planTimeEdit")
        model = index.model()
        zone = model.tz_label() if hasattr(model, "tz_label") else ""
        editor.setDisplayFormat("HH:mm" + (f" '{zone}'" if zone else ""))
        editor.setWrapping(True)  # past 23:59 to 00:00: a night runs over midnight
        return editor

    def setEditorData(self, editor, index):  # noqa: N802
        text = str(index.data(Qt.ItemDataRole.EditRole) or "")
        if not text:  # unscheduled: start from the row above's end, else 22:00
            above = index.sibling(index.row() - 1, index.column()) if index.row() > 0 else None
            text = str(above.data(Qt.ItemDataRole.EditRole) or "") if above is not None else ""
        time = QTime.fromString(text, "HH:mm")
        editor.setTime(time if time.isValid() else QTime(22, 0))

    def setModelData(self, editor, model, index):  # noqa: N802
        model.setData(index, editor.time().toString("HH:mm"), Qt.ItemDataRole.EditRole)
