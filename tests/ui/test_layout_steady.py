"""Issue 17 item 13: nothing in the window jumps when its data arrives. The geometry of the
central area, the chart, the docks, the table's columns and the status bar's parts is the same before the list,
its visibility and the first chart arrive as after, and a message in the status bar does
not make the bar taller (which shrank the table and chart by 13 px, measured offscreen).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QDockWidget

from planner.ui.main_window import MainWindow
from tests.ui.test_main_window import close_windows, open_window  # noqa: F401 - close_windows is autouse


@pytest.fixture
def window(qtbot) -> MainWindow:
    """A window on screen that has not started: no list, no visibility, no chart yet."""
    window = open_window(qtbot, auto_start=False)
    qtbot.waitExposed(window)
    settle()
    return window


def settle() -> None:
    """Run the layouts Qt has been asked for (they are posted events), then what they post."""
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        QCoreApplication.processEvents()


def layout_of(window: MainWindow) -> dict[str, tuple[int, int, int, int]]:
    def rect(widget):
        g = widget.geometry()
        return g.x(), g.y(), g.width(), g.height()

    places = {"central": rect(window.centralWidget()), "chart": rect(window.chart),
              "chart view": rect(window.chart.view), "summary": rect(window.night_summary),
              "status bar": rect(window.statusBar()), "count": rect(window.count_label),
              "source": rect(window.source_label), "budget": rect(window.budget_label)}
    header = window.table.horizontalHeader()
    places["columns"] = tuple(header.sectionSize(i) for i in range(header.count()))  # type: ignore[assignment]
    for dock in window.findChildren(QDockWidget):
        if dock.isVisible():
            places[f"dock {dock.objectName()}"] = rect(dock)
    return places


def test_nothing_moves_when_the_list_its_visibility_and_the_chart_arrive(qtbot, window):
    before = layout_of(window)
    window.start()
    qtbot.waitUntil(lambda: window.is_ready and not window.sky_runner.busy and window.observability is not None,
                    timeout=180_000)
    window.night_state.set_selection([0, 1])
    qtbot.waitUntil(lambda: window.chart.shown is not None and window.chart.shown.state.obs is not None
                    and window.chart.is_idle(), timeout=180_000)
    settle()
    assert window.count_label.text() and window.source_label.text() == "bundled sample"
    after = layout_of(window)
    moved = {name: (before[name], after.get(name)) for name in before if before[name] != after.get(name)}
    assert not moved


def test_a_message_does_not_make_the_status_bar_taller(window):
    before = layout_of(window)
    # an error's text as a service or a worker gives it: several lines
    window.show_message("AAVSO did not answer (HTTP 503):\n  Service Unavailable\n\nThe list shown is the "
                        "cached one; try Refresh (F5) later.", error=True, key="test")
    settle()
    assert window.messages.isVisible()
    after = layout_of(window)
    assert after["status bar"] == before["status bar"]
    assert after["central"] == before["central"]
    assert "\n" not in window.messages.text() and "Service Unavailable" in window.messages.text()
    assert "\n  Service Unavailable\n" in window.messages.full_text()  # whole, one click away
    window.messages.clear("test")
    settle()
    assert layout_of(window)["central"] == before["central"]
