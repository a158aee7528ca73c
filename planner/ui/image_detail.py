"""The detail pane of an image tab: the chosen thumbnail's larger image (fetched in a
worker), its facts, "Open in browser" and "Solve this image".

``ImageDetail`` is a part of ``planner.ui.image_tab.SourceTab`` (it uses the tab's
``dock``, ``source``, ``client()``, ``view`` and ``service_name``); the tab calls
``_init_detail()`` in its constructor and ``_build_detail()`` when it makes its widgets.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from planner.app.images import ImageDetails, error_text
from planner.services.image_cache import ImageFetchError
from planner.ui.night_filter import mark_image_widget
from planner.ui.thumbnails import LOADING, ThumbItem, ThumbnailModel
from planner.ui.workers import LatestRunner


class ImageDetail:
    """The chosen image of a ``SourceTab``: its larger picture, facts and actions."""

    def _init_detail(self) -> None:
        self._large_url: str | None = None
        self.detail_runner = LatestRunner(f"{self.service_key} detail", self)
        self.detail_runner.finished.connect(self._on_detail)
        self.detail_runner.failed.connect(self._on_detail_failed)
        self._detail_generation = 0

    def _build_detail(self) -> None:
        self.detail = QWidget(self)
        detail_layout = QVBoxLayout(self.detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        self.detail_image = mark_image_widget(QLabel(self.detail))
        self.detail_image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail_image.setMinimumHeight(160)
        self.detail_text = QTextBrowser(self.detail)
        self.detail_text.setOpenExternalLinks(True)
        buttons = QHBoxLayout()
        self.open_button = QPushButton("Open in browser", self.detail)
        self.open_button.clicked.connect(self.open_in_browser)
        self.solve_button = QPushButton("Solve this image", self.detail)
        self.solve_button.setToolTip("Plate-solve this image in the Plate solving panel")
        self.solve_button.clicked.connect(self.request_solve)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.solve_button)
        buttons.addStretch(1)
        detail_layout.addWidget(self.detail_image, 3)
        detail_layout.addWidget(self.detail_text, 2)
        detail_layout.addLayout(buttons)

    def current_item(self) -> ThumbItem | None:
        index = self.view.currentIndex()
        return index.data(ThumbnailModel.ItemRole) if index.isValid() else None

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        item = current.data(ThumbnailModel.ItemRole) if current.isValid() else None
        self._show_detail(item)
        if item is not None:
            self._detail_generation += 1
            self.detail_runner.submit(self._fetch_large, item.record, self._detail_generation)

    def _show_detail(self, item: ThumbItem | None) -> None:
        self._large_url = None
        self.solve_button.setEnabled(False)
        self.open_button.setEnabled(item is not None and bool(self.source.page_url(item.record)))
        self.detail_image.setPixmap(QPixmap())
        if item is None:
            self.detail_image.setText("")
            self.detail_text.setHtml("<p><i>Click a thumbnail for its details.</i></p>")
            return
        if item.pixmap is not None:
            self._set_detail_pixmap(item.pixmap)
        else:
            self.detail_image.setText("loading…" if item.state == LOADING else (item.error or ""))
        self.detail_text.setHtml(details_html(self.source.details(item.record)))

    def _fetch_large(self, record, detail_generation: int):
        url = self.source.large_url(self.client(), record)
        if not url:
            return detail_generation, None, None, "no larger image is available"
        try:
            result = self.dock.fetcher.fetch(url, max_bytes=self.dock.image_max_bytes)
        except ImageFetchError as exc:
            return detail_generation, url, None, str(exc)
        image = QImage.fromData(result.data)
        if image.isNull():
            return detail_generation, url, None, "the larger image cannot be displayed"
        if image.width() > 1600 or image.height() > 1600:
            image = image.scaled(1600, 1600, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        return detail_generation, url, image, ""

    def _on_detail(self, _g: int, result) -> None:
        detail_generation, url, image, error = result
        if detail_generation != self._detail_generation:
            return
        self._large_url = url
        self.solve_button.setEnabled(bool(url))
        if image is not None:
            self._set_detail_pixmap(QPixmap.fromImage(image))
        elif error and self.detail_image.pixmap().isNull():
            self.detail_image.setText(error)
        elif error:
            self.detail_image.setToolTip(error)

    def _on_detail_failed(self, _g: int, exc: BaseException) -> None:
        if self.detail_image.pixmap().isNull():
            self.detail_image.setText(error_text(self.service_name, exc))

    def _set_detail_pixmap(self, pixmap: QPixmap) -> None:
        self._detail_source = pixmap
        size = self.detail_image.size()
        w, h = max(size.width(), 120), max(size.height(), 120)
        self.detail_image.setPixmap(pixmap.scaled(w, h, Qt.AspectRatioMode.KeepAspectRatio,
                                                  Qt.TransformationMode.SmoothTransformation))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        source = getattr(self, "_detail_source", None)
        if source is not None and not self.detail_image.pixmap().isNull():
            self._set_detail_pixmap(source)

    @property
    def large_url(self) -> str | None:
        return self._large_url

    def open_in_browser(self) -> None:
        item = self.current_item()
        url = self.source.page_url(item.record) if item is not None else None
        if url:
            QDesktopServices.openUrl(QUrl(url))

    def request_solve(self) -> None:
        item = self.current_item()
        if item is not None and self._large_url:
            self.dock.solve_requested.emit(self._large_url, item.title)


def _esc(value: Any) -> str:
    return html.escape(str(value)) if value not in (None, "") else ""


def details_html(details: ImageDetails) -> str:
    """The facts beside a chosen image, as the detail pane's rich text (every value escaped)."""
    cells = "".join(
        f"<tr><td style='padding-right:8px'><b>{_esc(k)}</b></td><td>{_esc(v)}</td></tr>" for k, v in details.rows
    )
    rows = f"<table>{cells}</table>" if cells else ""
    description = f"<p>{_esc(details.description)}</p>" if details.description else ""
    return f"<h3>{_esc(details.heading)}</h3>{rows}{description}"
