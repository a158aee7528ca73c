"""The night summary's layout: compact enough for a laptop-sized window, nothing cut off."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from PySide6.QtWidgets import QLabel

from planner.sky.site import Site
from planner.ui.night_summary import NightSummary


@pytest.fixture(scope="module")
def leiden_night():
    """A real night from the sky engine (Leiden, 27 Feb 2026, gibbous Moon: the longest text)."""
    from planner.sky import compute_observability, night_for_date

    site = Site(latitude=52.16, longitude=4.49, name="Leiden")
    return site, compute_observability(np.array([146.89]), np.array([11.43]), site,
                                       night_for_date(site, dt.date(2026, 2, 27)))


@pytest.mark.parametrize("zone_label", ["CET", "AKDT", "UTC", "America/Argentina/Buenos_Aires"])
def test_minimum_width_is_small_with_real_data(qtbot, leiden_night, zone_label):
    site, obs = leiden_night
    summary = NightSummary()
    qtbot.addWidget(summary)
    summary.set_time_zone(site.tz, zone_label)
    summary.set_observability(obs)
    shown = summary.text()
    assert all(v != "—" for v in shown.values()), shown  # every value is there
    assert shown["moon"].startswith("Waxing gibbous")
    assert summary.minimumSizeHint().width() < 500
    # two rows, not six pairs side by side
    assert summary.minimumSizeHint().height() < 3 * summary.fontMetrics().height() + 12


def test_values_are_not_cut_off_at_the_minimum_width(qtbot, leiden_night):
    site, obs = leiden_night
    summary = NightSummary()
    qtbot.addWidget(summary)
    summary.set_time_zone(site.tz, "CEST")
    summary.set_observability(obs)
    summary.resize(summary.minimumSizeHint())
    summary.show()
    qtbot.waitExposed(summary)
    for label in summary.findChildren(QLabel):
        needed = label.fontMetrics().horizontalAdvance(label.text())
        assert label.contentsRect().width() >= needed, label.text()


def test_a_long_zone_name_is_given_once_in_the_tooltips_not_after_every_time(qtbot, leiden_night):
    site, obs = leiden_night
    summary = NightSummary()
    qtbot.addWidget(summary)
    summary.set_time_zone(site.tz, "Europe/Amsterdam")
    summary.set_observability(obs)
    assert summary.text()["sunset"] == "18:18"
    assert "Europe/Amsterdam" in summary.values["sunset"].toolTip()
    summary.set_time_zone(site.tz, "CET")
    assert summary.text()["sunset"] == "18:18 CET"
