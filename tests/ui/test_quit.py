"""Quitting by a signal is quitting by File > Quit: SIGTERM (and Ctrl+C) close the window
through the event loop, so an unsaved plan gets the quit prompt, and Cancel keeps the
window open. The signal is sent to this test process, whose handlers QuitOnSignals
replaces for the test and puts back after it."""

from __future__ import annotations

import os
import signal

import pytest
from PySide6.QtWidgets import QMessageBox

from planner.ui.app import QuitOnSignals
from planner.ui.main_window import MainWindow
from tests.ui.conftest import make_targets


@pytest.fixture
def unsaved_window(qtbot):
    window = MainWindow(auto_start=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.plan_dock.add_targets(make_targets(2))
    assert window.plan_dock.has_unsaved_changes()
    quitter = QuitOnSignals(window)
    yield window
    quitter.uninstall()


@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT"])
def test_a_signal_asks_about_the_unsaved_plan_and_cancel_stays(qtbot, monkeypatch, unsaved_window, how):
    asked = []

    def question(parent, title, text, *args, **kwargs):
        asked.append(title)
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    os.kill(os.getpid(), getattr(signal, how))
    qtbot.waitUntil(lambda: bool(asked), timeout=60_000)
    assert asked == ["Unsaved plan"]
    assert unsaved_window.isVisible() and unsaved_window.plan_dock.has_unsaved_changes()


def test_a_signal_with_discard_closes_the_window(qtbot, monkeypatch, unsaved_window):
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard))
    os.kill(os.getpid(), signal.SIGTERM)
    qtbot.waitUntil(lambda: not unsaved_window.isVisible(), timeout=60_000)
