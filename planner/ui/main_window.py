"""The main window: the targets table over tonight's chart, the docks, menus, toolbar and
status bar, and the start-up sequence (show at once, load, compute, refresh in the background).

The window owns no state of its own and no use case: the night (site, date, list,
visibility, selection, plan, cross-check) lives in a Qt-free ``planner.app.state.NightState``
that every dock gets in its constructor and listens to; the window builds the layout,
runs the ``planner.app`` use cases in workers (``LatestRunner``, so a newer request
supersedes an older one) and puts their answers into the state. This module builds the
window (table, chart, construction order), listens to the state, and holds the plan
actions, the recent plans and quitting; the rest is in mixins beside it, one concern each:
``planner.ui.window_jobs`` (start-up, list, visibility, AAVSO refresh, cross-check),
``planner.ui.window_night`` (night, site, settings, theme), ``planner.ui.window_docks``
(the docks of ``planner.ui.docks.DOCKS``, built eagerly or when first shown),
``planner.ui.window_status`` (the status bar and messages), ``planner.ui.window_actions``
(actions, menus, toolbar, filters) and ``planner.ui.window_state`` (layout and recent plans
kept between runs).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from planner import APP_DISPLAY_NAME, timeline
from planner.app.state import NightState
from planner.app.targets import TargetList
from planner.catalog.target import Target
from planner.config import Settings, SettingsError, load_settings
from planner.formatting import format_clock
from planner.ui.chart import TonightChart
from planner.ui.listen import listen
from planner.ui.night_events import NightEvents
from planner.ui.night_summary import NightSummary
from planner.ui.targets_model import TargetsModel, TargetsProxy
from planner.ui.targets_view import TargetsView
from planner.ui.window_actions import WindowActions
from planner.ui.window_docks import WindowDocks
from planner.ui.window_jobs import WindowJobs
from planner.ui.window_night import WindowNight
from planner.ui.window_state import (
    RecentPlans,
    restore_layout,
    save_layout,
    window_settings,
)
from planner.ui.window_status import WindowStatus
from planner.ui.workers import LatestRunner

log = logging.getLogger(__name__)
START_BACKSTOP_MS = 3000

class FirstPaint(QObject):
    """Calls ``then()`` once, when ``widget`` is first painted, and stops watching."""

    def __init__(self, widget: QWidget, then: Callable[[], None]) -> None:
        super().__init__(widget)
        self._then = then
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._then)
        return False


class MainWindow(WindowJobs, WindowNight, WindowDocks, WindowStatus, WindowActions, QMainWindow):
    """The program's window (see the module docstring). ``night_state`` is the shared state
    (a new one from the saved settings when not given); ``ready()`` is emitted once the first
    list is shown with its visibility (or that failed)."""

    ready = Signal()

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        state: QSettings | None = None,
        night_state: NightState | None = None,
        auto_start: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_DISPLAY_NAME)
        self._messages: list[str] = []
        if night_state is None:
            night_state = NightState(settings if settings is not None else self._load_settings(), clock=clock)
        self.night_state = night_state
        self._messages.extend(night_state.problems)
        self._layout_store = state or window_settings()
        self.recent = RecentPlans(self._layout_store)
        self._is_ready = False
        self._crosscheck_follows = False  # set by the first cross-check: it then follows each new list
        self._refresh_failed = False  # the last refresh from AAVSO failed: the list shown is the cached one
        self._panel_docks: list[QDockWidget] = []
        self._theme = None

        self.load_runner = LatestRunner("load", self)
        self.sky_runner = LatestRunner("visibility", self)
        self._moon_used = None  # the Moon avoidance the shown visibility was judged with
        self.refresh_runner = LatestRunner("aavso refresh", self)
        self.crosscheck_runner = LatestRunner("cross-check", self)
        self.push_runner = LatestRunner("push site", self)
        self.key_runner = LatestRunner("aavso key", self)
        self.budget_runner = LatestRunner("aavso budget", self)
        self.warmup_runner = LatestRunner("warm-up", self)  # planner.app.warmup, once the start-up is over
        self._started = False
        self._first_paint = FirstPaint(self, self._on_first_paint)
        self.night_events = NightEvents(night_state, self)  # minima, transits, maxima: docs/events.md

        self._build_table()
        self._build_central(hold_chart=auto_start)
        self._build_docks()
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self._connect_runners()
        self._listen()
        self.resize(1280, 820)
        self.restore_window_state()
        self.apply_theme(self.settings.theme, save=False)
        self._update_site_label()
        self._sync_date_edit()

        self._budget_timer = QTimer(self)
        self._budget_timer.setInterval(30_000)
        self._budget_timer.timeout.connect(self._update_budget)
        self._budget_timer.start()
        if auto_start:
            # after the first paint (see event()); at once for a window that is not shown
            QTimer.singleShot(0, lambda: self.isVisible() or self.start())
            QTimer.singleShot(START_BACKSTOP_MS, self.start)  # a shown window that never paints
        timeline.mark("window built")

    # == the state, read through ===============================================================

    @property
    def settings(self) -> Settings:
        return self.night_state.settings

    @property
    def site(self):
        return self.night_state.site

    @property
    def target_list(self) -> TargetList | None:
        return self.night_state.target_list

    @property
    def observability(self):
        return self.night_state.observability

    @property
    def is_ready(self) -> bool:
        return self._is_ready

    @property
    def theme(self):
        return self._theme

    # == construction ==========================================================================

    def _load_settings(self) -> Settings:
        try:
            return load_settings()
        except SettingsError as exc:
            self._messages.append(f"Settings could not be read ({exc}); using the defaults.")
            return Settings()

    def _build_table(self) -> None:
        self.model = TargetsModel(self, state=self.night_state)
        self.proxy = TargetsProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = TargetsView(self.proxy)
        self.table.selection_changed.connect(self.night_state.set_selection)
        self.table.doubleClicked.connect(lambda _i: self._show_dock(self.details_dock))
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset,
                       self.proxy.layoutChanged):
            signal.connect(self._update_count)

    def _build_central(self, hold_chart: bool) -> None:
        # the chart draws once start() has begun the helper process, after the first paint
        self.chart = TonightChart(self, clock=self.night_state.clock, state=self.night_state, held=hold_chart)
        self.night_summary = NightSummary(self, state=self.night_state)
        lower = QWidget(self)
        lower.setObjectName("chartPane")
        box = QVBoxLayout(lower)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        # The summary wraps into two rows (~465 px); below that it may clip rather than force
        # the window wider than a small laptop screen.
        self.night_summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        box.addWidget(self.night_summary)
        box.addWidget(self.chart, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(lower)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([480, 320])
        self.setCentralWidget(self.splitter)

    def _listen(self) -> None:
        """What the window itself shows of the state: the toolbar, the status bar, the theme."""
        state = self.night_state
        listen(self, state.targets_changed, self._on_targets_changed)
        listen(self, state.site_changed, self._on_site_changed)
        listen(self, state.night_changed, self._on_night_changed)
        listen(self, state.settings_changed, self._on_settings_changed)
        listen(self, state.time_zone_changed, self._update_source_label)
        listen(self, state.time_zone_changed, self.messages.refresh)  # the times problems were seen at
        listen(self, state.observability_changed, lambda _obs: self._update_count())
        listen(self, state.crosscheck_changed, self._show_crosscheck_badge)

    # == start-up ==============================================================================

    def _on_first_paint(self) -> None:  # once the first paint has been handed to the screen
        timeline.mark("window shown (first paint)")
        self.start()

    def current_target(self) -> Target | None:
        return self.night_state.current_target()

    # == plan ==================================================================================

    def _plan_call(self, method) -> None:
        try:
            method()
        except Exception as exc:  # noqa: BLE001 - a failed plan action must not take the window down
            self.show_message(f"Plan: {exc}", error=True)

    # -- recent plans -------------------------------------------------------------------------

    def recent_plans(self) -> list[str]:
        return self.recent.paths()

    def remember_plan(self, path) -> None:
        self.recent.remember(path)

    def _fill_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        recent = self.recent_plans()
        for number, path in enumerate(recent, start=1):
            action = menu.addAction(f"&{number} {Path(path).name}")
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_recent_plan(p))
        if not recent:
            menu.addAction("No recent plans").setEnabled(False)
        else:
            menu.addSeparator()
            menu.addAction("Clear list", self.recent.clear)

    def open_recent_plan(self, path: str) -> bool:
        if not Path(path).is_file():
            self.recent.forget(path)
            self.show_message(f"{path} no longer exists; it was removed from the recent plans.", error=True)
            return False
        try:
            return bool(self.plan_dock.open_recent(path))
        except Exception as exc:  # noqa: BLE001 - a bad file is a message, never a crash
            QMessageBox.warning(self, "Open plan", str(exc))
            return False

    def add_selection_to_plan(self) -> None:
        self.plan_dock.add_targets(self.table.selected_targets())
        self._show_dock(self.plan_dock)

    def add_selected_events_to_plan(self) -> None:
        """Each selected target's minimum, transit or maximum tonight as a fixed plan block
        (its window with the margins of Settings > Events); the others are named with why."""
        # planner.app.events loads astropy: only when asked, never before the first paint
        from planner.app.events import event_blocks

        state = self.night_state
        rows = self.table.selected_target_indices()
        if not rows:
            self.show_message("Select the targets whose minimum, transit or maximum should go in the plan.")
            return
        made = event_blocks(state.events, rows, state.targets, self.settings)
        parts = []
        if made.entries:
            self.plan_dock.add_entries(made.entries)
            self._show_dock(self.plan_dock)
            tz = state.display_tz()
            blocks = "; ".join(f"{e.label()} {format_clock(e.start, tz)}\u2013{format_clock(e.end, tz)}"
                               for e in made.entries)
            parts.append(f"Added {len(made.entries)} fixed block{'s' if len(made.entries) != 1 else ''} "
                         f"({blocks}): Schedule keeps {'them' if len(made.entries) != 1 else 'it'} there "
                         "and fits the other targets around.")
        if made.skipped:
            parts.append("Not added: " + "; ".join(made.skipped) + ".")
        self.show_message(" ".join(parts), error=not made.entries)

    # == panels of other parts ================================================================

    # == persistence ==========================================================================

    def save_window_state(self) -> None:
        save_layout(self, self._layout_store)

    def restore_window_state(self) -> None:
        restore_layout(self, self._layout_store)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt name)
        timeline.mark("window closing")
        plan = self.plan_dock
        if plan.has_unsaved_changes():
            answer = QMessageBox.question(
                self, "Unsaved plan", "The night plan has unsaved changes. Save them before quitting?",
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel)
            if answer == QMessageBox.StandardButton.Cancel:
                event.ignore()
                return
            if answer == QMessageBox.StandardButton.Save:
                self._plan_call(plan.save)
                if plan.has_unsaved_changes():  # the save was cancelled or failed
                    event.ignore()
                    return
        self.save_window_state()
        self.stop_work()
        super().closeEvent(event)

    def stop_work(self) -> None:
        """Quitting: forget every job in flight (their answers are dropped) and stop the docks'
        downloads and polls; nothing here waits for them."""
        for runner in (self.load_runner, self.sky_runner, self.refresh_runner, self.crosscheck_runner,
                       self.push_runner, self.key_runner, self.budget_runner, self.warmup_runner):
            runner.cancel()
        self.night_events.close()
        self._budget_timer.stop()
        for dock in self.built_docks():
            shutdown = getattr(dock, "shutdown", None)
            if callable(shutdown):
                try:
                    shutdown(0)
                except Exception:  # noqa: BLE001 - quitting goes on whatever a dock says
                    log.debug("%s did not shut down cleanly", dock.objectName(), exc_info=True)
