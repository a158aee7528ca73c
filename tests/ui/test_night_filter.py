"""Night mode lets no green or blue light through pictures (issue 17, item 4): every widget
that shows an image is drawn through planner.ui.night_filter.NightFilter in night mode."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import QLabel, QWidget

from planner.ui.night_filter import SHOWS_IMAGE, NightFilter, apply_night_filter, mark_image_widget, red_only
from tests.ui.test_main_window import close_windows, open_window  # noqa: F401 - the fixture closes them


def _pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    w, h = image.width(), image.height()
    raw = np.frombuffer(image.constBits(), np.uint8, count=image.bytesPerLine() * h)
    # a copy: the view would outlive the converted image it points into
    return raw.reshape(h, image.bytesPerLine())[:, : w * 4].reshape(h, w, 4).copy()  # B, G, R, A


def _colourful(w=60, h=40) -> QImage:
    image = QImage(w, h, QImage.Format.Format_ARGB32)
    image.fill(QColor(255, 255, 255))  # a white sky-survey background
    for x in range(w // 3):
        for y in range(h):
            image.setPixelColor(x, y, QColor(0, 0, 255))  # blue
            image.setPixelColor(x + w // 3, y, QColor(0, 200, 0, 128))  # green, half transparent
    return image


def test_luminance_goes_into_red_and_nothing_else():
    out = _pixels(red_only(_colourful()))
    assert out[..., 0].max() == 0 and out[..., 1].max() == 0  # no blue, no green
    assert tuple(out[5, 50]) == (0, 0, 255, 255)  # white: full red
    assert tuple(out[5, 5]) == (0, 0, round(0.114 * 255), 255)  # blue's luminance
    assert out[5, 25, 3] == 128  # alpha kept


def test_a_marked_picture_shows_in_red_only_in_night_mode(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.resize(80, 50)
    parent.setStyleSheet("background: black")  # night mode's own background (see through the half-transparent part)
    label = mark_image_widget(QLabel(parent))
    label.setPixmap(QPixmap.fromImage(_colourful()))
    label.move(10, 5)
    label.resize(60, 40)
    parent.show()
    before = _pixels(parent.grab().toImage())
    assert before[..., 0].max() == 255  # the blue is there in daylight
    apply_night_filter(parent, True)
    assert isinstance(label.graphicsEffect(), NightFilter)
    night = _pixels(parent.grab().toImage())[5:45, 10:70]
    assert night[..., 0].max() == 0 and night[..., 1].max() == 0
    assert night[..., 2].max() == 255  # the white, now red
    apply_night_filter(parent, False)
    assert label.graphicsEffect() is None


def test_every_picture_of_the_window_is_filtered_in_night_mode_and_ctrl_shift_n_switches(qtbot):
    window = open_window(qtbot)
    images = window.panel("images_dock")
    images.astrobin.build()  # the tabs are built when first shown (this dock is not)
    images.nasa.build()
    solver = window.panel("solver_dock")
    marked = [w for w in window.findChildren(QWidget) if w.property(SHOWS_IMAGE)]
    # the thumbnails and the large image of both image tabs, the plate-solve image, the comparison chart
    assert images.astrobin.view.viewport() in marked and images.nasa.detail_image in marked
    assert solver.image_label in marked and len(marked) >= 6
    assert not any(isinstance(w.graphicsEffect(), NightFilter) for w in marked)

    window.theme_actions["night"].trigger()  # View > Night mode, Ctrl+Shift+N
    assert all(isinstance(w.graphicsEffect(), NightFilter) for w in marked)
    # a dock built after the switch is filtered from the start
    arcsecond = window.panel("arcsecond_dock")
    assert all(isinstance(w.graphicsEffect(), NightFilter)
               for w in arcsecond.findChildren(QWidget) if w.property(SHOWS_IMAGE))
    window.theme_actions["light"].trigger()
    assert not any(isinstance(w.graphicsEffect(), NightFilter) for w in marked)
