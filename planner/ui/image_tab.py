"""One service's tab of the reference-images dock: the query (following the selected
target), one page of results loaded in a worker, the thumbnail grid filling in as images
arrive, paging, the tab's message line; the detail pane (larger image, facts, "Open in
browser", "Solve this image") is the ``planner.ui.image_detail.ImageDetail`` part of it.

What to ask and how to read the answer is the tab's ``source`` (``planner.app.images``,
Qt-free); the tiles are ``planner.ui.thumbnails``. A new query or target bumps the tab's
*generation*: the old downloads' cancel flag is set and late results of an older
generation are dropped.
"""

from __future__ import annotations

import threading

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from planner.app.images import ImagePage, ImageSource, error_text
from planner.ui.image_detail import ImageDetail
from planner.ui.night_filter import SHOWS_IMAGE, NightFilter, apply_night_filter, mark_image_widget
from planner.ui.thumbnails import NO_IMAGE, ImageJob, JobSignals, ThumbItem, ThumbnailDelegate, ThumbnailModel
from planner.ui.workers import LatestRunner

SPINNER_MS = 80
BUILD_AFTER_PAINT_MS = 20  # after the paint: the event loop turns (input, timers) before the build
BUILD_ANYWAY_MS = 250  # a tab shown but never painted (covered, minimised) is built after this


class _Placeholder(QLabel):
    """What a tab shows until its widgets are made; tells ``painted`` once it has been drawn."""

    def __init__(self, text: str, parent: QWidget, painted) -> None:
        super().__init__(text, parent)
        self._painted = painted

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().paintEvent(event)
        if self._painted is not None:
            painted, self._painted = self._painted, None
            painted()


