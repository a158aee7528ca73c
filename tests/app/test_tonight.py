"""One definition of tonight: the night in progress, or by day the coming one, in the site's
time zone whatever the computer's; checked against astroplan's own sunset and sunrise."""

from __future__ import annotations

import datetime as _dt
import os
import time

import pytest

from planner.app.tonight import night_time, tonight
from planner.sky import Site

LEIDEN = Site(52.16, 4.49, timezone="Europe/Amsterdam")


def at(site: Site, *args) -> float:
    return _dt.datetime(*args, tzinfo=site.tz).timestamp()


@pytest.mark.parametrize(
    "local, date, in_progress",
    [
        ((2026, 12, 2, 3, 0), _dt.date(2026, 12, 1), True),  # 03:00: last evening's night goes on
        ((2026, 12, 2, 10, 0), _dt.date(2026, 12, 2), False),  # by day: the coming night
        ((2026, 12, 2, 15, 0), _dt.date(2026, 12, 2), False),
        ((2026, 12, 2, 22, 0), _dt.date(2026, 12, 2), True),
    ],
)
def test_in_progress_or_coming(local, date, in_progress):
    night = tonight(LEIDEN, at(LEIDEN, *local))
    assert (night.date, night.in_progress) == (date, in_progress)
    assert night.describe() == ("tonight, in progress" if in_progress else "tonight")


def test_the_computer_time_zone_does_not_matter(monkeypatch):
    now = at(LEIDEN, 2026, 12, 2, 3, 0)
    expected = tonight(LEIDEN, now)
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")  # UTC+14: already the afternoon of the 2nd
    time.tzset()
    try:
        assert tonight(LEIDEN, now) == expected
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_in_progress_agrees_with_astroplan():
    """Independent check: astroplan's Observer says whether the Sun is below the site's sun
    altitude (-5 deg, with the 0.833 deg rise/set correction) at each hour of a day."""
    from astroplan import Observer
    from astropy import units as u
    from astropy.coordinates import EarthLocation
    from astropy.time import Time

    observer = Observer(location=EarthLocation.from_geodetic(LEIDEN.longitude * u.deg, LEIDEN.latitude * u.deg, 0 * u.m))
    for hour in range(0, 24):
        now = at(LEIDEN, 2026, 3, 20, hour, 17)
        sun_alt = observer.sun_altaz(Time(now, format="unix")).alt.deg
        if abs(sun_alt - (LEIDEN.sun_altitude - 0.833)) < 0.5:
            continue  # too close to the limit for refraction models to agree
        assert tonight(LEIDEN, now).in_progress == (sun_alt < LEIDEN.sun_altitude - 0.833), hour


def test_night_time_is_now_for_tonight_and_noon_otherwise():
    now = at(LEIDEN, 2026, 12, 2, 3, 0)
    assert night_time(LEIDEN, None, now) == now
    assert night_time(LEIDEN, _dt.date(2026, 12, 1), now) == now  # that is tonight
    assert night_time(LEIDEN, _dt.date(2026, 12, 5), now) == at(LEIDEN, 2026, 12, 5, 12, 0)


@pytest.mark.parametrize("site", [
    Site(52.0, 4.0, 0.0, timezone="Europe/Amsterdam"),
    Site(-33.9, 18.4, 0.0, timezone="Africa/Johannesburg"),
    Site(69.6, 18.9, 0.0, timezone="Europe/Oslo"),  # midnight Sun in June
    Site(80.0, 15.0, 0.0, timezone="Arctic/Longyearbyen"),  # the Sun below -12 degrees all December day
])
@pytest.mark.parametrize("start", ["2026-06-18T00:00:00+00:00", "2026-12-18T00:00:00+00:00", "2026-03-29T00:00:00+00:00"])
def test_a_remembered_answer_is_the_answer_computed_afresh(site, start):
    """``tonight`` keeps its last answer until the next sunset or sunrise: at every moment
    of three days (every 17 minutes, forwards, then in a shuffled order) it answers as a
    fresh computation does, across sunsets, sunrises, a clock change and the polar day and
    night, which it does not keep."""
    import random

    from planner.app import tonight as module

    t0 = _dt.datetime.fromisoformat(start).timestamp()
    moments = [t0 + k * 1020.0 for k in range(int(3 * 86400 / 1020))]

    def fresh(now):
        module._answers.clear()
        return tonight(site, now)

    expected = {now: fresh(now) for now in moments}
    module._answers.clear()
    assert [tonight(site, now) for now in moments] == [expected[now] for now in moments]
    random.Random(7).shuffle(moments)
    assert [tonight(site, now) for now in moments] == [expected[now] for now in moments]


def test_an_answer_is_remembered_until_the_next_sunset():
    from planner.app import tonight as module
    from planner.sky.engine import compute_night

    site = Site(52.0, 4.0, 0.0, timezone="Europe/Amsterdam")
    noon = _dt.datetime(2026, 12, 2, 11, 0, tzinfo=_dt.timezone.utc).timestamp()
    module._answers.clear()
    assert not tonight(site, noon).in_progress
    sunset = compute_night(site, noon, precise=False).sunset
    assert module._answers[site][1] == sunset  # kept until the sunset, then computed again
    assert tonight(site, sunset + 60).in_progress
