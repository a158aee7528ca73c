"""Night mode for pictures: every image the window shows drawn in red only.

Night mode's palette and stylesheet make the widgets red on black, but a picture (a
reference image, the plate-solve image, a comparison-star chart) keeps its own colours,
and a white sky survey or chart background is the brightest white light on the screen.
So a widget that shows one is marked ``showsImage`` (``mark_image_widget``) and, in night
mode, draws through ``NightFilter``, a graphics effect that puts each pixel's luminance
(Rec. 601 weights, as a grey conversion would) into the red channel and nothing into green
and blue: shapes and brightness stay readable, and no green or blue light is emitted.

``apply_night_filter(root, on)`` sets or removes it on every marked widget under ``root``;
the window calls it when the theme changes and for each dock it builds later.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QGraphicsEffect, QWidget

SHOWS_IMAGE = "showsImage"
_LUMA = (0.299, 0.587, 0.114)  # R, G, B weights of Rec. 601 luma


def red_only(image: QImage) -> QImage:
    """``image`` with each pixel's luminance in red, green and blue zero, alpha kept."""
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    w, h = image.width(), image.height()
    if w == 0 or h == 0:
        return image
    stride = image.bytesPerLine()
    pixels = np.frombuffer(image.constBits(), np.uint8, count=stride * h).reshape(h, stride)[:, : w * 4]
    pixels = pixels.reshape(h, w, 4)  # B, G, R, A in memory (ARGB32 on a little-endian machine)
    luma = (_LUMA[0] * pixels[..., 2] + _LUMA[1] * pixels[..., 1] + _LUMA[2] * pixels[..., 0])
    out = np.zeros((h, w, 4), np.uint8)
    out[..., 2] = np.clip(np.rint(luma), 0, 255)
    out[..., 3] = pixels[..., 3]
    return QImage(out.data, w, h, w * 4, QImage.Format.Format_ARGB32).copy()


class NightFilter(QGraphicsEffect):
    """Draws its widget through ``red_only``."""

    def draw(self, painter: QPainter) -> None:  # noqa: D401 - Qt's name
        offset = QPoint()
        pixmap = self.sourcePixmap(Qt.CoordinateSystem.LogicalCoordinates, offset)
        if pixmap.isNull():
            return
        painter.drawImage(offset, red_only(pixmap.toImage()))


def mark_image_widget(widget: QWidget) -> QWidget:
    """Mark ``widget`` as one that shows a picture (night mode filters it); returns it."""
    widget.setProperty(SHOWS_IMAGE, True)
    return widget


def apply_night_filter(root: QWidget, on: bool) -> None:
    """Filter (``on``) or stop filtering every marked widget in ``root`` (itself included)."""
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.property(SHOWS_IMAGE):
            continue
        current = widget.graphicsEffect()
        if on and not isinstance(current, NightFilter):
            effect = NightFilter(widget)
            widget._night_filter = effect  # the Python object must live as long as the effect
            widget.setGraphicsEffect(effect)
        elif not on and isinstance(current, NightFilter):
            widget.setGraphicsEffect(None)
            widget._night_filter = None
