"""The cross-check's comparison logic: canned disagreements, edge tolerance, the nighttime,
the wholesale diagnosis, and (once the engine lands) a real comparison against the saved
AAVSO answers, perturbed to a different site."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.sky.crosscheck import (
    DEFAULT_TOLERANCE_S,
    EVENT_MISSING,
    EXTRA_EVENT,
    LIKELY_CAUSE,
    STATUS_DIFFERS,
    TIME_DIFFERS,
    compare_events,
    compare_nighttime,
    crosscheck,
    normalise_events,
    windows_from_events,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "crosscheck"
T0 = 1771705415.0  # when the saved answer was fetched; the Sun is down then
DAWN = 1771740703.0
WINDOW = (T0, DAWN)
LOCAL_NIGHT = {"status": "SUN_IS_DOWN", "sunrise": DAWN, "time": T0, "start": T0, "end": DAWN}

RISES, SETS, UP, DOWN = "TARGET_RISES", "TARGET_SETS", "TARGET_IS_ALWAYS_UP", "TARGET_IS_ALWAYS_DOWN"


def api_payload():
    return json.loads((DATA / "api_targets.json").read_text())


# -- one target ---------------------------------------------------------------------------


def test_identical_events_agree():
    events = [[SETS, T0 + 3600], [RISES, T0 + 20000]]
    result = compare_events("X", events, events, window=WINDOW)
    assert result.agrees and result.status == "agree" and result.kind is None
    assert [m[0] for m in result.matched] == [SETS, RISES]


def test_shift_within_tolerance_agrees_and_beyond_it_differs():
    api = [[RISES, T0 + 5000]]
    assert compare_events("X", [[RISES, T0 + 5000 + 119]], api, window=WINDOW).agrees
    result = compare_events("X", [[RISES, T0 + 5000 + 300]], api, window=WINDOW)
    assert not result.agrees
    (diff,) = result.differences
    assert diff.kind == TIME_DIFFERS and diff.code == RISES
    assert diff.local_time == T0 + 5300 and diff.api_time == T0 + 5000
    assert diff.difference_s == 300.0
    assert "+300 s" in diff.describe()


def test_tolerance_is_a_parameter():
    api = [[SETS, T0 + 5000]]
    local = [[SETS, T0 + 5000 - 200]]
    assert not compare_events("X", local, api, window=WINDOW).agrees
    assert compare_events("X", local, api, window=WINDOW, tolerance_s=300).agrees
    assert compare_events("X", local, api, window=WINDOW, tolerance_s=300).differences == ()


def test_always_up_against_events_is_a_status_difference():
    result = compare_events("X", [[UP, None]], [[SETS, T0 + 9000], [RISES, T0 + 15000]], window=WINDOW)
    (diff,) = result.differences
    assert diff.kind == STATUS_DIFFERS
    assert diff.local_status == "always up" and diff.api_status == "sets then rises"
    assert diff.difference_s is None


def test_empty_list_and_always_down_mean_the_same():
    assert compare_events("X", [[DOWN, None]], [], window=WINDOW).agrees
    assert compare_events("X", [], [[DOWN, None]], window=(None, None)).agrees
    assert compare_events("X", [], [[UP, None]], window=WINDOW).kind == STATUS_DIFFERS


def test_missing_and_extra_events():
    api = [[RISES, T0 + 3000], [SETS, T0 + 20000]]
    missing = compare_events("X", [[RISES, T0 + 3000]], api, window=WINDOW)
    assert [(d.kind, d.code, d.api_time) for d in missing.differences] == [(EVENT_MISSING, SETS, T0 + 20000)]
    extra = compare_events("X", api + [[RISES, T0 + 30000]], api, window=WINDOW)
    assert [(d.kind, d.code, d.local_time) for d in extra.differences] == [(EXTRA_EVENT, RISES, T0 + 30000)]


def test_events_at_the_window_edge_are_rounding_not_disagreement():
    # Rises 50 s before dawn locally; AAVSO calls it not observable.
    assert compare_events("X", [[RISES, DAWN - 50]], [], window=WINDOW).agrees
    # Sets 60 s after the window opens locally; AAVSO lists nothing.
    assert compare_events("X", [[SETS, T0 + 60]], [], window=WINDOW).agrees
    # Sets 40 s before dawn locally; AAVSO says always up.
    assert compare_events("X", [[SETS, DAWN - 40]], [[UP, None]], window=WINDOW).agrees
    # A sets-rises pair whose set is at the edge against a lone rise.
    assert compare_events("X", [[SETS, T0 + 30], [RISES, T0 + 9000]], [[RISES, T0 + 9000]], window=WINDOW).agrees
    # Far from the edge, the same shapes differ.
    assert compare_events("X", [[RISES, DAWN - 3000]], [], window=WINDOW).kind == STATUS_DIFFERS


def test_swapped_order_of_rise_and_set_differs():
    local = [[RISES, T0 + 3000], [SETS, T0 + 9000]]
    api = [[SETS, T0 + 3000], [RISES, T0 + 9000]]
    result = compare_events("X", local, api, window=WINDOW)
    assert not result.agrees
    kinds = {d.kind for d in result.differences}
    assert kinds <= {TIME_DIFFERS, EVENT_MISSING, EXTRA_EVENT, STATUS_DIFFERS} and kinds


def test_bad_event_entries_are_refused_with_a_message():
    with pytest.raises(ValueError, match="pair"):
        normalise_events([["TARGET_RISES"]])
    with pytest.raises(ValueError, match="bad time"):
        normalise_events([["TARGET_RISES", "soon"]])


def test_windows_from_events_shapes():
    assert windows_from_events([(UP, None)], 0, 10) == [(0, 10)]
    assert windows_from_events([], 0, 10) == []
    assert windows_from_events([(SETS, 3.0), (RISES, 7.0)], 0, 10) == [(0, 3.0), (7.0, 10)]
    assert windows_from_events([(RISES, 3.0), (SETS, 7.0)], 0, 10) == [(3.0, 7.0)]


# -- nighttime ------------------------------------------------------------------------------


def test_nighttime_agrees_within_tolerance_and_differs_beyond():
    ok = compare_nighttime(LOCAL_NIGHT, {"status": "SUN_IS_DOWN", "sunrise": DAWN + 60})
    assert ok.compared and ok.agrees and ok.sunrise_difference_s == -60
    bad = compare_nighttime(LOCAL_NIGHT, {"status": "SUN_IS_DOWN", "sunrise": DAWN + 900})
    assert not bad.agrees and "sunrise" in bad.problems[0] and "-900 s" in bad.problems[0]


def test_nighttime_status_difference_and_missing_api():
    bad = compare_nighttime(LOCAL_NIGHT, {"status": "SUN_IS_UP", "sunset": T0 + 4000, "sunrise": DAWN})
    assert not bad.agrees and "status" in bad.problems[0]
    none = compare_nighttime(LOCAL_NIGHT, None)
    assert not none.compared and "not compared" in none.describe()


def test_nighttime_status_at_the_crossing_moment_is_not_a_disagreement():
    # AAVSO asked a few seconds earlier saw the Sun just above the limit: same window.
    api = {"status": "SUN_IS_UP", "sunset": T0 + 30, "sunrise": DAWN + 10}
    assert compare_nighttime(LOCAL_NIGHT, api, time=T0).agrees


def test_nighttime_ignores_times_its_status_does_not_list():
    # SUN_IS_DOWN lists only the sunrise; a stray sunset must not count.
    api = {"status": "SUN_IS_DOWN", "sunrise": DAWN, "sunset": 1}
    assert compare_nighttime(LOCAL_NIGHT, api).agrees


# -- the report -----------------------------------------------------------------------------


def _api_records():
    return api_payload()["targets"]


def _local_copy(shifts: dict | None = None):
    """Local events = the API's, with some targets changed."""
    local = {t["star_name"]: [list(e) for e in t["observability_times"]] for t in _api_records()}
    local.update(shifts or {})
    return local


