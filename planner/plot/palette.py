"""The program's colours, without Qt: every look (light, dark, the red night mode and the
grey print look of the PDF) as a ``Theme`` of ``#rrggbb`` strings that matplotlib and Qt
both read. ``planner.ui.themes`` builds the Qt palette and stylesheet from these; the
night chart (``planner.plot.night``) draws with them anywhere, the PDF included.

A star keeps its colour: ``Theme.curve_colors`` gives each of the curves shown together a
colour, preferring the one its star's name picks (``curve_color``: a CRC-32 of the normalised
name, the same in every process and on every night). Two shown stars whose names pick the
same colour do not share it: the one whose name sorts first keeps it, the other takes the
next colour no shown star keeps. So SS Cyg is the same blue on any night and beside any
stars that do not collide with it, and no two curves share a colour while there are no more
curves than colours (ten; eight in night mode); only beyond that do dash patterns tell
same-coloured curves apart. The window's chart, the PDF's night sheet and the Details
sparkline all take their colours from it. In night mode and print, where colours cannot
tell curves apart, every curve also gets a dash pattern of its own, preferred by name.
"""

from __future__ import annotations

import zlib
from dataclasses import asdict, dataclass, replace
from typing import Sequence

THEME_NAMES = ("light", "dark", "night")
DEFAULT_THEME = "light"


