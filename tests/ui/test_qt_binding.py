"""The Qt binding must not leak references: PySide6 6.12.0 dropped one reference to None on
every void call, and Python aborted after a few thousand (an evening of use)."""

from __future__ import annotations

import sys


def test_void_qt_calls_keep_none_alive(qtbot):
    from PySide6.QtWidgets import QLabel

    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("x")
    # Other threads may hold or release a few references meanwhile; a leak is one per call.
    assert abs(sys.getrefcount(None) - before) < 100
