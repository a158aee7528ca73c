"""The plate-solving dock: solve an image on nova.astrometry.net and say whether the target is in it.

``PlateSolveDock`` solves a local file (FITS, JPEG, PNG), an image URL, or a reference image
the images dock hands over (``solve_url``). Hints come from the selected target (centre
RA/Dec and a search radius) and from the telescope in Settings (focal length and pixel size
give the arcsec/pixel bounds, ``planner.app.solve``); every documented upload option sits in the collapsible
"Advanced" section. The solve runs in a worker that follows the client's ``solve`` /
``wait_for_solution`` generator (cancel sets its ``threading.Event``); each stage, the
elapsed time and the submission and job ids are shown, and the ids are remembered in
``data_dir()/plate_solves.json`` (``planner.app.solve``) so that a solve can be resumed
after a restart.

The result shows the calibration, the image with the annotations drawn at their pixel
positions (and the target's own position when the WCS places it), the objects in the field,
and the verdict from ``planner.sky.field``: how far the target is from the field centre and
whether it lies inside the field.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    QRectF,
    QRunnable,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from superqt import QCollapsible

from planner.app.solve import (
    fetch_wcs,
    load_solves,
    remember_solve,
    scale_bounds,
    unfinished_solve,
)
from planner.ui.listen import listen

DISPLAY_MAX = 1600
STAGES = ("uploading", "queued", "solving", "solved")


# ----------------------------------------------------------------------------- worker


@dataclass
class SolveResult:
    source: str
    title: str
    subid: int | None
    job_id: int | None
    calibration: Any
    annotations: list = field(default_factory=list)
    objects: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    wcs_header: bytes | None = None
    image: QImage | None = None  # the original, possibly scaled down for display
    image_scale: float = 1.0  # display pixels per image pixel
    width: int | None = None  # original image size in pixels
    height: int | None = None
    notes: list[str] = field(default_factory=list)
    status_url: str = ""


class _Signals(QObject):
    progress = Signal(int, object)  # generation, SolveStatus
    done = Signal(int, object, object)  # generation, final SolveStatus, SolveResult | None
    failed = Signal(int, object)


def load_image(source: str, fetcher=None) -> tuple[QImage | None, str]:
    """The image to draw on: a local JPEG/PNG/FITS or the bytes at a URL. (image, problem)."""
    try:
        if "://" in source:
            from planner.services.image_cache import IMAGE_MAX_BYTES

            data = fetcher.fetch(source, max_bytes=IMAGE_MAX_BYTES).data
            image = QImage.fromData(data)
        elif source.lower().endswith((".fits", ".fit", ".fts", ".fits.gz", ".fit.gz")):
            image = _fits_image(source)
        else:
            image = QImage(source)
    except Exception as exc:  # noqa: BLE001 - no picture is a note, not a failed solve
        return None, f"the image could not be shown ({exc})"
    if image is None or image.isNull():
        return None, "the image could not be shown (not a format Qt can display)"
    return image, ""


def _fits_image(path: str) -> QImage | None:
    import numpy as np

    from planner.sky._offline import configure_astropy_offline

    configure_astropy_offline()
    from astropy.io import fits

    with fits.open(path, memmap=False) as hdul:
        data = next((h.data for h in hdul if h.data is not None and getattr(h.data, "ndim", 0) >= 2), None)
    if data is None:
        return None
    data = np.asarray(data, dtype=float)
    while data.ndim > 2:
        data = data[0]
    low, high = np.nanpercentile(data, [1.0, 99.7])
    scaled = np.clip((data - low) / max(high - low, 1e-9), 0, 1)
    # FITS rows run bottom-up; astrometry.net draws its annotations on the image shown top-down.
    pixels = np.ascontiguousarray((np.flipud(scaled) * 255).astype(np.uint8))
    height, width = pixels.shape
    return QImage(pixels.data, width, height, width, QImage.Format.Format_Grayscale8).copy()


class _SolveJob(QRunnable):
    def __init__(self, dock: "PlateSolveDock", generation: int, source: str, title: str, options, cancel: threading.Event,
                 resume_subid: int | None = None):
        super().__init__()
        self.dock, self.generation, self.source, self.title = dock, generation, source, title
        self.options, self.cancel, self.resume_subid = options, cancel, resume_subid
        self.signals = dock._signals
        self.factory, self.settings = dock.client_factory, dock.settings
        self.poll, self.timeout, self.fetcher = dock.poll_interval, dock.timeout, dock.fetcher

    def run(self) -> None:
        try:
            client = self.factory(self.settings)
            if self.resume_subid is not None:
                steps = client.wait_for_solution(self.resume_subid, poll_interval=self.poll, timeout=self.timeout,
                                                 cancel=self.cancel)
            else:
                steps = client.solve(self.source, self.options, poll_interval=self.poll, timeout=self.timeout,
                                     cancel=self.cancel)
            final = None
            for status in steps:
                final = status
                self.signals.progress.emit(self.generation, status)
            result = None
            if final is not None and final.stage == "solved" and final.job_id is not None:
                result = self._gather(client, final)
            self.signals.done.emit(self.generation, final, result)
        except Exception as exc:  # noqa: BLE001 - every failure ends as a message in the panel
            self.signals.failed.emit(self.generation, exc)

    def _gather(self, client, final) -> SolveResult:
        result = SolveResult(self.source, self.title, final.subid, final.job_id, final.calibration,
                             status_url=client.status_page_url(final.subid) if final.subid is not None else "")
        try:
            info = client.job_info(final.job_id)
            result.objects, result.tags = info.objects_in_field, info.machine_tags
            if info.calibration is not None:
                result.calibration = info.calibration
        except Exception as exc:  # noqa: BLE001
            result.notes.append(f"objects in the field unavailable: {exc}")
        try:
            result.annotations = client.annotations(final.job_id)
        except Exception as exc:  # noqa: BLE001
            result.notes.append(f"annotations unavailable: {exc}")
        result.wcs_header = fetch_wcs(client, final.job_id)
        if self.source:
            image, problem = load_image(self.source, self.fetcher)
            if image is not None:
                result.width, result.height = image.width(), image.height()
                factor = min(1.0, DISPLAY_MAX / max(image.width(), image.height()))
                if factor < 1.0:
                    image = image.scaled(int(image.width() * factor), int(image.height() * factor),
                                         Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
                result.image, result.image_scale = image.convertToFormat(QImage.Format.Format_RGB32), factor
            elif problem:
                result.notes.append(problem)
        return result


# ----------------------------------------------------------------------------- drawing


def annotate(image: QImage, annotations, scale: float = 1.0, verdict=None, target_name: str = "") -> QPixmap:
    """The image with every annotation circled and named at its pixel position, and the target
    marked with a cross-hair when its pixel position is known."""
    pixmap = QPixmap.fromImage(image)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont(painter.font())
    font.setPixelSize(max(11, int(pixmap.height() / 45)))
    painter.setFont(font)
    colour = QColor(120, 220, 120)
    for note in annotations:
        x, y = note.pixelx * scale, note.pixely * scale
        r = max(note.radius * scale, 6.0)
        painter.setPen(QPen(colour, 2))
        painter.drawEllipse(QRectF(x - r, y - r, 2 * r, 2 * r))
        name = note.names[0] if note.names else note.type
        _label(painter, x + r + 3, y - r, name, colour)
    if verdict is not None and verdict.pixel_x is not None and verdict.pixel_y is not None:
        x, y = verdict.pixel_x * scale, verdict.pixel_y * scale
        cross = QColor(255, 80, 80)
        painter.setPen(QPen(cross, 2))
        for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            painter.drawLine(int(x + dx * 6), int(y + dy * 6), int(x + dx * 18), int(y + dy * 18))
        _label(painter, x + 20, y + 20, target_name or "target", cross)
    painter.end()
    return pixmap


def _label(painter: QPainter, x: float, y: float, text: str, colour: QColor) -> None:
    metrics = painter.fontMetrics()
    rect = metrics.boundingRect(text).adjusted(-2, -1, 2, 1)
    rect.moveTo(int(x), int(y))
    painter.fillRect(rect, QColor(0, 0, 0, 150))
    painter.setPen(colour)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


# ----------------------------------------------------------------------------- dock


def _default_client(settings):
    from planner.services.astrometry_net import AstrometryNetClient

    return AstrometryNetClient.from_settings(settings)


def _spin(minimum: float, maximum: float, decimals: int, value: float, suffix: str = "", step: float = 1.0) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(minimum, maximum)
    box.setDecimals(decimals)
    box.setSingleStep(step)
    box.setValue(value)
    if suffix:
        box.setSuffix(suffix)
    return box


class PlateSolveDock(QDockWidget):
    """Plate solving with nova.astrometry.net (see the module docstring)."""

    message = Signal(str)
    stage_changed = Signal(str)
    solved = Signal(object)  # SolveResult
    finished = Signal(str)  # final stage: solved | failed | cancelled | error

    def __init__(self, parent: QWidget | None = None, *, settings=None,
                 client_factory: Callable[[Any], Any] | None = None, poll_interval: float = 5.0,
                 timeout: float = 600.0, fetcher=None, state=None):
        super().__init__("Plate solving", parent)
        self.setObjectName("plateSolveDock")
        if state is not None:
            settings = state.settings
        if settings is None:
            from planner.config import load_settings_or_defaults

            settings = load_settings_or_defaults()
        self.settings = settings
        self.client_factory = client_factory or _default_client
        self.poll_interval, self.timeout = poll_interval, timeout
        if fetcher is None:
            from planner.services.image_cache import ImageCache, ImageFetcher

            fetcher = ImageFetcher(ImageCache.from_settings(settings))
        self.fetcher = fetcher
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self._signals = _Signals(self)
        self._signals.progress.connect(self._on_progress)
        self._signals.done.connect(self._on_done)
        self._signals.failed.connect(self._on_failed)
        self.generation = 0
        self._cancel = threading.Event()
        self._running = False
        self._started = 0.0
        self._entry: dict = {}
        self._target = None
        self.result: SolveResult | None = None
        self.verdict = None
        self.stages_seen: list[str] = []
        self._elapsed_timer = QTimer(self)
        self._elapsed_timer.setInterval(250)
        self._elapsed_timer.timeout.connect(self._tick)
        self._build()
        self.set_settings(settings)
        self._offer_resume()
        app = QCoreApplication.instance()
        if app is not None:  # quitting mid-solve must not wait for the poll to time out
            app.aboutToQuit.connect(lambda: self.shutdown(0))  # quitting never waits for them
        if state is not None:  # the window's night: hints follow its selection and telescope
            listen(self, state.selection_changed, lambda _rows: self.set_target(state.current_target()))
            listen(self, state.settings_changed, self.set_settings)

    # -- layout

    def _build(self) -> None:
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)

        source_row = QHBoxLayout()
        self.source_edit = QLineEdit(body)
        self.source_edit.setPlaceholderText("image file (FITS, JPEG, PNG) or https:// address")
        self.browse_button = QPushButton("Browse…", body)
        self.browse_button.clicked.connect(self._browse)
        source_row.addWidget(self.source_edit, 1)
        source_row.addWidget(self.browse_button)
        layout.addLayout(source_row)

        hints = QGroupBox("Hints", body)
        grid = QGridLayout(hints)
        self.use_position = QCheckBox("Near the target", hints)
        self.use_position.setToolTip("Search only around the selected target (faster)")
        self.ra_spin = _spin(0, 360, 4, 0, "°")
        self.dec_spin = _spin(-90, 90, 4, 0, "°")
        self.radius_spin = _spin(0.05, 180, 2, 2.0, "°", 0.5)
        grid.addWidget(self.use_position, 0, 0, 1, 4)
        grid.addWidget(QLabel("RA"), 1, 0)
        grid.addWidget(self.ra_spin, 1, 1)
        grid.addWidget(QLabel("Dec"), 1, 2)
        grid.addWidget(self.dec_spin, 1, 3)
        grid.addWidget(QLabel("radius"), 2, 0)
        grid.addWidget(self.radius_spin, 2, 1)
        self.use_scale = QCheckBox("Telescope scale (from Settings)", hints)
        self.use_scale.setToolTip("Pixel-scale bounds from the focal length and pixel size in Settings")
        self.scale_lower = _spin(0.01, 3600, 3, 0.5, '"/px', 0.1)
        self.scale_upper = _spin(0.01, 3600, 3, 2.0, '"/px', 0.1)
        grid.addWidget(self.use_scale, 3, 0, 1, 4)
        grid.addWidget(QLabel("from"), 4, 0)
        grid.addWidget(self.scale_lower, 4, 1)
        grid.addWidget(QLabel("to"), 4, 2)
        grid.addWidget(self.scale_upper, 4, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        layout.addWidget(hints)

        self.advanced = QCollapsible("Advanced", body)
        advanced = QWidget()
        form = QFormLayout(advanced)
        self.downsample_spin = _spin(0, 16, 1, 0, "", 1)
        self.downsample_spin.setSpecialValueText("service default")
        self.tweak_spin = QSpinBox()
        self.tweak_spin.setRange(-1, 10)
        self.tweak_spin.setSpecialValueText("service default (2)")
        self.tweak_spin.setValue(-1)
        self.parity_combo = QComboBox()
        for text, value in (("try both", None), ("positive", 0), ("negative", 1)):
            self.parity_combo.addItem(text, value)
        self.positional_spin = _spin(0, 20, 2, 0, " px", 0.5)
        self.positional_spin.setSpecialValueText("service default (1 px)")
        self.sextractor_check = QCheckBox("use SourceExtractor")
        self.crpix_check = QCheckBox("reference point at the image centre")
        self.public_combo = QComboBox()
        for text, value in (("service default", None), ("yes", "y"), ("no (private)", "n")):
            self.public_combo.addItem(text, value)
        self.commercial_combo = QComboBox()
        for text, value in (("service default", None), ("yes", "y"), ("no", "n")):
            self.commercial_combo.addItem(text, value)
        self.modifications_combo = QComboBox()
        for text, value in (("service default", None), ("yes", "y"), ("share-alike", "sa"), ("no", "n")):
            self.modifications_combo.addItem(text, value)
        form.addRow("Downsample by", self.downsample_spin)
        form.addRow("Tweak order", self.tweak_spin)
        form.addRow("Parity", self.parity_combo)
        form.addRow("Positional error", self.positional_spin)
        form.addRow("", self.sextractor_check)
        form.addRow("", self.crpix_check)
        form.addRow("Publicly visible", self.public_combo)
        form.addRow("Commercial use", self.commercial_combo)
        form.addRow("Modifications", self.modifications_combo)
        self.advanced.addWidget(advanced)
        layout.addWidget(self.advanced)

        actions = QHBoxLayout()
        self.solve_button = QPushButton("Solve", body)
        self.solve_button.clicked.connect(lambda: self.solve())
        self.cancel_button = QPushButton("Cancel", body)
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.resume_button = QPushButton("Resume", body)
        self.resume_button.setVisible(False)
        self.resume_button.clicked.connect(lambda: self.resume())
        actions.addWidget(self.solve_button)
        actions.addWidget(self.cancel_button)
        actions.addWidget(self.resume_button)
        actions.addStretch(1)
        layout.addLayout(actions)

        self.stage_label = QLabel(body)
        self.stage_label.setTextFormat(Qt.TextFormat.RichText)
        self.progress = QProgressBar(body)
        self.progress.setRange(0, 0)
        self.progress.setVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.setTextVisible(False)
        self.ids_label = QLabel(body)
        self.ids_label.setOpenExternalLinks(True)
        self.ids_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.message_label = QLabel(body)
        self.message_label.setWordWrap(True)
        layout.addWidget(self.stage_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.ids_label)
        layout.addWidget(self.message_label)

        self.verdict_label = QLabel(body)
        self.verdict_label.setWordWrap(True)
        font = self.verdict_label.font()
        font.setBold(True)
        self.verdict_label.setFont(font)
        self.calibration_label = QLabel(body)
        self.calibration_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.image_label = QLabel(body)
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_label.setMinimumHeight(200)
        # The pixmap follows the panel's width, never the other way round.
        self.image_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.objects_list = QListWidget(body)
        self.objects_list.setMaximumHeight(110)
        layout.addWidget(self.verdict_label)
        layout.addWidget(self.calibration_label)
        layout.addWidget(self.image_label, 1)
        layout.addWidget(QLabel("Objects in the field:", body))
        layout.addWidget(self.objects_list)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        self._scroll = scroll
        self.setWidget(scroll)
        self._show_stage(None)

    # -- inputs

    def set_target(self, target) -> None:
        """Hints (and the verdict of a shown result) follow the selected target."""
        self._target = target
        if target is not None:
            self.ra_spin.setValue(float(target.ra) % 360.0)
            self.dec_spin.setValue(float(target.dec))
            self.use_position.setChecked(True)
        else:
            self.use_position.setChecked(False)
        self._update_verdict()

    def set_settings(self, settings) -> None:
        self.settings = settings
        bounds = scale_bounds(getattr(settings, "telescope_focal_length_mm", None),
                              getattr(settings, "camera_pixel_size_um", None))
        self.use_scale.setEnabled(bounds is not None)
        if bounds is not None:
            self.scale_lower.setValue(round(bounds[0], 3))
            self.scale_upper.setValue(round(bounds[1], 3))
            self.use_scale.setChecked(True)
            self.use_scale.setToolTip(f"{bounds[0]:.3f}–{bounds[1]:.3f}\"/px from the telescope in Settings (±20 %)")
        else:
            self.use_scale.setChecked(False)
            self.use_scale.setToolTip("Set the focal length and the camera's pixel size in Settings to use this")

    def options(self):
        """The upload options the form describes (validated when the solve starts)."""
        from planner.services.astrometry_net import UploadOptions

        values: dict[str, Any] = {}
        if self.use_position.isChecked():
            values.update(center_ra=self.ra_spin.value(), center_dec=self.dec_spin.value(), radius=self.radius_spin.value())
        if self.use_scale.isChecked() and self.use_scale.isEnabled():
            values.update(scale_units="arcsecperpix", scale_type="ul", scale_lower=self.scale_lower.value(),
                          scale_upper=self.scale_upper.value())
        if self.downsample_spin.value() >= 1:
            values["downsample_factor"] = self.downsample_spin.value()
        if self.tweak_spin.value() >= 0:
            values["tweak_order"] = self.tweak_spin.value()
        if self.parity_combo.currentData() is not None:
            values["parity"] = self.parity_combo.currentData()
        if self.positional_spin.value() > 0:
            values["positional_error"] = self.positional_spin.value()
        if self.sextractor_check.isChecked():
            values["use_sextractor"] = True
        if self.crpix_check.isChecked():
            values["crpix_center"] = True
        for key, combo in (("publicly_visible", self.public_combo), ("allow_commercial_use", self.commercial_combo),
                           ("allow_modifications", self.modifications_combo)):
            if combo.currentData() is not None:
                values[key] = combo.currentData()
        return UploadOptions(**values)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Image to plate-solve", "",
                                              "Images (*.fits *.fit *.fts *.jpg *.jpeg *.png);;All files (*)")
        if path:
            self.source_edit.setText(path)

    # -- solving

    def solve_url(self, url: str, title: str = "") -> None:
        """Solve an image at an address (the images dock's "Solve this image")."""
        self.source_edit.setText(url)
        self.solve(url, title=title)
        self.show()
        self.raise_()

    def solve_file(self, path: str) -> None:
        self.source_edit.setText(str(path))
        self.solve(str(path))

    def solve(self, source: str | None = None, *, title: str = "") -> bool:
        from planner.errors import PlannerError

        source = (self.source_edit.text() if source is None else source).strip()
        if not source:
            self._message("Choose an image file or paste an image address first.", error=True)
            return False
        if "://" not in source:
            path = Path(source).expanduser()
            if not path.is_file():
                self._message(f"{source} is not a file; choose an image file (FITS, JPEG or PNG).", error=True)
                return False
            source = str(path)
        try:
            options = self.options()
            options.to_request()
        except PlannerError as exc:
            self._message(str(exc), error=True)
            return False
        self._start(source, title or Path(source).name, options, None)
        return True

    def resume(self, subid: int | None = None) -> bool:
        """Follow a submission started earlier (by default the last unfinished one remembered)."""
        entry = None
        if subid is None:
            entry = unfinished_solve()
            if entry is None:
                self._message("There is no unfinished solve to resume.")
                return False
            subid = int(entry["subid"])
        entry = entry or next((e for e in load_solves() if e.get("subid") == subid), {"subid": subid})
        self._start(entry.get("source", ""), entry.get("title", ""), None, int(subid), entry)
        return True

    def _start(self, source: str, title: str, options, resume_subid: int | None, entry: dict | None = None) -> None:
        self._cancel.set()
        self._cancel = threading.Event()
        self.generation += 1
        self.result, self.verdict = None, None
        self.stages_seen = []
        self._entry = dict(entry or {"source": source, "title": title, "started": time.time()})
        self._entry.update(source=source, title=title)
        if resume_subid is not None:
            self._entry["subid"] = resume_subid
        self._clear_result()
        self._running = True
        self._started = time.monotonic()
        self._elapsed_timer.start()
        self.solve_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.resume_button.setVisible(False)
        self.progress.setVisible(True)
        self._message(f"Resuming submission {resume_subid}…" if resume_subid is not None else f"Solving {title or source}…")
        self._show_stage("queued" if resume_subid is not None else "uploading")
        self._show_ids()
        self.pool.start(_SolveJob(self, self.generation, source, title, options, self._cancel, resume_subid))

    def cancel(self) -> None:
        """Stop waiting (the service may still finish the job; it can be resumed later)."""
        if not self._running:
            return
        self._cancel.set()
        self._message("Cancelling…")

    @property
    def running(self) -> bool:
        return self._running

    def _on_progress(self, generation: int, status) -> None:
        if generation != self.generation:
            return
        if not self.stages_seen or self.stages_seen[-1] != status.stage:
            self.stages_seen.append(status.stage)
        changed = False
        if status.subid is not None and self._entry.get("subid") != status.subid:
            self._entry["subid"] = status.subid
            changed = True
        if status.job_id is not None and self._entry.get("job_id") != status.job_id:
            self._entry["job_id"] = status.job_id
            changed = True
        if self._entry.get("stage") != status.stage:
            self._entry["stage"] = status.stage
            changed = True
        if changed and self._entry.get("subid") is not None:
            remember_solve(dict(self._entry))
        self._show_stage(status.stage)
        self._show_ids()
        if status.message:
            self._message(status.message, error=status.stage == "failed")
        self.stage_changed.emit(status.stage)

    def _on_done(self, generation: int, final, result) -> None:
        if generation != self.generation:
            return
        self._stop()
        stage = final.stage if final is not None else "failed"
        if self._entry.get("subid") is not None:
            self._entry["stage"] = stage
            remember_solve(dict(self._entry))
        self._show_stage(stage)
        if result is not None:
            self.result = result
            self._show_result(result)
            self.solved.emit(result)
            self.message.emit(f"Plate solved: {self.verdict_label.text()}")
        elif stage == "cancelled":
            self._message("Cancelled. The service may still finish the job: Resume picks it up again.")
            self.resume_button.setVisible(self._entry.get("subid") is not None)
        self.finished.emit(stage)

    def _on_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self.generation:
            return
        self._stop()
        from planner.errors import PlannerError

        text = str(exc) if isinstance(exc, PlannerError) else f"the solve stopped unexpectedly ({exc.__class__.__name__}); try again"
        self._message(text, error=True)
        self._show_stage("failed")
        self.resume_button.setVisible(self._entry.get("subid") is not None)
        self.message.emit(text)
        self.finished.emit("error")

    def _stop(self) -> None:
        self._running = False
        self._elapsed_timer.stop()
        self._tick()
        self.progress.setVisible(False)
        self.solve_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def shutdown(self, timeout_ms: int = 3000) -> None:
        """Stop waiting (the submission stays remembered for Resume) and let the worker end."""
        self._cancel.set()
        self.generation += 1
        self.pool.clear()
        self.pool.waitForDone(timeout_ms)

    # -- display

    def _message(self, text: str, *, error: bool = False) -> None:
        self.message_label.setText(("⚠ " + text) if error and text else text)
        self.message_label.setProperty("error", error)

    def _tick(self) -> None:
        self._elapsed = time.monotonic() - self._started if self._started else 0.0
        self._show_stage(self._stage)

    _stage: str | None = None
    _elapsed: float = 0.0

    def _show_stage(self, stage: str | None) -> None:
        self._stage = stage
        if stage is None:
            self.stage_label.setText("")
            return
        parts = []
        for name in STAGES:
            shown = name
            if stage in ("failed", "cancelled") and name == "solved":
                shown = stage
            text = shown.capitalize()
            parts.append(f"<b>[{text}]</b>" if shown == stage else text)
        elapsed = f" &nbsp; {self._elapsed:.0f} s" if self._started else ""
        self.stage_label.setText(" → ".join(parts) + elapsed)

    def _show_ids(self) -> None:
        subid, job = self._entry.get("subid"), self._entry.get("job_id")
        if subid is None:
            self.ids_label.setText("")
            return
        text = f"Submission {subid}"
        try:
            from planner.services.registry import base_url

            base = base_url("astrometry", self.settings)
        except Exception:  # noqa: BLE001 - a settings object without URLs: ids without a link
            base = ""
        if base:
            site = base[: -len("/api")] if base.endswith("/api") else base
            text = f'<a href="{site}/status/{int(subid)}">Submission {subid}</a>'
        if job is not None:
            text += f" · Job {job}"
        self.ids_label.setText(text)

    def _clear_result(self) -> None:
        self.verdict_label.setText("")
        self.calibration_label.setText("")
        self.image_label.setPixmap(QPixmap())
        self.image_label.setText("")
        self.objects_list.clear()
        self.annotated: QPixmap | None = None

    def _show_result(self, result: SolveResult) -> None:
        cal = result.calibration
        parity = "flipped (negative)" if cal.parity < 0 else "normal (positive)"
        self.calibration_label.setText(
            f"Centre RA {cal.ra:.5f}°  Dec {cal.dec:+.5f}°\n"
            f"Pixel scale {cal.pixscale:.4f}\"/px · orientation {cal.orientation:.2f}° E of N\n"
            f"Field radius {cal.radius:.4f}° · parity {parity}"
            + (f"\nImage {result.width} × {result.height} px" if result.width else "")
        )
        self.objects_list.clear()
        self.objects_list.addItems(list(result.objects) or ["(none listed)"])
        if result.notes:
            self._message("Solved. " + "; ".join(result.notes))
        else:
            self._message("Solved.")
        self._update_verdict()

    def _update_verdict(self) -> None:
        result = self.result
        if result is None:
            return
        target = self._target
        self.verdict = None
        if target is None:
            self.verdict_label.setText("Select a target to see whether it is in this field.")
        else:
            from planner.sky.field import field_verdict

            cal = result.calibration
            self.verdict = field_verdict(cal.ra, cal.dec, cal.radius, target.ra, target.dec,
                                         orientation_deg=cal.orientation, pixscale_arcsec=cal.pixscale,
                                         width_px=result.width, height_px=result.height,
                                         wcs_header=result.wcs_header, name=target.star_name)
            mark = "✔ " if self.verdict.inside else "✘ "
            self.verdict_label.setText(mark + self.verdict.describe())
        if result.image is not None:
            self.annotated = annotate(result.image, result.annotations, result.image_scale, self.verdict,
                                      target.star_name if target is not None else "")
            self._fit_image()
        else:
            self.annotated = None
            self.image_label.setText("(no image to draw on)")

    def _fit_image(self) -> None:
        if getattr(self, "annotated", None) is None:
            return
        width = max(self._scroll.viewport().width() - 16, 200)
        pixmap = self.annotated.scaledToWidth(min(width, self.annotated.width() * 2), Qt.TransformationMode.SmoothTransformation)
        self.image_label.setPixmap(pixmap)
        self.image_label.setMinimumHeight(pixmap.height())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit_image()

    def _offer_resume(self) -> None:
        entry = unfinished_solve()
        if entry is not None:
            self._entry = dict(entry)
            self.resume_button.setVisible(True)
            self.resume_button.setText(f"Resume submission {entry['subid']}")
            self._message(f"A solve started earlier ({entry.get('title') or entry.get('source') or 'image'}, "
                          f"submission {entry['subid']}) did not finish here: Resume follows it again.")
            self._show_ids()


__all__ = ["PlateSolveDock", "SolveResult", "annotate", "load_solves", "remember_solve", "scale_bounds"]
