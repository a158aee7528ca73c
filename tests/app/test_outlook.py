"""The nights ahead: the outlook against the single-night engine night by night, the
night-of dates across summer-time changes and either side of the date line whatever the
computer's time zone, "due" as the cadence runs out, and the JSON shape of the issue."""

from __future__ import annotations

import datetime as _dt
import time

import numpy as np
import pytest

from planner.app.outlook import OutlookError, outlook, outlook_dates
from planner.catalog import Target
from planner.sky import Site, compute_observability, night_for_date
from planner.sky.horizon import HorizonMask

BACKYARD = HorizonMask(((0.0, 18.0), (60.0, 35.0), (80.0, 8.0), (140.0, 8.0), (160.0, 40.0), (200.0, 40.0),
                        (220.0, 12.0), (300.0, 25.0)))


def _targets(n: int, seed: int = 5) -> list[Target]:
    rng = np.random.default_rng(seed)
    ra, dec = rng.uniform(0, 360, n), np.degrees(np.arcsin(rng.uniform(-0.6, 1, n)))
    return [Target(f"T{i}", float(r), float(d), obs_cadence=3.0, last_data_point=None) for i, (r, d) in
            enumerate(zip(ra, dec))]


def test_each_night_matches_the_single_night_engine():
    """Hours within 2 s (the nights share a Sun track: under a second), altitudes and the
    Moon to a hundredth of a degree."""
    site = Site(52.0, 4.0, target_altitude=15.0, timezone="Europe/Amsterdam", horizon=BACKYARD)
    targets = _targets(120)
    dates = [_dt.date(2026, 3, 25) + _dt.timedelta(days=k) for k in range(8)]  # across the DST change
    result = outlook(targets, site, dates)
    ra = np.array([t.ra for t in targets])
    dec = np.array([t.dec for t in targets])
    for k, date in enumerate(dates):
        single = compute_observability(ra, dec, site, night_for_date(site, date))
        assert result.nights[k].night.sunset == pytest.approx(single.night.sunset, abs=1.0)
        assert result.nights[k].night.sunrise == pytest.approx(single.night.sunrise, abs=1.0)
        assert np.allclose(result.hours[:, k], single.hours_observable, atol=2.0 / 3600)
        assert np.allclose(result.max_altitude[:, k], single.max_altitude, atol=0.01)
        assert np.allclose(result.moon_separation[:, k], single.moon_separation, atol=0.01)
        assert result.nights[k].moon_illumination == pytest.approx(single.moon_illumination, abs=1e-4)
    # the mask did cut something, and the outlook saw it
    flat = outlook(targets, site.without_horizon(), dates)
    assert np.sum(result.hours < flat.hours - 0.01) > 20


@pytest.mark.parametrize("zone, first", [
    ("Europe/Amsterdam", _dt.date(2026, 3, 27)),  # summer time begins in the night of the 28th
    ("Europe/Amsterdam", _dt.date(2026, 10, 23)),  # and ends in the night of the 24th
    ("America/New_York", _dt.date(2026, 3, 6)),
])
def test_nights_across_a_summer_time_change_are_named_by_their_evening(zone, first):
    site = Site(52.0 if zone.startswith("Europe") else 40.7, 4.0 if zone.startswith("Europe") else -74.0,
                timezone=zone)
    dates = outlook_dates(site, first, 5, time.time())
    result = outlook(_targets(3), site, dates)
    assert [n.date for n in result.nights] == [first + _dt.timedelta(days=k) for k in range(5)]
    for night in result.nights:
        sunset = _dt.datetime.fromtimestamp(night.night.sunset, site.tz)
        sunrise = _dt.datetime.fromtimestamp(night.night.sunrise, site.tz)
        assert sunset.date() == night.date and 15 <= sunset.hour <= 21
        assert sunrise.date() == night.date + _dt.timedelta(days=1) and 4 <= sunrise.hour <= 9
    # consecutive nights: each begins after the one before has ended
    for a, b in zip(result.nights, result.nights[1:]):
        assert a.night.sunrise < b.night.sunset


@pytest.fixture
def computer_zone(monkeypatch):
    """Run with the computer's clock in another zone than the site's."""
    def use(name: str):
        monkeypatch.setenv("TZ", name)
        time.tzset()
    yield use
    monkeypatch.delenv("TZ", raising=False)
    time.tzset()


