"""Night mode lets no green or blue light through (issue 17 item 4), checked on what the
window really paints: after View > Night mode every pixel of the table, the toolbar, the
status bar and the Details dock (links, the sparkline) must be a dark-adaptation-safe red
(``themes.is_night_safe``), including what was drawn in the light theme before the switch."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QToolBar

from planner.ui.columns import COLUMN_INDEX
from tests.ui.pixels import unsafe_colours
from tests.ui.test_main_window import ASC, close_windows, open_window  # noqa: F401 - the fixture


def test_after_the_switch_the_window_paints_only_red_on_black(qtbot):
    window = open_window(qtbot)
    window.table.sortByColumn(COLUMN_INDEX["name"], ASC)
    window.table.select_target_indices([2, 5])
    qtbot.waitUntil(lambda: "VSX" in window.details.toPlainText(), timeout=60_000)
    window.theme_actions["night"].trigger()  # View > Night mode
    QCoreApplication.processEvents()
    parts = {"table": window.table, "details": window.details,
             "status bar": window.statusBar(), "toolbar": window.findChild(QToolBar)}
    try:
        qtbot.waitUntil(lambda: not any(unsafe_colours(w) for w in parts.values()), timeout=60_000)
    except qtbot.TimeoutError:
        found = {name: unsafe_colours(w)[:8] for name, w in parts.items()}
        raise AssertionError({name: colours for name, colours in found.items() if colours}) from None
    finally:
        window.apply_theme("light")
