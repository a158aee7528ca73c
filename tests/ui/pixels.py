"""What a test sees of a painted widget, icon or image: the colours of its pixels, and those of
them that night mode must not emit (``planner.ui.themes.is_night_safe``). One scanner for the
window's tests, so every check of painted colours reads pixels the same way."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap
from PySide6.QtWidgets import QWidget

from planner.ui.themes import is_night_safe

ICON_SIZE = 32  # pixels: an icon is scanned as a pixmap this big


def image_of(thing: QWidget | QIcon | QPixmap | QImage) -> QImage:
    """The pixels of a widget (as it paints now), an icon (at ``ICON_SIZE``), a pixmap or an image."""
    if isinstance(thing, QWidget):
        return thing.grab().toImage()
    if isinstance(thing, QIcon):
        return thing.pixmap(ICON_SIZE, ICON_SIZE).toImage()
    if isinstance(thing, QPixmap):
        return thing.toImage()
    return thing


def pixel_colours(thing, *, step: int = 1, opaque: bool = False) -> set[tuple[int, int, int]]:
    """The (red, green, blue) of every ``step``-th pixel in both directions; with ``opaque``
    only the pixels that are not fully transparent (an icon's shape)."""
    image = image_of(thing).convertToFormat(QImage.Format.Format_ARGB32)  # not premultiplied
    if image.isNull():
        return set()
    rows = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(image.height(), image.bytesPerLine())
    bgra = rows[::step, : 4 * image.width()].reshape(len(rows[::step]), image.width(), 4)[:, ::step]
    bgra = bgra.reshape(-1, 4)
    if opaque:
        bgra = bgra[bgra[:, 3] > 0]
    return {(int(r), int(g), int(b)) for b, g, r in np.unique(bgra[:, :3], axis=0)}


def colour_names(thing, *, step: int = 1) -> set[str]:
    """``pixel_colours`` as ``#rrggbb`` names, the form a ``Theme`` gives its colours in."""
    return {QColor(*c).name() for c in pixel_colours(thing, step=step)}


def unsafe_colours(thing, *, step: int = 2) -> list[tuple[int, int, int]]:
    """The colours among every ``step``-th pixel that would spoil dark adaptation, sorted."""
    return sorted(c for c in pixel_colours(thing, step=step) if not is_night_safe(QColor(*c)))
