"""The night-plan dock: the plan's entries as an editable table, scheduling, files and exports.

The table is ``planner.ui.plan_table.PlanTableModel``, which follows the plan's own events.
``PlanDock`` owns the open plan: schedule (sky computation in a worker), typed Start/End
times (pinned), autosave to the recovery file a few seconds after each change, and
``blocks_changed`` for the night chart. Its files and exports are ``planner.ui.plan_files``
(new/open/save/save-as, recovery, export with the conflict question), its estimates and
charts ``planner.ui.plan_estimates``, its typed times ``planner.ui.plan_times``: parts of
the one dock, kept in their own modules.
"""

from __future__ import annotations

import copy
import datetime as _dt
import logging
import threading
from pathlib import Path
from typing import Sequence

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from planner.app.schedule import default_moon_separation, reschedule_plan, retime_plan, with_observer_limits
from planner.app.state import site_from_settings
from planner.catalog.target import Target
from planner.config import load_settings_or_defaults
from planner.plan import store
from planner.plan.model import TWILIGHTS, Plan, PlanEntry, PlanTarget, PlanValueError
from planner.ui.estimate_box import EstimateBox
from planner.ui.listen import listen
from planner.ui.plan_estimates import PlanEstimatesMixin, _Progress
from planner.ui.plan_files import PlanFilesMixin
from planner.ui.plan_table import COLUMNS, TIME_KEYS, PlanTableModel, TimeDelegate
from planner.ui.plan_times import PlanTimesMixin
from planner.ui.workers import LatestRunner

log = logging.getLogger(__name__)

AUTOSAVE_DELAY_MS = 3000


def _plan_date(site, time: float) -> str:
    return _dt.datetime.fromtimestamp(time, tz=site.tz).date().isoformat()


