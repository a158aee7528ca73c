"""A read-only HTML view that follows the theme.

A ``QTextBrowser`` takes its links' colour from the palette when its HTML is set, so a page
shown before a theme change keeps the old theme's links: blue in night mode, red after it.
``HtmlView`` keeps the HTML it was given and sets it again when the palette or style changes,
at the same scroll position. The target's details use it (the reference images' details
have no links).
"""

from __future__ import annotations

from PySide6.QtWidgets import QTextBrowser, QWidget

from planner.ui.themes import THEME_EVENTS


class HtmlView(QTextBrowser):
    """``setHtml`` remembered and repeated after a theme change; links open in the browser."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenExternalLinks(True)
        self._html = ""

    def setHtml(self, html: str) -> None:  # noqa: N802 (Qt name)
        self._html = html
        super().setHtml(html)

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().changeEvent(event)
        if event.type() in THEME_EVENTS and self._html:
            scroll = self.verticalScrollBar().value()
            super().setHtml(self._html)
            self.verticalScrollBar().setValue(scroll)
