"""Estimates added to a plan (planner.app.observe): every check names its field, the chart
fills the comparison stars' magnitudes, and the airmass is right (astropy's AltAz as the
independent reference)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from planner.app.charts import ChartStore
from planner.app.observe import (
    Estimate,
    ObservationError,
    airmass_at,
    build_observation,
    canonical_band,
    night_bounds,
    record,
    remove_observation,
)
from planner.plan.model import Plan, PlanEntry, PlanTarget
from planner.services.vsp import parse_chart
from planner.sky.site import Site

SITE = Site(latitude=52.0, longitude=4.0, elevation=5.0, timezone="Europe/Amsterdam", name="Backyard")
EVENING = datetime(2026, 11, 23, 19, 30, tzinfo=timezone.utc).timestamp()
CHART = parse_chart(json.loads((Path(__file__).parents[1] / "data" / "vsp" / "chart_ss_cyg.json").read_text()))


def _plan() -> Plan:
    plan = Plan(site=SITE, date="2026-11-23")
    plan.add(PlanEntry(target=PlanTarget(name="SS Cyg", ra=325.6787, dec=43.5861, min_mag=12.2)))
    plan.add(PlanEntry(target=PlanTarget(name="R Leo", ra=146.8899, dec=11.4289), status="skipped"))
    return plan


@pytest.mark.parametrize("hours", [0.0, 2.0, 4.5])
def test_airmass_agrees_with_astropy_altaz(hours):
    """Pickering's air mass of the engine's apparent altitude is sec z of astropy's AltAz
    (no refraction) made smaller by the atmosphere's curvature (and a little by
    refraction): under 1 % smaller above 25° altitude, the tolerance here."""
    from planner.sky._offline import configure_astropy_offline

    configure_astropy_offline()  # the bundled IERS tables, no download (as the program runs)
    import astropy.units as u
    from astropy.coordinates import AltAz, EarthLocation, SkyCoord
    from astropy.time import Time

    when = EVENING + hours * 3600
    location = EarthLocation.from_geodetic(SITE.longitude * u.deg, SITE.latitude * u.deg, SITE.elevation * u.m)
    altaz = SkyCoord(325.6787 * u.deg, 43.5861 * u.deg).transform_to(
        AltAz(obstime=Time(when, format="unix"), location=location))
    assert altaz.alt.deg > 25
    ours = airmass_at(325.6787, 43.5861, SITE, when)
    assert ours == pytest.approx(float(altaz.secz), rel=0.01) and ours <= float(altaz.secz)


def test_a_star_below_the_horizon_has_no_airmass():
    # SS Cyg (dec +43.6) from 52°N never sets; a southern star (dec -60) never rises there.
    assert airmass_at(200.0, -60.0, SITE, EVENING) is None


def test_an_estimate_checked_against_the_chart_gets_its_magnitudes_and_airmass():
    plan = _plan()
    done = record(plan, Estimate(star="ss  CYG", magnitude=11.6, time=EVENING, comparison=["104", " 117 "],
                                 chart_id="X28471AB", comment_codes="b"), chart=CHART)
    o = done.observation
    assert o.band == "Vis." and o.comparison == ("104", "117") and o.comparison_auids == ("000-BCP-194", "000-BCP-207")
    assert o.comparison_magnitudes == (10.412, 11.703)  # V for a visual estimate
    assert o.comment_codes == "B" and o.chart_id == "X28471AB" and 1.0 < o.airmass < 2.0
    assert plan.entries[0].status == "observed" and plan.entries[0].observations == (o,)
    # a B-band measurement takes the B magnitudes; a star without one is noted
    done = record(plan, Estimate(star="SS Cyg", magnitude=12.4, band="b", error=0.03, time=EVENING + 600,
                                 comparison=["104"], check="117", chart_id="X28471AB"), chart=CHART)
    assert done.observation.comparison_magnitudes == (10.899,) and done.observation.check_magnitude is None
    assert any("gives no B magnitude for 117" in n for n in done.notes)
    assert [x.time for x in plan.entries[0].observations] == [EVENING, EVENING + 600]
    remove_observation(plan, 0, 0)
    assert len(plan.entries[0].observations) == 1


def test_the_kept_chart_of_the_entry_is_used_without_network(tmp_path):
    store = ChartStore(tmp_path / "charts")
    store.save(CHART, None)
    plan = _plan()
    plan.update(0, chart_id="X28471AB")
    index, o, notes = build_observation(plan, Estimate(star="SS Cyg", magnitude=11.0, time=EVENING,
                                                        comparison=["85"]), store=store)
    assert o.chart_id == "X28471AB" and o.comparison_magnitudes == (8.524,) and notes == []


@pytest.mark.parametrize("estimate, words", [
    (Estimate(star="T Cen", magnitude=9.0, time=EVENING), "star 'T Cen' is not in the plan"),
    (Estimate(star="SS Cyg", time=EVENING), r"give the magnitude \(--mag\) or the limit"),
    (Estimate(star="SS Cyg", magnitude=9.0, fainter_than=10.0, time=EVENING), "one of them"),
    (Estimate(star="SS Cyg", magnitude=-3.0, time=EVENING), "magnitude -3 is not one a star can have"),
    (Estimate(star="SS Cyg", magnitude=float("nan"), time=EVENING), "magnitude must be a number"),
    (Estimate(star="SS Cyg", magnitude=11.0, time=EVENING - 6 * 3600), "outside the plan's night"),
    (Estimate(star="SS Cyg", magnitude=11.0, time=EVENING, comparison=["999"]), "'999' is not on chart X28471AB"),
    (Estimate(star="SS Cyg", magnitude=11.0, time=EVENING, check="999"), "check star '999' is not on chart"),
    (Estimate(star="SS Cyg", magnitude=11.0, time=EVENING, comparison=["104"], check="104"), "is also a comparison"),
    (Estimate(star="SS Cyg", magnitude=11.0, time=EVENING, comparison=["104", "104"]), "given twice"),
    (Estimate(star="SS Cyg", magnitude=11.0, time=EVENING, band="Z"), "filter 'Z' is not one AAVSO takes"),
    (Estimate(star="SS Cyg", magnitude=11.0, time=EVENING, comment_codes="X"), "comment code X"),
    (Estimate(star="SS Cyg", magnitude=11.0, time=EVENING, mtype="DIF"), "needs its comparison star"),
])
def test_bad_estimates_are_refused_and_the_plan_is_unchanged(estimate, words):
    plan = _plan()
    before = plan.to_dict()
    with pytest.raises(ObservationError, match=words):
        record(plan, estimate, chart=CHART)
    assert plan.to_dict() == before


def test_labels_are_accepted_unchecked_when_no_chart_is_known_and_that_is_said():
    plan = _plan()
    done = record(plan, Estimate(star="SS Cyg", magnitude=11.0, time=EVENING, comparison=["110"]))
    assert done.observation.comparison == ("110",) and done.observation.comparison_magnitudes == ()
    assert "not checked" in done.notes[0]


def test_the_plans_night_runs_from_sunset_to_sunrise_at_its_site():
    start, end = night_bounds(_plan())
    # Amsterdam-ish on 2026-11-23: sunset ~15:40 UTC, sunrise ~07:20 UTC (to a few minutes)
    assert datetime.fromtimestamp(start, timezone.utc).strftime("%H") in ("15", "16")
    assert datetime.fromtimestamp(end, timezone.utc).strftime("%Y-%m-%d %H") in ("2026-11-24 07", "2026-11-24 06")
    assert night_bounds(Plan(site=SITE)) is None


def test_band_spellings():
    assert canonical_band("rc") == "R" and canonical_band("visual") == "Vis." and canonical_band("") == "Vis."
    assert canonical_band("tg") == "TG"
