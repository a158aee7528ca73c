"""The window imports what it needs later (``planner.app.warmup``) once its start-up is over:
in a worker thread, after the start-up list's visibility is shown, and once only."""

from __future__ import annotations

import threading

from planner.ui import window_jobs


def test_the_warm_up_runs_once_in_a_worker_after_the_start_up_list_is_shown(qtbot, monkeypatch):
    from planner.ui.main_window import MainWindow

    calls = []

    def recorder():
        calls.append((threading.current_thread() is threading.main_thread(), window.is_ready))
        return []

    monkeypatch.setattr(window_jobs, "warm_up", recorder)
    window = MainWindow(auto_start=False)
    qtbot.addWidget(window)
    assert calls == []  # nothing before the start-up
    window.start()
    qtbot.waitUntil(lambda: window.is_ready, timeout=60_000)
    qtbot.waitUntil(lambda: bool(calls) and not window.warmup_runner.busy, timeout=60_000)
    assert calls == [(False, True)]  # off the GUI thread, with the window ready
    window.shift_night(+1)  # a second visibility: no second warm-up
    qtbot.waitUntil(lambda: not window.sky_runner.busy, timeout=60_000)
    qtbot.wait(0)
    assert len(calls) == 1
