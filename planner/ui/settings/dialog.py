"""The Settings dialog: one tab per registered page (``planner.ui.settings.PAGES``).

Every field is checked as it is typed, with the reason shown next to it; OK stays disabled
until every page is valid, and nothing is saved before OK. On OK the pages' values go into
the settings file (atomically), then each page stores what lives elsewhere (the keys, in
the OS keyring); a failure there says what happened and keeps the dialog open with the
entries as typed.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from planner.config import Settings, save_settings
from planner.errors import PlannerError
from planner.ui.settings import PAGES, SettingsPage
from planner.ui.settings.page import error_text


class SettingsDialog(QDialog):
    """Edit ``settings``; on OK they are saved and ``result_settings()`` returns them."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setModal(True)
        self._original = settings
        self._result: Settings | None = None

        self.pages: list[SettingsPage] = [page(settings) for page in PAGES]
        self.tabs = QTabWidget()
        for page in self.pages:
            page.changed.connect(self.validate)
            if page.SCROLLS:
                scroll = QScrollArea()
                scroll.setWidgetResizable(True)
                scroll.setFrameShape(QScrollArea.Shape.NoFrame)
                scroll.setWidget(page)
                self.tabs.addTab(scroll, page.TITLE)
            else:
                self.tabs.addTab(page, page.TITLE)
        self._wire_pages()

        self.problems = QLabel()
        self.problems.setProperty("role", "error")
        self.problems.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.problems)
        layout.addWidget(self.buttons)
        self.validate()
        self.resize(640, 640)

    def page(self, key: str) -> SettingsPage:
        """The page registered under ``key`` (its ``KEY``: site, exports, services, advanced...)."""
        return next(p for p in self.pages if p.KEY == key)

    def _wire_pages(self) -> None:
        """Pages that need each other: the connection test asks at the addresses typed on
        the advanced page; the horizon picture draws the altitude limit typed on the site page."""
        self.page("services").addresses = self.page("advanced")
        sky = self.page("sky")
        self.page("site").fields["target_altitude"].edit.textChanged.connect(
            lambda text: _follow_limit(sky, text))

    # -- checking ------------------------------------------------------------------------

    def validate(self) -> bool:
        """Check every page, show each field's message, and enable OK only when all are valid."""
        problems = [problem for page in self.pages for problem in page.errors()]
        self.problems.setText("" if not problems else "Fix the marked fields to save: " + problems[0]
                              + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
        self.ok_button.setEnabled(not problems)
        return not problems

    def is_valid(self) -> bool:
        return self.ok_button.isEnabled()

    # -- result --------------------------------------------------------------------------

    def build_settings(self) -> Settings:
        """The settings as typed (call only when ``validate()`` is True)."""
        settings = self._original
        for page in self.pages:
            settings = page.apply(settings)
        return settings

    def accept(self) -> None:
        """Save the settings, then what each page keeps elsewhere (the keys)."""
        if not self.validate():
            return
        settings = self.build_settings()
        try:
            save_settings(settings)
        except (PlannerError, OSError) as exc:
            self._tell("warning", "Settings not saved", f"{error_text(exc)}\n\nYour entries are kept; "
                       "fix the problem and press OK again.")
            return
        self._result = settings
        for page in self.pages:
            if not page.after_save(self._tell):
                return
        super().accept()

    def _tell(self, kind: str, title: str, text: str) -> None:
        """A message box (``kind``: information or warning); tests replace it."""
        getattr(QMessageBox, kind)(self, title, text)

    def result_settings(self) -> Settings | None:
        """The settings saved by OK; None when the dialog was cancelled."""
        return self._result

    def done(self, result: int) -> None:
        for page in self.pages:
            page.stop()
        super().done(result)


def _follow_limit(sky, text: str) -> None:
    try:
        sky.set_altitude_limit(float(text))
    except ValueError:
        pass  # the site page marks the field
