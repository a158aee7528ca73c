"""A star's curve colour: from its name, stable across nights and selections, and never shared
with another shown curve while there are no more curves than colours (``Theme.curve_colors``);
the window's chart, the PDF's night sheet and the Details sparkline agree on it."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from planner.plot.night import draw_night
from planner.plot.palette import theme
from planner.sky import Site, compute_observability, night_for_date

SITE = Site(52.0, 4.0, timezone="Europe/Amsterdam", name="Test site")
# The nine stars of the chart's legend screenshot (tools/window_screenshots.py): by their names
# alone R Cas and R Leo pick one colour, and so do omi Cet and U Gem.
NINE = ("SS Cyg", "CH Cyg", "omi Cet", "R Leo", "chi Cyg", "T CrB", "R Cas", "U Gem", "Z Cam")
COLOUR_THEMES = ("light", "dark", "print")


def _night_looks(date: dt.date, chosen, theme_name="light") -> dict[str, tuple[str, object]]:
    """(colour, line style) of each chosen sample star's curve as ``draw_night`` draws it on ``date``."""
    from planner.catalog import load_sample

    targets = [t for t in load_sample().targets if t.star_name in NINE]
    names = [t.star_name for t in targets]
    obs = compute_observability(np.array([t.ra for t in targets]), np.array([t.dec for t in targets]), SITE,
                                night_for_date(SITE, date))
    ax = Figure().add_subplot(1, 1, 1)
    plot = draw_night(ax, obs, [names.index(n) for n in chosen], names=names, theme=theme_name)
    return {line.get_label(): (line.get_color(), line.get_linestyle()) for line in plot.curves}


@pytest.mark.parametrize("name", ["light", "dark"])
def test_nine_named_stars_get_nine_colours_and_solid_lines(name):
    t = theme(name)
    assert max(Counter(t.curve_color(s) for s in NINE).values()) >= 2  # their names alone collide
    looks = _night_looks(dt.date(2026, 11, 23), NINE, name)
    assert len({colour for colour, _ in looks.values()}) == 9
    assert {style for _, style in looks.values()} == {"-"}  # dashes only past ten curves


@pytest.mark.parametrize("name", ["light", "dark", "night", "print"])
def test_a_star_alone_has_the_colour_its_name_picks(name):
    t = theme(name)
    for star in NINE:
        assert _night_looks(dt.date(2026, 11, 23), [star], name)[star][0] == t.curve_color(star)
    assert t.curve_colors(["ss  cyg"]) == t.curve_colors(["SS Cyg"])  # case and spacing do not matter


@pytest.mark.parametrize("name", ["light", "dark", "night", "print"])
def test_the_same_stars_have_the_same_colours_on_another_night_and_in_any_order(name):
    a = _night_looks(dt.date(2026, 11, 23), NINE, name)
    b = _night_looks(dt.date(2027, 3, 14), tuple(reversed(NINE)), name)
    assert a == b


@pytest.mark.parametrize("name", ["light", "dark", "night", "print"])
def test_a_star_that_collides_with_no_shown_star_keeps_its_colour(name):
    t = theme(name)
    a = _night_looks(dt.date(2026, 11, 23), ["SS Cyg", "omi Cet", "R Leo"], name)
    b = _night_looks(dt.date(2027, 3, 14), ["R Cas", "T CrB", "chi Cyg", "SS Cyg"], name)
    assert a["SS Cyg"][0] == b["SS Cyg"][0] == t.curve_color("SS Cyg")


def test_of_two_stars_picking_one_colour_the_first_by_name_keeps_it_the_other_moves_on():
    t = theme("light")
    first, second = "R Cas", "R Leo"
    assert t.curve_color(first) == t.curve_color(second)
    colours = t.curve_colors([second, first])
    assert colours[1] == t.curve_color(first)
    slot = t.curves.index(t.curve_color(first))
    assert colours[0] == t.curves[(slot + 1) % len(t.curves)]


@pytest.mark.parametrize("name", ["light", "dark", "night"])
def test_no_two_of_up_to_all_colours_share_one_and_the_rest_take_dashes(name):
    t = theme(name)
    n = len(t.curves)
    many = [f"V{k} Sgr" for k in range(40)]
    for start in range(0, 30, 3):
        names = many[start:start + n]
        assert len(set(t.curve_colors(names))) == n
    more = many[:n + 3]
    looks = t.curve_looks(more)
    assert len(set(looks)) == len(more)  # colour and dash together still tell every curve apart
    if not t.curves_by_dash:
        assert sum(style != "-" for _, style in looks) == 3


def test_the_pdf_night_sheet_draws_each_star_in_the_chart_colour():
    import pypdf

    from planner.catalog import load_sample
    from planner.plan.export import render
    from planner.plan.scheduler import schedule

    chosen = ("SS Cyg", "R Leo", "R Cas")
    targets = [t for t in load_sample().targets if t.star_name in chosen]
    plan = schedule(targets, SITE, night_for_date(SITE, dt.date(2026, 11, 23)), duration=1800,
                    now=1_795_449_600.0, title="Colours").plan
    names = [e.target.name for e in plan.entries]
    page = pypdf.PdfReader(io.BytesIO(render(plan, "pdf"))).pages[0]
    content = page.get_contents().get_data().decode("latin-1")
    strokes = {tuple(round(float(v), 3) for v in m) for m in re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) RG", content)}
    chart = _night_looks(dt.date(2026, 11, 23), names, "light")
    for star in names:
        assert tuple(round(v, 3) for v in to_rgb(chart[star][0])) in strokes, star
    assert theme("print").curves == theme("light").curves  # paper keeps the window's colours
