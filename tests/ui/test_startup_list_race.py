"""The start-up list loads in a worker after the first paint; a list shown before it
arrives (opened, dropped, set by a script or a test) is newer and must stay: the start-up
list arriving late must not replace it. (Under load the bundled sample took longer than
the stall benchmark's own 2,000 targets, replaced them, and its waits never ended.)"""

from __future__ import annotations

import threading

from planner.app import targets as target_lists
from planner.app.targets import SAMPLE, TargetList
from tests.ui.conftest import make_targets


def test_a_list_shown_before_the_start_up_list_arrives_stays(qtbot, monkeypatch):
    from planner.ui.main_window import MainWindow

    started, release = threading.Event(), threading.Event()
    real_load = target_lists.load_startup_list

    def slow_start_up_list(*args, **kwargs):
        started.set()
        release.wait(60)  # held until the other list is on screen: the order is fixed, not timed
        return real_load(*args, **kwargs)

    monkeypatch.setattr(target_lists, "load_startup_list", slow_start_up_list)
    window = MainWindow(auto_start=False)
    qtbot.addWidget(window)
    window.start()
    qtbot.waitUntil(started.is_set, timeout=60_000)
    mine = make_targets(7)
    window.set_target_list(TargetList(mine, SAMPLE))
    release.set()
    qtbot.waitUntil(lambda: window.load_runner.running == 0, timeout=60_000)  # the late answer was handled
    qtbot.wait(0)
    assert [t.star_name for t in window.night_state.targets] == [t.star_name for t in mine]
    assert window.model.rowCount() == 7
