"""The thumbnail grid of the reference-images dock: the tiles of one page (``ThumbnailModel``),
how a tile is painted (``ThumbnailDelegate``: the image, a spinner while it loads, a
broken-image mark), and the download job that fetches, checks, decodes and scales one image
off the GUI thread (``ImageJob``, run in the dock's bounded ``QThreadPool``)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QRect,
    QRectF,
    QRunnable,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QImage, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate

from planner.app.images import ImageHit
from planner.services.image_cache import FetchCancelled, ImageFetcher, ImageFetchError

THUMB_SIZE = 120

LOADING, READY, BROKEN, NO_IMAGE = "loading", "ready", "broken", "none"


@dataclass
class ThumbItem:
    """One tile: the hit it shows, and how far its image has come."""

    title: str
    thumb_url: str | None
    record: object
    subtitle: str = ""
    state: str = LOADING
    image: QImage | None = None
    pixmap: QPixmap | None = None
    error: str = ""
    from_cache: bool = False

    @classmethod
    def from_hit(cls, hit: ImageHit) -> "ThumbItem":
        return cls(title=hit.title, thumb_url=hit.thumb_url, record=hit.record, subtitle=hit.subtitle)


class ThumbnailModel(QAbstractListModel):
    """The tiles of one page; the delegate paints them (spinner, image, broken mark)."""

    ItemRole = Qt.ItemDataRole.UserRole + 1
    StateRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.items: list[ThumbItem] = []
        self.phase = 0  # spinner angle step

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.items)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.items):
            return None
        item = self.items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return item.title
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = item.title + (f"\n{item.subtitle}" if item.subtitle else "")
            if item.error:
                tip += f"\n\n{item.error}"
            return tip
        if role == Qt.ItemDataRole.DecorationRole:
            return item.pixmap
        if role == self.ItemRole:
            return item
        if role == self.StateRole:
            return item.state
        return None

    def set_items(self, items: list[ThumbItem]) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.endResetModel()

    def set_image(self, row: int, image: QImage | None, error: str = "", from_cache: bool = False) -> None:
        if not 0 <= row < len(self.items):
            return
        item = self.items[row]
        if image is not None and not image.isNull():
            item.image, item.pixmap, item.state, item.error = image, QPixmap.fromImage(image), READY, ""
            item.from_cache = from_cache
        else:
            item.state, item.error = BROKEN, error or "the image could not be shown"
        index = self.index(row)
        self.dataChanged.emit(index, index)

    def loading_rows(self) -> list[int]:
        return [i for i, item in enumerate(self.items) if item.state == LOADING]

    def tick(self) -> bool:
        """Advance the spinners; returns False when nothing is loading any more."""
        rows = self.loading_rows()
        if not rows:
            return False
        self.phase = (self.phase + 1) % 12
        self.dataChanged.emit(self.index(rows[0]), self.index(rows[-1]), [Qt.ItemDataRole.DecorationRole])
        return True

    def count(self, state: str) -> int:
        return sum(1 for item in self.items if item.state == state)


class ThumbnailDelegate(QStyledItemDelegate):
    """A square tile: the image (or a spinner, or a broken-image mark) over an elided title."""

    def __init__(self, model: ThumbnailModel, size: int = THUMB_SIZE, parent=None):
        super().__init__(parent)
        self.model = model
        self.size = size

    def sizeHint(self, option, index) -> QSize:  # noqa: N802 - Qt API
        return QSize(self.size + 12, self.size + 30)

    def paint(self, painter: QPainter, option, index) -> None:
        item: ThumbItem | None = index.data(ThumbnailModel.ItemRole)
        if item is None:
            return
        painter.save()
        palette: QPalette = option.palette
        rect: QRect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight))
        box = QRect(rect.x() + (rect.width() - self.size) // 2, rect.y() + 4, self.size, self.size)
        painter.fillRect(box, palette.color(QPalette.ColorRole.AlternateBase))
        if item.state == READY and item.pixmap is not None:
            pix = item.pixmap
            x = box.x() + (box.width() - pix.width()) // 2
            y = box.y() + (box.height() - pix.height()) // 2
            painter.drawPixmap(x, y, pix)
        elif item.state == LOADING:
            self._spinner(painter, box, palette)
        else:
            self._broken(painter, box, palette, item.state == NO_IMAGE)
        text_rect = QRect(rect.x() + 2, box.bottom() + 4, rect.width() - 4, rect.bottom() - box.bottom() - 4)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(palette.color(role))
        text = option.fontMetrics.elidedText(item.title or "(untitled)", Qt.TextElideMode.ElideRight, text_rect.width())
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, text)
        painter.restore()

    def _spinner(self, painter: QPainter, box: QRect, palette: QPalette) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = QColor(palette.color(QPalette.ColorRole.Text))
        radius = 14
        centre = box.center()
        arc = QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius)
        faint = QColor(colour)
        faint.setAlpha(50)
        painter.setPen(QPen(faint, 3))
        painter.drawEllipse(arc)
        painter.setPen(QPen(colour, 3, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.drawArc(arc, -self.model.phase * 30 * 16, 100 * 16)

    def _broken(self, painter: QPainter, box: QRect, palette: QPalette, no_image: bool) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = QColor(palette.color(QPalette.ColorRole.Text))
        colour.setAlpha(150)
        painter.setPen(QPen(colour, 2))
        inner = box.adjusted(box.width() // 4, box.height() // 4, -box.width() // 4, -box.height() // 4)
        if no_image:
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, "no preview")
            return
        # A picture frame with a jagged crack through it: the usual "broken image" sign.
        painter.drawRect(inner)
        w, h = inner.width(), inner.height()
        points = [(0.55, 0.0), (0.42, 0.35), (0.6, 0.55), (0.45, 1.0)]
        for (x1, y1), (x2, y2) in zip(points, points[1:]):
            painter.drawLine(int(inner.x() + x1 * w), int(inner.y() + y1 * h), int(inner.x() + x2 * w), int(inner.y() + y2 * h))


class JobSignals(QObject):
    done = Signal(int, int, object, str, bool)  # generation, row, QImage | None, error, from_cache


class ImageJob(QRunnable):
    """Fetch, check, decode and scale one image off the GUI thread."""

    def __init__(self, fetcher: ImageFetcher, url: str, generation: int, row: int, cancel: threading.Event,
                 signals: JobSignals, size: int | None, max_bytes: int):
        super().__init__()
        self.setAutoDelete(True)
        self.fetcher, self.url, self.generation, self.row = fetcher, url, generation, row
        self.cancel, self.signals, self.size, self.max_bytes = cancel, signals, size, max_bytes

    def run(self) -> None:
        if self.cancel.is_set():
            return
        try:
            result = self.fetcher.fetch(self.url, max_bytes=self.max_bytes, cancel=self.cancel)
            image = QImage.fromData(result.data)
            if image.isNull():
                raise ImageFetchError("not_image", f"the image format ({result.format}) cannot be displayed")
            if self.size:
                image = image.scaled(self.size, self.size, Qt.AspectRatioMode.KeepAspectRatio,
                                     Qt.TransformationMode.SmoothTransformation)
            if not self.cancel.is_set():
                self.signals.done.emit(self.generation, self.row, image, "", result.from_cache)
        except FetchCancelled:
            return
        except ImageFetchError as exc:
            if not self.cancel.is_set():
                self.signals.done.emit(self.generation, self.row, None, str(exc), False)
        except Exception as exc:  # noqa: BLE001 - a bad image must never take the window down
            if not self.cancel.is_set():
                self.signals.done.emit(self.generation, self.row, None,
                                       f"the image could not be shown ({exc.__class__.__name__})", False)
