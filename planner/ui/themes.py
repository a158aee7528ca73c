"""The three looks of the program: light, dark and a red-on-black night mode for dark adaptation.

A ``Theme`` holds every colour the program paints with: the Qt palette, the stylesheet
(``planner/resources/themes/base.qss`` filled in with the theme's colours, plus the theme's own
``<name>.qss``) and the chart's matplotlib colours. Night mode uses red hues only, dim and
low in contrast, with no white, green or blue anywhere, so that the observer's
dark-adapted eyes survive looking at the screen.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from string import Template

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QStyle

from planner.plot.palette import DARK, DEFAULT_THEME, LIGHT, NIGHT, THEME_NAMES, Theme
from planner.plot.palette import theme as palette_theme

__all__ = ["DARK", "DEFAULT_THEME", "LIGHT", "NIGHT", "THEME_EVENTS", "THEME_NAMES", "Theme", "apply_theme", "current_theme",
           "hex_colors", "is_night_safe", "palette", "standard_icon", "stylesheet", "theme", "themed_icon",
           "tint_icon"]

# What a widget hears when the theme changes (apply_theme sets the palette and the stylesheet):
# a widget that paints colours of its own redraws on these.
THEME_EVENTS = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange, QEvent.Type.StyleChange)

# Sizes a tinted icon is rendered at when the source icon does not list its own.
_ICON_SIZES = (16, 22, 24, 32, 48)


def theme(name: str | Theme) -> Theme:
    """The theme called ``name`` (a ``Theme`` is returned as is); unknown names raise ``ValueError``."""
    return palette_theme(name)


def palette(t: Theme) -> QPalette:
    """The Qt palette of a theme, including the disabled group."""
    pal = QPalette()
    roles = {
        QPalette.ColorRole.Window: t.window,
        QPalette.ColorRole.WindowText: t.window_text,
        QPalette.ColorRole.Base: t.base,
        QPalette.ColorRole.AlternateBase: t.alternate_base,
        QPalette.ColorRole.Text: t.text,
        QPalette.ColorRole.Button: t.button,
        QPalette.ColorRole.ButtonText: t.button_text,
        QPalette.ColorRole.Highlight: t.highlight,
        QPalette.ColorRole.HighlightedText: t.highlighted_text,
        QPalette.ColorRole.ToolTipBase: t.tooltip_base,
        QPalette.ColorRole.ToolTipText: t.tooltip_text,
        QPalette.ColorRole.Link: t.link,
        QPalette.ColorRole.LinkVisited: t.link_visited,
        QPalette.ColorRole.PlaceholderText: t.placeholder,
        QPalette.ColorRole.Light: t.light,
        QPalette.ColorRole.Midlight: t.midlight,
        QPalette.ColorRole.Mid: t.mid,
        QPalette.ColorRole.Dark: t.dark,
        QPalette.ColorRole.Shadow: t.shadow,
        QPalette.ColorRole.BrightText: t.bright_text,
        QPalette.ColorRole.Accent: t.highlight,
    }
    # Every role in every group: a role left at Qt's default would be white or blue.
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive, QPalette.ColorGroup.Disabled):
        for role, color in roles.items():
            pal.setColor(group, role, QColor(color))
    disabled = QPalette.ColorGroup.Disabled
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        pal.setColor(disabled, role, QColor(t.disabled_text))
    pal.setColor(disabled, QPalette.ColorRole.Highlight, QColor(t.mid))
    pal.setColor(disabled, QPalette.ColorRole.HighlightedText, QColor(t.disabled_text))
    return pal


def _read_qss(name: str) -> str:
    folder = resources.files("planner.resources.themes")
    item = folder.joinpath(name)
    return item.read_text("utf-8") if item.is_file() else ""


_ARROWS = {"up": "M1 6 L5 1 L9 6 Z", "down": "M1 1 L5 6 L9 1 Z"}


def _arrow_files(t: Theme) -> dict[str, str]:
    """Spin-box and date-edit arrows as SVG files in the theme's text colour, for stylesheets
    that restyle those sub-controls (night mode: Fusion's own arrows and bevels mix white into
    them). Written once into the cache folder (a temporary folder if that can't be written)."""
    import tempfile

    from planner.config import cache_dir

    out: dict[str, str] = {}
    for folder in (cache_dir() / "theme", Path(tempfile.gettempdir()) / f"planner-theme-{os.getuid() if hasattr(os, 'getuid') else 0}"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for name, path in _ARROWS.items():
                svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="7" viewBox="0 0 10 7">'
                       f'<path d="{path}" fill="{t.text}"/></svg>')
                file = folder / f"{t.name}-arrow-{name}.svg"
                if not file.is_file() or file.read_text("utf-8") != svg:
                    file.write_text(svg, "utf-8")
                out[f"arrow_{name}"] = file.as_posix()
            return out
        except OSError:
            continue
    return {f"arrow_{name}": "" for name in _ARROWS}  # no arrows rather than no theme


@lru_cache(maxsize=None)
def _stylesheet(t: Theme) -> str:
    values = dict(t.colors())
    values["font_weight"] = t.font_weight
    own_qss = _read_qss(f"{t.name}.qss")
    if "${arrow_" in own_qss:
        values.update(_arrow_files(t))
    # substitute (not safe_substitute): a misspelt placeholder fails loudly in the tests
    base = Template(_read_qss("base.qss")).substitute(values)
    own = Template(own_qss).substitute(values)
    return base + "\n" + own


def stylesheet(t: Theme) -> str:
    """The application stylesheet of a theme."""
    return _stylesheet(t)


def apply_theme(app: QApplication, name: str | Theme) -> Theme:
    """Give the whole application a theme's palette and stylesheet; returns the theme.

    Fusion is used in every theme because native styles (macOS, Windows) ignore parts of
    the palette, which would leave white or blue patches in night mode.
    """
    t = theme(name)
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    app.setPalette(palette(t))
    app.setStyleSheet(_stylesheet(t))
    app.setProperty("planner_theme", t.name)
    return t


def current_theme(app: QApplication | None = None) -> Theme:
    """The theme last applied to ``app`` (light when none was)."""
    app = app or QApplication.instance()
    name = app.property("planner_theme") if app is not None else None
    return theme(name or DEFAULT_THEME)


def tint_icon(icon: QIcon, color: str | QColor, sizes: tuple[int, ...] = _ICON_SIZES) -> QIcon:
    """The icon repainted in one colour, keeping its shape (alpha); night mode's icons.

    An empty ``color`` returns the icon unchanged (the light theme keeps the icons' colours).
    """
    if not color or icon.isNull():
        return icon
    qcolor = QColor(color)
    available = icon.availableSizes() or [QSize(s, s) for s in sizes]
    out = QIcon()
    for size in available:
        for mode in (QIcon.Mode.Normal, QIcon.Mode.Disabled):
            source = icon.pixmap(size, mode)
            if source.isNull():
                continue
            tinted = QPixmap(source.size())
            tinted.setDevicePixelRatio(source.devicePixelRatio())
            tinted.fill(Qt.GlobalColor.transparent)
            painter = QPainter(tinted)
            painter.drawPixmap(0, 0, source)
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
            fill = QColor(qcolor)
            if mode == QIcon.Mode.Disabled:
                fill.setAlphaF(0.4)
            painter.fillRect(tinted.rect(), fill)
            painter.end()
            out.addPixmap(tinted, mode)
    return out


def themed_icon(icon: QIcon, t: Theme | str | None = None) -> QIcon:
    """``icon`` in the theme's icon colour (unchanged in the light theme)."""
    t = theme(t) if t is not None else current_theme()
    return tint_icon(icon, t.icon)


_HEX = re.compile(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")


def hex_colors(text: str) -> list[str]:
    """Every ``#rgb``/``#rrggbb`` colour written in a stylesheet (for checks)."""
    return ["#" + m.group(1) for m in _HEX.finditer(text)]


def is_night_safe(color: str | QColor) -> bool:
    """True when a colour keeps dark adaptation: a red hue (no blue, little green), not bright.

    Black counts as safe. The limits: blue 0, green at most 45 % of red, red at most 0xff.
    """
    c = QColor(color)
    r, g, b = c.red(), c.green(), c.blue()
    if r == g == b == 0:
        return True
    return b == 0 and g <= 0.45 * r


_STANDARD_ICONS: dict[tuple[str, QStyle.StandardPixmap], QIcon] = {}


def standard_icon(which: QStyle.StandardPixmap) -> QIcon:
    """The style's standard icon (a warning, say) in the current theme: in night mode its
    luminance in red only (``night_filter.red_only``: the shape and the "!" stay readable, the
    style's yellow never reaches dark-adapted eyes); the style's own colours otherwise."""
    from planner.ui.night_filter import red_only  # numpy: only when an icon is first asked for

    app = QApplication.instance()
    name = current_theme(app).name
    key = (name, which)
    if key not in _STANDARD_ICONS:
        icon = app.style().standardIcon(which)
        if name == "night":
            red = QIcon()
            for size in icon.availableSizes() or [QSize(s, s) for s in _ICON_SIZES]:
                red.addPixmap(QPixmap.fromImage(red_only(icon.pixmap(size).toImage())))
            icon = red
        _STANDARD_ICONS[key] = icon
    return _STANDARD_ICONS[key]
