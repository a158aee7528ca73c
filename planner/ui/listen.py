"""Qt widgets listening to the Qt-free ``NightState``: ``listen(widget, signal, slot)``
connects a psygnal signal to a slot for as long as the widget lives (a deleted widget is
disconnected, so the state never calls into a dead C++ object)."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject


def listen(widget: QObject, signal: Any, slot: Callable[..., Any]) -> None:
    signal.connect(slot)
    widget.destroyed.connect(lambda *_: signal.disconnect(slot, missing_ok=True))