def test_report_on_canned_disagreements():
    local = _local_copy(
        {
            "CH Cyg": [[RISES, 1771719131 + 400]],  # rises 400 s later
            "AG Dra": [[SETS, T0 + 8000]],  # always up at AAVSO
            "3C 279": [[RISES, 1771716517]],  # AAVSO also lists a set
        }
    )
    local["Local Only Star"] = [[UP, None]]
    api = _api_records() + [{"star_name": "No Times", "observability_times": None}]
    api.append({"star_name": "AAVSO Only", "observability_times": []})
    report = crosscheck(LOCAL_NIGHT, {"status": "SUN_IS_DOWN", "sunrise": DAWN}, local, api, time=T0)
    assert report.counts == {"agree": 10, "differ": 3, "only_local": 1, "only_api": 1}
    assert report.summary() == "cross-check: 10 agree, 3 differ (1 only local, 1 only at AAVSO)"
    assert report.differing_names == {"CH Cyg", "AG Dra", "3C 279"}
    kinds = {t.name: t.kind for t in report.differing}
    assert kinds == {"CH Cyg": TIME_DIFFERS, "AG Dra": STATUS_DIFFERS, "3C 279": EVENT_MISSING}
    assert report.only_local == ("Local Only Star",)
    assert report.only_api == ("AAVSO Only",)
    assert not report.wholesale and not report.suggest_push_site and report.likely_cause is None
    assert report.tolerance_s == DEFAULT_TOLERANCE_S

    data = json.loads(report.to_json_text())
    assert data["counts"]["differ"] == 3 and sorted(data["differing_names"]) == ["3C 279", "AG Dra", "CH Cyg"]
    ch = next(t for t in data["differing"] if t["name"] == "CH Cyg")
    assert ch["differences"][0] == {
        "kind": TIME_DIFFERS,
        "code": RISES,
        "local_time": 1771719531,
        "api_time": 1771719131,
        "difference_s": 400.0,
        "local_status": None,
        "api_status": None,
    }
    text = report.to_text()
    assert text.splitlines()[0] == report.summary()
    assert "CH Cyg: time differs" in text and "+400 s" in text and "AAVSO Only" in text


