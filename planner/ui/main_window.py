"""The main window: the targets table over tonight's chart, the docks, menus, toolbar and
status bar, and the start-up sequence (show at once, load, compute, refresh in the background).

The window owns no state of its own and no use case: the night (site, date, list,
visibility, selection, plan, cross-check) lives in a Qt-free ``planner.app.state.NightState``
that every dock gets in its constructor and listens to; the window builds the layout,
runs the ``planner.app`` use cases in workers (``LatestRunner``, so a newer request
supersedes an older one) and puts their answers into the state. The docks are listed in
``planner.ui.docks.DOCKS``; the actions, menus and toolbar are built in
``planner.ui.window_actions``; layout and recent plans persist through
``planner.ui.window_state``. About 650 lines: one short method for each menu action and
each state change the window itself shows (start-up, refresh, cross-check, the night, the
site, themes, plan files, persistence); they are the window's one job.
"""

from __future__ import annotations

import datetime as _dt
import logging
import time
from pathlib import Path
from typing import Callable, Sequence

from PySide6.QtCore import QDate, QEvent, QObject, QSettings, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDockWidget,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from planner import APP_DISPLAY_NAME, __version__, timeline
from planner.app import targets as target_lists
from planner.app.crosscheck import crosscheck_answered, push_site
from planner.app.helper import start_helper_process
from planner.app.state import NightState
from planner.app.targets import TargetList
from planner.app.visibility import compute_visibility_in_helper
from planner.catalog.target import SECTION_NAMES, Target
from planner.config import Settings, SettingsError, load_settings, save_settings
from planner.formatting import format_clock
from planner.ui.chart import TonightChart
from planner.ui.docks import DOCKS, PendingDock
from planner.ui.listen import listen
from planner.ui.night_events import NightEvents
from planner.ui.night_summary import NightSummary
from planner.ui.settings.dialog import SettingsDialog
from planner.ui.targets_model import TargetsModel, TargetsProxy
from planner.ui.targets_view import TargetsView
from planner.ui.themes import THEME_NAMES, apply_theme
from planner.ui.window_actions import WindowActions
from planner.ui.window_state import (
    RecentPlans,
    restore_layout,
    save_layout,
    window_settings,
)
from planner.ui.night_filter import apply_night_filter
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


