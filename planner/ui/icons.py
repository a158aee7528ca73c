"""The bundled SVG icons (``planner/resources/icons``) as ``QIcon``s, rendered with QtSvg.

The SVGs are read through ``importlib.resources`` and rendered into pixmaps rather than
opened by file name, so they work from a zipped install too. They are drawn in black on
transparent; ``themes.themed_icon`` recolours them for the dark and night themes.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

SIZES = (16, 24, 32, 48)


@lru_cache(maxsize=None)
def icon(name: str) -> QIcon:
    """The icon ``planner/resources/icons/<name>.svg``; an empty icon when it is missing or unreadable."""
    try:
        data = resources.files("planner.resources.icons").joinpath(f"{name}.svg").read_bytes()
    except (FileNotFoundError, OSError):
        return QIcon()
    renderer = QSvgRenderer(QByteArray(data))
    if not renderer.isValid():
        return QIcon()
    out = QIcon()
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        out.addPixmap(QPixmap.fromImage(image))
    return out


def app_icon() -> QIcon:
    return icon("planner")
