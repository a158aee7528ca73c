"""The reference-images dock: what the selected target looks like, from AstroBin and NASA Images.

``ReferenceImagesDock`` has one tab per service. Each tab follows the selected target (an
editable query), loads one page of results in a worker, and shows a grid of thumbnails that
fill in as they arrive: downloads run in a bounded ``QThreadPool`` (eight at a time), each
tile shows a spinner until its image is there, and a tile whose data is not an image, is
too large or arrives truncated shows a broken-image mark and says why in its tooltip and in
the tab's message line. Images go through ``planner.services.image_cache`` (disk cache,
LRU-bounded), so pages seen once are illustrated offline.

A new query or target bumps the tab's *generation*: the old downloads' cancel flag is set
(queued jobs return at once, running ones stop at the next block) and any late result of
an older generation is dropped. Service errors become one line in the tab, never a dialog.

Signals: ``solve_requested(url, title)`` when the user asks to plate-solve an image (the
solver dock listens), ``message(str)`` for the window's status bar.
"""

from __future__ import annotations

import html
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QRect,
    QRectF,
    QRunnable,
    QSize,
    Qt,
    QThreadPool,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QImage,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from planner.services.image_cache import (
    IMAGE_MAX_BYTES,
    THUMB_MAX_BYTES,
    FetchCancelled,
    ImageCache,
    ImageFetcher,
    ImageFetchError,
)
from planner.ui.listen import listen
from planner.ui.workers import LatestRunner

THUMB_SIZE = 120
PAGE_SIZE = 24
MAX_DOWNLOADS = 8  # a CDN serves this many at once; 24 tiles arrive in three waves
SPINNER_MS = 80

LOADING, READY, BROKEN, NO_IMAGE = "loading", "ready", "broken", "none"


# ----------------------------------------------------------------------------- records


@dataclass
class ThumbItem:
    """One tile: what to show and the service's record behind it."""

    title: str
    thumb_url: str | None
    record: Any
    subtitle: str = ""
    state: str = LOADING
    image: QImage | None = None
    pixmap: QPixmap | None = None
    error: str = ""
    from_cache: bool = False


@dataclass
class PageData:
    """One page of results as the tab shows it."""

    items: list[ThumbItem]
    total: int | None
    first: int  # index of the first item in the whole result list (0-based)
    has_next: bool
    has_previous: bool
    title: str = ""  # e.g. "Image of the day, 2024-03-01"
    offline: bool = False
    from_cache: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


# ----------------------------------------------------------------------------- model/view


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


# ----------------------------------------------------------------------------- downloads


class _JobSignals(QObject):
    done = Signal(int, int, object, str, bool)  # generation, row, QImage | None, error, from_cache


class _ImageJob(QRunnable):
    """Fetch, check, decode and scale one image off the GUI thread."""

    def __init__(self, fetcher: ImageFetcher, url: str, generation: int, row: int, cancel: threading.Event,
                 signals: _JobSignals, size: int | None, max_bytes: int):
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


# ----------------------------------------------------------------------------- tabs


def target_designations(target) -> list[str]:
    """Names to search a target by: its name, any aliases it carries, the SIMBAD-style form."""
    if target is None:
        return []
    names = [target.star_name.strip()]
    extra = getattr(target, "extra", None) or {}
    for key in ("aliases", "designations", "other_names"):
        value = extra.get(key)
        if isinstance(value, str):
            value = [v for v in value.replace(";", ",").split(",")]
        if isinstance(value, (list, tuple)):
            names.extend(str(v).strip() for v in value if str(v).strip())
    compact = " ".join(target.star_name.split())
    names.append(compact)
    if not compact.upper().startswith("V* "):
        names.append(f"V* {compact}")
    return list(dict.fromkeys(n for n in names if n))