def test_all_agree_summary_has_no_extras():
    report = crosscheck(LOCAL_NIGHT, {"status": "SUN_IS_DOWN", "sunrise": DAWN}, _local_copy(), _api_records())
    assert report.summary() == "cross-check: 13 agree, 0 differ"
    assert report.all_agree and report.differing_names == frozenset()


def test_text_in_a_time_zone():
    from zoneinfo import ZoneInfo

    report = crosscheck(LOCAL_NIGHT, None, _local_copy({"CH Cyg": [[RISES, 1771719131 + 400]]}), _api_records())
    text = report.to_text(ZoneInfo("Europe/Amsterdam"))
    assert "01:18:51 CET" in text  # 1771719531 = 00:18:51 UTC


def test_a_few_outliers_are_not_wholesale():
    local = _local_copy({"CH Cyg": [[RISES, 1771719131 + 400]], "V1687 Cyg": [[RISES, 1771726013 + 500]]})
    report = crosscheck(LOCAL_NIGHT, None, local, _api_records())
    assert report.differ_count == 2 and not report.wholesale


def test_systematic_offset_is_wholesale():
    # Every event 6 minutes later locally, as a site 1.5 degrees further west would give.
    local = {}
    for t in _api_records():
        local[t["star_name"]] = [[c, None if w is None else w + 360] for c, w in t["observability_times"]]
    report = crosscheck(LOCAL_NIGHT, None, local, _api_records(), time=T0)
    assert report.wholesale and report.suggest_push_site
    assert report.likely_cause == LIKELY_CAUSE
    assert any("systematic offset" in r and "6.0 min later" in r for r in report.reasons)
    assert "Likely cause" in report.to_text()


def test_many_timing_differences_in_both_directions_are_wholesale():
    # As a different latitude gives: declination-dependent shifts of both signs.
    local = _local_copy(
        {
            "CH Cyg": [[RISES, 1771719131 + 600]],
            "RW Aur": [[SETS, 1771722642 - 200]],
            "3C 279": [[RISES, 1771716517 - 900], [SETS, 1771738699 + 150]],
            "J0139": [[SETS, 1771720772 - 700], [RISES, 1771739612]],
        }
    )
    report = crosscheck(LOCAL_NIGHT, None, local, _api_records())
    assert report.differ_count == 4 and report.differ_count < report.compared_count / 2
    assert report.wholesale and report.suggest_push_site
    assert any("5 of 12 rise/set times differ by more than 120 s" in r for r in report.reasons), report.reasons


def test_nighttime_difference_alone_is_wholesale():
    report = crosscheck(LOCAL_NIGHT, {"status": "SUN_IS_DOWN", "sunrise": DAWN + 1800}, _local_copy(), _api_records())
    assert report.differ_count == 0 and report.wholesale and report.suggest_push_site
    assert "nighttime differs" in report.summary()


def test_most_targets_differing_is_wholesale():
    local = {t["star_name"]: [[UP, None]] for t in _api_records()}
    report = crosscheck(LOCAL_NIGHT, None, local, _api_records())
    assert report.differ_count > report.compared_count / 2
    assert report.wholesale and any("targets differ" in r for r in report.reasons)


def test_accepts_night_objects_and_target_like_records():
    from planner.catalog import parse_targets
    from planner.sky.types import Night

    night = Night(status="SUN_IS_DOWN", time=T0, sunset=None, sunrise=DAWN, start=T0, end=DAWN)
    targets = parse_targets(api_payload()).targets
    report = crosscheck(night, {"status": "SUN_IS_DOWN", "sunrise": DAWN}, _local_copy(), targets)
    assert report.agree_count == 13 and report.nighttime.agrees and report.time == T0


def test_negative_tolerance_is_refused():
    with pytest.raises(ValueError, match="tolerance"):
        crosscheck(LOCAL_NIGHT, None, {}, {}, tolerance_s=-1)


# -- against the real engine ------------------------------------------------------------------


def _engine_ready() -> bool:
    from planner.sky import Site, compute_night

    try:
        compute_night(Site(52, 4, timezone="UTC"), T0)
    except NotImplementedError:
        return False
    return True


