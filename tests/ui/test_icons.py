"""Bundled icons load from the package and follow the theme (red in night mode)."""

from __future__ import annotations

from PySide6.QtGui import QColor

from planner.ui.icons import SIZES, app_icon, icon
from planner.ui.themes import theme, themed_icon


def _ink(qicon, size=24):
    """The colours of the icon's opaque pixels."""
    image = qicon.pixmap(size, size).toImage()
    colours = set()
    for y in range(image.height()):
        for x in range(image.width()):
            c = QColor(image.pixel(x, y))
            if QColor.fromRgba(image.pixel(x, y)).alpha() > 200:
                colours.add((c.red(), c.green(), c.blue()))
    return colours


def test_every_bundled_icon_renders(qapp):
    for name in ("refresh", "previous", "next", "calendar", "settings", "add-to-plan", "night-mode", "solve", "schedule", "search"):
        qicon = icon(name)
        assert not qicon.isNull(), name
        assert {s.width() for s in qicon.availableSizes()} >= set(SIZES)
        assert _ink(qicon), f"{name} draws nothing"
    assert not app_icon().isNull()
    assert icon("no-such-icon").isNull()


def test_night_mode_icons_are_red_only(qapp):
    night = theme("night")
    ink = _ink(themed_icon(icon("refresh"), night))
    assert ink
    for r, g, b in ink:
        assert r > 0 and g <= r * 0.2 and b <= r * 0.2, (r, g, b)


def test_window_actions_follow_the_theme(qtbot):
    from tests.ui.test_main_window import _open, open_window

    window = open_window(qtbot)
    try:
        window.apply_theme("night", save=False)
        assert all(g <= r * 0.2 for r, g, b in _ink(window.refresh_action.icon()))
        window.apply_theme("light", save=False)
        assert (0, 0, 0) in _ink(window.refresh_action.icon())
        assert not window.windowIcon().isNull()
    finally:
        _open.remove(window)
        window.close()
        window.deleteLater()