@dataclass(frozen=True)
class Theme:
    """Every colour of one look; strings are ``#rrggbb`` (matplotlib and Qt both read them)."""

    name: str
    # Qt palette
    window: str
    window_text: str
    base: str
    alternate_base: str
    text: str
    button: str
    button_text: str
    highlight: str
    highlighted_text: str
    tooltip_base: str
    tooltip_text: str
    link: str
    link_visited: str
    placeholder: str
    disabled_text: str
    light: str
    midlight: str
    mid: str
    dark: str
    shadow: str
    bright_text: str
    # messages in forms: an invalid value, a good answer
    error: str
    ok: str
    # icons drawn in one colour (toolbar); "" keeps the icons' own colours
    icon: str
    # matplotlib
    figure_bg: str
    axes_bg: str
    foreground: str
    grid: str
    day: str
    civil: str
    nautical: str
    astronomical: str
    darkness: str
    curves: tuple[str, ...]
    limit: str
    now: str
    moon: str
    plan_block: str
    plan_alpha: float
    plan_edge: str
    line_width: float
    # line styles cycled with the colours: night mode's reds are told apart by their dashes
    curve_styles: tuple = ("-",)  # matplotlib line styles (names or dash tuples)
    font_weight: str = "normal"
    # True where the colours cannot tell curves apart (night mode's reds, grey-scale print):
    # every curve then gets a dash pattern of its own, not only those sharing a colour
    curves_by_dash: bool = False

    def colors(self) -> dict[str, str]:
        """Every colour of the theme by field name (curves numbered), for checks and templates."""
        out: dict[str, str] = {}
        for key, value in asdict(self).items():
            if key == "curves":
                out.update({f"curve{i}": c for i, c in enumerate(value)})
            elif isinstance(value, str) and value.startswith("#"):
                out[key] = value
        return out

    def curve_color(self, name: str) -> str:
        """The colour ``name``'s curve prefers in this theme (from the name alone); the one it
        gets unless a star shown with it prefers the same colour (``curve_colors``)."""
        return self.curves[name_slot(name) % len(self.curves)]

    def curve_colors(self, names: Sequence[str]) -> list[str]:
        """The colour of each of the curves named ``names``, shown together: no two share one
        while there are no more curves than colours. It depends only on the *set* of names.

        Each curve prefers ``curve_color(name)``. First every curve whose preferred colour no
        other curve prefers keeps it, and of those preferring one colour, the one whose name
        sorts first; then, in name order, each of the others takes the first colour after its
        preferred one that no curve holds yet (the preferred one itself when every colour is
        held, so dashes tell those apart)."""
        count = len(self.curves)
        order = sorted(range(len(names)), key=lambda i: (name_key(names[i]), i))
        slots = [name_slot(names[i]) % count for i in range(len(names))]
        chosen: list[int | None] = [None] * len(names)
        held: set[int] = set()
        for i in order:  # the first, by name, of each preferred colour keeps it
            if slots[i] not in held:
                chosen[i] = slots[i]
                held.add(slots[i])
        for i in order:  # the rest move on to the next colour nobody holds
            if chosen[i] is None:
                free = [(slots[i] + k) % count for k in range(1, count) if (slots[i] + k) % count not in held]
                chosen[i] = free[0] if free else slots[i]
                held.add(chosen[i])
        return [self.curves[c] for c in chosen]

    def curve_looks(self, names: Sequence[str]) -> list[tuple[str, object]]:
        """(colour, line style) for each of the curves named ``names``, drawn together.

        The colour is ``curve_colors(names)``. The style depends only on the *set* of names (not
        their order): in name order, each curve takes its preferred style (solid in the colour
        themes; one picked by its name where ``curves_by_dash``) unless a curve it must be told
        apart from (same colour, which happens only with more curves than colours, or any curve
        where ``curves_by_dash``) already has it, then the next free one; when there are more
        such curves than styles, the least used."""
        styles = self.curve_styles
        colors = self.curve_colors(names)
        looks: list[tuple[str, object]] = [("", "-")] * len(names)
        taken: dict[object, list[int]] = {}  # group of curves to tell apart -> uses per style
        for i in sorted(range(len(names)), key=lambda i: (name_key(names[i]), i)):
            slot = name_slot(names[i])
            color = colors[i]
            uses = taken.setdefault(None if self.curves_by_dash else color, [0] * len(styles))
            first = (slot // len(self.curves)) % len(styles) if self.curves_by_dash else 0
            order = [(first + k) % len(styles) for k in range(len(styles))]
            style = min(order, key=lambda s: uses[s])  # min keeps the first of the least used
            uses[style] += 1
            looks[i] = (color, styles[style])
        return looks


def name_key(name: str) -> str:
    """A star's name as its colour is keyed: case and spacing do not matter ("ss  cyg" is "SS Cyg")."""
    return " ".join(str(name).split()).casefold()


def name_slot(name: str) -> int:
    """A number from the name alone, the same in every process (Python's ``hash`` of a str is not)."""
    return zlib.crc32(name_key(name).encode("utf-8"))



LIGHT = Theme(
    name="light",
    window="#efefef",
    window_text="#1a1a1a",
    base="#ffffff",
    alternate_base="#f5f5f2",
    text="#1a1a1a",
    button="#e8e8e8",
    button_text="#1a1a1a",
    highlight="#3070c0",
    highlighted_text="#ffffff",
    tooltip_base="#ffffe8",
    tooltip_text="#1a1a1a",
    link="#1d5fb0",
    link_visited="#6a3fa0",
    placeholder="#808080",
    disabled_text="#9a9a9a",
    light="#ffffff",
    midlight="#e0e0e0",
    mid="#b8b8b8",
    dark="#909090",
    shadow="#505050",
    bright_text="#ffffff",
    error="#b3261e",
    ok="#1e7b34",
    icon="",
    figure_bg="#efefef",
    axes_bg="#fbfbf6",
    foreground="#1a1a1a",
    grid="#9aa3ad",
    day="#fbfbf6",
    civil="#eef1f6",
    nautical="#dfe5ee",
    astronomical="#ced8e6",
    darkness="#bfcbdc",
    # ten colours, as many as a categorical palette keeps well apart (matplotlib's tab10):
    # with a colour picked by name, two of four stars share one about half the time with ten
    curves=("#c0392b", "#1f4e9a", "#1e7b34", "#8e44ad", "#b9770e", "#0e6e6e", "#7b241c", "#2c3e50",
            "#c2185b", "#6d4c41"),
    limit="#6b2d0f",
    now="#d35400",
    moon="#6f6f6f",
    plan_block="#f1c40f",
    plan_alpha=0.30,
    plan_edge="#9a7d0a",
    line_width=1.8,
    # solid unless two selected stars share a colour; never dotted: the Moon is the dotted line
    curve_styles=("-", "--", "-.", (0, (8, 2, 1, 2, 1, 2))),
)

DARK = Theme(
    name="dark",
    window="#262626",
    window_text="#dcdcdc",
    base="#1b1b1b",
    alternate_base="#222222",
    text="#dcdcdc",
    button="#303030",
    button_text="#dcdcdc",
    highlight="#2f5f8f",
    highlighted_text="#f0f0f0",
    tooltip_base="#303030",
    tooltip_text="#e0e0e0",
    link="#79aef0",
    link_visited="#b48ee0",
    placeholder="#808080",
    disabled_text="#6a6a6a",
    light="#4a4a4a",
    midlight="#3a3a3a",
    mid="#2a2a2a",
    dark="#141414",
    shadow="#000000",
    bright_text="#ffffff",
    error="#ff7b72",
    ok="#7ee08a",
    icon="#d0d0d0",
    figure_bg="#262626",
    axes_bg="#1b1b1b",
    foreground="#d0d0d0",
    grid="#555555",
    day="#4b4b42",
    civil="#3a3d45",
    nautical="#2d303a",
    astronomical="#22252e",
    darkness="#17181d",
    curves=("#ff8a65", "#64b5f6", "#81c784", "#ce93d8", "#ffd54f", "#4dd0e1", "#f48fb1", "#bcaaa4",
            "#ff5252", "#9fa8da"),
    limit="#e0a060",
    now="#ffb74d",
    moon="#bdbdbd",
    plan_block="#ffd54f",
    plan_alpha=0.18,
    plan_edge="#c9a227",
    line_width=1.8,
    curve_styles=("-", "--", "-.", (0, (8, 2, 1, 2, 1, 2))),
)

# Night mode: red hue only (blue channel 0, green well below red), everything dim. The
# brightest colour is the text at about 70 % red; backgrounds are black.
NIGHT = Theme(
    name="night",
    window="#000000",
    window_text="#b01800",
    base="#050000",
    alternate_base="#100000",
    text="#b01800",
    button="#140000",
    button_text="#b01800",
    highlight="#480000",
    highlighted_text="#c01c00",
    tooltip_base="#1a0000",
    tooltip_text="#b01800",
    link="#b82000",
    link_visited="#902000",
    placeholder="#5a0800",
    disabled_text="#500800",
    light="#3a0000",
    midlight="#260000",
    mid="#1a0000",
    dark="#0a0000",
    shadow="#000000",
    bright_text="#c01c00",
    error="#c82000",
    ok="#a02800",
    icon="#a01800",
    figure_bg="#000000",
    axes_bg="#000000",
    foreground="#a01800",
    grid="#300400",
    day="#2a0400",
    civil="#1e0200",
    nautical="#140100",
    astronomical="#0a0000",
    darkness="#000000",
    curves=("#c81800", "#a02400", "#e01000", "#802000", "#b01c00", "#d00000", "#902400", "#a81000"),
    limit="#7a1400",
    now="#c02000",
    moon="#803000",
    plan_block="#600000",
    plan_alpha=0.45,
    plan_edge="#901800",
    line_width=1.6,
    # never dotted: the Moon is the dotted line
    curve_styles=("-", "--", "-.", (0, (8, 2, 1, 2, 1, 2))),
    curves_by_dash=True,
)

# Paper: the light look with curves told apart in grey-scale print too (a dash pattern per
# curve, never dotted: the Moon is the dotted line) and a white page.
PRINT = replace(
    LIGHT,
    name="print",
    figure_bg="#ffffff",
    curve_styles=("-", "--", "-.", (0, (8, 2, 1, 2, 1, 2)), (0, (12, 3)), (0, (3, 1, 3, 1, 8, 1))),
    line_width=1.4,
    curves_by_dash=True,
)

_THEMES = {t.name: t for t in (LIGHT, DARK, NIGHT, PRINT)}


def theme(name: str | Theme) -> Theme:
    """The theme called ``name`` (a ``Theme`` is returned as is); unknown names raise ``ValueError``."""
    if isinstance(name, Theme):
        return name
    try:
        return _THEMES[str(name).lower()]
    except KeyError:
        raise ValueError(f"unknown theme {name!r}; choose one of {', '.join(THEME_NAMES)}") from None