needs_engine = pytest.mark.skipif(not _engine_ready(), reason="planner.sky engine not implemented yet")


def _local_report(latitude: float, longitude: float = 4.0, target_altitude: float = 20.0):
    import numpy as np

    from planner.sky import Site, compute_observability
    from planner.sky.crosscheck import crosscheck_observability

    records = _api_records()
    site = Site(latitude, longitude, target_altitude=target_altitude, sun_altitude=-5, timezone="Europe/Amsterdam")
    obs = compute_observability(
        np.array([t["ra"] for t in records]), np.array([t["dec"] for t in records]), site, api_payload()["meta"]["fetched_utc"]
    )
    nighttime = json.loads((DATA / "api_nighttime.json").read_text())
    return crosscheck_observability(obs, [t["star_name"] for t in records], records, nighttime)


@needs_engine
def test_engine_agrees_with_the_saved_answers_for_the_same_site():
    report = _local_report(52.0)
    assert report.differ_count <= 1, report.to_text()
    assert report.nighttime.agrees, report.nighttime.describe()
    assert not report.wholesale


@needs_engine
def test_a_different_latitude_is_diagnosed_as_a_site_mismatch():
    report = _local_report(40.0)
    assert report.wholesale and report.suggest_push_site, report.to_text()
    assert report.differ_count > report.compared_count / 2
    assert not report.nighttime.agrees


@needs_engine
def test_one_degree_of_latitude_is_diagnosed():
    report = _local_report(51.0)
    assert report.wholesale and report.suggest_push_site, report.to_text()


@needs_engine
def test_a_different_altitude_limit_is_diagnosed():
    report = _local_report(52.0, target_altitude=30.0)
    assert report.wholesale and report.suggest_push_site, report.to_text()


def test_an_event_at_the_edge_of_the_apis_own_night_is_left_to_the_nighttime_comparison():
    api_dawn = DAWN + 600  # AAVSO's night ends 10 min later
    local = [[RISES, T0 + 3000]]
    api = [[RISES, T0 + 3000], [SETS, api_dawn - 30]]
    plain = compare_events("X", local, api, window=WINDOW)
    assert plain.kind == EVENT_MISSING
    assert compare_events("X", local, api, window=WINDOW, api_window=(T0, api_dawn)).agrees
    report = crosscheck(LOCAL_NIGHT, {"status": "SUN_IS_DOWN", "sunrise": api_dawn}, {"X": local}, {"X": api})
    assert report.differ_count == 0 and not report.nighttime.agrees


@needs_engine
def test_crosscheck_records_computes_locally_and_skips_records_without_api_times():
    from planner.sky import Site
    from planner.sky.crosscheck import crosscheck_records

    records = _api_records() + [{"star_name": "No Times", "ra": 10.0, "dec": 20.0, "observability_times": None}]
    night = json.loads((DATA / "api_nighttime.json").read_text())
    site = Site(52, 4, target_altitude=20, sun_altitude=-5, timezone="UTC")
    report = crosscheck_records(records, site, api_payload()["meta"]["fetched_utc"], night)
    assert report.counts == {"agree": 13, "differ": 0, "only_local": 0, "only_api": 0}
    assert report.site == {"latitude": 52.0, "longitude": 4.0, "target_altitude": 20.0, "sun_altitude": -5.0}
    empty = crosscheck_records(records[-1:], site, T0, night)
    assert empty.compared_count == 0 and empty.nighttime.agrees
    assert empty.summary() == "cross-check: 0 agree, 0 differ"


@needs_engine
def test_a_horizon_mask_is_left_out_and_the_report_says_so():
    from planner.sky import Site
    from planner.sky.crosscheck import crosscheck_records
    from planner.sky.horizon import HorizonMask

    records = _api_records()
    night = json.loads((DATA / "api_nighttime.json").read_text())
    flat = Site(52, 4, target_altitude=20, sun_altitude=-5, timezone="UTC")
    # A mask that would move most events: 40 degrees all round the south.
    trees = HorizonMask(((0.0, 0.0), (90.0, 40.0), (270.0, 40.0)), "trees.hrz")
    when = api_payload()["meta"]["fetched_utc"]
    plain = crosscheck_records(records, flat, when, night)
    masked = crosscheck_records(records, flat.with_horizon(trees), when, night)
    assert masked.counts == plain.counts == {"agree": 13, "differ": 0, "only_local": 0, "only_api": 0}
    assert plain.notes == ()
    assert len(masked.notes) == 1 and "flat altitude limit of 20°" in masked.notes[0]
    assert "trees.hrz" in masked.notes[0] and "not applied" in masked.notes[0]
    assert masked.notes[0] in masked.to_text() and masked.to_json()["notes"] == list(masked.notes)
