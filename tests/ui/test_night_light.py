"""Night mode lets no green or blue light through (issue 17 item 4), checked on what the
window really paints: after View > Night mode every pixel of the table, the toolbar, the
status bar and the Details dock (links, the sparkline) must be a dark-adaptation-safe red
(``themes.is_night_safe``), including what was drawn in the light theme before the switch."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QToolBar

from planner.ui.columns import COLUMN_INDEX
from planner.ui.themes import is_night_safe
from tests.ui.test_main_window import ASC, close_windows, open_window  # noqa: F401 - the fixture

def _unsafe(widget) -> list[tuple[int, int, int]]:
    image = widget.grab().toImage()
    out = set()
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            c = image.pixelColor(x, y)
            if not is_night_safe(c):
                out.add((c.red(), c.green(), c.blue()))
    return sorted(out)


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
        qtbot.waitUntil(lambda: not any(_unsafe(w) for w in parts.values()), timeout=60_000)
    except qtbot.TimeoutError:
        raise AssertionError({name: _unsafe(w)[:8] for name, w in parts.items() if _unsafe(w)}) from None
    finally:
        window.apply_theme("light")