class PlanDock(PlanFilesMixin, PlanEstimatesMixin, PlanTimesMixin, QDockWidget):
    """The open night plan. Emits ``blocks_changed(list[(start_unix, end_unix, label)])``."""

    blocks_changed = Signal(object)
    plan_changed = Signal()
    message = Signal(str)
    schedule_finished = Signal(object)  # ScheduleResult
    export_finished = Signal(str)  # path written
    export_failed = Signal(str)  # message
    dirty_changed = Signal(bool)
    path_changed = Signal(object)  # Path of the file the plan was opened from or saved to
    charts_prepared = Signal(object)  # planner.app.charts.PrepareReport

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
        self._applying_schedule = False
        self._schedule_revision: int | None = None
        self._retime_pending = False
        self._export_warnings: list[str] = []
        self._typed: set[str] = set()  # entries whose typed times are being checked against the sky
        self.last_unplaced: list = []
        self.last_prepare = None  # the last "Prepare tonight's charts" report

        self.model = PlanTableModel(self._blank_plan(), self)
        self.model.edited.connect(self._on_edited)
        self.model.targets_dropped.connect(self._on_targets_dropped)
        self.model.rowsMoved.connect(self._on_rows_moved)
        self.model.times_edited.connect(self._on_times_edited)
        self.model.edit_refused.connect(self._say)

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
        self.time_delegate = TimeDelegate(self.table)
        for column, (key, _label) in enumerate(COLUMNS):
            if key in TIME_KEYS:
                self.table.setItemDelegateForColumn(column, self.time_delegate)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.estimate_box = EstimateBox(body, clock=state.clock if state is not None else None)
        self.estimate_box.add_requested.connect(self._on_add_estimate)
        self.estimate_box.remove_requested.connect(self._on_remove_estimate)
        self.splitter = QSplitter(Qt.Orientation.Vertical, body)
        self.splitter.setObjectName("planSplitter")
        self.splitter.addWidget(self.table)
        # The box scrolls rather than making the dock (and the window) taller than a laptop's
        # screen: the table and the estimate share what height there is.
        self.estimate_scroll = QScrollArea(body)
        self.estimate_scroll.setObjectName("planEstimateScroll")
        self.estimate_scroll.setWidgetResizable(True)
        self.estimate_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.estimate_scroll.setWidget(self.estimate_box)
        self.splitter.addWidget(self.estimate_scroll)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(True)
        layout.addWidget(self.splitter, 1)

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
        self.moon_spin.setToolTip("Keep at least this far from the Moon while it is up, at every step of a block: "
                                  "at full Moon, and less as it wanes when Moon avoidance is on in Settings "
                                  "(Horizon, Moon & mount). 0: no Moon limit.")
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
        self.unpin_button = QPushButton("Unpin", body)
        self.unpin_button.setObjectName("planUnpin")
        self.unpin_button.setToolTip("Let Schedule place the selected entries again (a typed Start or End pins an "
                                     "entry where you put it)")
        self.unpin_button.clicked.connect(self.unpin_selected)
        buttons.addWidget(self.unpin_button)
        self.prepare_button = QPushButton("Prepare tonight's charts", body)
        self.prepare_button.setObjectName("planPrepareCharts")
        self.prepare_button.setToolTip("Fetch and keep the AAVSO comparison-star chart and photometry of every star "
                                       "of the plan, so they open at a dark site with no network")
        self.prepare_button.clicked.connect(self.prepare_charts)
        buttons.addWidget(self.prepare_button)
        self.prepare_progress = QProgressBar(body)
        self.prepare_progress.setObjectName("planPrepareProgress")
        self.prepare_progress.setVisible(False)
        self.prepare_progress.setFormat("%v of %m")
        buttons.addWidget(self.prepare_progress, 1)
        self.prepare_cancel = QPushButton("Cancel", body)
        self.prepare_cancel.setObjectName("planPrepareCancel")
        self.prepare_cancel.setVisible(False)
        self.prepare_cancel.clicked.connect(self.cancel_prepare)
        buttons.addWidget(self.prepare_cancel)
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
        self.check_runner = LatestRunner("plan-check-times", self)  # a typed time's windows and air mass
        self.check_runner.finished.connect(self._on_times_checked)
        self.check_runner.failed.connect(lambda _g, exc: log.warning("checking typed times failed: %s", exc))
        self.export_runner = LatestRunner("plan-export", self)
        self.export_runner.finished.connect(self._on_exported)
        self.export_runner.failed.connect(self._on_export_failed)
        self.estimate_runner = LatestRunner("plan-estimate", self)
        self.estimate_runner.finished.connect(self._on_estimate_checked)
        self.estimate_runner.failed.connect(self._on_estimate_failed)
        self.estimate_runner.busy_changed.connect(lambda busy: self.estimate_box.add_button.setEnabled(not busy))
        self.entry_chart_runner = LatestRunner("plan-entry-chart", self)
        self.entry_chart_runner.finished.connect(self._on_entry_chart)
        self.prepare_runner = LatestRunner("plan-prepare-charts", self)
        self.prepare_runner.finished.connect(self._on_prepared)
        self.prepare_runner.failed.connect(self._on_prepare_failed)
        self.prepare_runner.busy_changed.connect(self._on_prepare_busy)
        self._prepare_progress = _Progress(self)
        self._prepare_progress.changed.connect(self._on_prepare_progress)
        self._prepare_cancel = threading.Event()
        self.table.selectionModel().currentRowChanged.connect(lambda _now, _before: self._on_current_entry())
        self.model.modelReset.connect(self._on_current_entry)

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
            listen(self, state.time_zone_changed, lambda: self.model.set_time_zone(state.display_tz()))
            self.model.set_time_zone(state.display_tz())
            listen(self, state.chart_kept, self._on_chart_kept)
            listen(self, state.comparison_picked, self._on_comparison_picked)
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
        if not self.plan.entries and not self._dirty and self._path is None:
            self._replace_plan(self._blank_plan(), None)  # an untouched plan follows the night shown

    def add_targets(self, targets: Sequence[Target], row: int | None = None) -> list[PlanEntry]:
        entries = [
            PlanEntry(target=PlanTarget.from_target(t), duration=self.duration_spin.value() * 60.0,
                      filters=PlanTarget.from_target(t).requested_filters)
            for t in targets
        ]
        self.plan.insert(len(self.plan.entries) if row is None else row, entries)
        if entries:
            self._say(f"Added {len(entries)} target{'s' if len(entries) != 1 else ''}; press Schedule to lay out the night.")
        return entries

    def add_entries(self, entries: Sequence[PlanEntry]) -> list[PlanEntry]:
        """Put ready-made entries (an event's fixed block from ``planner.app.events.event_blocks``)
        at the end of the plan, as they are."""
        return self.plan.insert(len(self.plan.entries), list(entries))

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()}, reverse=True)
        for row in rows:
            self.plan.remove(row)

    def schedule(self, *, keep_order: bool = False) -> bool:
        """Lay out the night for the displayed site and date (the sky computation runs in the
        sky helper process, waited for in a worker). ``keep_order``: give the entries new
        times in the plan's own order (after a drag) instead of choosing the order."""
        if not self.plan.entries:
            self._say("Add targets to the plan first (drag them here or use Add selected to plan).")
            return False
        site = self._site or self.plan.site
        time = self._night_time
        if time is None:
            time = self._night_reference_time()
        if time is None:
            self._say("No night to schedule yet: wait for the sky computation or pick a date.")
            return False
        snapshot = copy.deepcopy(self.plan)
        snapshot.site = site
        snapshot.limits.min_altitude = site.target_altitude
        snapshot.limits = with_observer_limits(snapshot.limits, self._settings())
        snapshot.date = _plan_date(site, time)
        self._say("Re-timing the plan in this order…" if keep_order else "Scheduling…")
        self._schedule_revision = self._revision
        self.schedule_runner.submit(retime_plan if keep_order else reschedule_plan, snapshot, time, in_helper=True)
        return True

    def _on_rows_moved(self, *_args) -> None:
        """A row dragged in a scheduled plan: its times follow the new order (once per drag,
        after the plan has announced every move)."""
        if self._applying_schedule or self._retime_pending or not self.plan.scheduled_entries:
            return
        self._retime_pending = True

        def retime() -> None:
            self._retime_pending = False
            self.schedule(keep_order=True)

        QTimer.singleShot(0, retime)

    def blocks(self) -> list[tuple[float, float, str]]:
        return self.plan.blocks()

    # -- internals -----------------------------------------------------------------------

    def _blank_plan(self) -> Plan:
        site = self._site
        if site is None:  # a dock on its own (tests): the saved settings' site
            site, _problem = site_from_settings(load_settings_or_defaults())
        plan = Plan(site=site)
        plan.limits.min_altitude = site.target_altitude
        plan.limits.moon_separation = default_moon_separation(self._settings())
        if self._night_time is not None:
            plan.date = _plan_date(site, self._night_time)
        return plan

    def _settings(self):
        """The window's settings (the mount, the Moon avoidance), or the saved ones."""
        return self._state.settings if self._state is not None else load_settings_or_defaults()

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

    def _on_edited(self) -> None:
        if self._applying_schedule:
            return  # _on_scheduled does this once for the whole layout
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
        if text:
            self.plan.set_limits(twilight=text)

    def _on_moon(self, value: float) -> None:
        self.plan.set_limits(moon_separation=None if value <= 0 else float(value))

    def _sync_limits_widgets(self) -> None:
        for widget in (self.twilight_combo, self.moon_spin):
            widget.blockSignals(True)
        self.twilight_combo.setCurrentText(self.plan.limits.twilight)
        self.moon_spin.setValue(self.plan.limits.moon_separation or 0)
        for widget in (self.twilight_combo, self.moon_spin):
            widget.blockSignals(False)

    def _on_scheduled(self, _generation: int, result) -> None:
        if self._revision != self._schedule_revision:
            self._say("The plan changed while scheduling; press Schedule again.")
            return
        self._applying_schedule = True
        try:
            self.plan.apply_schedule(result.plan)  # in place: the table moves and redraws its rows
        except PlanValueError:
            self._say("The plan changed while scheduling; press Schedule again.")
            return
        finally:
            self._applying_schedule = False
        self.model.set_airmass(getattr(result, "airmass", {}) or {})
        self._sync_limits_widgets()
        self.last_unplaced = list(result.unplaced)
        self._revision += 1
        self._set_dirty(True)
        self._emit_blocks()
        self._update_labels()
        text = f"Scheduled {len(result.placed)} of {len(result.plan.entries)} entries."
        pinned = [e.name for e in self.plan.entries if e.pinned and e.start is not None]
        if pinned:  # kept where the user typed them; Unpin offers the scheduler the choice
            text += (f" Kept {', '.join(pinned)} at the time{'s' if len(pinned) != 1 else ''} you typed "
                     "(Unpin to let Schedule place them).")
        if result.unplaced:
            text += " Not placed: " + "; ".join(f"{u.name} ({u.reason})" for u in result.unplaced)
        self._say(text)
        self.plan_changed.emit()
        self._publish()
        self.schedule_finished.emit(result)

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
