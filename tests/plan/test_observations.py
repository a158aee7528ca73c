"""Estimates in the plan file: the extended Observation record, the entry's chart id, the
schema version raised with version-1 plans still opening, atomic as before."""

from __future__ import annotations

import json

import pytest

from planner.plan import store
from planner.plan.model import Observation, Plan, PlanEntry, PlanTarget, PlanValueError, normalise_comment_codes
from tests.plan.helpers import SITE, T0


def _entry(**kw) -> PlanEntry:
    return PlanEntry(target=PlanTarget(name="SS Cyg", ra=325.6787, dec=43.5861, min_mag=12.2), **kw)


def _observation(**kw) -> Observation:
    base = dict(time=T0 + 7200, magnitude=11.53, band="V", error=0.021, comparison=("104",),
                comparison_auids=("000-BCP-194",), comparison_magnitudes=(10.412,), comparison_instrumental=-8.123,
                check="117", check_auid="000-BCP-207", check_magnitude=11.703, check_instrumental=-6.834,
                airmass=1.2345, chart_id="X28471AB", notes="clear", transformed=False, mtype="STD")
    base.update(kw)
    return Observation(**base)


def test_every_field_survives_a_save_and_open(tmp_path):
    plan = Plan(site=SITE, date="2026-11-23")
    plan.add(_entry(chart_id="X28471AB", observations=(_observation(), _observation(
        time=T0 + 9000, magnitude=12.1, band="Vis.", comparison=("117", "128"), comparison_auids=(),
        comparison_magnitudes=(11.7, None), check="", check_auid="", check_magnitude=None,
        comparison_instrumental=None, check_instrumental=None, error=None, comment_codes="zb", uncertain=True))))
    path = store.save_plan(plan, tmp_path / "night.plan.json")
    doc = json.loads(path.read_text())
    assert doc["version"] == 2 and doc["plan"]["entries"][0]["chart_id"] == "X28471AB"
    again = store.load_plan(path)
    assert again.entries[0] == plan.entries[0]
    visual = again.entries[0].observations[1]
    assert visual.comment_codes == "BZ" and visual.visual and visual.comparison_magnitudes == (11.7, None)
    assert not again.entries[0].observations[0].visual


def test_a_version_1_plan_with_the_old_observations_still_opens(tmp_path):
    old = {
        "format": "planner-plan", "version": 1,
        "plan": {"site": {"latitude": 52.0, "longitude": 4.0, "timezone": "Europe/Amsterdam"},
                 "entries": [{"id": "e1", "target": {"name": "R Leo", "ra": 146.89, "dec": 11.43},
                              "status": "observed",
                              "observations": [{"time": T0, "magnitude": 6.2, "band": "Vis.",
                                                "comparison": ["60", "65"], "chart_id": "X1"}]}]},
    }
    path = tmp_path / "old.plan.json"
    path.write_text(json.dumps(old))
    plan = store.load_plan(path)
    o = plan.entries[0].observations[0]
    assert (o.magnitude, o.comparison, o.error, o.check, o.airmass, o.mtype) == (6.2, ("60", "65"), None, "", None, "STD")
    assert plan.entries[0].chart_id == ""
    store.save_plan(plan, path)  # an older plan is fine to replace: it is saved as version 2
    assert json.loads(path.read_text())["version"] == 2


def test_a_plan_from_a_newer_planner_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "new.plan.json"
    path.write_text(json.dumps({"format": "planner-plan", "version": 3, "plan": {}}))
    with pytest.raises(store.PlanFileError, match="newer planner"):
        store.load_plan(path)
    with pytest.raises(store.OverwriteRefused):
        store.save_plan(Plan(site=SITE), path)
    assert json.loads(path.read_text())["version"] == 3


@pytest.mark.parametrize("changes, words", [
    (dict(error=-0.1), "magnitude error -0.1 is outside 0 to 10"),
    (dict(error=float("nan")), "magnitude error must be finite"),
    (dict(airmass=0.5), "airmass 0.5 is outside 1 to 40"),
    (dict(comparison_magnitudes=(1.0, 2.0)), "one magnitude"),
    (dict(comparison_auids=("a", "b")), "one AUID"),
    (dict(comment_codes="BQ"), "comment code Q is not AAVSO's"),
    (dict(mtype="ABS"), "magnitude type 'ABS' is not STD or DIF"),
    (dict(mtype="DIF", comparison=(), comparison_auids=(), comparison_magnitudes=()), "needs its comparison star"),
    (dict(transformed="yes"), "'transformed' must be true or false"),
    (dict(check_magnitude="bright"), "check magnitude must be a number"),
])
def test_impossible_observation_values_are_refused_with_the_field_named(changes, words):
    with pytest.raises(PlanValueError, match=words):
        _observation(**changes)


def test_a_bad_observation_in_a_file_names_the_entry_and_leaves_the_file(tmp_path):
    plan = Plan(site=SITE)
    plan.add(_entry(observations=(_observation(),)))
    path = store.save_plan(plan, tmp_path / "p.plan.json")
    doc = json.loads(path.read_text())
    doc["plan"]["entries"][0]["observations"][0]["airmass"] = 0.2
    path.write_text(json.dumps(doc))
    with pytest.raises(store.PlanFileError, match="entry 1: airmass 0.2 is outside"):
        store.load_plan(path)


def test_chart_ids_and_comment_codes_are_checked():
    with pytest.raises(PlanValueError, match="chart id 'X 1/..' of 'SS Cyg' must be letters and digits"):
        _entry(chart_id="X 1/..")
    assert normalise_comment_codes("v, z b") == "BZV"
    assert normalise_comment_codes("") == ""
