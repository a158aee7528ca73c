"""Opening the reference-images dock shows a placeholder in the tab shown (AstroBin) and
builds that tab's widgets after the placeholder is painted and the event loop has turned
(the window's relayout and the build fall in different turns); the NASA tab's widgets wait
for its first showing: one tab's widgets per turn. A target selected meanwhile is not lost: the NASA tab fills its
query and searches when shown."""

from __future__ import annotations

from planner.ui.images_panel import ReferenceImagesDock
from tests.image_services import FakeNasa, server  # noqa: F401 (server: a fixture)
from tests.ui.test_images_panel import SS_CYG, make_dock, wait_settled


def test_the_hidden_tab_is_built_when_first_shown_and_searches_for_the_target(qtbot, server):
    FakeNasa(server)
    dock = make_dock(qtbot, server)
    qtbot.waitUntil(lambda: dock.astrobin.built, timeout=60_000)
    assert not dock.nasa.built
    assert "query_edit" not in vars(dock.nasa)  # no widgets of its own yet
    dock.set_target(SS_CYG)  # the AstroBin tab is shown: it searches; the NASA tab waits
    assert not dock.nasa.built
    dock.tabs.setCurrentWidget(dock.nasa)
    qtbot.waitUntil(lambda: dock.nasa.built, timeout=60_000)
    assert dock.nasa.query_edit.currentText() == "SS Cyg"
    wait_settled(qtbot, dock.nasa)
    assert dock.nasa.model.rowCount() > 0


def test_the_tab_shown_first_paints_a_placeholder_and_builds_in_a_later_turn(qtbot):
    from PySide6.QtWidgets import QLabel

    dock = ReferenceImagesDock()
    qtbot.addWidget(dock)
    dock.resize(700, 800)
    dock.show()  # what a click on the dock's tab does
    tab = dock.astrobin
    assert not tab.built  # not in the turn that lays out and paints the dock
    placeholder = [w for w in tab.findChildren(QLabel) if w.isVisible()]
    assert [w.text() for w in placeholder] == ["Opening AstroBin…"]
    qtbot.waitUntil(lambda: tab.built, timeout=60_000)
    # the layout shows widgets added to a visible tab in a queued call: the next turn, not this one
    qtbot.waitUntil(lambda: tab.query_edit.isVisible() and tab.view.isVisible(), timeout=60_000)
    assert "Opening AstroBin…" not in [w.text() for w in tab.findChildren(QLabel)]  # gone
    assert not dock.nasa.built


def test_asking_a_tab_not_built_for_a_widget_builds_it(qtbot):
    dock = ReferenceImagesDock()
    qtbot.addWidget(dock)
    assert not dock.nasa.built
    assert dock.nasa.album_edit.placeholderText()  # built on the way
    assert dock.nasa.built
    assert dock.nasa.message_label.text() == "Select a target to see reference images."


def test_a_tab_built_in_night_mode_is_filtered_like_its_sibling(qtbot):
    from planner.ui.night_filter import SHOWS_IMAGE, NightFilter, apply_night_filter

    dock = ReferenceImagesDock()
    qtbot.addWidget(dock)
    apply_night_filter(dock, True)  # what the window does for night mode
    dock.tabs.setCurrentWidget(dock.nasa)  # built now, after the switch
    marked = [w for w in dock.nasa.findChildren(type(dock.nasa.view)) if w.property(SHOWS_IMAGE)]
    marked += [w for w in (dock.nasa.view.viewport(), dock.nasa.detail_image) if w.property(SHOWS_IMAGE)]
    assert marked and all(isinstance(w.graphicsEffect(), NightFilter) for w in marked)


def test_tabs_built_after_night_mode_was_switched_on_before_either_was_built_are_filtered(qtbot):
    from planner.ui.night_filter import SHOWS_IMAGE, NightFilter, apply_night_filter

    dock = ReferenceImagesDock()
    qtbot.addWidget(dock)
    assert not dock.astrobin.built and not dock.nasa.built  # no picture of either exists yet
    apply_night_filter(dock, True)
    dock.show()
    qtbot.waitUntil(lambda: dock.astrobin.built, timeout=60_000)
    dock.tabs.setCurrentWidget(dock.nasa)
    qtbot.waitUntil(lambda: dock.nasa.built, timeout=60_000)
    for tab in (dock.astrobin, dock.nasa):
        marked = [w for w in (tab.view.viewport(), tab.detail_image) if w.property(SHOWS_IMAGE)]
        assert len(marked) == 2 and all(isinstance(w.graphicsEffect(), NightFilter) for w in marked)


def test_the_build_waits_for_the_placeholders_paint_and_a_turn_of_the_event_loop(qtbot, monkeypatch):
    """The build is asked when the placeholder is painted and runs on a timer after it, so
    the event loop's other timers run in between (a call posted from the show, or from the
    paint, ran in the same turn as the window's repaint: one stall of both)."""
    from PySide6.QtCore import Qt, QTimer

    from planner.ui import image_tab

    order = []
    real_paint, real_build = image_tab._Placeholder.paintEvent, image_tab.SourceTab.build

    def paint(self, event):
        real_paint(self, event)
        order.append("placeholder painted")

    def build(self):
        if not self.built:
            order.append("built")
        real_build(self)

    monkeypatch.setattr(image_tab._Placeholder, "paintEvent", paint)
    monkeypatch.setattr(image_tab.SourceTab, "build", build)
    ticker = QTimer()
    ticker.setTimerType(Qt.TimerType.PreciseTimer)
    ticker.setInterval(5)
    ticker.timeout.connect(lambda: order.append("tick") if order and order[-1] != "tick" else None)
    dock = ReferenceImagesDock()
    qtbot.addWidget(dock)
    dock.resize(700, 800)
    ticker.start()
    dock.show()
    qtbot.waitUntil(lambda: dock.astrobin.built, timeout=60_000)
    ticker.stop()
    painted = order.index("placeholder painted")
    assert order.index("built") > painted + 1, order  # a tick of the loop between the paint and the build
    assert "tick" in order[painted:order.index("built")]


def test_a_tab_shown_but_never_painted_is_built_anyway(qtbot, monkeypatch):
    from planner.ui import image_tab

    monkeypatch.setattr(image_tab._Placeholder, "paintEvent", lambda self, event: None)  # covered, never drawn
    dock = ReferenceImagesDock()
    qtbot.addWidget(dock)
    dock.show()
    qtbot.waitUntil(lambda: dock.astrobin.built, timeout=60_000)
    qtbot.waitUntil(lambda: dock.astrobin.query_edit.isVisible(), timeout=60_000)  # shown in a queued call