class SourceTab(QWidget):
    """One service's browser: query, grid, paging, messages and the detail view."""

    service_name = "service"
    service_key = "service"

    def __init__(self, dock: "ReferenceImagesDock"):
        super().__init__(dock)
        self.dock = dock
        self.generation = 0
        self._cancel = threading.Event()
        self._client = None
        self._page: PageData | None = None
        self._page_index = 0
        self._mode = "search"
        self._query = ""
        self._pending_target = False
        self._target = None
        self._broken_messages: list[str] = []
        self._large_url: str | None = None
        self._last_reported: str | None = None  # the failure the window was last told of

        self.model = ThumbnailModel(self)
        self.page_runner = LatestRunner(f"{self.service_key} page", self)
        self.page_runner.finished.connect(self._on_page)
        self.page_runner.failed.connect(self._on_page_failed)
        self.page_runner.busy_changed.connect(self._on_busy)
        self.detail_runner = LatestRunner(f"{self.service_key} detail", self)
        self.detail_runner.finished.connect(self._on_detail)
        self.detail_runner.failed.connect(self._on_detail_failed)
        self._signals = _JobSignals(self)
        self._signals.done.connect(self._on_thumb)
        self._detail_generation = 0
        self._spin_timer = QTimer(self)
        self._spin_timer.setInterval(SPINNER_MS)
        self._spin_timer.timeout.connect(self._spin)

        self._build()

    # -- layout

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        row = QHBoxLayout()
        self.query_edit = QComboBox(self)
        self.query_edit.setEditable(True)
        self.query_edit.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.query_edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.query_edit.lineEdit().setPlaceholderText("object name")
        self.query_edit.lineEdit().returnPressed.connect(lambda: self.search())
        self.search_button = QPushButton("Search", self)
        self.search_button.clicked.connect(lambda: self.search())
        row.addWidget(self.query_edit, 1)
        self._extra_query_widgets(row)
        row.addWidget(self.search_button)
        layout.addLayout(row)
        extra = self._extra_row()
        if extra is not None:
            layout.addLayout(extra)

        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.setObjectName("imagesMessage")

        self.view = QListView(self)
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setUniformItemSizes(True)
        self.view.setSpacing(2)
        self.view.setWordWrap(False)
        self.view.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.view.setModel(self.model)
        self.delegate = ThumbnailDelegate(self.model, self.dock.thumb_size, self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.selectionModel().currentChanged.connect(self._on_current)

        paging = QHBoxLayout()
        self.prev_button = QPushButton("◀ Previous", self)
        self.next_button = QPushButton("Next ▶", self)
        self.prev_button.clicked.connect(self.previous_page)
        self.next_button.clicked.connect(self.next_page)
        self.page_label = QLabel("", self)
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        paging.addWidget(self.prev_button)
        paging.addWidget(self.page_label, 1)
        paging.addWidget(self.next_button)

        self.detail = QWidget(self)
        detail_layout = QVBoxLayout(self.detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        self.detail_image = QLabel(self.detail)
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

        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.view, 1)
        top_layout.addLayout(paging)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout.addWidget(self.message_label)
        layout.addWidget(self.splitter, 1)
        self._show_detail(None)
        self._update_paging()

    def _extra_query_widgets(self, row: QHBoxLayout) -> None:
        """Widgets next to the query field (subclasses)."""

    def _extra_row(self) -> QHBoxLayout | None:
        return None

    # -- service hooks (subclasses)

    def make_client(self):
        raise NotImplementedError

    def fetch_page(self, client, mode: str, query: str, page_index: int, page_size: int) -> PageData:
        raise NotImplementedError

    def detail_html(self, record) -> str:
        raise NotImplementedError

    def large_image_url(self, client, record) -> str | None:
        raise NotImplementedError

    def page_url(self, record) -> str | None:
        raise NotImplementedError

    # -- client

    def client(self):
        if self._client is None:
            self._client = self.make_client()
        return self._client

    def reset_client(self) -> None:
        self._client = None

    # -- following the target

    def follow(self, target, *, search_now: bool) -> None:
        self._target = target
        names = self.query_names(target)
        self.query_edit.blockSignals(True)
        self.query_edit.clear()
        self.query_edit.addItems(names)
        self.query_edit.setEditText(names[0] if names else "")
        self.query_edit.blockSignals(False)
        if target is None:
            self.clear("Select a target to see reference images.")
            self._pending_target = False
            return
        if search_now:
            self._pending_target = False
            self.search()
        else:
            self._cancel_downloads()
            self.generation += 1
            self._pending_target = True

    def query_names(self, target) -> list[str]:
        return [target.star_name] if target is not None else []

    def ensure_current(self) -> None:
        """Run the search the target asked for while this tab was hidden."""
        if self._pending_target:
            self._pending_target = False
            self.search()

    # -- searching and paging

    def search(self, query: str | None = None, *, mode: str = "search", page_index: int = 0) -> int:
        query = (self.query_edit.currentText() if query is None else query).strip()
        if mode == "search" and not query:
            self.clear("Type an object name to search.")
            return self.generation
        self._mode, self._query, self._page_index = mode, query, page_index
        return self._load()

    def next_page(self) -> None:
        if self._page is not None and self._page.has_next:
            self._page_index += 1
            self._load()

    def previous_page(self) -> None:
        if self._page is not None and self._page.has_previous and self._page_index > 0:
            self._page_index -= 1
            self._load()

    def _load(self) -> int:
        self._cancel_downloads()
        self.generation += 1
        self.model.set_items([])
        self._page = None
        self._broken_messages = []
        self._show_detail(None)
        self.set_message(f"Searching {self.service_name} for {self._query!r}…" if self._mode != "iotd"
                         else f"Asking {self.service_name} for the image of the day…")
        self._update_paging(loading=True)
        mode, query, index, size = self._mode, self._query, self._page_index, self.dock.page_size
        self.page_runner.submit(self._fetch, mode, query, index, size)
        return self.generation

    def _fetch(self, mode: str, query: str, page_index: int, size: int) -> PageData:
        return self.fetch_page(self.client(), mode, query, page_index, size)

    def _on_busy(self, busy: bool) -> None:
        self.search_button.setEnabled(not busy)

    def _on_page(self, _runner_generation: int, page: PageData) -> None:
        self._page = page
        self.model.set_items(page.items)
        self._start_downloads()
        self._update_paging()
        if not page.items:
            self.set_message(f"{self.service_name} has no images for {self._query!r}." if self._mode == "search"
                             else f"{self.service_name} returned nothing.")
        elif page.offline:
            self.set_message(f"No network: showing {self.service_name}'s answer saved earlier.")
        else:
            self.set_message("")
        self._last_reported = None  # a success ends the failure; the next one is news again
        if len(page.items) == 1:
            self.view.setCurrentIndex(self.model.index(0))

    def _on_page_failed(self, _runner_generation: int, exc: BaseException) -> None:
        self.model.set_items([])
        self._page = None
        self._update_paging()
        text = _error_text(self.service_name, exc)
        self.set_message(text, error=True)
        # The panel shows every failure; the window's status bar hears a failure once, not again
        # on every selection change while the cause (a missing key, no network) stays the same.
        if text != self._last_reported:
            self._last_reported = text
            self.dock.message.emit(text)

    def _update_paging(self, loading: bool = False) -> None:
        page = self._page
        self.prev_button.setEnabled(bool(page and page.has_previous and not loading))
        self.next_button.setEnabled(bool(page and page.has_next and not loading))
        if loading or page is None:
            self.page_label.setText("loading…" if loading else "")
            return
        if page.title:
            self.page_label.setText(page.title)
            return
        if not page.items:
            self.page_label.setText("no results")
            return
        first, last = page.first + 1, page.first + len(page.items)
        total = f" of {page.total:,}" if page.total is not None else ""
        self.page_label.setText(f"Page {self._page_index + 1} · {first}–{last}{total}")

    def clear(self, message: str = "") -> None:
        self._cancel_downloads()
        self.generation += 1
        self.page_runner.cancel()
        self.model.set_items([])
        self._page = None
        self._show_detail(None)
        self._update_paging()
        self.set_message(message)

    def set_message(self, text: str, *, error: bool = False) -> None:
        self.message_label.setText(("⚠ " + text) if error and text else text)
        self.message_label.setProperty("error", error)
        self.message_label.setVisible(bool(text))

    @property
    def page(self) -> PageData | None:
        return self._page

    # -- thumbnails

    def _cancel_downloads(self) -> None:
        self._cancel.set()
        self._cancel = threading.Event()

    def _start_downloads(self) -> None:
        cancel, generation = self._cancel, self.generation
        for row, item in enumerate(self.model.items):
            if not item.thumb_url:
                item.state, item.error = NO_IMAGE, f"{self.service_name} gives no preview for this item"
                continue
            job = _ImageJob(self.dock.fetcher, item.thumb_url, generation, row, cancel, self._signals,
                            self.dock.thumb_size, self.dock.thumb_max_bytes)
            self.dock.pool.start(job)
        if self.model.loading_rows():
            self._spin_timer.start()

    def _spin(self) -> None:
        if not self.model.tick():
            self._spin_timer.stop()

    def _on_thumb(self, generation: int, row: int, image, error: str, from_cache: bool) -> None:
        if generation != self.generation:
            self.dock.stale_results += 1
            return  # a previous target's image arriving late
        self.model.set_image(row, image, error, from_cache)
        if image is None:
            self._broken_messages.append(error)
            count = len(self._broken_messages)
            self.set_message(
                f"{count} image{'s' if count > 1 else ''} could not be shown: {self._broken_messages[0]}", error=True
            )
        current = self.view.currentIndex()
        if current.isValid() and current.row() == row and self.detail_image.pixmap().isNull() and image is not None:
            self._set_detail_pixmap(QPixmap.fromImage(image))
        if not self.model.loading_rows():
            self._spin_timer.stop()
            self.dock.page_filled.emit(self.service_key, self.generation)

    # -- detail

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
        self.open_button.setEnabled(item is not None and bool(self.page_url(item.record)))
        self.detail_image.setPixmap(QPixmap())
        if item is None:
            self.detail_image.setText("")
            self.detail_text.setHtml("<p><i>Click a thumbnail for its details.</i></p>")
            return
        if item.pixmap is not None:
            self._set_detail_pixmap(item.pixmap)
        else:
            self.detail_image.setText("loading…" if item.state == LOADING else (item.error or ""))
        self.detail_text.setHtml(self.detail_html(item.record))

    def _fetch_large(self, record, detail_generation: int):
        url = self.large_image_url(self.client(), record)
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
            self.detail_image.setText(_error_text(self.service_name, exc))

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
        url = self.page_url(item.record) if item is not None else None
        if url:
            QDesktopServices.openUrl(QUrl(url))

    def request_solve(self) -> None:
        item = self.current_item()
        if item is not None and self._large_url:
            self.dock.solve_requested.emit(self._large_url, item.title)


def _error_text(service: str, exc: BaseException) -> str:
    from planner.errors import PlannerError

    if isinstance(exc, PlannerError):
        text = str(exc)
        return text if text.startswith(service) else f"{service}: {text}"
    return f"{service}: something went wrong ({exc.__class__.__name__}); try again"


def _esc(value: Any) -> str:
    return html.escape(str(value)) if value not in (None, "") else ""


def _rows(pairs: list[tuple[str, Any]]) -> str:
    cells = "".join(
        f"<tr><td style='padding-right:8px'><b>{_esc(k)}</b></td><td>{v}</td></tr>" for k, v in pairs if v not in (None, "")
    )
    return f"<table>{cells}</table>" if cells else ""


# ----------------------------------------------------------------------------- AstroBin


class AstrobinTab(SourceTab):
    service_name = "AstroBin"
    service_key = "astrobin"

    def _extra_query_widgets(self, row: QHBoxLayout) -> None:
        self.field_combo = QComboBox(self)
        self.field_combo.addItem("Subject", "subject")
        self.field_combo.addItem("Title contains", "title")
        self.field_combo.setToolTip("Search AstroBin's solved subjects (designations) or image titles")
        row.addWidget(self.field_combo)

    def _extra_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.iotd_button = QPushButton("Image of the day", self)
        self.iotd_button.clicked.connect(self.show_image_of_the_day)
        row.addWidget(self.iotd_button)
        row.addStretch(1)
        return row

    def query_names(self, target) -> list[str]:
        return target_designations(target)

    def show_image_of_the_day(self) -> int:
        return self.search("", mode="iotd")

    def make_client(self):
        return self.dock.astrobin_factory(self.dock.settings)

    def fetch_page(self, client, mode, query, page_index, page_size) -> PageData:
        from planner.services.astrobin import SearchQuery

        if mode == "iotd":
            iotd = client.image_of_the_day()
            image = iotd.image or client.image(iotd.image_id)
            items = [self._item(client, image)]
            return PageData(items, 1, 0, False, False, title=f"Image of the day{', ' + iotd.date if iotd.date else ''}",
                            offline=iotd.offline, from_cache=iotd.from_cache)
        field_name = self.field_combo.currentData() or "subject"
        offset = page_index * page_size
        if field_name == "title":
            search = SearchQuery(title=query, limit=page_size, offset=offset)
        else:
            search = SearchQuery(subject=query, limit=page_size, offset=offset)
        page = client.search(search)
        items = [self._item(client, image) for image in page.images]
        return PageData(items, page.total_count, page.offset, page.next_offset is not None,
                        page.offset > 0, offline=page.offline, from_cache=page.from_cache)

    def _item(self, client, image) -> ThumbItem:
        from planner.services.astrobin import image_urls

        urls = image_urls(image, getattr(client, "cdn_base", None) or "https://cdn.astrobin.com/images/")
        return ThumbItem(title=image.title or f"Image {image.id}", thumb_url=urls.thumb, record=image,
                         subtitle=f"by {image.user}" if image.user else "")

    def large_image_url(self, client, record) -> str | None:
        from planner.services.astrobin import image_urls

        return image_urls(record, getattr(client, "cdn_base", None) or "https://cdn.astrobin.com/images/").regular

    def page_url(self, record) -> str | None:
        return record.page_url

    def detail_html(self, image) -> str:
        field_text = ""
        if image.fieldw and image.fieldh:
            field_text = f"{image.fieldw:g} × {image.fieldh:g} {image.fieldunits or ''}".strip()
        centre = ""
        if image.ra is not None and image.dec is not None:
            centre = f"RA {image.ra:.4f}°, Dec {image.dec:+.4f}°"
        rows = _rows([
            ("Author", _esc(image.user)),
            ("Uploaded", _esc((image.uploaded or "")[:10])),
            ("Subjects", _esc(", ".join(image.subjects))),
            ("Telescope", _esc(", ".join(image.imaging_telescopes))),
            ("Camera", _esc(", ".join(image.imaging_cameras))),
            ("Field", _esc(field_text)),
            ("Centre", _esc(centre)),
            ("Pixel scale", _esc(f'{image.pixscale:g}"/px') if image.pixscale else ""),
            ("Size", _esc(f"{image.width} × {image.height} px") if image.width and image.height else ""),
            ("Plate-solved", "yes" if image.is_solved else ("no" if image.is_solved is False else "")),
        ])
        description = f"<p>{_esc(image.description)}</p>" if image.description else ""
        return f"<h3>{_esc(image.title) or 'Untitled'}</h3>{rows}{description}"


# ----------------------------------------------------------------------------- NASA


class NasaTab(SourceTab):
    service_name = "NASA Images"
    service_key = "nasa"

    def _extra_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel("Album:", self))
        self.album_edit = QLineEdit(self)
        self.album_edit.setPlaceholderText("album name, e.g. apollo")
        self.album_edit.returnPressed.connect(self.browse_album)
        self.album_button = QPushButton("Browse album", self)
        self.album_button.clicked.connect(self.browse_album)
        row.addWidget(self.album_edit, 1)
        row.addWidget(self.album_button)
        return row

    def browse_album(self, name: str | None = None) -> int:
        name = (name if isinstance(name, str) else self.album_edit.text()).strip()
        if not name:
            self.set_message("Type an album name to browse it.")
            return self.generation
        self.album_edit.setText(name)
        return self.search(name, mode="album")

    def make_client(self):
        return self.dock.nasa_factory(self.dock.settings)

    def fetch_page(self, client, mode, query, page_index, page_size) -> PageData:
        page = page_index + 1
        if mode == "album":
            results = client.album(query, page=page)
            size = max(len(results.items), 1)
        else:
            results = client.search(query, media_type="image", page=page, page_size=page_size)
            size = page_size
        items = [
            ThumbItem(title=item.title or item.nasa_id, thumb_url=item.preview_url, record=item,
                      subtitle=(item.date_created or "")[:10])
            for item in results.items
        ]
        title = f"Album {query!r}" if mode == "album" else ""
        data = PageData(items, results.total_hits, page_index * size, results.next_url is not None,
                        results.previous_url is not None or page_index > 0, offline=results.offline,
                        from_cache=results.from_cache)
        if title and results.total_hits is not None:
            data.title = f"{title} · page {page} · {results.total_hits:,} items"
        elif title:
            data.title = f"{title} · page {page}"
        return data

    def large_image_url(self, client, record) -> str | None:
        try:
            return client.asset(record.nasa_id).pick("medium")
        except Exception:  # noqa: BLE001 - without the manifest the preview is the best there is
            return record.preview_url

    def page_url(self, record) -> str | None:
        return f"https://images.nasa.gov/details/{record.nasa_id}"

    def detail_html(self, item) -> str:
        rows = _rows([
            ("Photographer", _esc(item.photographer or item.secondary_creator)),
            ("Date", _esc((item.date_created or "")[:10])),
            ("Centre", _esc(item.center)),
            ("Location", _esc(item.location)),
            ("Keywords", _esc(", ".join(item.keywords))),
            ("Album", _esc(", ".join(item.album))),
            ("NASA id", _esc(item.nasa_id)),
        ])
        description = f"<p>{_esc(item.description)}</p>" if item.description else ""
        return f"<h3>{_esc(item.title) or _esc(item.nasa_id)}</h3>{rows}{description}"