@pytest.mark.parametrize("computer", ["America/Los_Angeles", "Asia/Tokyo", "UTC"])
def test_either_side_of_the_date_line(computer_zone, computer):
    computer_zone(computer)
    kiritimati = Site(1.87, -157.4, timezone="Pacific/Kiritimati")  # UTC+14
    pago_pago = Site(-14.28, -170.7, timezone="Pacific/Pago_Pago")  # UTC-11
    # 2026-06-14 23:00 UTC is 13:00 on the 15th at Kiritimati (by day: tonight is the 15th's)
    now = _dt.datetime(2026, 6, 14, 23, 0, tzinfo=_dt.timezone.utc).timestamp()
    assert outlook_dates(kiritimati, None, 2, now) == [_dt.date(2026, 6, 15), _dt.date(2026, 6, 16)]
    # 2026-06-15 08:00 UTC is 21:00 on the 14th at Pago Pago (the night of the 14th goes on)
    now = _dt.datetime(2026, 6, 15, 8, 0, tzinfo=_dt.timezone.utc).timestamp()
    assert outlook_dates(pago_pago, None, 2, now) == [_dt.date(2026, 6, 14), _dt.date(2026, 6, 15)]
    for site, first in ((kiritimati, _dt.date(2026, 6, 15)), (pago_pago, _dt.date(2026, 6, 14))):
        result = outlook(_targets(2), site, [first, first + _dt.timedelta(days=1)])
        for night in result.nights:
            assert _dt.datetime.fromtimestamp(night.night.sunset, site.tz).date() == night.date


def test_due_follows_the_cadence_night_by_night():
    site = Site(52.0, 4.0, timezone="Europe/Amsterdam")
    first = _dt.date(2026, 11, 1)
    evening = night_for_date(site, first)
    # observed 2.5 days before noon of the 1st: 2.7 days old at that evening's dusk, 3.7 the next
    star = Target("Fresh", 50.0, 40.0, obs_cadence=3.0, last_data_point=evening - 2.5 * 86400)
    never = Target("Never", 60.0, 40.0, obs_cadence=3.0, last_data_point=None)
    free = Target("No cadence", 70.0, 40.0)
    result = outlook([star, never, free], site, outlook_dates(site, first, 4, evening))
    assert result.due[0].tolist() == [False, True, True, True]  # due once older than 3 days
    assert result.due[1].all() and not result.due[2].any()


def test_json_has_exactly_the_issue_shape():
    site = Site(52.0, 4.0, timezone="Europe/Amsterdam", horizon=HorizonMask(((0, 10), (180, 30)), "trees.hrz"))
    data = outlook(_targets(3), site, outlook_dates(site, _dt.date(2026, 11, 23), 2, 0.0)).to_json()
    assert set(data) == {"site", "nights"}
    assert data["site"]["horizon"] == "trees.hrz" and data["site"]["timezone"] == "Europe/Amsterdam"
    assert len(data["nights"]) == 2
    for night in data["nights"]:
        assert set(night) == {"date", "sunset", "sunrise", "targets"}
        assert isinstance(night["sunset"], int) and night["sunset"] < night["sunrise"]
        for row in night["targets"]:
            assert set(row) == {"star_name", "hours", "max_altitude", "moon_separation", "moon_illumination", "due",
                                "events"}
            assert isinstance(row["due"], bool)
    assert data["nights"][0]["date"] == "2026-11-23"


def test_bad_requests_are_refused():
    site = Site(52.0, 4.0)
    with pytest.raises(OutlookError, match="1 to 366 nights"):
        outlook_dates(site, None, 0, time.time())
    with pytest.raises(OutlookError):
        outlook_dates(site, None, 400, time.time())



# -- the events of each night (issue 14: through planner.app.events, not a second computation) --


def test_each_nights_events_are_events_for_night_of_that_night():
    """Target i's events in night k are exactly what ``events_for_night`` gives target i for
    that night (called here directly, on the whole list); targets without elements have none."""
    from planner.app.events import events_for_night
    from planner.catalog import load_sample

    site = Site(52.0, 4.0, timezone="Europe/Amsterdam")
    targets = load_sample().targets
    dates = [_dt.date(2026, 12, 1) + _dt.timedelta(days=k) for k in range(3)]
    result = outlook(targets, site, dates)
    seen = 0
    for k, date in enumerate(dates):
        direct = events_for_night(targets, site, night_for_date(site, date))
        for i, target in enumerate(targets):
            got = result.events_of(i, k)
            want = direct.targets[i].events
            assert [(e.kind, round(e.time), e.observable, e.target_index) for e in got] == \
                [(e.kind, round(e.time), e.observable, e.target_index) for e in want]
            if target.elements is None:
                assert got == ()
            seen += len(got)
    assert seen > 10
    # the JSON carries them per target-night: kind, time (unix and ISO UTC), visibility class
    data = result.to_json()
    algol = [t.star_name for t in targets].index("bet Per")
    entry = data["nights"][1]["targets"][algol]
    events = result.events_of(algol, 1)
    assert events and [e["kind"] for e in entry["events"]] == [e.kind for e in events]
    first = entry["events"][0]
    assert set(first) == {"kind", "label", "time", "time_utc", "altitude", "observable"}
    assert first["time"] == round(events[0].time) and first["observable"] == events[0].observable
    assert _dt.datetime.fromisoformat(first["time_utc"].replace("Z", "+00:00")).timestamp() == first["time"]


def test_targets_without_elements_have_empty_event_lists():
    result = outlook(_targets(4), Site(52.0, 4.0, timezone="Europe/Amsterdam"), [_dt.date(2026, 12, 1)])
    assert all(row["events"] == [] for row in result.to_json()["nights"][0]["targets"])
