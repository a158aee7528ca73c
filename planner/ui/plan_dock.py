"""The night-plan dock: the plan's entries as an editable table, scheduling, files and exports.

``PlanTableModel`` adapts a ``planner.plan.Plan`` to a ``QAbstractTableModel`` the way
napari's ``_base_item_model`` adapts its lists: every change to the entry list goes
through ``beginInsertRows``/``beginRemoveRows``/``beginMoveRows`` so views keep their
selection. Rows are dragged to reorder; targets dropped from the targets table (MIME
``application/x-planner-targets+json``, the AAVSO JSON of the targets) become entries.

``PlanDock`` owns the open plan: schedule (sky computation in a worker), new/open/save/
save-as, export (rendering in a worker), autosave to the recovery file a few seconds after
each change, and ``blocks_changed`` for the night chart.
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
import logging
from pathlib import Path
from typing import Any, Sequence

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QMimeData,
    QModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from planner.app.schedule import reschedule_plan
from planner.app.state import site_from_settings
from planner.catalog.target import Target, parse_targets, targets_to_payload
from planner.config import load_settings_or_defaults
from planner.formatting import format_clock
from planner.plan import store
from planner.plan.export import FORMATS
from planner.plan.model import (
    STATUSES,
    TWILIGHTS,
    Plan,
    PlanEntry,
    PlanTarget,
    PlanValueError,
)
from planner.ui.listen import listen
from planner.ui.workers import LatestRunner

log = logging.getLogger(__name__)

TARGETS_MIME = "application/x-planner-targets+json"
ROWS_MIME = "application/x-planner-plan-rows"
AUTOSAVE_DELAY_MS = 3000
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
CONFLICT_ROLE = Qt.ItemDataRole.UserRole + 2

COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "Target"),
    ("start", "Start"),
    ("end", "End"),
    ("duration", "Min"),
    ("filters", "Filters"),
    ("exposure", "Exp (s)"),
    ("count", "×"),
    ("status", "Status"),
    ("notes", "Notes"),
)
EDITABLE = {"duration", "filters", "exposure", "count", "status", "notes"}


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


class PlanTableModel(QAbstractTableModel):
    """The plan's entries, one row each, in the plan's order."""

    edited = Signal()  # any change made through the model (edit, insert, remove, move)
    targets_dropped = Signal(list, int)  # (targets, row) dropped from elsewhere

    def __init__(self, plan: Plan, parent=None) -> None:
        super().__init__(parent)
        self._plan = plan
        self._conflicts: dict[str, list[str]] = {}
        self._refresh_conflicts()

    # -- the plan ------------------------------------------------------------------------

    @property
    def plan(self) -> Plan:
        return self._plan

    def set_plan(self, plan: Plan) -> None:
        self.beginResetModel()
        self._plan = plan
        self._refresh_conflicts()
        self.endResetModel()

    def refresh(self) -> None:
        """The plan changed underneath (e.g. scheduled): redraw every row."""
        self.beginResetModel()
        self._refresh_conflicts()
        self.endResetModel()

    def insert_entries(self, row: int, entries: Sequence[PlanEntry]) -> None:
        if not entries:
            return
        row = max(0, min(row, len(self._plan.entries)))
        self.beginInsertRows(QModelIndex(), row, row + len(entries) - 1)
        for offset, entry in enumerate(entries):
            self._plan.add(entry, row + offset)
        self.endInsertRows()
        self._changed()

    def removeRows(self, row: int, count: int, parent=QModelIndex()) -> bool:  # noqa: N802
        if parent.isValid() or row < 0 or count < 1 or row + count > len(self._plan.entries):
            return False
        self.beginRemoveRows(QModelIndex(), row, row + count - 1)
        for _ in range(count):
            self._plan.remove(row)
        self.endRemoveRows()
        self._changed()
        return True

    def move_row(self, source: int, destination: int) -> bool:
        """Move row ``source`` so it is shown before the row now at ``destination``."""
        n = len(self._plan.entries)
        if not (0 <= source < n and 0 <= destination <= n) or destination in (source, source + 1):
            return False
        self.beginMoveRows(QModelIndex(), source, source, QModelIndex(), destination)
        self._plan.move(source, destination if destination < source else destination - 1)
        self.endMoveRows()
        self._changed()
        return True

    def conflicts_of(self, row: int) -> list[str]:
        return self._conflicts.get(self._plan.entries[row].id, [])

    def _refresh_conflicts(self) -> None:
        self._conflicts = {}
        for c in self._plan.conflicts():
            self._conflicts.setdefault(c.entry_id, []).append(c.message)

    def _changed(self) -> None:
        before = self._conflicts
        self._refresh_conflicts()
        if before != self._conflicts and self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))
        self.edited.emit()

    # -- Qt model ------------------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._plan.entries)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def _time(self, t: float | None) -> str:
        return format_clock(t, self._plan.site.tz, missing="")

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
            if key == "filters":
                return ", ".join(entry.filters) if edit else " ".join(entry.filters)
            if key == "exposure":
                return entry.exposure if edit else f"{entry.exposure:g}"
            if key == "count":
                return entry.count if edit else str(entry.count)
            if key == "status":
                return entry.status
            if key == "notes":
                return entry.notes
        if role == ENTRY_ROLE:
            return entry
        if role == CONFLICT_ROLE:
            return list(problems or [])
        if role == Qt.ItemDataRole.BackgroundRole and problems:
            return QBrush(QColor(220, 40, 40, 70))
        if role == Qt.ItemDataRole.ForegroundRole and entry.status != "planned":
            return QBrush(QColor(128, 128, 128))
        if role == Qt.ItemDataRole.DecorationRole and key == "name" and problems:
            app = QCoreApplication.instance()
            if app is not None and hasattr(app, "style"):
                return app.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
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
        row = index.row()
        try:
            if key == "duration":
                minutes = float(value)
                if not minutes > 0:
                    return False
                self._plan.update(row, duration=minutes * 60.0)
            elif key == "filters":
                parts = str(value).replace(";", ",").replace(" ", ",").split(",")
                self._plan.update(row, filters=tuple(p for p in parts if p))
            elif key == "exposure":
                self._plan.update(row, exposure=float(value))
            elif key == "count":
                self._plan.update(row, count=int(value))
            elif key == "status":
                if str(value) not in STATUSES:
                    return False
                self._plan.update(row, status=str(value))
            elif key == "notes":
                self._plan.update(row, notes=str(value))
            else:
                return False
        except (PlanValueError, TypeError, ValueError):
            return False
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
        self._changed()
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

    def move_rows(self, rows: Sequence[int], destination: int) -> None:
        """Move ``rows`` (kept in their order) so they sit before the row now at ``destination``."""
        entries = self._plan.entries
        rows = sorted({r for r in rows if 0 <= r < len(entries)})
        if not rows:
            return
        dragged = {entries[r].id for r in rows}
        moving = [entries[r].id for r in rows]
        anchor = next((e.id for e in entries[max(destination, 0):] if e.id not in dragged), None)
        for ident in moving:
            source = self._plan.index_of(ident)
            before = self._plan.index_of(anchor) if anchor is not None else len(self._plan.entries)
            self.move_row(source, before)


def _plan_date(site, time: float) -> str:
    return _dt.datetime.fromtimestamp(time, tz=site.tz).date().isoformat()


class PlanDock(QDockWidget):
    """The open night plan. Emits ``blocks_changed(list[(start_unix, end_unix, label)])``."""

    blocks_changed = Signal(object)
    plan_changed = Signal()
    message = Signal(str)
    schedule_finished = Signal(object)  # ScheduleResult
    export_finished = Signal(str)  # path written
    export_failed = Signal(str)  # message
    dirty_changed = Signal(bool)
    path_changed = Signal(object)  # Path of the file the plan was opened from or saved to

    def __init__(self, parent=None, *, state=None) -> None:
        super().__init__("Plan", parent)
        self.setObjectName("planDock")
        self._state = state
        self._site = state.site if state is not None else None
        self._night_time: float | None = None
        self._targets: list[Target] = []
        self._path: Path | None = None
        self._dirty = False
        self._revision = 0
        self.last_unplaced: list = []

        self.model = PlanTableModel(self._blank_plan(), self)
        self.model.edited.connect(self._on_edited)
        self.model.targets_dropped.connect(self._on_targets_dropped)

        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        self.title_label = QLabel(body)
        self.title_label.setObjectName("planTitle")
        layout.addWidget(self.title_label)

        self.table = QTableView(body)
        self.table.setObjectName("planTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setDragEnabled(True)
        self.table.setAcceptDrops(True)
        self.table.setDropIndicatorShown(True)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.table.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.table.setDragDropOverwriteMode(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.SelectedClicked)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)

        options = QHBoxLayout()
        options.addWidget(QLabel("Block", body))
        self.duration_spin = QDoubleSpinBox(body)
        self.duration_spin.setObjectName("planBlockMinutes")
        self.duration_spin.setRange(1, 600)
        self.duration_spin.setDecimals(0)
        self.duration_spin.setValue(30)
        self.duration_spin.setSuffix(" min")
        self.duration_spin.setToolTip("Length of the block a newly added target gets")
        options.addWidget(self.duration_spin)
        self.twilight_combo = QComboBox(body)
        self.twilight_combo.setObjectName("planTwilight")
        self.twilight_combo.addItems(list(TWILIGHTS))
        self.twilight_combo.setToolTip("How dark it must be: astronomical (-18°), nautical (-12°), civil (-6°) "
                                       "or the site's Sun altitude")
        self.twilight_combo.currentTextChanged.connect(self._on_twilight)
        options.addWidget(self.twilight_combo)
        self.moon_spin = QDoubleSpinBox(body)
        self.moon_spin.setObjectName("planMoonSeparation")
        self.moon_spin.setRange(0, 180)
        self.moon_spin.setDecimals(0)
        self.moon_spin.setSuffix("° Moon")
        self.moon_spin.setSpecialValueText("no Moon limit")
        self.moon_spin.setToolTip("Keep at least this far from the Moon when scheduling (0: no limit)")
        self.moon_spin.valueChanged.connect(self._on_moon)
        options.addWidget(self.moon_spin)
        options.addStretch(1)
        layout.addLayout(options)

        buttons = QHBoxLayout()
        self.schedule_button = QPushButton("Schedule", body)
        self.schedule_button.setObjectName("planSchedule")
        self.schedule_button.setToolTip("Lay out the night: every block inside its target's window, no overlaps, "
                                        "most urgent and soonest-setting first")
        self.schedule_button.clicked.connect(self.schedule)
        buttons.addWidget(self.schedule_button)
        self.remove_button = QPushButton("Remove", body)
        self.remove_button.setObjectName("planRemove")
        self.remove_button.clicked.connect(self.remove_selected)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.status_label = QLabel(body)
        self.status_label.setObjectName("planStatus")
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        self.setWidget(body)

        self.schedule_runner = LatestRunner("plan-schedule", self)
        self.schedule_runner.finished.connect(self._on_scheduled)
        self.schedule_runner.failed.connect(lambda _g, exc: self._say(f"Scheduling failed: {exc}"))
        self.schedule_runner.busy_changed.connect(lambda busy: self.schedule_button.setEnabled(not busy))
        self.export_runner = LatestRunner("plan-export", self)
        self.export_runner.finished.connect(self._on_exported)
        self.export_runner.failed.connect(self._on_export_failed)

        self._autosave_timer = QTimer(self)
        self._autosave_timer.setSingleShot(True)
        self._autosave_timer.setInterval(AUTOSAVE_DELAY_MS)
        self._autosave_timer.timeout.connect(self.autosave_now)
        app = QCoreApplication.instance()
        if app is not None:
            # Quitting normally (after the unsaved-changes question) is a clean close.
            app.aboutToQuit.connect(self._on_quit)
        if store.recovery_path().exists():
            QTimer.singleShot(0, self.offer_recovery)
        self._sync_limits_widgets()
        self._update_labels()
        if state is not None:  # the window's night: schedule for its site and night
            listen(self, state.observability_changed,
                   lambda obs: self.set_context(state.site, obs, state.targets) if obs is not None else None)
            listen(self, state.site_changed, lambda site: setattr(self, "_site", site))
            state.set_plan(self.plan)

    # -- public API ----------------------------------------------------------------------

    @property
    def plan(self) -> Plan:
        return self.model.plan

    @property
    def path(self) -> Path | None:
        return self._path

    def has_unsaved_changes(self) -> bool:
        return self._dirty

    def set_context(self, site, observability, targets) -> None:
        """The site, tonight's observability and the catalog targets shown in the window."""
        self._site = site
        self._night_time = float(observability.night.time) if observability is not None else None
        self._targets = list(targets or [])
        plan = self.plan
        if not plan.entries and not self._dirty and self._path is None:
            plan.site = site
            plan.limits.min_altitude = site.target_altitude
            if self._night_time is not None:
                plan.date = _plan_date(site, self._night_time)
            self._update_labels()

    def add_targets(self, targets: Sequence[Target], row: int | None = None) -> list[PlanEntry]:
        entries = [
            PlanEntry(target=PlanTarget.from_target(t), duration=self.duration_spin.value() * 60.0,
                      filters=PlanTarget.from_target(t).requested_filters)
            for t in targets
        ]
        self.model.insert_entries(len(self.plan.entries) if row is None else row, entries)
        if entries:
            self._say(f"Added {len(entries)} target{'s' if len(entries) != 1 else ''}; press Schedule to lay out the night.")
        return entries

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()}, reverse=True)
        for row in rows:
            self.model.removeRows(row, 1)

    def new_plan(self) -> bool:
        if not self._confirm_discard():
            return False
        self._replace_plan(self._blank_plan(), None)
        store.clear_recovery()
        return True

    def open_plan(self, path: str | Path | None = None) -> bool:
        """Open a plan file; raises ``PlanFileError`` for anything but a valid plan (the
        open plan is then left as it was)."""
        if path is None:
            if not self._confirm_discard():
                return False
            path, _ = QFileDialog.getOpenFileName(self, "Open plan", "", "Plans (*.plan.json *.json);;All files (*)")
            if not path:
                return False
        plan = store.load_plan(path)
        self._replace_plan(plan, Path(path))
        store.clear_recovery()
        self._say(f"Opened {path}")
        return True

    def save(self) -> bool:
        if self._path is None:
            return self.save_as()
        return self._write(self._path)

    def open_recent(self, path: str | Path) -> bool:
        """Open a plan chosen from File > Open recent, asking first if the open plan has
        unsaved changes. Raises ``PlanFileError`` as ``open_plan`` does."""
        if not self._confirm_discard():
            return False
        return self.open_plan(path)

    def save_as(self, path: str | Path | None = None) -> bool:
        if path is None:
            suggestion = f"{self.plan.date or 'plan'}.plan.json"
            path, _ = QFileDialog.getSaveFileName(self, "Save plan as", suggestion, "Plans (*.plan.json *.json)")
            if not path:
                return False
        return self._write(Path(path))

    def _write(self, path: Path) -> bool:
        """Save to ``path``, asking first when the file there is not a plan this planner can
        read (it may be a newer planner's plan or another program's file). False when the
        user keeps the file."""
        reason = store.overwrite_refusal(path)
        if reason is not None:
            answer = QMessageBox.question(
                self, "Replace file?",
                f"{path.name} is not a plan this planner can read:\n\n{reason}\n\n"
                "Replace it with this plan? What it holds now will be lost.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                self._say(f"Not saved: {path} was kept as it is.")
                return False
        store.save_plan(self.plan, path, force=True)
        self._path = path
        self._set_dirty(False)
        store.clear_recovery()
        self._say(f"Saved {path}")
        self.path_changed.emit(path)
        return True

    def export(self, fmt: str | None = None, path: str | Path | None = None) -> bool:
        """Render the plan as ``fmt`` to ``path`` in a worker; ``export_finished(path)`` or
        ``export_failed(message)`` follows."""
        if fmt is None or path is None:
            filters = ";;".join(f"{f.label} (*{f.suffix})" for f in FORMATS.values())
            path, chosen = QFileDialog.getSaveFileName(self, "Export plan", self.plan.date or "plan", filters)
            if not path:
                return False
            fmt = next((k for k, f in FORMATS.items() if chosen.startswith(f.label)), "csv")
            if not Path(path).suffix:
                path += FORMATS[fmt].suffix
        if fmt not in FORMATS:
            raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
        from planner.config import load_settings_or_defaults
        from planner.plan.export import ExportOptions, export_plan

        options = ExportOptions.from_settings(load_settings_or_defaults())
        self.export_runner.submit(export_plan, copy.deepcopy(self.plan), fmt, Path(path), options)
        self._say(f"Exporting {FORMATS[fmt].label} to {path}…")
        return True

    def schedule(self) -> bool:
        """Lay out the night for the displayed site and date (the sky computation runs in the
        sky helper process, waited for in a worker)."""
        if not self.plan.entries:
            self._say("Add targets to the plan first (drag them here or use Add selected to plan).")
            return False
        site = self._site or self.plan.site
        time = self._night_time
        if time is None:
            time = (self.plan.night_start - 3 * 3600.0) if self.plan.night_start is not None else None
        if time is None:
            self._say("No night to schedule yet: wait for the sky computation or pick a date.")
            return False
        snapshot = copy.deepcopy(self.plan)
        snapshot.site = site
        snapshot.limits.min_altitude = site.target_altitude
        snapshot.date = _plan_date(site, time)
        self._say("Scheduling…")
        self._schedule_revision = self._revision
        self.schedule_runner.submit(reschedule_plan, snapshot, time, in_helper=True)
        return True

    def blocks(self) -> list[tuple[float, float, str]]:
        return self.plan.blocks()

    def autosave_now(self) -> None:
        if not self._dirty:
            return
        try:
            store.autosave(self.plan, self._path)
        except store.PlanFileError as exc:
            self._say(str(exc))

    def offer_recovery(self) -> bool:
        """Offer the plan a crashed session left behind; True when it was restored."""
        recovery = store.find_recovery()
        if recovery is None:
            return False
        when = _dt.datetime.fromtimestamp(recovery.saved_at).strftime("%Y-%m-%d %H:%M")
        answer = QMessageBox.question(
            self, "Recover plan",
            f"planner did not close cleanly. A plan with {len(recovery.plan.entries)} entries was autosaved at "
            f"{when}. Restore it?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            store.clear_recovery()
            return False
        self.restore(recovery)
        return True

    def restore(self, recovery: store.Recovery) -> None:
        self._replace_plan(recovery.plan, Path(recovery.source) if recovery.source else None)
        self._set_dirty(True)
        self._say("Restored the autosaved plan; save it to keep it.")

    # -- internals -----------------------------------------------------------------------

    def _blank_plan(self) -> Plan:
        site = self._site
        if site is None:  # a dock on its own (tests): the saved settings' site
            site, _problem = site_from_settings(load_settings_or_defaults())
        plan = Plan(site=site)
        plan.limits.min_altitude = site.target_altitude
        if self._night_time is not None:
            plan.date = _plan_date(site, self._night_time)
        return plan

    def _replace_plan(self, plan: Plan, path: Path | None) -> None:
        self._revision += 1
        self.model.set_plan(plan)
        self._path = path
        if path is not None:
            self.path_changed.emit(path)
        self.last_unplaced = []
        self._set_dirty(False)
        self._sync_limits_widgets()
        self._emit_blocks()
        self._update_labels()
        self._publish()

    def _on_quit(self) -> None:
        store.clear_recovery()

    def _confirm_discard(self) -> bool:
        if not self._dirty:
            return True
        answer = QMessageBox.question(
            self, "Unsaved plan", "The plan has unsaved changes. Discard them?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Discard

    def _on_edited(self) -> None:
        self._revision += 1
        self._set_dirty(True)
        self._emit_blocks()
        self._update_labels()
        self.plan_changed.emit()
        self._publish()

    def _publish(self) -> None:
        """The window's state holds the open plan (the chart's blocks, Arcsecond's night log)."""
        if self._state is not None:
            self._state.set_plan(self.plan)

    def _on_targets_dropped(self, targets: list, row: int) -> None:
        self.add_targets(targets, row)

    def _on_twilight(self, text: str) -> None:
        if text and text != self.plan.limits.twilight:
            self.plan.limits.twilight = text
            self._on_edited()

    def _on_moon(self, value: float) -> None:
        new = None if value <= 0 else float(value)
        if new != self.plan.limits.moon_separation:
            self.plan.limits.moon_separation = new
            self._on_edited()

    def _sync_limits_widgets(self) -> None:
        for widget in (self.twilight_combo, self.moon_spin):
            widget.blockSignals(True)
        self.twilight_combo.setCurrentText(self.plan.limits.twilight)
        self.moon_spin.setValue(self.plan.limits.moon_separation or 0)
        for widget in (self.twilight_combo, self.moon_spin):
            widget.blockSignals(False)

    def _on_scheduled(self, _generation: int, result) -> None:
        if self._revision != getattr(self, "_schedule_revision", None):
            self._say("The plan changed while scheduling; press Schedule again.")
            return
        self.model.set_plan(result.plan)
        self.last_unplaced = list(result.unplaced)
        self._revision += 1
        self._set_dirty(True)
        self._emit_blocks()
        self._update_labels()
        text = f"Scheduled {len(result.placed)} of {len(result.plan.entries)} entries."
        if result.unplaced:
            text += " Not placed: " + "; ".join(f"{u.name} ({u.reason})" for u in result.unplaced)
        self._say(text)
        self.plan_changed.emit()
        self._publish()
        self.schedule_finished.emit(result)

    def _on_exported(self, _generation: int, result) -> None:
        self._say(f"Exported {result.summary()}")
        self.export_finished.emit(str(result.path))

    def _on_export_failed(self, _generation: int, exc) -> None:
        self._say(f"Export failed: {exc}")
        self.export_failed.emit(str(exc))

    def _set_dirty(self, dirty: bool) -> None:
        if dirty:
            self._autosave_timer.start()
        else:
            self._autosave_timer.stop()
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)
            self._update_labels()

    def _emit_blocks(self) -> None:
        self.blocks_changed.emit(self.plan.blocks())

    def _say(self, text: str) -> None:
        self.status_label.setText(text)
        self.message.emit(text)

    def _update_labels(self) -> None:
        plan = self.plan
        name = self._path.name if self._path is not None else "unsaved plan"
        star = " •" if self._dirty else ""
        date = f" — night of {plan.date}" if plan.date else ""
        self.title_label.setText(f"{name}{star}{date}")
        n_conflicts = len(plan.conflicting_ids())
        self.setWindowTitle(f"Plan ({len(plan.entries)})" + (f" ⚠{n_conflicts}" if n_conflicts else ""))
        if n_conflicts:
            self.status_label.setToolTip("\n".join(c.message for c in plan.conflicts()))
        else:
            self.status_label.setToolTip("")
