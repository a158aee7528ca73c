"""The reference-images dock: what the selected target looks like, from AstroBin and NASA Images.

``ReferenceImagesDock`` has one tab per service (``planner.ui.image_tab.SourceTab``, with
what to ask in ``planner.app.images``). Each tab follows the selected target (an editable
query), loads one page of results in a worker, and shows a grid of thumbnails
(``planner.ui.thumbnails``) that fill in as they arrive: downloads run in the dock's bounded
``QThreadPool`` (eight at a time), each tile shows a spinner until its image is there, and a
tile whose data is not an image, is too large or arrives truncated shows a broken-image mark
and says why in its tooltip and in the tab's message line. Images go through
``planner.services.image_cache`` (disk cache, LRU-bounded), so pages seen once are
illustrated offline. Service errors become one line in the tab, never a dialog.

Signals: ``solve_requested(url, title)`` when the user asks to plate-solve an image (the
solver dock listens), ``message(str)`` for the window's status bar.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QDockWidget, QHBoxLayout, QLabel, QLineEdit, QPushButton, QTabWidget, QWidget

from planner.app.images import ALBUM, ASTROBIN, IMAGE_OF_THE_DAY, NASA
from planner.config import load_settings_or_defaults
from planner.services.image_cache import IMAGE_MAX_BYTES, THUMB_MAX_BYTES, ImageCache, ImageFetcher
from planner.ui.image_tab import SourceTab
from planner.ui.listen import listen
from planner.ui.thumbnails import THUMB_SIZE

PAGE_SIZE = 24
MAX_DOWNLOADS = 8  # a CDN serves this many at once; 24 tiles arrive in three waves


class AstrobinTab(SourceTab):
    source = ASTROBIN

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

    def show_image_of_the_day(self) -> int:
        return self.search("", mode=IMAGE_OF_THE_DAY)

    def make_client(self):
        return self.dock.astrobin_factory(self.dock.settings)

    def page_options(self) -> dict:
        return {"field": self.field_combo.currentData() or "subject"}


class NasaTab(SourceTab):
    source = NASA

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
        return self.search(name, mode=ALBUM)

    def make_client(self):
        return self.dock.nasa_factory(self.dock.settings)


# ----------------------------------------------------------------------------- dock


# The clients are imported when a tab first asks its service, not before the window shows
# (start-up time: requests-cache and the service modules).


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
        # the zone times are read in: the window's (site or UTC), or the computer's without a window
        self.display_tz = (lambda: state.display_tz()) if state is not None else (lambda: None)

        self.tabs = QTabWidget(self)
        # each tab's widgets are made the turn after it is first shown (or when asked for one):
        # the dock is laid out and painted with placeholders first, and one tab is built per turn
        self.astrobin = AstrobinTab(self, build=False)
        self.nasa = NasaTab(self, build=False)
        self.tabs.addTab(self.astrobin, "AstroBin")
        self.tabs.addTab(self.nasa, "NASA Images")
        self.tabs.currentChanged.connect(self._on_tab)
        self.setWidget(self.tabs)
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
        if target is self._target or (target is not None and self._target is not None
                                      and (target == self._target or target.star_name == self._target.star_name)):
            return  # the same star (a refreshed list's copy of it): its images stay
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
