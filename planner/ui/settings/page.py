"""What every Settings page is: a ``SettingsPage`` (one tab), and the field-with-message the
pages mark bad values with.

A page is built as ``Page(settings)`` and shows its part of them. ``changed`` fires when
anything on it is edited (the dialog then checks every page); ``errors()`` marks its own bad
fields and returns one sentence per problem (OK stays disabled while any page has one);
``apply(settings)`` returns the settings with the page's values (called only when no page
has errors). ``after_save(tell)`` stores what lives outside the settings file (the keys,
in the OS keyring) once the file is saved, telling the user through ``tell(kind, title,
text)``; False keeps the dialog open. ``stop()`` cancels the page's workers when the dialog
closes. ``KEY`` names the page for ``SettingsDialog.page(KEY)``, ``TITLE`` is its tab;
``SCROLLS`` puts it in a scroll area (a page that can grow).
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from planner.config import Settings

Tell = Callable[[str, str, str], None]  # (kind: information | warning, title, text)


class SettingsPage(QWidget):
    KEY = ""
    TITLE = ""
    SCROLLS = False

    changed = Signal()

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.original = settings

    def errors(self) -> list[str]:
        return []

    def apply(self, settings: Settings) -> Settings:
        return settings

    def after_save(self, tell: Tell) -> bool:
        return True

    def stop(self) -> None:
        """Cancel whatever the page still has running (the dialog is closing)."""


class Field:
    """A line edit with the message line under it."""

    def __init__(self, edit: QLineEdit, message: QLabel | None = None):
        self.edit = edit
        self.message = message if message is not None else message_label()
        self.error: str = ""

    def set_error(self, error: str) -> None:
        self.error = error
        self.message.setText(error)
        self.message.setVisible(bool(error))
        self.edit.setProperty("invalid", bool(error))
        self.edit.setToolTip(error)
        repolish(self.edit)  # so the stylesheet's [invalid="true"] border follows the property

    def with_message(self, edit_or_line: QWidget | None = None) -> QWidget:
        """The edit (or a row holding it) with the message line under it, for a form."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(edit_or_line if edit_or_line is not None else self.edit)
        layout.addWidget(self.message)
        return box


def message_label() -> QLabel:
    label = QLabel()
    label.setProperty("role", "error")
    label.setWordWrap(True)
    label.setVisible(False)
    return label


def repolish(widget: QWidget) -> None:
    """Re-apply the stylesheet after a property it selects on (role, invalid) changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def error_text(exc: BaseException) -> str:
    """One line for a failure, with any secret in it masked."""
    # The redaction sits in the HTTP package (requests, requests-cache): loaded when a
    # failure is shown, not with the window (start-up time).
    from planner.services.credentials import redact_text

    return redact_text(str(exc) or exc.__class__.__name__)
