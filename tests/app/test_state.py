"""The night's state object, without Qt (tests/test_layering.py imports planner.app with
Qt made unimportable): one validated site, change notifications only on
change, the chosen night and its reference time, and lists replacing their results."""

from __future__ import annotations

import datetime as _dt

import pytest

from planner.app.state import NightState, site_from_settings
from planner.app.targets import SAMPLE, TargetList
from planner.catalog import load_sample
from planner.config import Settings

NOW = 1_771_705_415.0  # 2026-02-21T20:23:35Z: evening in Cambridge MA (the default site)


def recorder(signal):
    seen = []
    signal.connect(lambda *args: seen.append(args))
    return seen


def test_an_invalid_saved_site_gives_the_default_site_and_says_why():
    site, problem = site_from_settings(Settings(latitude=123.0))
    assert site == Settings().site()
    assert "not valid" in problem and "Latitude" in problem
    state = NightState(Settings(latitude=123.0), clock=lambda: NOW)
    assert state.site == Settings().site() and state.problems


def test_new_settings_move_the_site_and_a_bad_one_is_refused():
    state = NightState(Settings(), clock=lambda: NOW)
    sites, zones = recorder(state.site_changed), recorder(state.time_zone_changed)
    assert state.apply_settings(Settings(latitude=52.0, longitude=4.3, site_name="Leiden")) is None
    assert state.site.name == "Leiden" and state.site.timezone == "Europe/Amsterdam"
    assert len(sites) == 1 and len(zones) == 1
    problem = state.apply_settings(Settings(latitude=-95.0))
    assert "keeping the previous one" in problem and state.site.name == "Leiden" and len(sites) == 1


def test_signals_fire_only_on_change():
    state = NightState(Settings(), clock=lambda: NOW)
    selections = recorder(state.selection_changed)
    state.set_selection([1, 2])
    state.set_selection([1, 2])
    assert selections == [([1, 2],)]
    nights = recorder(state.night_changed)
    state.set_night_date(state.tonight().date)  # tonight's date is tonight: no change
    assert nights == [] and state.night_date is None
    state.set_night_date(_dt.date(2026, 3, 1))
    state.set_night_date(_dt.date(2026, 3, 1))
    assert nights == [(_dt.date(2026, 3, 1),)]


def test_reference_time_is_now_tonight_and_local_noon_of_a_chosen_date():
    state = NightState(Settings(), clock=lambda: NOW)
    assert state.reference_time() == NOW
    state.set_night_date(_dt.date(2026, 3, 1))
    noon = _dt.datetime(2026, 3, 1, 12, 0, tzinfo=state.site.tz)
    assert state.reference_time() == noon.timestamp()
    assert state.describe_night() == "night of Sun 2026-03-01"


def test_a_new_list_clears_what_was_computed_for_the_old_one():
    state = NightState(Settings(), clock=lambda: NOW)
    targets = load_sample().targets
    state.set_target_list(TargetList(targets, SAMPLE))
    from planner.app.visibility import compute_visibility

    obs = compute_visibility(targets, state.site, NOW)
    assert state.set_observability(obs)
    state.set_selection([0])
    assert state.current_target() is targets[0]
    state.set_target_list(TargetList(targets[:3], SAMPLE))
    assert state.observability is None and state.selection == [] and state.current_target() is None
    assert not state.set_observability(obs)  # computed for 62 targets, the list has 3


def test_the_time_zone_label_follows_utc_and_the_night():
    state = NightState(Settings(latitude=52.0, longitude=4.3), clock=lambda: NOW)
    assert state.tz_label() == "CET Europe/Amsterdam" and state.tz_label(short=True) == "CET"
    state.set_night_date(_dt.date(2026, 7, 1))
    assert state.tz_label(short=True) == "CEST"
    zones = recorder(state.time_zone_changed)
    state.set_show_utc(True)
    assert state.tz_label() == "UTC" and state.display_tz() == _dt.timezone.utc and zones


@pytest.mark.parametrize("name", ["plan_changed", "crosscheck_changed"])
def test_plan_and_crosscheck_are_announced(name):
    state = NightState(Settings(), clock=lambda: NOW)
    seen = recorder(getattr(state, name))
    getattr(state, "set_plan" if name == "plan_changed" else "set_crosscheck")("value")
    assert seen == [("value",)]


# -- the night's events and VSX's elements (planner.app.events) -------------------------------

def test_events_belong_to_the_list_they_were_computed_for():
    from planner.app.events import events_for_night

    state = NightState(Settings(), clock=lambda: NOW)
    targets = [t for t in load_sample().targets if t.star_name in ("bet Per", "W UMa", "SS Cyg")]
    state.set_target_list(TargetList(targets, SAMPLE))
    seen = recorder(state.events_changed)
    events = events_for_night(targets, state.site, NOW)
    assert state.set_events(events) and state.events is events and len(seen) == 1
    assert not state.set_events(events_for_night(targets[:1], state.site, NOW))  # another list: refused
    assert state.events is events and len(seen) == 1
    state.set_target_list(TargetList(targets[:2], SAMPLE))
    assert state.events is None  # a new list clears them until computed again


def test_vsx_elements_fill_only_targets_without_their_own_and_signal_only_news():
    from planner.sky.elements import Elements

    state = NightState(Settings(), clock=lambda: NOW)
    sample = {t.star_name: t for t in load_sample().targets}
    targets = [sample["RR Lyr"], sample["bet Per"]]
    assert targets[0].elements is None and targets[1].elements is not None
    state.set_target_list(TargetList(targets, SAMPLE))
    changed = recorder(state.elements_changed)
    rr = Elements(epoch=2457000.0, period=0.5668, time_scale="HJD", source="test")
    other = Elements(epoch=2450000.0, period=9.9, time_scale="HJD", source="not used")
    state.add_vsx_elements({"RR Lyr": rr, "bet Per": other})
    assert len(changed) == 1
    merged = state.event_targets()
    assert merged[0].elements == rr  # found in VSX
    assert merged[1].elements == targets[1].elements  # its own elements win
    state.add_vsx_elements({"RR Lyr": rr}, "AAVSO VSX could not be reached")
    assert len(changed) == 1 and state.vsx_note == "AAVSO VSX could not be reached"