class MainWindow(WindowActions, QMainWindow):
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

    def _build_docks(self) -> None:
        """Every dock of ``planner.ui.docks.DOCKS``: the eager ones built now, given the state;
        the lazy ones as a ``PendingDock`` in their place, built when first shown. An
        optional one that fails to build is left out with a message rather than taking the
        window down."""
        self._docks: list[QDockWidget] = []
        self._pending: dict[str, PendingDock] = {}
        for spec in DOCKS:
            setattr(self, spec.attribute, None)
            dock = PendingDock(spec, self) if spec.lazy else self._make_dock(spec)
            if dock is None:
                continue
            self.addDockWidget(spec.area, dock)
            if spec.tab_with_details:
                self.tabifyDockWidget(self.details_dock, dock)
            if spec.hidden:
                dock.hide()
            if spec.lazy:
                self._pending[spec.attribute] = dock
                dock.visibilityChanged.connect(
                    lambda visible, a=spec.attribute: visible and QTimer.singleShot(0, lambda: self.panel(a)))
            self._docks.append(dock)
        self.details_pane = self.details_dock.widget()  # tabs: the target's details, its AAVSO chart
        self.details = self.details_pane.target
        self.crosscheck_panel = self.crosscheck_dock.widget()
        # the docks that talk to each other or to the window
        self.crosscheck_panel.push_site_requested.connect(self.push_site_to_aavso)
        self.crosscheck_panel.refresh_requested.connect(lambda: self.refresh_from_aavso())
        self.plan_dock.path_changed.connect(self.remember_plan)
        self.details_dock.raise_()

    def _make_dock(self, spec) -> QDockWidget | None:
        try:
            built = spec.build(self.night_state, self)
        except Exception as exc:  # noqa: BLE001
            if not spec.optional:
                raise
            self._messages.append(f"The {spec.title} panel could not start: {exc}")
            log.warning("the %s panel could not start", spec.title, exc_info=True)
            return None
        if isinstance(built, QDockWidget):
            dock = built
        else:
            dock = QDockWidget(spec.title, self)
            dock.setWidget(built)
            dock.setAllowedAreas(Qt.DockWidgetArea.AllDockWidgetAreas)
        dock.setObjectName(spec.object_name)
        if spec.messages:
            dock.message.connect(self.show_message)
        setattr(self, spec.attribute, dock)
        if spec.attribute == "images_dock":  # the images dock hands an image to the solver
            dock.solve_requested.connect(self._solve_image)
        if self._theme is not None:
            apply_night_filter(dock, self._theme.name == "night")
        timeline.mark(f"dock built: {spec.title}")
        return dock

    def panel(self, attribute: str) -> QDockWidget | None:
        """The dock kept in ``attribute``, built now if it was still pending (in its place:
        same area, tab group and floating geometry). None when it could not be built."""
        pending = self._pending.pop(attribute, None)
        if pending is None:
            return getattr(self, attribute, None)
        spec = pending.spec
        dock = self._make_dock(spec)
        visible = pending.isVisible()
        if dock is None:
            for message in self._messages:
                self.show_message(message, error=True)
            self._messages.clear()
        else:
            pending.setObjectName(f"{spec.object_name}Pending")  # the layout belongs to the real dock now
            if pending.isFloating():
                self.addDockWidget(spec.area, dock)
                dock.setFloating(True)
                dock.setGeometry(pending.geometry())
            else:
                self.addDockWidget(self.dockWidgetArea(pending), dock)
                self.tabifyDockWidget(pending, dock)
            self.panels_menu.insertAction(pending.toggleViewAction(), dock.toggleViewAction())
            self._docks[self._docks.index(pending)] = dock
        self.panels_menu.removeAction(pending.toggleViewAction())
        if dock is None:
            self._docks.remove(pending)
        self.removeDockWidget(pending)
        pending.deleteLater()
        if dock is not None and visible:
            dock.show()
            dock.raise_()
        return dock

    def _solve_image(self, url: str, title: str) -> None:
        solver = self.panel("solver_dock")
        if solver is not None:
            solver.solve_url(url, title)
            self._show_dock(solver)

    def built_docks(self) -> list[QDockWidget]:
        """The docks built so far (the pending ones are not)."""
        return [d for d in self._docks if not isinstance(d, PendingDock)]

    def _connect_runners(self) -> None:
        self.load_runner.finished.connect(lambda _g, result: self._on_list(result))
        self.load_runner.failed.connect(lambda _g, exc: self._on_load_failed(exc))
        self.sky_runner.finished.connect(lambda _g, obs: self._on_observability(obs))
        self.sky_runner.failed.connect(lambda _g, exc: self._on_sky_failed(exc))
        self.sky_runner.busy_changed.connect(self._update_activity)
        self.refresh_runner.finished.connect(lambda _g, result: self._on_refreshed(result))
        self.refresh_runner.failed.connect(lambda _g, exc: self._on_refresh_failed(exc))
        self.refresh_runner.busy_changed.connect(self._update_activity)
        self.refresh_runner.busy_changed.connect(lambda busy: self.refresh_action.setEnabled(not busy))
        self.crosscheck_runner.finished.connect(lambda _g, report: self._on_crosscheck(report))
        self.crosscheck_runner.failed.connect(lambda _g, exc: self._on_crosscheck_failed(exc))
        self.crosscheck_runner.busy_changed.connect(self._update_activity)
        self.night_events.runner.busy_changed.connect(self._update_activity)
        self.night_events.vsx_runner.busy_changed.connect(self._update_activity)
        self.push_runner.finished.connect(lambda _g, _r: self._on_site_pushed())
        self.push_runner.failed.connect(
            lambda _g, exc: self.show_message(f"Could not store the site at AAVSO: {self._error_text(exc)}",
                                              error=True, key="push-site"))
        self.key_runner.finished.connect(lambda _g, key: key and self._refresh_quietly())
        self.budget_runner.finished.connect(
            lambda _g, budget: self.budget_label.setText(target_lists.describe_budget(budget)))

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

    # == start-up and data =====================================================================

    def _on_first_paint(self) -> None:  # once the first paint has been handed to the screen
        timeline.mark("window shown (first paint)")
        self.start()

    def start(self) -> None:
        """What follows the first paint: the helper process starts (and warms up), the last
        list (or the sample) loads in a worker, and a refresh follows when a key is set (the
        keyring is read in a worker too). Runs once."""
        if self._started:
            return
        self._started = True
        for message in self._messages:
            self.show_message(message)
        self._messages.clear()
        self.load_runner.submit(target_lists.load_startup_list)
        start_helper_process()
        self.chart.release()

    def _on_list(self, target_list: TargetList) -> None:
        self.set_target_list(target_list)
        self.key_runner.submit(target_lists.aavso_key)

    def _refresh_quietly(self) -> None:
        self.refresh_runner.submit(target_lists.fetch_live, self.settings, self.site)

    def _on_load_failed(self, exc: BaseException) -> None:
        self.source_label.setText("no targets")
        self.show_message(f"The target list could not be loaded: {self._error_text(exc)}", error=True, key="load")
        self._mark_ready()

    def set_target_list(self, target_list: TargetList) -> None:
        """Show a new list at once; its visibility follows from a worker. The stars selected
        before stay selected when the new list has them (by name): a refresh keeps the
        selection, the chart's curves and the images found for it."""
        self.messages.clear("load")
        kept = [self.night_state.targets[i].star_name for i in self.night_state.selection
                if i < len(self.night_state.targets)]
        self.night_state.set_target_list(target_list)
        if kept:
            where = {t.star_name: i for i, t in enumerate(target_list.targets)}
            self.table.select_target_indices([where[name] for name in kept if name in where])

    def _on_targets_changed(self, target_list: TargetList | None) -> None:
        if target_list is not None and timeline.first("table populated") is None:
            timeline.mark("table populated")
        self._update_source_label()
        self._update_count()
        if target_list is not None and target_list.problems:
            shown = target_list.problems[:3]
            more = len(target_list.problems) - len(shown)
            self.show_message("; ".join(shown) + (f" (and {more} more)" if more > 0 else ""))
        self.recompute()
        if self._crosscheck_follows and self._has_api_answers(target_list):
            self.run_crosscheck()  # once run, the cross-check follows every new list

    def reference_time(self) -> float:
        """The ``time`` of the selected night: now for tonight, local noon of the chosen date otherwise."""
        return self.night_state.reference_time()

    def recompute(self) -> None:
        """Compute visibility of every target for the selected night and site, in a worker."""
        targets = self.night_state.targets
        if not targets:
            self.sky_runner.cancel()
            if self.target_list is not None:  # an empty list is loaded: nothing to wait for
                self._mark_ready()
            return
        self._moon_used = self.settings.moon()
        self.sky_runner.submit(compute_visibility_in_helper, targets, self.site, self.reference_time(),
                               moon=self._moon_used)

    def _on_observability(self, obs) -> None:
        # refused when computed for a list that has since been replaced: a newer job is on its way
        if self.night_state.set_observability(obs):
            if timeline.first("visibility shown") is None:
                timeline.mark("visibility shown")
            self.messages.clear("visibility")
            self._mark_ready()

    def _on_sky_failed(self, exc: BaseException) -> None:
        self.show_message(f"Visibility could not be computed: {self._error_text(exc)}", error=True, key="visibility")
        self._mark_ready()

    def _mark_ready(self) -> None:
        if not self._is_ready:
            self._is_ready = True
            self.ready.emit()

    # -- AAVSO ---------------------------------------------------------------------------------

    def refresh_from_aavso(self, quiet: bool = False) -> None:
        """Fetch the current list in a worker; without a key, say how to set one."""
        if not target_lists.aavso_key():
            if not quiet:
                QMessageBox.information(
                    self, "AAVSO key needed",
                    "Refreshing from the AAVSO Target Tool needs your API key.\n\n"
                    "Open Tools > Settings and enter it under AAVSO (or set PLANNER_AAVSO_KEY). "
                    "You find the key on your AAVSO Target Tool account page.")
            return
        self.refresh_runner.submit(target_lists.fetch_live, self.settings, self.site)

    def _on_refreshed(self, target_list: TargetList) -> None:
        self._refresh_failed = False
        self.set_target_list(target_list)
        self._update_budget()
        if target_list.origin == target_lists.OFFLINE:
            when = target_list.describe(self.display_tz())
            self.show_message(f"AAVSO could not be reached; showing the last list it sent ({when}).",
                              error=True, key="aavso-refresh")
        else:
            self.messages.clear("aavso-refresh")
            self.show_message(f"{len(target_list.targets)} targets fetched from AAVSO.")

    def _on_refresh_failed(self, exc: BaseException) -> None:
        """The list on screen stays; the source label says it is the cached one and the error
        stays in the message area until a refresh works."""
        self._update_budget()
        self._refresh_failed = True
        self._update_source_label()
        self.show_message(f"Refresh from AAVSO failed: {self._error_text(exc)}", error=True, key="aavso-refresh")

    def _update_budget(self) -> None:
        """The AAVSO budget in the status bar, read in a worker (it reads a shared file under
        a lock, and its first call loads the HTTP layer)."""
        self.budget_runner.submit(target_lists.rate_budget)

    @staticmethod
    def _has_api_answers(target_list: TargetList | None) -> bool:
        return (target_list is not None and target_list.fetched_at is not None
                and any(t.observability_times is not None for t in target_list.targets))

    def run_crosscheck(self) -> None:
        """Compare local visibility with the API's answers carried by the list (cached or
        live). Once run, it runs again for every new list (``_on_targets_changed``)."""
        target_list = self.target_list
        if not self._has_api_answers(target_list):
            QMessageBox.information(
                self, "Cross-check",
                "The cross-check compares the local visibility with the AAVSO API's answers, and the "
                "current list carries none (the bundled sample has no API answers).\n\n"
                "Set your AAVSO key in Tools > Settings and refresh from AAVSO first.")
            return
        self._crosscheck_follows = True
        self.crosscheck_runner.submit(crosscheck_answered, list(target_list.targets), target_list.fetched_at,
                                      self.site, self.settings, tolerance_s=float(self.settings.crosscheck_tolerance_s),
                                      with_key=bool(target_lists.aavso_key()), fetched_for=target_list.fetched_for)

    def _on_crosscheck(self, report) -> None:
        self.messages.clear("crosscheck")
        self.night_state.set_crosscheck(report)
        if report.differ_count:
            self._show_dock(self.crosscheck_dock)

    def _show_crosscheck_badge(self, report) -> None:
        if report is None:  # a new list or site: the old report no longer applies
            self.crosscheck_badge.hide()
            return
        self.crosscheck_badge.setText(report.summary() + (" · list for another site" if report.suggest_refresh else ""))
        self.crosscheck_badge.show()

    def _on_crosscheck_failed(self, exc: BaseException) -> None:
        self.show_message(f"Cross-check failed: {self._error_text(exc)}", error=True, key="crosscheck")

    def _on_site_pushed(self) -> None:
        self.messages.clear("push-site")
        self.show_message("Site stored at AAVSO; refresh to get matching times.")

    def push_site_to_aavso(self, *args) -> None:
        """Store the local site and limits in the AAVSO account (the API's ``telescope``)."""
        if not target_lists.aavso_key():
            self.refresh_from_aavso()  # explains how to set the key
            return
        answer = QMessageBox.question(
            self, "Send site to AAVSO",
            f"Store this site in your AAVSO Target Tool account?\n\n{self.site.describe()}\n"
            f"target altitude {self.site.target_altitude:g}°, sun altitude {self.site.sun_altitude:g}°")
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.push_runner.submit(push_site, self.settings, self.site)

    # == night, site, time zone ================================================================

    def tonight_date(self) -> _dt.date:
        """Evening date of tonight: the night in progress, or the coming one (``planner.app.tonight``)."""
        return self.night_state.tonight().date

    def night_date(self) -> _dt.date:
        return self.night_state.shown_date()

    def set_night_date(self, date: _dt.date | None) -> None:
        """Show the night starting on the evening of ``date`` (None or tonight's date: tonight)."""
        self.night_state.set_night_date(date)

    def _on_night_changed(self, _date) -> None:
        self._sync_date_edit()
        self.recompute()

    def shift_night(self, days: int) -> None:
        self.set_night_date(self.night_date() + _dt.timedelta(days=days))

    def go_tonight(self) -> None:
        self.set_night_date(None)

    def _sync_date_edit(self) -> None:
        d = self.night_date()
        with QSignalBlocker(self.date_edit):
            self.date_edit.setDate(QDate(d.year, d.month, d.day))
        self.tonight_action.setEnabled(self.night_state.night_date is not None)
        self.date_edit.setToolTip(f"The night starting on the evening of this date ({self.night_state.describe_night()})")

    def _on_date_edited(self, qdate: QDate) -> None:
        self.set_night_date(_dt.date(qdate.year(), qdate.month(), qdate.day()))

    def display_tz(self):
        return self.night_state.display_tz()

    def _on_utc_toggled(self, on: bool) -> None:
        self.night_state.set_show_utc(on)
        self._save_settings_quietly()

    def _update_site_label(self) -> None:
        name = self.site.label
        short = name if len(name) <= 28 else name[:27] + "…"
        self.site_button.setText(f"Site: {short}")
        horizon = f"\nHorizon mask: {self.site.horizon.describe()}" if self.site.horizon is not None else ""
        self.site_button.setToolTip(f"{self.site.describe()}\nTime zone {self.site.timezone}; "
                                    f"altitude limit {self.site.target_altitude:g}°{horizon}\n"
                                    "Click to change it in Settings.")

    def _on_site_changed(self, _site) -> None:
        self._update_site_label()
        self._sync_date_edit()
        self.recompute()
        self._follow_site()

    def _follow_site(self) -> None:
        """After a site or limits change (Settings, an Arcsecond import), an AAVSO list
        fetched for the old site is fetched again for the new one, or marked stale without a
        key; its cross-check is withdrawn until the new answers are compared."""
        if not self.night_state.list_is_stale():
            return
        self.night_state.set_crosscheck(None)
        self._update_source_label()
        if target_lists.aavso_key():
            self.show_message(f"The site changed: fetching the AAVSO list for {self.site.label}…")
            self.refresh_from_aavso(quiet=True)

    def apply_settings(self, settings: Settings) -> None:
        """New settings from the dialog: site, limits, theme and time display follow."""
        problem = self.night_state.apply_settings(settings)
        if problem:
            self.show_message(problem, error=True, key="site")
        else:
            self.messages.clear("site")

    def _on_settings_changed(self, settings: Settings) -> None:
        self.apply_theme(settings.theme, save=False)
        with QSignalBlocker(self.utc_action):
            self.utc_action.setChecked(bool(settings.show_utc))
        self.night_state.time_zone_changed.emit()
        if self._moon_used is not None and settings.moon() != self._moon_used:
            self.recompute()  # the night is judged against the Moon again (a new site recomputes anyway)

    def open_settings(self) -> None:
        dialog = SettingsDialog(self.settings, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.apply_settings(dialog.result_settings())

    def _save_settings_quietly(self) -> None:
        try:
            save_settings(self.settings)
        except (OSError, SettingsError) as exc:
            self.show_message(f"Settings could not be saved ({exc}).", error=True, key="settings-save")
        else:
            self.messages.clear("settings-save")

    # == theme =================================================================================

    def apply_theme(self, name: str, *, save: bool = True):
        if name not in THEME_NAMES:
            name = "light"
        app = QApplication.instance()
        theme = apply_theme(app, name)
        self._theme = theme
        self.theme_actions[name].setChecked(True)
        self._apply_icons(theme)
        self.model.set_accent_colors(QColor(theme.error), QColor(theme.now))
        self.chart.set_theme(theme)
        apply_night_filter(self, theme.name == "night")  # pictures too: no white light at night
        if save and self.settings.theme != name:
            self.settings.theme = name
            self._save_settings_quietly()
        return theme


    # == filters and selection =================================================================

    def _apply_search_now(self) -> None:
        self._search_timer.stop()
        self.proxy.set_text(self.search.text())

    def _on_sections_toggled(self, _on: bool = False) -> None:
        chosen = [code for code, action in self.section_actions.items() if action.isChecked()]
        self.proxy.set_sections(chosen or None)
        self._update_section_button()

    def set_section_filter(self, codes: Sequence[str] | None) -> None:
        for code, action in self.section_actions.items():
            with QSignalBlocker(action):
                action.setChecked(codes is not None and code in codes)
        self._on_sections_toggled()

    def _update_section_button(self) -> None:
        chosen = self.proxy.sections
        if not chosen:
            self.section_button.setText("All sections ▾")
        elif len(chosen) == 1:
            self.section_button.setText(SECTION_NAMES[next(iter(chosen))] + " ▾")
        else:
            self.section_button.setText(f"{len(chosen)} sections ▾")

    def _on_observable_toggled(self, on: bool) -> None:
        self.proxy.set_observable_only(on)

    def _on_due_toggled(self, on: bool) -> None:
        self.proxy.set_due_only(on)

    def _update_count(self, *args) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        self.count_label.setText(f"{shown} of {total} targets" if shown != total else f"{total} targets")

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

    def add_panel_dock(self, dock: QDockWidget, area=Qt.DockWidgetArea.RightDockWidgetArea) -> None:
        """Add a panel made elsewhere as a dock with a View entry (the window's own docks are
        listed in ``planner.ui.docks.DOCKS``). Give it an ``objectName`` so that its place is
        remembered."""
        if not dock.objectName():
            dock.setObjectName(f"panelDock{len(self._panel_docks)}")
        self.addDockWidget(area, dock)
        self._panel_docks.append(dock)
        self.panels_menu.addAction(dock.toggleViewAction())
        self.restoreDockWidget(dock)

    def _show_dock(self, dock: QDockWidget) -> None:
        dock.show()
        dock.raise_()

    # == status ===============================================================================

    def show_message(self, text: str, *, error: bool = False, timeout_ms: int = 15_000, key: str | None = None) -> None:
        """A message in the status bar. An error also goes to the log and stays in the message
        area (``planner.ui.messages``), whole, until ``messages.clear(key)`` says its condition
        is gone (without a key, until the user dismisses it)."""
        if error:
            log.warning("%s", text)
            self.messages.report(key or text, text)
        self.statusBar().showMessage(text, timeout_ms * (2 if error else 1))

    def _error_text(self, exc: BaseException) -> str:
        """A worker's error for people, its times (a 429's retry time) in the window's zone."""
        describe = getattr(exc, "describe", None)
        return describe(self.display_tz()) if callable(describe) else (str(exc) or exc.__class__.__name__)

    def _update_source_label(self) -> None:
        if self.target_list is None:
            return
        text = self.target_list.describe(self.night_state.display_tz(), refresh_failed=self._refresh_failed)
        tip = "Where the target list came from."
        if self._refresh_failed:
            tip += f" The last refresh failed: {self.messages.text_of('aavso-refresh') or 'see the message area'}"
        if self.target_list.origin == target_lists.SAMPLE:
            tip += " Set an AAVSO key in Settings and refresh to get the current list."
        if self.night_state.list_is_stale():
            text += " · for another site"
            tip += (" Its rise and set times from AAVSO were asked for another site or other limits; "
                    "Refresh (F5) fetches them for the site shown.")
        self.source_label.setText(text)
        self.source_label.setToolTip(tip)

    def _update_activity(self, *_args) -> None:
        jobs = []
        if self.sky_runner.busy:
            jobs.append("computing visibility")
        if self.refresh_runner.busy:
            jobs.append("refreshing from AAVSO")
        if self.crosscheck_runner.busy:
            jobs.append("cross-checking")
        if self.night_events.vsx_runner.busy:
            jobs.append("looking elements up in VSX")
        elif self.night_events.runner.busy:
            jobs.append("computing minima and maxima")
        self.activity_label.setText((", ".join(jobs).capitalize() + "…") if jobs else "")

    def show_about(self) -> None:
        QMessageBox.about(
            self, f"About {APP_DISPLAY_NAME}",
            f"<h3>{APP_DISPLAY_NAME} {__version__}</h3>"
            "<p>Plans variable-star observing nights: AAVSO Target Tool targets, local visibility, "
            "reference images, plate solving and night plans.</p>"
            "<p>Works offline with the last list it fetched or the bundled sample.</p>")

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
                       self.push_runner, self.key_runner, self.budget_runner):
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
