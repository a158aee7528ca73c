"""The window's docks, registered in one list (``DOCKS``): what each is, where it goes,
and how it is built from the night's state.

Every dock gets the ``NightState`` in its constructor and listens to it; the window places
them in this order, adds a View > Panels entry for each and tabs those that ask for it
with the Details dock. A new dock is a module with its class plus one ``DockSpec`` here
(see docs/architecture.md); the window needs no other change unless the dock talks to
another dock.

Docks are **lazy by default**: until a dock is first shown, an empty ``PendingDock`` of the
same name holds its place (so the saved layout applies to it), and its module is imported
and its panel built only then, after the window's first paint. A dock's ``build`` therefore
imports its module inside the function. ``lazy=False`` is for the docks the window needs
from the start (the Details dock on screen, the Plan dock behind File > Save).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QWidget

from planner.app.state import NightState

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
    it leaves it out with a message instead of stopping the window. ``lazy``: built when
    first shown (see the module docstring).
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
    lazy: bool = True


class PendingDock(QDockWidget):
    """Holds a lazy dock's place (name, title, area, tab) until it is first shown."""

    def __init__(self, spec: DockSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec.title, parent)
        self.spec = spec
        self.setObjectName(spec.object_name)
        self.setAllowedAreas(Qt.DockWidgetArea.AllDockWidgetAreas)
        label = QLabel(f"Opening {spec.title}…", self)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWidget(label)


# Each builder imports its dock's module when called: a lazy dock's module loads when the
# dock is first shown, not before the window's first paint.

def _details(state: NightState, parent: QWidget) -> QWidget:
    from planner.ui.details_pane import DetailsPane  # the target's details and its AAVSO chart

    return DetailsPane(parent, state=state)


def _crosscheck(state: NightState, parent: QWidget) -> QWidget:
    from planner.ui.crosscheck_panel import CrossCheckPanel

    return CrossCheckPanel(parent, state=state)


def _plan(state: NightState, parent: QWidget) -> QWidget:
    from planner.ui.plan_dock import PlanDock

    return PlanDock(parent, state=state)


def _outlook(state: NightState, parent: QWidget) -> QWidget:
    from planner.ui.outlook_dock import OutlookDock

    return OutlookDock(parent, state=state)


def _images(state: NightState, parent: QWidget) -> QWidget:
    from planner.ui.images_panel import ReferenceImagesDock

    return ReferenceImagesDock(parent, state=state)


def _solver(state: NightState, parent: QWidget) -> QWidget:
    from planner.ui.solver_panel import PlateSolveDock

    return PlateSolveDock(parent, state=state)


def _arcsecond(state: NightState, parent: QWidget) -> QWidget:
    from planner.ui.arcsecond_panel import ArcsecondDock

    return ArcsecondDock(parent, state=state)


DOCKS: tuple[DockSpec, ...] = (
    DockSpec("details_dock", "Details", "detailsDock", _details, tab_with_details=False, messages=False,
             lazy=False),
    DockSpec("crosscheck_dock", "Cross-check", "crosscheckDock", _crosscheck, area=BOTTOM,
             tab_with_details=False, hidden=True, messages=False, lazy=False),
    DockSpec("plan_dock", "Plan", "planDock", _plan, lazy=False),
    DockSpec("outlook_dock", "Outlook", "outlookDock", _outlook, area=BOTTOM, tab_with_details=False, hidden=True),
    DockSpec("images_dock", "Reference images", "referenceImagesDock", _images, optional=True),
    DockSpec("solver_dock", "Plate solving", "plateSolveDock", _solver, optional=True),
    DockSpec("arcsecond_dock", "Arcsecond", "arcsecondDock", _arcsecond, optional=True),
)
