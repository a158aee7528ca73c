"""The events use case over the bundled sample: what each target gets, why some get nothing,
the kinds filter, any night (the outlook's use), and the JSON ``planner events`` prints."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from planner.app.events import events_for_night
from planner.catalog import load_sample
from planner.sky.elements import ECLIPSING, LONG_PERIOD
from planner.sky import Site, night_for_date
from planner.sky.ephemeris import utc_to_frame_jd

SITE = Site(latitude=52.0, longitude=4.0, elevation=0.0, timezone="Europe/Amsterdam")
EVENT_KEYS = {"star_name", "kind", "time", "start", "end", "altitude", "observable", "cycles_from_epoch",
              "uncertainty_s", "assumes_circular_orbit", "elements"}


@pytest.fixture(scope="module")
def targets():
    return load_sample().targets


@pytest.fixture(scope="module")
def night_of_dec_1(targets):
    return events_for_night(targets, SITE, night_for_date(SITE, dt.date(2026, 12, 1)))


def row(report, targets, name):
    return report.targets[[t.star_name for t in targets].index(name)]


def test_every_target_gets_a_row_and_events_touch_the_night(night_of_dec_1, targets):
    report = night_of_dec_1
    assert len(report) == len(targets)
    events = report.events()
    assert events == sorted(events, key=lambda e: (e.time, e.star_name, e.kind))
    assert len(events) >= 10
    for e in events:
        assert e.start <= e.time <= e.end or e.start == e.time == e.end
        assert e.end >= report.night.start and e.start <= report.night.end
        assert e.observable in ("full", "partial", "none")


def test_reasons_when_there_is_nothing(night_of_dec_1, targets):
    assert "no periodic events" in row(night_of_dec_1, targets, "SS Cyg").reason
    rr_lyr = row(night_of_dec_1, targets, "RR Lyr")  # the sample carries no elements for it
    assert rr_lyr.elements is None and "no elements" in rr_lyr.reason and "VSX" in rr_lyr.reason
    mira = row(night_of_dec_1, targets, "omi Cet")
    assert mira.star_class == LONG_PERIOD and "phase" in mira.reason and 0 <= mira.phase < 1
    assert mira.events == ()


def test_the_phase_at_a_minimum_is_its_cycle_fraction(targets):
    algol = next(t for t in targets if t.star_name == "bet Per")
    report = events_for_night([algol], SITE, night_for_date(SITE, dt.date(2026, 12, 4)))
    [r] = report.targets
    assert r.star_class == ECLIPSING
    minimum = r.next_event
    again = events_for_night([algol], SITE, minimum.time, reference=minimum.time).targets[0]
    assert again.phase == pytest.approx(minimum.cycle % 1.0, abs=1e-6)  # 0 at Min I, 0.5 at Min II
    frame = float(utc_to_frame_jd(minimum.time, algol.ra, algol.dec, SITE, "HJD"))
    assert (frame - algol.elements.epoch) / algol.elements.period == pytest.approx(minimum.cycle, abs=1e-6)


def test_kinds_filter(targets):
    when = night_for_date(SITE, dt.date(2026, 12, 1))
    only = events_for_night(targets, SITE, when, kinds=["transit"])
    assert only.events() and {e.kind for e in only.events()} == {"transit"}
    def key(events):
        return [(e.star_name, e.kind, round(e.time), e.observable) for e in events]

    assert key(only.events()) == key(events_for_night(targets, SITE, when).events(["transit"]))


def test_any_night_gives_its_own_events(targets):
    first = events_for_night(targets, SITE, night_for_date(SITE, dt.date(2026, 12, 1))).events()
    second = events_for_night(targets, SITE, night_for_date(SITE, dt.date(2026, 12, 2))).events()
    assert first and second and {(e.star_name, e.time) for e in first}.isdisjoint({(e.star_name, e.time) for e in second})


def test_has_an_event_tonight_means_one_can_be_watched(night_of_dec_1):
    for r, flag in zip(night_of_dec_1.targets, night_of_dec_1.has_event_mask()):
        assert flag == any(e.observable in ("full", "partial") for e in r.events)
    assert any(night_of_dec_1.has_event_mask())


def test_no_night_no_events():
    arctic = Site(latitude=78.2, longitude=15.6, elevation=0.0, timezone="Arctic/Longyearbyen")
    algol = next(t for t in load_sample().targets if t.star_name == "bet Per")
    report = events_for_night([algol], arctic, night_for_date(arctic, dt.date(2026, 6, 21)))
    [r] = report.targets
    assert r.events == () and "no night" in r.reason and r.next_event is not None


def test_json_shape_of_planner_events(night_of_dec_1):
    data = night_of_dec_1.to_json()
    assert set(data) == {"night", "events"}
    assert {"start", "end", "status", "date"} <= set(data["night"])
    assert data["night"]["date"] == "2026-12-01"
    for entry in data["events"]:
        assert set(entry) == EVENT_KEYS
        assert isinstance(entry["time"], int) and entry["start"] <= entry["time"] <= entry["end"]
        assert {"epoch", "time_scale", "period", "eclipse_duration", "source"} <= set(entry["elements"])
    assert [e["time"] for e in data["events"]] == sorted(e["time"] for e in data["events"])


def test_chart_events_are_the_watchable_ones_and_clock_names_other_days(night_of_dec_1, targets):
    report = night_of_dec_1
    marks = report.chart_events()
    watchable = [e for e in report.events() if e.observable in ("full", "partial")]
    assert [(m[0], m[2]) for m in marks] == [(e.target_index, e.time) for e in watchable]
    assert all(start <= middle <= end for _i, start, middle, end, _l in marks)
    assert {m[4] for m in marks} <= {"Min I", "Min II", "Transit", "Max"}
    night, tz = report.night, SITE.tz
    inside = (night.start + night.end) / 2
    assert report.clock(inside, tz) == dt.datetime.fromtimestamp(round(inside / 60) * 60, tz).strftime("%H:%M")
    later = night.end + 10 * 3600
    day = dt.datetime.fromtimestamp(later, tz)
    assert report.clock(later, tz).startswith(f"{day.day} {day:%b} ")


def test_a_plan_block_for_an_event_takes_the_settings_margins(night_of_dec_1, targets):
    from planner.app.events import event_margins, plan_entry_for
    from planner.config import Settings

    event = next(e for e in night_of_dec_1.events() if e.end > e.start and e.observable != "none")
    target = targets[event.target_index]
    entry = plan_entry_for(event, target, Settings(event_margin_before_min=20, event_margin_after_min=45))
    assert entry.fixed and entry.event.kind == event.kind and entry.event.label == event.label
    # the margins, out to whole minutes
    assert entry.start == math.floor((event.start - 20 * 60) / 60) * 60
    assert entry.end == math.ceil((event.end + 45 * 60) / 60) * 60
    assert entry.start % 60 == 0 and entry.end % 60 == 0
    assert entry.target.name == target.star_name and entry.filters == entry.target.requested_filters
    # margins out of range are held to 0-12 h; the defaults are half an hour each side
    assert event_margins(Settings(event_margin_before_min=-5, event_margin_after_min=10_000)) == (0.0, 12 * 3600.0)
    assert event_margins(Settings()) == (1800.0, 1800.0)


def test_event_blocks_take_the_watchable_event_and_say_why_others_are_left_out(night_of_dec_1, targets):
    from planner.app.events import event_blocks, event_for_block
    from planner.config import Settings

    report = night_of_dec_1
    rows = list(range(len(targets)))
    made = event_blocks(report, rows, targets, Settings(event_margin_before_min=10, event_margin_after_min=10))
    chosen = {i: event_for_block(report.targets[i]) for i in rows}
    assert made.entries and made.skipped  # the sample has both
    # one fixed block per target with something to watch: the first full event, else the first partial
    assert [e.target.name for e in made.entries] == [targets[i].star_name for i in rows if chosen[i] is not None]
    for i, event in chosen.items():
        if event is None:
            continue
        kinds = [e.observable for e in report.targets[i].events]
        assert event.observable == ("full" if "full" in kinds else "partial")
        assert event is next(e for e in report.targets[i].events if e.observable == event.observable)
    for entry in made.entries:
        assert entry.fixed and entry.start == math.floor((entry.event.start - 600) / 60) * 60
        assert entry.end == math.ceil((entry.event.end + 600) / 60) * 60
    # the others are named, each with its reason
    left = [targets[i].star_name for i in rows if chosen[i] is None]
    assert [line.split(":")[0] for line in made.skipped] == left
    assert all(len(line.split(": ", 1)[1]) > 5 for line in made.skipped)
    # events not computed yet: nothing is made, and that is said
    none_yet = event_blocks(None, [0], targets)
    assert none_yet.entries == () and "not computed yet" in none_yet.skipped[0]
