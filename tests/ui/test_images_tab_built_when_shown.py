"""Opening the reference-images dock builds the tab shown (AstroBin) and leaves the NASA tab's
widgets for its first showing: one tab's widgets per turn of the event loop. A target
selected meanwhile is not lost: the NASA tab fills its query and searches when shown."""

from __future__ import annotations

from planner.ui.images_panel import ReferenceImagesDock
from tests.image_services import FakeNasa, server  # noqa: F401 (server: a fixture)
from tests.ui.test_images_panel import SS_CYG, make_dock, wait_settled


def test_the_hidden_tab_is_built_when_first_shown_and_searches_for_the_target(qtbot, server):
    FakeNasa(server)
    dock = make_dock(qtbot, server)
    assert dock.astrobin.built and not dock.nasa.built
    assert "query_edit" not in vars(dock.nasa)  # no widgets of its own yet
    dock.set_target(SS_CYG)  # the AstroBin tab is shown: it searches; the NASA tab waits
    assert not dock.nasa.built
    dock.tabs.setCurrentWidget(dock.nasa)
    assert dock.nasa.built
    assert dock.nasa.query_edit.currentText() == "SS Cyg"
    wait_settled(qtbot, dock.nasa)
    assert dock.nasa.model.rowCount() > 0


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
