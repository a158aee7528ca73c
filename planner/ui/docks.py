"""The window's docks, registered in one list (``DOCKS``): what each is, where it goes,
and how it is built from the night's state.

Every dock gets the ``NightState`` in its constructor and listens to it; the window builds
them in this order, adds a View > Panels entry for each and tabs those that ask for it
with the Details dock. A new dock is a module with its class plus one ``DockSpec`` here
(see docs/architecture.md); the window needs no other change unless the dock talks to
another dock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from planner.app.state import NightState
from planner.ui.arcsecond_panel import ArcsecondDock
from planner.ui.crosscheck_panel import CrossCheckPanel
from planner.ui.images_panel import ReferenceImagesDock
from planner.ui.plan_dock import PlanDock
from planner.ui.solver_panel import PlateSolveDock
from planner.ui.targets_view import TargetDetails

RIGHT = Qt.DockWidgetArea.RightDockWidgetArea
BOTTOM = Qt.DockWidgetArea.BottomDockWidgetArea


@dataclass(frozen=True)
class DockSpec:
    """One dock of the window.

    ``build(state, parent)`` returns the dock (a ``QDockWidget``) or a plain widget the
    window puts in one titled ``title``. ``attribute`` is the window attribute it is kept
    in; ``object_name`` is what its place is remembered by. ``tab_with_details`` puts it
    in the tab group of the Details dock; ``hidden`` docks start closed. ``messages``:
    it has a ``message(str)`` signal for the status bar. ``optional``: a failure to build
    it leaves it out with a message instead of stopping the window.
    """

    attribute: str
    title: str
    object_name: str
    build: Callable[[NightState, QWidget], QWidget]
    area: Qt.DockWidgetArea = RIGHT
    tab_with_details: bool = True
    hidden: bool = False
    messages: bool = True
    optional: bool = False


DOCKS: tuple[DockSpec, ...] = (
    DockSpec("details_dock", "Details", "detailsDock",
             lambda state, parent: TargetDetails(parent, state=state), tab_with_details=False, messages=False),
    DockSpec("crosscheck_dock", "Cross-check", "crosscheckDock",
             lambda state, parent: CrossCheckPanel(parent, state=state), area=BOTTOM, tab_with_details=False,
             hidden=True, messages=False),
    DockSpec("plan_dock", "Plan", "planDock", lambda state, parent: PlanDock(parent, state=state)),
    DockSpec("images_dock", "Reference images", "referenceImagesDock",
             lambda state, parent: ReferenceImagesDock(parent, state=state), optional=True),
    DockSpec("solver_dock", "Plate solving", "plateSolveDock",
             lambda state, parent: PlateSolveDock(parent, state=state), optional=True),
    DockSpec("arcsecond_dock", "Arcsecond", "arcsecondDock",
             lambda state, parent: ArcsecondDock(parent, state=state), optional=True),
)
