"""The night chart without Qt: drawn on an Axes it is given, in the print look its curves
are told apart without colour, and the PDF night sheet is that same chart."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
from matplotlib.figure import Figure

from planner.plot.night import draw_night
from planner.plot.palette import PRINT, theme
from planner.sky import Site, compute_observability

SITE = Site(52.0, 4.0, timezone="Europe/Amsterdam", name="Test site")
WHEN = 1_795_449_600.0  # 2026-11-23T16:00:00Z


def test_print_curves_differ_without_colour():
    rng = np.random.default_rng(3)
    obs = compute_observability(rng.uniform(0, 360, 6), rng.uniform(20, 80, 6), SITE, WHEN)
    ax = Figure().add_subplot(1, 1, 1)
    plot = draw_night(ax, obs, range(6), names=[f"S{i}" for i in range(6)], theme="print", tz=SITE.tz)
    def dashes(line):
        return tuple(line._dash_pattern[1] or ())  # matplotlib keeps the scaled pattern here

    patterns = [dashes(line) for line in plot.curves]
    assert len(set(patterns)) == 6  # six curves, six dash patterns: apart in grey-scale print
    assert dashes(plot.moon_line) not in patterns  # and none looks like the Moon's dotted line
    assert {t.get_text() for t in plot.peak_labels} <= {f"S{i}" for i in range(6)}
    assert theme("print") is PRINT and PRINT.figure_bg == "#ffffff"


def test_the_pdf_night_sheet_is_the_windows_chart():
    import pypdf

    from planner.catalog import load_sample
    from planner.plan.export import render
    from planner.plan.scheduler import schedule
    from planner.sky import night_for_date

    targets = [t for t in load_sample().targets if t.star_name in ("SS Cyg", "omi Cet", "chi Cyg")]
    plan = schedule(targets, SITE, night_for_date(SITE, dt.date(2026, 11, 23)), duration=1800, now=WHEN,
                    title="Test night").plan
    text = pypdf.PdfReader(io.BytesIO(render(plan, "pdf"))).pages[0].extract_text()
    for expected in ("Test night", "Altitude", "Airmass", "Moon", "limit 20°", "SS Cyg"):
        assert expected in text, expected
