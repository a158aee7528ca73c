"""LatestRunner: only the newest job's answer is delivered, and a job outliving its owner
is dropped quietly."""

from __future__ import annotations

import threading

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QThreadPool

from planner.ui.workers import LatestRunner


def _slow(value, gate: threading.Event):
    gate.wait(5)
    return value


def test_only_the_newest_answer_arrives(qtbot):
    runner = LatestRunner("test")
    got = []
    runner.finished.connect(lambda g, result: got.append(result))
    first_gate, second_gate = threading.Event(), threading.Event()
    runner.submit(_slow, "old night", first_gate)
    runner.submit(_slow, "new night", second_gate)
    assert runner.busy
    second_gate.set()
    qtbot.waitUntil(lambda: got == ["new night"], timeout=60_000)
    first_gate.set()  # the superseded job ends late; its answer is dropped
    qtbot.waitUntil(lambda: runner.running == 0, timeout=60_000)  # both jobs have ended and been handled
    assert got == ["new night"]
    qtbot.waitUntil(lambda: not runner.busy, timeout=60_000)


def test_failures_reach_failed_with_the_exception(qtbot):
    runner = LatestRunner("test")
    with qtbot.waitSignal(runner.failed, timeout=60_000) as blocker:
        runner.submit(lambda: 1 / 0)
    assert isinstance(blocker.args[1], ZeroDivisionError)


def test_a_job_that_outlives_its_owner_is_dropped_quietly(qtbot):
    """Closing a dialog while its request runs must not raise 'Signal source has been deleted'
    in the event loop (pytest-qt fails the test on any exception there)."""
    owner = QObject()
    runner = LatestRunner("dialog job", owner)
    gate = threading.Event()
    runner.submit(_slow, "late answer", gate)
    owner.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gate.set()
    assert QThreadPool.globalInstance().waitForDone(30_000)  # the job has ended...
    QCoreApplication.processEvents()  # ...and what it sent back is handled: dropped, quietly