class SourceTab(ImageDetail, QWidget):
    """One service's browser: query, grid, paging, messages and the detail view. A
    subclass names its ``source`` (``planner.app.images``) and makes its client."""

    source: ImageSource = ImageSource()

    def __init__(self, dock, *, build: bool = True):
        super().__init__(dock)
        self._built = False  # the widgets (``_build``): now, or when the tab is first needed
        self.dock = dock
        self.generation = 0
        self._cancel = threading.Event()
        self._client = None
        self._page: ImagePage | None = None
        self._page_index = 0
        self._mode = "search"
        self._query = ""
        self._pending_target = False
        self._target = None
        self._broken_messages: list[str] = []
        self._last_reported: str | None = None  # the failure the window was last told of

        self.model = ThumbnailModel(self)
        self.page_runner = LatestRunner(f"{self.service_key} page", self)
        self.page_runner.finished.connect(self._on_page)
        self.page_runner.failed.connect(self._on_page_failed)
        self.page_runner.busy_changed.connect(self._on_busy)
        self._signals = JobSignals(self)
        self._signals.done.connect(self._on_thumb)
        self._init_detail()
        self._spin_timer = QTimer(self)
        self._spin_timer.setInterval(SPINNER_MS)
        self._spin_timer.timeout.connect(self._spin)
        self._placeholder: QLabel | None = None
        if build:
            self.build()
        else:  # what shows until the widgets are made; night mode marks it as it would a picture
            self._placeholder = mark_image_widget(_Placeholder(f"Opening {self.source.name}…", self, self._build_next))
            self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            QVBoxLayout(self).addWidget(self._placeholder)

    # -- layout

    def build(self) -> None:
        """Make the widgets (once). A tab made with ``build=False`` makes them in the turn of
        the event loop after its placeholder was first painted, or at once when asked for a
        widget: opening the dock lays out and paints the window around a placeholder in one
        turn and builds the tab's widgets in the next, and builds one tab, not two. (A build
        asked for in ``showEvent`` came before that paint: the show posts it ahead of the
        window's repaint, and both fell in one turn.)"""
        if self._built:
            return
        self._built = True
        # built after night mode was switched on (it filters what exists): filtered like its
        # placeholder, or its sibling
        night = any(isinstance(w.graphicsEffect(), NightFilter) for w in self.dock.findChildren(QWidget)
                    if w.property(SHOWS_IMAGE) and (w is self._placeholder or not self.isAncestorOf(w)))
        if self._placeholder is not None:
            self._placeholder.setParent(None)
            self._placeholder = None
            shiboken6.delete(self.layout())  # the placeholder's: _build sets the tab's own
        self._build()
        self._fill_query(self._target)
        if self._target is None:
            self.set_message("Select a target to see reference images.")
        if night:
            apply_night_filter(self, True)

    @property
    def built(self) -> bool:
        return self._built

    def __getattr__(self, name: str):
        # only reached for a missing attribute: a widget of a tab not built yet (the widgets'
        # names have no leading underscore) is built now
        if name.startswith("_") or self.__dict__.get("_built", True):
            raise AttributeError(name)
        self.build()
        return object.__getattribute__(self, name)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if not self._built:  # built once the placeholder is painted; or anyway, a little later
            QTimer.singleShot(BUILD_ANYWAY_MS, self, self.build)

    def _build_next(self) -> None:
        # asked during the paint; a timer a little later, not a posted call or a 1 ms timer
        # (either still ran in the same turn as the paint), so the loop turns in between
        QTimer.singleShot(BUILD_AFTER_PAINT_MS, self, self.build)

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
        mark_image_widget(self.view.viewport())  # night mode draws the thumbnails in red
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

        self._build_detail()

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

    @property
    def service_name(self) -> str:
        return self.source.name

    @property
    def service_key(self) -> str:
        return self.source.key

    def make_client(self):
        raise NotImplementedError

    def page_options(self) -> dict:
        """Options of the service's ``page`` chosen in this tab's widgets (read on the GUI thread)."""
        return {}

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
        if not self._built and not search_now:  # filled in when built; searched when shown
            self._cancel_downloads()
            self.generation += 1
            self._pending_target = target is not None
            return
        self.build()
        self._fill_query(target)
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

    def _fill_query(self, target) -> None:
        names = self.query_names(target) if target is not None else []
        self.query_edit.blockSignals(True)
        self.query_edit.clear()
        self.query_edit.addItems(names)
        self.query_edit.setEditText(names[0] if names else "")
        self.query_edit.blockSignals(False)

    def query_names(self, target) -> list[str]:
        return self.source.query_names(target)

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
        self.page_runner.submit(self._fetch, mode, query, index, size, self.page_options())
        return self.generation

    def _fetch(self, mode: str, query: str, page_index: int, size: int, options: dict) -> ImagePage:
        return self.source.page(self.client(), mode, query, page_index, size, **options)

    def _on_busy(self, busy: bool) -> None:
        self.search_button.setEnabled(not busy)

    def _on_page(self, _runner_generation: int, page: ImagePage) -> None:
        self._page = page
        self.model.set_items([ThumbItem.from_hit(hit) for hit in page.hits])
        self._start_downloads()
        self._update_paging()
        if not page.hits:
            self.set_message(f"{self.service_name} has no images for {self._query!r}." if self._mode == "search"
                             else f"{self.service_name} returned nothing.")
        elif page.offline:
            when = page.origin.when(self.dock.display_tz())
            self.set_message(f"No network: showing {self.service_name}'s answer saved at {when}.")
        else:
            self.set_message("")
        self._last_reported = None  # a success ends the failure; the next one is news again
        if len(page.hits) == 1:
            self.view.setCurrentIndex(self.model.index(0))

    def _on_page_failed(self, _runner_generation: int, exc: BaseException) -> None:
        self.model.set_items([])
        self._page = None
        self._update_paging()
        text = error_text(self.service_name, exc)
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
        if not page.hits:
            self.page_label.setText("no results")
            return
        first, last = page.first + 1, page.first + len(page.hits)
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
    def page(self) -> ImagePage | None:
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
            job = ImageJob(self.dock.fetcher, item.thumb_url, generation, row, cancel, self._signals,
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