# ----------------------------------------------------------------------------- dock


def _default_astrobin(settings):
    from planner.services.astrobin import AstrobinClient

    return AstrobinClient.from_settings(settings)


def _default_nasa(settings):
    from planner.services.nasa_images import NasaImagesClient

    return NasaImagesClient.from_settings(settings)


class ReferenceImagesDock(QDockWidget):
    """AstroBin and NASA Images for the selected target (see the module docstring)."""

    solve_requested = Signal(str, str)  # image URL, title
    message = Signal(str)
    page_filled = Signal(str, int)  # service key, generation: every tile of the page is settled

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        settings=None,
        astrobin_factory: Callable[[Any], Any] | None = None,
        nasa_factory: Callable[[Any], Any] | None = None,
        fetcher: ImageFetcher | None = None,
        page_size: int = PAGE_SIZE,
        max_downloads: int = MAX_DOWNLOADS,
        thumb_size: int = THUMB_SIZE,
        thumb_max_bytes: int = THUMB_MAX_BYTES,
        image_max_bytes: int = IMAGE_MAX_BYTES,
        state=None,
    ):
        super().__init__("Reference images", parent)
        self.setObjectName("referenceImagesDock")
        if state is not None:
            settings = state.settings
        if settings is None:
            from planner.config import load_settings_or_defaults

            settings = load_settings_or_defaults()
        self.settings = settings
        self.astrobin_factory = astrobin_factory or _default_astrobin
        self.nasa_factory = nasa_factory or _default_nasa
        self.fetcher = fetcher or ImageFetcher(ImageCache.from_settings(settings), pool_size=max_downloads + 2)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_downloads)
        self.page_size = page_size
        self.thumb_size = thumb_size
        self.thumb_max_bytes = thumb_max_bytes
        self.image_max_bytes = image_max_bytes
        self.stale_results = 0  # late results of an older generation that were dropped
        self._target = None

        self.tabs = QTabWidget(self)
        self.astrobin = AstrobinTab(self)
        self.nasa = NasaTab(self)
        self.tabs.addTab(self.astrobin, "AstroBin")
        self.tabs.addTab(self.nasa, "NASA Images")
        self.tabs.currentChanged.connect(self._on_tab)
        self.setWidget(self.tabs)
        for tab in (self.astrobin, self.nasa):
            tab.set_message("Select a target to see reference images.")
        app = QCoreApplication.instance()
        if app is not None:  # quitting must not wait for downloads nobody will see
            app.aboutToQuit.connect(lambda: self.shutdown(0))  # quitting never waits for them
        if state is not None:  # the window's night: follow its selection and settings
            listen(self, state.selection_changed, lambda _rows: self.set_target(state.current_target()))
            listen(self, state.settings_changed, self.set_settings)

    @property
    def target(self):
        return self._target

    def set_target(self, target) -> None:
        """Follow a newly selected target (None: nothing selected); cancels the old downloads."""
        if target is self._target or (target is not None and self._target is not None and target == self._target):
            return
        self._target = target
        current = self.tabs.currentWidget()
        for tab in (self.astrobin, self.nasa):
            tab.follow(target, search_now=tab is current and self.isVisible())

    def set_settings(self, settings) -> None:
        """New settings (keys, base URLs, cache size): the next request uses them."""
        self.settings = settings
        self.fetcher.cache.max_bytes = max(1, int(getattr(settings, "image_cache_mb", 500) or 500)) * 1024 * 1024
        for tab in (self.astrobin, self.nasa):
            tab.reset_client()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        QTimer.singleShot(0, lambda: self.tabs.currentWidget().ensure_current())

    def _on_tab(self, _index: int) -> None:
        self.tabs.currentWidget().ensure_current()

    def shutdown(self, timeout_ms: int = 2000) -> None:
        """Cancel downloads and wait for the pool (window close, tests)."""
        for tab in (self.astrobin, self.nasa):
            tab._cancel_downloads()
            tab.generation += 1
        self.pool.clear()
        self.pool.waitForDone(timeout_ms)


__all__ = [
    "AstrobinTab",
    "NasaTab",
    "PageData",
    "ReferenceImagesDock",
    "SourceTab",
    "ThumbItem",
    "ThumbnailModel",
    "target_designations",
]
