"""The window's problems: a status-bar button that keeps every problem until its condition
clears, with the whole text one click away.

A status-bar message is cut to the width of the bar and gone after a few seconds; a
service error says what happened *and what to do*, and the second half is the one a user
needs. So each problem is kept under a key ("aavso-refresh", "visibility"...) until the
window clears that key (the next refresh worked), or until the user dismisses it; the
button shows the newest one's beginning and how many there are, its tooltip every full
text, and a click opens them all (selectable, with the time each was seen in the window's
time zone and its label).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timezone, tzinfo
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from planner.formatting import format_clock

SHORT_CHARS = 60


@dataclass(frozen=True)
class Problem:
    key: str
    text: str
    seen: float  # unix, when it was (last) reported


class MessageArea(QToolButton):
    """Problems by key, newest first (see the module docstring). ``changed`` follows every
    report and clear."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, clock: Callable[[], float] = time.time,
                 zone: Callable[[], tuple[tzinfo, str]] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageArea")
        self.setAutoRaise(True)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setProperty("role", "error")
        self._clock = clock
        self._zone = zone or (lambda: (timezone.utc, "UTC"))
        self._problems: dict[str, Problem] = {}
        self.clicked.connect(self.show_all)
        self.dialog: QDialog | None = None
        self.refresh()

    # -- the problems ------------------------------------------------------------------

    def report(self, key: str, text: str) -> None:
        """Keep ``text`` under ``key`` (replacing what was there) until ``clear(key)``."""
        self._problems.pop(key, None)
        self._problems[key] = Problem(key, str(text), float(self._clock()))
        self.refresh()

    def clear(self, key: str) -> None:
        """The condition behind ``key`` is gone (the next attempt worked)."""
        if self._problems.pop(key, None) is not None:
            self.refresh()

    def clear_all(self) -> None:
        if self._problems:
            self._problems.clear()
            self.refresh()

    def problems(self) -> list[Problem]:
        """Newest first."""
        return list(reversed(self._problems.values()))

    def has(self, key: str) -> bool:
        return key in self._problems

    def text_of(self, key: str) -> str | None:
        problem = self._problems.get(key)
        return None if problem is None else problem.text

    def full_text(self) -> str:
        """Every problem in full, newest first, each with the time it was seen."""
        tz, label = self._zone()
        return "\n\n".join(f"{format_clock(p.seen, tz)} {label}: {p.text}" for p in self.problems())

    # -- showing -----------------------------------------------------------------------

    def refresh(self) -> None:
        problems = self.problems()
        self.setVisible(bool(problems))
        if problems:
            head = " ".join(problems[0].text.split())  # one line: a taller status bar moves the window's layout
            short = head if len(head) <= SHORT_CHARS else head[: SHORT_CHARS - 1].rstrip() + "…"
            more = f"  (+{len(problems) - 1})" if len(problems) > 1 else ""
            self.setText(f"⚠ {short}{more}")
            self.setToolTip(self.full_text() + "\n\nClick to see them all; they stay until the problem is gone.")
        else:
            self.setText("")
            self.setToolTip("")
        self.changed.emit()

    def show_all(self) -> None:
        """Every problem in a dialog the user can read, select and copy, and dismiss."""
        dialog = QDialog(self.window())
        dialog.setObjectName("messagesDialog")
        dialog.setWindowTitle("Problems")
        layout = QVBoxLayout(dialog)
        text = QPlainTextEdit(dialog)
        text.setObjectName("messagesText")
        text.setReadOnly(True)
        text.setPlainText(self.full_text() or "No problems.")
        layout.addWidget(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        dismiss = buttons.addButton("Dismiss all", QDialogButtonBox.ButtonRole.DestructiveRole)
        dismiss.setToolTip("Forget these; a problem that is still there comes back the next time it is seen")
        dismiss.clicked.connect(lambda: (self.clear_all(), dialog.accept()))
        buttons.rejected.connect(dialog.reject)
        layout.addWidget(buttons)
        dialog.resize(560, 280)
        self.dialog = dialog
        dialog.open()
