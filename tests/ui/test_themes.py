"""Themes: palette colours reach the application, night mode has no white or blue anywhere."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QIcon, QPalette, QPixmap
from PySide6.QtWidgets import QLabel

from planner.ui import themes
from planner.ui.themes import THEME_NAMES, apply_theme, hex_colors, is_night_safe, stylesheet, theme, tint_icon


@pytest.fixture
def restore_app_theme(qapp):
    yield qapp
    apply_theme(qapp, "light")


@pytest.mark.parametrize("name", THEME_NAMES)
def test_apply_theme_sets_palette_and_stylesheet(restore_app_theme, name):
    app = restore_app_theme
    t = apply_theme(app, name)
    assert t.name == name
    pal = app.palette()
    assert pal.color(QPalette.ColorRole.Window) == QColor(t.window)
    assert pal.color(QPalette.ColorRole.Text) == QColor(t.text)
    assert pal.color(QPalette.ColorRole.Highlight) == QColor(t.highlight)
    assert pal.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text) == QColor(t.disabled_text)
    sheet = app.styleSheet()
    assert "QToolTip" in sheet  # the shared base.qss was read from the resources package
    assert "${" not in sheet  # every placeholder was filled in
    assert themes.current_theme(app).name == name


def test_unknown_theme_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="light, dark, night"):
        theme("sepia")


def test_theme_accepts_a_theme_object():
    assert theme(themes.NIGHT) is themes.NIGHT
    assert theme("NIGHT") is themes.NIGHT


def test_night_mode_has_no_white_or_blue_colour_anywhere():
    t = theme("night")
    bad = {k: v for k, v in t.colors().items() if not is_night_safe(v)}
    assert bad == {}
    sheet_colours = hex_colors(stylesheet(t))
    assert sheet_colours, "the night stylesheet should name its colours"
    assert [c for c in sheet_colours if not is_night_safe(c)] == []


def test_night_palette_every_role_and_group_is_red_or_black(qapp):
    pal = themes.palette(theme("night"))
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive, QPalette.ColorGroup.Disabled):
        for role in QPalette.ColorRole:
            if role in (QPalette.ColorRole.NColorRoles, QPalette.ColorRole.NoRole):
                continue
            colour = pal.color(group, role)
            assert is_night_safe(colour), (group, role, colour.name())


def test_night_mode_is_dim():
    # Nothing brighter than the dimmest pure red that is still legible: luminance stays low.
    for key, value in theme("night").colors().items():
        c = QColor(value)
        luminance = 0.2126 * c.redF() + 0.7152 * c.greenF() + 0.0722 * c.blueF()
        assert luminance < 0.26, key


def test_is_night_safe_rejects_white_blue_and_green():
    assert not is_night_safe("#ffffff")
    assert not is_night_safe("#0000ff")
    assert not is_night_safe("#00ff00")
    assert not is_night_safe("#ff8000")  # orange has too much green
    assert is_night_safe("#000000")
    assert is_night_safe("#b01800")


def test_light_and_dark_differ_from_night():
    assert theme("light").window != theme("night").window
    assert QColor(theme("dark").window).lightness() < QColor(theme("light").window).lightness()


def test_tint_icon_repaints_opaque_pixels_in_the_colour(qapp):
    source = QPixmap(16, 16)
    source.fill(QColor("#ffffff"))
    icon = QIcon(source)
    tinted = tint_icon(icon, "#a01800")
    image = tinted.pixmap(16, 16).toImage()
    assert QColor(image.pixel(8, 8)).name() == "#a01800"
    assert tint_icon(icon, "") is icon  # the light theme keeps the icon's own colours


def test_widget_error_label_uses_theme_error_colour(restore_app_theme, qtbot):
    apply_theme(restore_app_theme, "night")
    label = QLabel("Latitude must be a number")
    label.setProperty("role", "error")
    qtbot.addWidget(label)
    label.show()
    label.ensurePolished()
    assert label.palette().color(QPalette.ColorRole.WindowText) == QColor(theme("night").error)
