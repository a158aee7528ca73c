"""The main window: targets table over tonight's chart, panels in docks, menus, toolbar and
status bar, and the start-up sequence (show at once, load, compute, refresh in the background).

Nothing slow runs on the GUI thread: loading the list, the sky computation, the AAVSO
refresh and the cross-check each go through a ``LatestRunner`` so that a newer request
supersedes an older one. Window layout, columns, sort order and filters persist in a
``QSettings`` INI file in the config folder (``window.ini``).
"""

from __future__ import annotations

import datetime as _dt
import logging
import time
from datetime import timezone
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from PySide6.QtCore import (
    QByteArray,
    QDate,
    QSettings,
    QSignalBlocker,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDesktopServices,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QDateEdit,
    QDialog,
    QDockWidget,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from planner import APP_DISPLAY_NAME, __version__
from planner.catalog.target import SECTION_NAMES, Target
from planner.config import (
    Settings,
    SettingsError,
    config_dir,
    load_settings,
    save_settings,
)
from planner.sky.site import Site, SiteError
from planner.ui import data_source
from planner.ui.data_source import TargetList
from planner.ui.targets_model import COLUMN_INDEX, TargetsModel, TargetsProxy
from planner.ui.targets_view import TargetDetails, TargetsView
from planner.ui.workers import LatestRunner, run_in_process, start_helper_process

log = logging.getLogger(__name__)

WINDOW_SETTINGS_FILE = "window.ini"
RECENT_PLANS_KEY = "plans/recent"
MAX_RECENT_PLANS = 8
STATE_VERSION = 2  # bump when docks/toolbars change so an old saved layout is not misapplied
SEARCH_DEBOUNCE_MS = 250

SERVICE_PAGES = (
    ("AAVSO Target Tool", "https://targettool.aavso.org/"),
    ("AAVSO Variable Star Index (VSX)", "https://www.aavso.org/vsx/"),
    ("AstroBin", "https://www.astrobin.com/"),
    ("NASA Image and Video Library", "https://images.nasa.gov/"),
    ("nova.astrometry.net", "https://nova.astrometry.net/"),
    ("Arcsecond", "https://www.arcsecond.io/"),
)


def window_settings() -> QSettings:
    """The window's own settings (layout, columns, filters): an INI file in the config folder."""
    folder = config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return QSettings(str(folder / WINDOW_SETTINGS_FILE), QSettings.Format.IniFormat)


def _optional(module: str, name: str):
    """A widget class another part of the program provides, None while it does not exist yet."""
    try:
        mod = __import__(module, fromlist=[name])
    except ImportError as exc:
        log.debug("%s not available: %s", module, exc)
        return None
    return getattr(mod, name, None)


def compute_visibility(targets: Sequence[Target], site: Site, when: float):
    """The sky engine over every target at once (vectorised), run in the helper process."""
    ra = np.fromiter((t.ra for t in targets), dtype=float, count=len(targets))
    dec = np.fromiter((t.dec for t in targets), dtype=float, count=len(targets))
    if len(ra) == 0:
        return None
    return run_in_process(_observability, ra, dec, site, float(when))


def _observability(ra: np.ndarray, dec: np.ndarray, site: Site, when: float):
    """Helper-process body (module level, so it pickles)."""
    from planner.sky import compute_observability

    return compute_observability(ra, dec, site, when)


def _placeholder(text: str, name: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    label.setEnabled(False)
    return label


class MainWindow(QMainWindow):
    """The program's window. Other panels plug in with ``add_panel_dock``.

    Signals: ``selection_changed(list[int])`` (indices into ``targets``),
    ``target_selected(Target | None)`` (the current target), ``targets_changed(list)``,
    ``observability_changed(Observability | None)``, ``site_changed(Site)``, ``ready()`` once
    the first list is shown with its visibility (or that failed).
    """

    selection_changed = Signal(list)
    target_selected = Signal(object)
    targets_changed = Signal(list)
    observability_changed = Signal(object)
    site_changed = Signal(object)
    ready = Signal()

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        state: QSettings | None = None,
        auto_start: bool = True,
        clock=time.time,
    ) -> None:
        super().__init__()
        start_helper_process()  # before anything else: see workers.start_helper_process
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_DISPLAY_NAME)
        self._clock = clock
        self._state = state or window_settings()
        self._messages: list[str] = []
        self.settings = settings if settings is not None else self._load_settings()
        self.site = self._site_from(self.settings)
        self.target_list: TargetList | None = None
        self._night_date: _dt.date | None = None  # None: tonight (the night following now)
        self._obs = None
        self._is_ready = False
        self._panel_docks: list[QDockWidget] = []
        self._theme = None

        self.load_runner = LatestRunner("load", self)
        self.sky_runner = LatestRunner("visibility", self)
        self.refresh_runner = LatestRunner("aavso refresh", self)
        self.crosscheck_runner = LatestRunner("cross-check", self)

        self._build_table()
        self._build_central()
        self._build_docks()
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self._connect_runners()
        self._build_panels()
        self.resize(1280, 820)
        self.restore_window_state()
        self.apply_theme(self.settings.theme, save=False)
        self._apply_time_zone()
        self._update_site_label()
        self._sync_date_edit()

        self._budget_timer = QTimer(self)
        self._budget_timer.setInterval(30_000)
        self._budget_timer.timeout.connect(self._update_budget)
        self._budget_timer.start()
        if auto_start:
            QTimer.singleShot(0, self.start)

    # == construction ==========================================================================

    def _load_settings(self) -> Settings:
        try:
            return load_settings()
        except SettingsError as exc:
            self._messages.append(f"Settings could not be read ({exc}); using the defaults.")
            return Settings()

    def _site_from(self, settings: Settings) -> Site:
        try:
            return settings.site()
        except SiteError as exc:
            self._messages.append(f"The site in the settings is not valid ({exc}); using the default site.")
            return Settings().site()

    def _build_table(self) -> None:
        self.model = TargetsModel(self)
        self.proxy = TargetsProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = TargetsView(self.proxy)
        self.table.selection_changed.connect(self._on_selection)
        self.table.doubleClicked.connect(lambda _i: self._show_dock(self.details_dock))
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)

    def _build_central(self) -> None:
        chart_cls = _optional("planner.ui.chart", "TonightChart")
        if chart_cls is not None:
            self.chart = chart_cls(self)
        else:  # until planner.ui.chart exists
            self.chart = _placeholder("Tonight's chart appears here (planner.ui.chart).", "chartPlaceholder")
        summary_cls = _optional("planner.ui.night_summary", "NightSummary") or _optional(
            "planner.ui.chart", "NightSummary")
        self.night_summary = summary_cls(self) if summary_cls else _placeholder(
            "The night summary appears here (planner.ui.night_summary).", "summaryPlaceholder")
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

    def _dock(self, title: str, name: str, widget: QWidget, area=Qt.DockWidgetArea.RightDockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setAllowedAreas(Qt.DockWidgetArea.AllDockWidgetAreas)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        self.details = TargetDetails(self)
        self.details_dock = self._dock("Details", "detailsDock", self.details)

        crosscheck_cls = _optional("planner.ui.crosscheck_panel", "CrossCheckPanel")
        if crosscheck_cls is not None:
            self.crosscheck_panel = crosscheck_cls(self)
            signal = getattr(self.crosscheck_panel, "push_site_requested", None)
            if signal is not None:
                signal.connect(self.push_site_to_aavso)
        else:
            self.crosscheck_panel = _placeholder(
                "The cross-check panel appears here (planner.ui.crosscheck_panel).", "crosscheckPlaceholder")
        self.crosscheck_dock = self._dock("Cross-check", "crosscheckDock", self.crosscheck_panel,
                                          Qt.DockWidgetArea.BottomDockWidgetArea)
        self.crosscheck_dock.hide()

        plan_cls = _optional("planner.ui.plan_dock", "PlanDock")
        self.plan_dock: QDockWidget | None = None
        if plan_cls is not None:
            self.plan_dock = plan_cls(self)
            self.plan_dock.setObjectName("planDock")
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.plan_dock)
            blocks = getattr(self.plan_dock, "blocks_changed", None)
            if blocks is not None:
                blocks.connect(self._on_plan_blocks)
            message = getattr(self.plan_dock, "message", None)
            if message is not None:
                message.connect(self.show_message)
            path_changed = getattr(self.plan_dock, "path_changed", None)
            if path_changed is not None:
                path_changed.connect(self.remember_plan)
        else:
            self.plan_placeholder_dock = self._dock(
                "Plan", "planDock", _placeholder("The night plan appears here (planner.ui.plan_dock).",
                                                 "planPlaceholder"))
        if self.plan_dock is not None:
            self.tabifyDockWidget(self.details_dock, self.plan_dock)
        self.details_dock.raise_()

    def _build_panels(self) -> None:
        """The panels of issue 5 (reference images, plate solving, Arcsecond), when installed.

        Each follows the selected target; a panel that fails to build is left out with a
        message rather than taking the window down."""
        self.images_dock = self.solver_dock = self.arcsecond_dock = None
        specs = (("images_dock", "planner.ui.images_panel", "ReferenceImagesDock", "referenceImagesDock"),
                 ("solver_dock", "planner.ui.solver_panel", "PlateSolveDock", "plateSolveDock"),
                 ("arcsecond_dock", "planner.ui.arcsecond_panel", "ArcsecondDock", "arcsecondDock"))
        for attr, module, name, object_name in specs:
            cls = _optional(module, name)
            if cls is None:
                continue
            try:
                dock = cls(self, settings=self.settings)
            except Exception as exc:  # noqa: BLE001
                self._messages.append(f"The {name} panel could not start: {exc}")
                continue
            if not dock.objectName():
                dock.setObjectName(object_name)
            setattr(self, attr, dock)
            self.add_panel_dock(dock)
            if hasattr(dock, "set_target"):
                self.target_selected.connect(dock.set_target)
            if hasattr(dock, "message"):
                dock.message.connect(self.show_message)
        if self.images_dock is not None:
            self.tabifyDockWidget(self.details_dock, self.images_dock)
            if self.solver_dock is not None and hasattr(self.images_dock, "solve_requested"):
                self.images_dock.solve_requested.connect(self._solve_image)
        if self.solver_dock is not None:
            self.tabifyDockWidget(self.details_dock, self.solver_dock)
        if self.arcsecond_dock is not None:
            self.tabifyDockWidget(self.details_dock, self.arcsecond_dock)
            changed = getattr(self.arcsecond_dock, "settings_changed", None)
            if changed is not None:
                changed.connect(self.apply_settings)
            if self.plan_dock is not None and hasattr(self.arcsecond_dock, "set_plan"):
                plan_changed = getattr(self.plan_dock, "plan_changed", None)
                if plan_changed is not None:
                    plan_changed.connect(lambda: self.arcsecond_dock.set_plan(self.plan_dock.plan))
        self.details_dock.raise_()

    def _solve_image(self, url: str, title: str) -> None:
        self.solver_dock.solve_url(url, title)
        self._show_dock(self.solver_dock)

    def _act(self, text: str, slot, shortcut=None, *, tip: str = "", checkable: bool = False) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.setCheckable(checkable)
        if checkable:
            action.toggled.connect(slot)
        else:
            action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even with the menu bar hidden
        return action

    def _build_actions(self) -> None:
        SK = QKeySequence.StandardKey
        has_plan = self.plan_dock is not None
        self.new_plan_action = self._act("&New plan", lambda: self._plan_call("new_plan"), SK.New)
        self.open_plan_action = self._act("&Open plan…", lambda: self._plan_call("open_plan"), SK.Open)
        self.save_plan_action = self._act("&Save plan", lambda: self._plan_call("save"), SK.Save)
        self.save_plan_as_action = self._act("Save plan &as…", lambda: self._plan_call("save_as"), SK.SaveAs)
        self.export_plan_action = self._act("&Export plan…", lambda: self._plan_call("export"), "Ctrl+E")
        self.add_to_plan_action = self._act("Add selected to &plan", self.add_selection_to_plan, "Ctrl+P",
                                            tip="Add the selected targets to tonight's plan")
        for action in (self.new_plan_action, self.open_plan_action, self.save_plan_action,
                       self.save_plan_as_action, self.export_plan_action, self.add_to_plan_action):
            action.setEnabled(has_plan)
            if not has_plan:
                action.setToolTip("Plans arrive with the plan panel (planner.ui.plan_dock).")
        self.quit_action = self._act("&Quit", self.close, SK.Quit)

        self.refresh_action = self._act("&Refresh from AAVSO", self.refresh_from_aavso, SK.Refresh,
                                        tip="Fetch the current target list from the AAVSO Target Tool (needs an API key)")
        self.crosscheck_action = self._act("&Cross-check with AAVSO", self.run_crosscheck, "Ctrl+Shift+K",
                                           tip="Compare the local visibility with the AAVSO API's answers")
        self.settings_action = self._act("&Settings…", self.open_settings, SK.Preferences,
                                         tip="Site, altitude limits, service keys, cache")
        if QKeySequence(SK.Preferences).isEmpty():
            self.settings_action.setShortcut(QKeySequence("Ctrl+,"))

        self.utc_action = self._act("Times in &UTC", self._on_utc_toggled, "Ctrl+U", checkable=True,
                                    tip="Show times in UTC instead of the site's time zone")
        self.utc_action.setChecked(bool(self.settings.show_utc))
        self.theme_group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for name, label, key in (("light", "&Light", None), ("dark", "&Dark", None),
                                 ("night", "&Night mode (red)", "Ctrl+Shift+N")):
            action = QAction(label, self, checkable=True)
            if key:
                action.setShortcut(QKeySequence(key))
            action.triggered.connect(lambda _c=False, n=name: self.apply_theme(n))
            self.theme_group.addAction(action)
            self.addAction(action)
            self.theme_actions[name] = action

        self.prev_night_action = self._act("&Previous night", lambda: self.shift_night(-1), "Alt+Left", tip="Previous night")
        self.next_night_action = self._act("&Next night", lambda: self.shift_night(+1), "Alt+Right", tip="Next night")
        self.tonight_action = self._act("Tonight", self.go_tonight, "Alt+Home", tip="Tonight (the night following now)")
        self.find_action = self._act("Find", lambda: (self.search.setFocus(), self.search.selectAll()), SK.Find)
        self.observable_action = self._act("Observable", self._on_observable_toggled, checkable=True,
                                           tip="Only targets above your altitude limit during the night")
        self.due_action = self._act("Due", self._on_due_toggled, checkable=True,
                                    tip="Only targets whose last observation is older than their cadence")
        self.about_action = self._act("&About", self.show_about)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        file.addAction(self.new_plan_action)
        file.addAction(self.open_plan_action)
        self.recent_menu = file.addMenu("Open &recent")
        self.recent_menu.setEnabled(self.plan_dock is not None)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        for action in (self.save_plan_action, self.save_plan_as_action, self.export_plan_action):
            file.addAction(action)
        file.addSeparator()
        file.addAction(self.quit_action)

        edit = bar.addMenu("&Edit")
        edit.addAction(self.table.copy_action)
        edit.addAction(self.find_action)
        edit.addAction(self.add_to_plan_action)

        view = self.view_menu = bar.addMenu("&View")
        self.panels_menu = view.addMenu("&Panels")
        self.panels_menu.addAction(self.details_dock.toggleViewAction())
        self.panels_menu.addAction(self.crosscheck_dock.toggleViewAction())
        if self.plan_dock is not None:
            self.panels_menu.addAction(self.plan_dock.toggleViewAction())
        else:
            self.panels_menu.addAction(self.plan_placeholder_dock.toggleViewAction())
        view.addMenu(self.table.columns_menu(self))
        view.addSeparator()
        themes = view.addMenu("&Theme")
        for action in self.theme_actions.values():
            themes.addAction(action)
        view.addAction(self.utc_action)
        view.addSeparator()
        for action in (self.tonight_action, self.prev_night_action, self.next_night_action):
            view.addAction(action)
        self.prev_night_action.setText("Previous night")
        self.next_night_action.setText("Next night")

        tools = bar.addMenu("&Tools")
        tools.addAction(self.refresh_action)
        tools.addAction(self.crosscheck_action)
        tools.addSeparator()
        tools.addAction(self.settings_action)

        help_menu = bar.addMenu("&Help")
        for label, url in SERVICE_PAGES:
            action = help_menu.addAction(label)
            action.setToolTip(url)
            action.triggered.connect(lambda _c=False, u=url: QDesktopServices.openUrl(QUrl(u)))
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)

    def _build_toolbar(self) -> None:
        bar = QToolBar("Main toolbar", self)
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.toolbar = bar

        self.site_button = QToolButton(self)
        self.site_button.setObjectName("siteButton")
        self.site_button.setToolTip("Observing site (click to change it in Settings)")
        self.site_button.clicked.connect(self.open_settings)
        bar.addWidget(self.site_button)
        bar.addSeparator()

        prev = QToolButton(self)
        prev.setDefaultAction(self.prev_night_action)
        prev.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        bar.addWidget(prev)
        self.date_edit = QDateEdit(self)
        self.date_edit.setObjectName("nightDate")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd yyyy-MM-dd")
        self.date_edit.setToolTip("The night starting on the evening of this date")
        self.date_edit.dateChanged.connect(self._on_date_edited)
        bar.addWidget(self.date_edit)
        nxt = QToolButton(self)
        nxt.setDefaultAction(self.next_night_action)
        nxt.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        bar.addWidget(nxt)
        bar.addAction(self.tonight_action)
        bar.addSeparator()
        bar.addAction(self.refresh_action)
        self.refresh_action.setIconText("Refresh")
        bar.addAction(self.add_to_plan_action)
        self.add_to_plan_action.setIconText("Add to plan")
        bar.addSeparator()

        self.search = QLineEdit(self)
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Search name, type, constellation")
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip("Filter the table (all words must match); Ctrl+F")
        self.search.setMinimumWidth(200)
        self.search.setMaximumWidth(300)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(lambda: self.proxy.set_text(self.search.text()))
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self._apply_search_now)
        bar.addWidget(self.search)

        self.section_button = QToolButton(self)
        self.section_button.setObjectName("sectionButton")
        self.section_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.section_button.setToolTip("Show only some AAVSO observing sections")
        self.section_menu = QMenu(self.section_button)
        self.section_actions: dict[str, QAction] = {}
        all_action = self.section_menu.addAction("All sections")
        all_action.triggered.connect(lambda: self.set_section_filter(None))
        self.section_menu.addSeparator()
        for code, name in SECTION_NAMES.items():
            action = self.section_menu.addAction(name)
            action.setCheckable(True)
            action.toggled.connect(self._on_sections_toggled)
            self.section_actions[code] = action
        self.section_button.setMenu(self.section_menu)
        bar.addWidget(self.section_button)
        bar.addAction(self.observable_action)
        bar.addAction(self.due_action)
        self._update_section_button()

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.source_label = QLabel("starting…", self)
        self.source_label.setObjectName("sourceLabel")
        self.source_label.setToolTip("Where the target list came from")
        self.count_label = QLabel("", self)
        self.activity_label = QLabel("", self)
        self.activity_label.setObjectName("activityLabel")
        self.budget_label = QLabel("", self)
        self.budget_label.setObjectName("budgetLabel")
        self.budget_label.setToolTip("AAVSO API requests left in this hour (the API allows 1000 per hour)")
        self.crosscheck_badge = QPushButton("", self)
        self.crosscheck_badge.setObjectName("crosscheckBadge")
        self.crosscheck_badge.setFlat(True)
        self.crosscheck_badge.setToolTip("Result of the last cross-check with the AAVSO API; click for details")
        self.crosscheck_badge.clicked.connect(lambda: self._show_dock(self.crosscheck_dock))
        self.crosscheck_badge.hide()
        status.addWidget(self.activity_label, 1)
        status.addPermanentWidget(self.count_label)
        status.addPermanentWidget(self.crosscheck_badge)
        status.addPermanentWidget(self.budget_label)
        status.addPermanentWidget(self.source_label)

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

    # == start-up and data =====================================================================

    def start(self) -> None:
        """Load the last list (or the sample) in a worker; a refresh follows when a key is set."""
        for message in self._messages:
            self.show_message(message)
        self._messages.clear()
        self.load_runner.submit(data_source.load_startup_list)

    def _on_list(self, target_list: TargetList) -> None:
        self.set_target_list(target_list)
        if data_source.aavso_key():
            self.refresh_from_aavso(quiet=True)

    def _on_load_failed(self, exc: BaseException) -> None:
        self.source_label.setText("no targets")
        self.show_message(f"The target list could not be loaded: {exc}", error=True)
        self._mark_ready()

    def set_target_list(self, target_list: TargetList) -> None:
        """Show a new list at once; its visibility follows from a worker."""
        self.target_list = target_list
        self._obs = None
        self.model.set_targets(target_list.targets, now=self.reference_time())
        self._update_source_label()
        self._update_count()
        if target_list.problems:
            shown = target_list.problems[:3]
            more = len(target_list.problems) - len(shown)
            self.show_message("; ".join(shown) + (f" (and {more} more)" if more > 0 else ""))
        self.targets_changed.emit(list(target_list.targets))
        self._set_chart_data(None)
        self.recompute()

    def reference_time(self) -> float:
        """The ``time`` of the selected night: now for tonight, local noon of the chosen date otherwise."""
        if self._night_date is None:
            return float(self._clock())
        from planner.sky import night_for_date

        return float(night_for_date(self.site, self._night_date))

    def recompute(self) -> None:
        """Compute visibility of every target for the selected night and site, in a worker."""
        targets = self.model.targets
        if not targets:
            self.sky_runner.cancel()
            if self.target_list is not None:  # an empty list is loaded: nothing to wait for
                self._mark_ready()
            return
        self.sky_runner.submit(compute_visibility, list(targets), self.site, self.reference_time())

    def _on_observability(self, obs) -> None:
        if obs is not None and len(obs) != len(self.model.targets):
            return  # computed for a list that has since been replaced; a newer job is on its way
        self._obs = obs
        self.model.set_observability(obs)
        self._set_chart_data(obs)
        if hasattr(self.night_summary, "set_observability"):
            self.night_summary.set_observability(obs)
        if self.plan_dock is not None and hasattr(self.plan_dock, "set_context"):
            self.plan_dock.set_context(self.site, obs, list(self.model.targets))
        self.observability_changed.emit(obs)
        self._update_count()
        self._mark_ready()

    def _on_sky_failed(self, exc: BaseException) -> None:
        self.show_message(f"Visibility could not be computed: {exc}", error=True)
        self._mark_ready()

    def _mark_ready(self) -> None:
        if not self._is_ready:
            self._is_ready = True
            self.ready.emit()

    @property
    def is_ready(self) -> bool:
        return self._is_ready

    @property
    def observability(self):
        return self._obs

    def _set_chart_data(self, obs) -> None:
        if hasattr(self.chart, "set_data"):
            names = [t.star_name for t in self.model.targets]
            self.chart.set_data(obs, names)
            self.chart.set_selection(self.table.selected_target_indices())

    # -- AAVSO ---------------------------------------------------------------------------------

    def refresh_from_aavso(self, quiet: bool = False) -> None:
        """Fetch the current list in a worker; without a key, say how to set one."""
        if not data_source.aavso_key():
            if not quiet:
                QMessageBox.information(
                    self, "AAVSO key needed",
                    "Refreshing from the AAVSO Target Tool needs your API key.\n\n"
                    "Open Tools > Settings and enter it under AAVSO (or set PLANNER_AAVSO_KEY). "
                    "You find the key on your AAVSO Target Tool account page.")
            return
        self.refresh_runner.submit(data_source.fetch_live, self.settings)

    def _on_refreshed(self, target_list: TargetList) -> None:
        self.set_target_list(target_list)
        self._update_budget()
        if target_list.origin == data_source.OFFLINE:
            self.show_message("AAVSO could not be reached; showing the last list it sent.")
        else:
            self.show_message(f"{len(target_list.targets)} targets fetched from AAVSO.")

    def _on_refresh_failed(self, exc: BaseException) -> None:
        self._update_budget()
        if self.target_list is not None and self.target_list.origin in (data_source.CACHED, data_source.SAMPLE):
            current = self.target_list.describe(self.display_tz())
            self.source_label.setText(f"offline · {current}")
        self.show_message(f"Refresh from AAVSO failed: {exc}", error=True)

    def _update_budget(self) -> None:
        self.budget_label.setText(data_source.describe_budget(data_source.rate_budget()))

    def run_crosscheck(self) -> None:
        """Compare local visibility with the API's answers carried by the list (cached or live)."""
        target_list = self.target_list
        answered = [t for t in (target_list.targets if target_list else []) if t.observability_times is not None]
        if not answered or target_list is None or target_list.fetched_at is None:
            QMessageBox.information(
                self, "Cross-check",
                "The cross-check compares the local visibility with the AAVSO API's answers, and the "
                "current list carries none (the bundled sample has no API answers).\n\n"
                "Set your AAVSO key in Tools > Settings and refresh from AAVSO first.")
            return
        self.crosscheck_runner.submit(run_crosscheck, answered, self.site, target_list.fetched_at,
                                      float(self.settings.crosscheck_tolerance_s), self.settings)

    def _on_crosscheck(self, report) -> None:
        if hasattr(self.crosscheck_panel, "set_report"):
            self.crosscheck_panel.set_report(report)
        self.model.set_differing(report.differing_names)
        self.crosscheck_badge.setText(report.summary())
        self.crosscheck_badge.show()
        if getattr(report, "differ_count", 0):
            self._show_dock(self.crosscheck_dock)

    def _on_crosscheck_failed(self, exc: BaseException) -> None:
        self.show_message(f"Cross-check failed: {exc}", error=True)

    def push_site_to_aavso(self, *args) -> None:
        """Store the local site and limits in the AAVSO account (the API's ``telescope``)."""
        if not data_source.aavso_key():
            self.refresh_from_aavso()  # explains how to set the key
            return
        answer = QMessageBox.question(
            self, "Send site to AAVSO",
            f"Store this site in your AAVSO Target Tool account?\n\n{self.site.describe()}\n"
            f"target altitude {self.site.target_altitude:g}°, sun altitude {self.site.sun_altitude:g}°")
        if answer != QMessageBox.StandardButton.Yes:
            return
        runner = LatestRunner("push site", self)
        runner.finished.connect(lambda _g, _r: self.show_message("Site stored at AAVSO; refresh to get matching times."))
        runner.failed.connect(lambda _g, exc: self.show_message(f"Could not store the site at AAVSO: {exc}", error=True))
        runner.submit(push_site, self.settings, self.site)
        self._push_runner = runner

    # == night, site, time zone ================================================================

    def tonight_date(self) -> _dt.date:
        """Evening date of the night following now (before 06:00 local, last evening's)."""
        local = _dt.datetime.fromtimestamp(self._clock(), self.site.tz)
        return (local - _dt.timedelta(hours=6)).date()

    def night_date(self) -> _dt.date:
        return self._night_date or self.tonight_date()

    def set_night_date(self, date: _dt.date | None) -> None:
        """Show the night starting on the evening of ``date`` (None or tonight's date: tonight)."""
        if date is not None and date == self.tonight_date():
            date = None
        if date == self._night_date:
            return
        self._night_date = date
        self._sync_date_edit()
        self.model.set_now(self.reference_time())
        self.recompute()

    def shift_night(self, days: int) -> None:
        self.set_night_date(self.night_date() + _dt.timedelta(days=days))

    def go_tonight(self) -> None:
        self.set_night_date(None)

    def _sync_date_edit(self) -> None:
        d = self.night_date()
        with QSignalBlocker(self.date_edit):
            self.date_edit.setDate(QDate(d.year, d.month, d.day))
        self.tonight_action.setEnabled(self._night_date is not None)

    def _on_date_edited(self, qdate: QDate) -> None:
        self.set_night_date(_dt.date(qdate.year(), qdate.month(), qdate.day()))

    def display_tz(self):
        return timezone.utc if self.utc_action.isChecked() else self.site.tz

    def _tz_label(self, short: bool = False) -> str:
        """"UTC", or the site zone's abbreviation at the selected night (with its name unless short)."""
        if self.utc_action.isChecked():
            return "UTC"
        abbreviation = _dt.datetime.fromtimestamp(self.reference_time(), self.site.tz).tzname() or ""
        if short and abbreviation and not abbreviation.startswith(("+", "-")):
            return abbreviation
        return f"{abbreviation} {self.site.timezone}".strip() if not short else self.site.timezone

    def _apply_time_zone(self) -> None:
        tz = self.display_tz()
        self.model.set_time_zone(tz)
        if hasattr(self.chart, "set_time_zone"):
            self.chart.set_time_zone(tz, self._tz_label())
        if hasattr(self.night_summary, "set_time_zone"):
            self.night_summary.set_time_zone(tz, self._tz_label(short=True))
        self._update_source_label()
        self._show_details()

    def _on_utc_toggled(self, on: bool) -> None:
        self.settings.show_utc = bool(on)
        self._save_settings_quietly()
        self._apply_time_zone()

    def _update_site_label(self) -> None:
        name = self.site.name or "Site"
        short = name if len(name) <= 28 else name[:27] + "…"
        self.site_button.setText(f"Site: {short}")
        self.site_button.setToolTip(f"{self.site.describe()}\nTime zone {self.site.timezone}; "
                                    f"altitude limit {self.site.target_altitude:g}°\nClick to change it in Settings.")

    def apply_settings(self, settings: Settings) -> None:
        """New settings from the dialog: site, limits, theme and time display follow."""
        old_site = self.site
        self.settings = settings
        try:
            self.site = settings.site()
        except SiteError as exc:
            self.show_message(f"The new site is not valid ({exc}); keeping the previous one.", error=True)
        self._update_site_label()
        for dock in (self.images_dock, self.solver_dock, self.arcsecond_dock):
            if dock is not None and hasattr(dock, "set_settings"):
                dock.set_settings(settings)
        self.apply_theme(settings.theme, save=False)
        with QSignalBlocker(self.utc_action):
            self.utc_action.setChecked(bool(settings.show_utc))
        self._apply_time_zone()
        if self.site != old_site:
            self.site_changed.emit(self.site)
            self._sync_date_edit()
            self.model.set_now(self.reference_time())
            self.recompute()

    def open_settings(self) -> None:
        dialog_cls = _optional("planner.ui.settings_dialog", "SettingsDialog")
        if dialog_cls is None:
            QMessageBox.information(self, "Settings", "The settings dialog is not available in this build.")
            return
        dialog = dialog_cls(self.settings, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.apply_settings(dialog.result_settings())

    def _save_settings_quietly(self) -> None:
        try:
            save_settings(self.settings)
        except OSError as exc:
            self.show_message(f"Settings could not be saved ({exc}).", error=True)

    # == theme =================================================================================

    def apply_theme(self, name: str, *, save: bool = True):
        from planner.ui.themes import THEME_NAMES, apply_theme

        if name not in THEME_NAMES:
            name = "light"
        app = QApplication.instance()
        theme = apply_theme(app, name)
        self._theme = theme
        self.theme_actions[name].setChecked(True)
        self._apply_icons(theme)
        from PySide6.QtGui import QColor

        self.model.set_accent_colors(QColor(theme.error), QColor(getattr(theme, "now", theme.error)))
        if hasattr(self.chart, "set_theme"):
            self.chart.set_theme(theme)
        if hasattr(self.night_summary, "set_theme"):
            self.night_summary.set_theme(theme)
        if save and self.settings.theme != name:
            self.settings.theme = name
            self._save_settings_quietly()
        return theme

    @property
    def theme(self):
        return self._theme

    def _apply_icons(self, theme) -> None:
        """Give the main actions their icons in the theme's colour (red in night mode)."""
        from planner.ui.icons import app_icon, icon
        from planner.ui.themes import themed_icon

        named = {
            "refresh": self.refresh_action,
            "previous": self.prev_night_action,
            "next": self.next_night_action,
            "calendar": self.tonight_action,
            "settings": self.settings_action,
            "add-to-plan": self.add_to_plan_action,
            "night-mode": self.theme_actions.get("night"),
        }
        for name, action in named.items():
            if action is not None:
                action.setIcon(themed_icon(icon(name), theme))
        self.setWindowIcon(app_icon())

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

    def _on_selection(self, indices: list) -> None:
        if hasattr(self.chart, "set_selection"):
            self.chart.set_selection(indices)
        self.selection_changed.emit(list(indices))
        self._show_details()
        self.target_selected.emit(self.current_target())

    def current_target(self) -> Target | None:
        indices = self.table.selected_target_indices()
        return self.model.targets[indices[0]] if indices else None

    def _show_details(self) -> None:
        self.details.show_target(self.current_target(), now=self.model.now, tz=self.display_tz())

    # == plan ==================================================================================

    def _plan_call(self, method: str) -> None:
        if self.plan_dock is None or not hasattr(self.plan_dock, method):
            return
        try:
            getattr(self.plan_dock, method)()
        except Exception as exc:  # noqa: BLE001 - a failed plan action must not take the window down
            self.show_message(f"Plan: {exc}", error=True)

    # -- recent plans -------------------------------------------------------------------------

    def recent_plans(self) -> list[str]:
        value = self._state.value(RECENT_PLANS_KEY, [])
        if isinstance(value, str):  # QSettings returns a lone string for a one-item list
            value = [value]
        return [str(v) for v in (value or []) if v]

    def remember_plan(self, path) -> None:
        path = str(Path(path).resolve())
        recent = [path] + [p for p in self.recent_plans() if p != path]
        self._state.setValue(RECENT_PLANS_KEY, recent[:MAX_RECENT_PLANS])

    def _forget_plan(self, path: str) -> None:
        self._state.setValue(RECENT_PLANS_KEY, [p for p in self.recent_plans() if p != path])

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
            menu.addAction("Clear list", lambda: self._state.setValue(RECENT_PLANS_KEY, []))

    def open_recent_plan(self, path: str) -> bool:
        if self.plan_dock is None:
            return False
        if not Path(path).is_file():
            self._forget_plan(path)
            self.show_message(f"{path} no longer exists; it was removed from the recent plans.", error=True)
            return False
        try:
            return bool(self.plan_dock.open_recent(path))
        except Exception as exc:  # noqa: BLE001 - a bad file is a message, never a crash
            QMessageBox.warning(self, "Open plan", str(exc))
            return False

    def add_selection_to_plan(self) -> None:
        if self.plan_dock is not None and hasattr(self.plan_dock, "add_targets"):
            self.plan_dock.add_targets(self.table.selected_targets())
            self._show_dock(self.plan_dock)

    def _on_plan_blocks(self, blocks) -> None:
        if hasattr(self.chart, "set_plan_blocks"):
            self.chart.set_plan_blocks(blocks)

    # == panels of other parts ================================================================

    def add_panel_dock(self, dock: QDockWidget, area=Qt.DockWidgetArea.RightDockWidgetArea) -> None:
        """Add another part's panel (reference images, plate solving...) as a dock with a View entry.

        Give the dock an ``objectName`` so that its place is remembered.
        """
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

    def show_message(self, text: str, *, error: bool = False, timeout_ms: int = 15_000) -> None:
        """A message in the status bar (errors stay longer and go to the log too)."""
        if error:
            log.warning("%s", text)
        self.statusBar().showMessage(text, timeout_ms * (2 if error else 1))

    def _update_source_label(self) -> None:
        if self.target_list is None:
            return
        self.source_label.setText(self.target_list.describe(self.display_tz()))
        tip = "Where the target list came from."
        if self.target_list.origin == data_source.SAMPLE:
            tip += " Set an AAVSO key in Settings and refresh to get the current list."
        self.source_label.setToolTip(tip)

    def _update_activity(self, *_args) -> None:
        jobs = []
        if self.sky_runner.busy:
            jobs.append("computing visibility")
        if self.refresh_runner.busy:
            jobs.append("refreshing from AAVSO")
        if self.crosscheck_runner.busy:
            jobs.append("cross-checking")
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
        s = self._state
        s.setValue("version", STATE_VERSION)
        s.setValue("geometry", self.saveGeometry())
        s.setValue("windowState", self.saveState(STATE_VERSION))
        s.setValue("splitter", self.splitter.saveState())
        s.setValue("tableHeader", self.table.horizontalHeader().saveState())
        s.setValue("sortColumn", self.model.sort_column)
        s.setValue("sortOrder", 1 if self.model.sort_order == Qt.SortOrder.DescendingOrder else 0)
        s.setValue("filters/sections", sorted(self.proxy.sections or []))
        s.setValue("filters/observable", self.observable_action.isChecked())
        s.setValue("filters/due", self.due_action.isChecked())
        s.sync()

    def restore_window_state(self) -> None:
        s = self._state
        if int(s.value("version", 0) or 0) != STATE_VERSION:
            return

        def as_bytes(key: str) -> QByteArray | None:
            value = s.value(key)
            return value if isinstance(value, QByteArray) and not value.isEmpty() else None

        if (geometry := as_bytes("geometry")) is not None:
            self.restoreGeometry(geometry)
        if (state := as_bytes("windowState")) is not None:
            self.restoreState(state, STATE_VERSION)
        if (splitter := as_bytes("splitter")) is not None:
            self.splitter.restoreState(splitter)
        if (header := as_bytes("tableHeader")) is not None:
            if not self.table.horizontalHeader().restoreState(header):
                self.table.apply_default_columns()
            self.table.setColumnHidden(COLUMN_INDEX["name"], False)
        try:
            column = int(s.value("sortColumn", -1))
            order = Qt.SortOrder.DescendingOrder if int(s.value("sortOrder", 0)) else Qt.SortOrder.AscendingOrder
        except (TypeError, ValueError):
            column, order = -1, Qt.SortOrder.AscendingOrder
        if 0 <= column < self.model.columnCount():
            self.table.sortByColumn(column, order)
        sections = s.value("filters/sections", [])
        if isinstance(sections, str):
            sections = [sections]
        sections = [c for c in (sections or []) if c in SECTION_NAMES]
        self.set_section_filter(sections or None)
        self.observable_action.setChecked(_as_bool(s.value("filters/observable", False)))
        self.due_action.setChecked(_as_bool(s.value("filters/due", False)))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt name)
        plan = self.plan_dock
        if plan is not None and hasattr(plan, "has_unsaved_changes") and plan.has_unsaved_changes():
            answer = QMessageBox.question(
                self, "Unsaved plan", "The night plan has unsaved changes. Save them before quitting?",
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel)
            if answer == QMessageBox.StandardButton.Cancel:
                event.ignore()
                return
            if answer == QMessageBox.StandardButton.Save:
                self._plan_call("save")
                if plan.has_unsaved_changes():  # the save was cancelled or failed
                    event.ignore()
                    return
        self.save_window_state()
        for runner in (self.load_runner, self.sky_runner, self.refresh_runner, self.crosscheck_runner):
            runner.cancel()
        super().closeEvent(event)


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("true", "1", "yes")
    return bool(value)


def run_crosscheck(targets: Sequence[Target], site: Site, when: float, tolerance_s: float, settings: Settings):
    """Worker body: local visibility at the moment AAVSO answered, compared with its answers."""
    from planner.sky.crosscheck import crosscheck_observability

    obs = compute_visibility(targets, site, when)
    api_night = None
    if data_source.aavso_key():
        try:
            from planner.services.aavso import AavsoClient

            api_night = AavsoClient.from_settings(settings).nighttime(
                latitude=site.latitude, longitude=site.longitude, sunaltitude=site.sun_altitude, time=when)
        except Exception as exc:  # noqa: BLE001 - the targets' comparison still stands without it
            log.info("AAVSO nighttime not available for the cross-check: %s", exc)
    return crosscheck_observability(obs, [t.star_name for t in targets], list(targets), api_night,
                                    tolerance_s=tolerance_s)


def push_site(settings: Settings, site: Site):
    """Worker body: store the site and limits as the AAVSO account's telescope."""
    from planner.services.aavso import AavsoClient

    return AavsoClient.from_settings(settings).set_telescope(
        site.latitude, site.longitude, site.target_altitude, site.sun_altitude)
