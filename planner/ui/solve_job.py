"""The plate solve off the GUI thread, and the picture it ends with.

``SolveJob`` (a ``QRunnable`` in the solver dock's pool) follows the astrometry.net
client's ``solve`` / ``wait_for_solution`` generator and reports each status; once solved
it gathers the rest (``planner.app.solve.gather_solution``) and loads the image to draw on
(``load_image``: a local JPEG/PNG/FITS or the bytes at a URL, scaled for display).
``annotate`` draws the annotations at their pixel positions and the target's cross-hair.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QRectF, QRunnable, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QPixmap

from planner.app.solve import FITS_SUFFIXES, fits_preview, gather_solution
from planner.services.image_cache import IMAGE_MAX_BYTES

DISPLAY_MAX = 1600


@dataclass
class SolveResult:
    """A solved job as the dock shows it: what the service said (``planner.app.solve.SolvedJob``)
    and the image to draw on."""

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


class SolveSignals(QObject):
    progress = Signal(int, object)  # generation, SolveStatus
    done = Signal(int, object, object)  # generation, final SolveStatus, SolveResult | None
    failed = Signal(int, object)


def load_image(source: str, fetcher=None) -> tuple[QImage | None, str]:
    """The image to draw on: a local JPEG/PNG/FITS or the bytes at a URL. (image, problem)."""
    try:
        if "://" in source:
            data = fetcher.fetch(source, max_bytes=IMAGE_MAX_BYTES).data
            image = QImage.fromData(data)
        elif source.lower().endswith(FITS_SUFFIXES):
            image = _fits_image(source)
        else:
            image = QImage(source)
    except Exception as exc:  # noqa: BLE001 - no picture is a note, not a failed solve
        return None, f"the image could not be shown ({exc})"
    if image is None or image.isNull():
        return None, "the image could not be shown (not a format Qt can display)"
    return image, ""


def _fits_image(path: str) -> QImage | None:
    pixels = fits_preview(path)
    if pixels is None:
        return None
    height, width = pixels.shape
    return QImage(pixels.data, width, height, width, QImage.Format.Format_Grayscale8).copy()


class SolveJob(QRunnable):
    def __init__(self, dock, generation: int, source: str, title: str, options, cancel: threading.Event,
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
        job = gather_solution(client, final)
        result = SolveResult(self.source, self.title, job.subid, job.job_id, job.calibration,
                             annotations=job.annotations, objects=job.objects, tags=job.tags,
                             wcs_header=job.wcs_header, notes=list(job.notes), status_url=job.status_url)
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
