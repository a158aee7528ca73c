"""The main window's actions, menus and toolbar (what the user clicks), and the toolbar's
filters (search, sections, observable, due, events) and the About box, kept apart from
``planner.ui.main_window`` (what happens then). A mixin of ``MainWindow``: the slots it
connects are the window's methods; the status bar is ``planner.ui.window_status``.
"""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QActionGroup, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QDateEdit,
    QLineEdit,
    QMenu,
    QMessageBox,
    QToolBar,
    QToolButton,
)

from planner import APP_DISPLAY_NAME, __version__
from planner.catalog.target import SECTION_NAMES
from planner.ui.icons import app_icon, icon
from planner.ui.themes import themed_icon

SEARCH_DEBOUNCE_MS = 250

SERVICE_PAGES = (
    ("AAVSO Target Tool", "https://targettool.aavso.org/"),
    ("AAVSO Variable Star Index (VSX)", "https://www.aavso.org/vsx/"),
    ("AstroBin", "https://www.astrobin.com/"),
    ("NASA Image and Video Library", "https://images.nasa.gov/"),
    ("nova.astrometry.net", "https://nova.astrometry.net/"),
    ("Arcsecond", "https://www.arcsecond.io/"),
)


class WindowActions:
    """Builds the window's actions, menus and toolbar, and applies its filters (mixed into MainWindow)."""

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
        plan = self.plan_dock
        self.new_plan_action = self._act("&New plan", lambda: self._plan_call(plan.new_plan), SK.New)
        self.open_plan_action = self._act("&Open plan…", lambda: self._plan_call(plan.open_plan), SK.Open)
        self.save_plan_action = self._act("&Save plan", lambda: self._plan_call(plan.save), SK.Save)
        self.save_plan_as_action = self._act("Save plan &as…", lambda: self._plan_call(plan.save_as), SK.SaveAs)
        self.export_plan_action = self._act("&Export plan…", lambda: self._plan_call(plan.export), "Ctrl+E")
        self.add_to_plan_action = self._act("Add selected to &plan", self.add_selection_to_plan, "Ctrl+P",
                                            tip="Add the selected targets to tonight's plan")
        self.add_events_to_plan_action = self._act(
            "Add selected targets' &events to plan", self.add_selected_events_to_plan, "Ctrl+Shift+P",
            tip="Add tonight's minimum, transit or maximum of each selected target as a block fixed in time "
                "(margins in Settings > Events)")
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
        self.events_action = self._act("Events", self._on_events_toggled, checkable=True,
                                       tip="Only targets with a minimum, transit or maximum tonight that can be "
                                           "watched, fully or in part (docs/events.md)")
        self.about_action = self._act("&About", self.show_about)

    def _on_events_toggled(self, on: bool) -> None:
        self.proxy.set_events_only(on)

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

    def show_about(self) -> None:
        QMessageBox.about(
            self, f"About {APP_DISPLAY_NAME}",
            f"<h3>{APP_DISPLAY_NAME} {__version__}</h3>"
            "<p>Plans variable-star observing nights: AAVSO Target Tool targets, local visibility, "
            "reference images, plate solving and night plans.</p>"
            "<p>Works offline with the last list it fetched or the bundled sample.</p>")

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        file.addAction(self.new_plan_action)
        file.addAction(self.open_plan_action)
        self.recent_menu = file.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        for action in (self.save_plan_action, self.save_plan_as_action, self.export_plan_action):
            file.addAction(action)
        file.addSeparator()
        file.addAction(self.quit_action)

        edit = bar.addMenu("&Edit")
        edit.addAction(self.table.copy_action)
        edit.addAction(self.find_action)
        edit.addAction(self.add_to_plan_action)
        edit.addAction(self.add_events_to_plan_action)

        view = self.view_menu = bar.addMenu("&View")
        self.panels_menu = view.addMenu("&Panels")
        for dock in self._docks:
            self.panels_menu.addAction(dock.toggleViewAction())
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
        bar.addAction(self.events_action)
        self._update_section_button()

    def _apply_icons(self, theme) -> None:
        """Give the main actions their icons in the theme's colour (red in night mode)."""
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

