"""The span of dates the sky engine computes (planner.limits): refused outside, silent inside.

ERFA's Earth ephemeris (epv00) warns outside 1900-2100; a night's computation reaches up to
two days past the moment asked and a local date is up to 14 h from UTC, so the span's edges
are checked at the extreme longitudes and latitudes with every warning turned into an error.
"""

from __future__ import annotations

import datetime as dt
import warnings

import pytest

from planner.limits import FIRST_DATE, FIRST_TIME, LAST_DATE, LAST_TIME, DateRangeError
from planner.sky import Site, compute_night, compute_observability, night_for_date

EDGE_SITES = [Site(lat, lon) for lat in (0.0, 89.0, -89.0) for lon in (-179.9, 179.9)]


@pytest.mark.parametrize("site", EDGE_SITES, ids=lambda s: f"{s.latitude:g},{s.longitude:g}")
def test_the_edges_of_the_span_compute_without_a_warning(site):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for when in (FIRST_TIME, LAST_TIME):
            compute_observability([10.0, 250.0], [20.0, -60.0], site, when)
        for date in (FIRST_DATE, LAST_DATE):
            compute_observability([10.0], [20.0], site, night_for_date(site, date))


@pytest.mark.parametrize(
    "call",
    [
        lambda s: compute_night(s, FIRST_TIME - 1),
        lambda s: compute_night(s, LAST_TIME + 1),
        lambda s: compute_night(s, 1e20),
        lambda s: compute_observability([10.0], [20.0], s, -1e12),
        lambda s: night_for_date(s, dt.date(1800, 1, 1)),
        lambda s: night_for_date(s, dt.date(9999, 12, 31)),
    ],
)
def test_outside_the_span_is_refused_with_the_span(call):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DateRangeError, match="outside 1900-01-03 to 2099-12-29"):
            call(Site(52.0, 4.0))
