"""The main window's docks: every dock of ``planner.ui.docks.DOCKS`` built (or left pending
until first shown) and put in its place, the lazy ones built on demand by ``panel()``, and
panels made elsewhere added with a View entry. A mixin of ``planner.ui.main_window.MainWindow``.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDockWidget

from planner import timeline
from planner.ui.docks import DOCKS, PendingDock
from planner.ui.night_filter import apply_night_filter

log = logging.getLogger(__name__)


class WindowDocks:
    """Builds and finds the window's docks (mixed into MainWindow)."""

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

