"""Estimates, once for the Plan dock and ``planner observe``: one observation of a plan
entry's star, checked field by field and added to the plan.

What is checked (each refusal names the field and says what to do): the star is in the
plan; the time falls in the plan's night (sunset to sunrise at its site); the magnitude is
one a star can have here (-2 to 25); its error is 0 to 2; the comparison and check stars
are on the entry's chart (when the chart is known: kept by "Prepare tonight's charts" or
given by id), and their chart magnitudes in the observation's band are filled in from it;
the band is one AAVSO knows for the report; the comment codes are AAVSO's. The airmass is
computed for the moment and the site (the night chart's air mass, Pickering 2002, of the
sky engine's apparent altitude). Adding marks a planned entry observed; nothing else in the plan changes.
"""

from __future__ import annotations

import math
import time as _time
from dataclasses import dataclass, field, replace
from typing import Any, Sequence

from planner.errors import PlannerError
from planner.formatting import format_clock
from planner.plan.model import Observation, Plan, PlanEntry, PlanValueError

MIN_MAGNITUDE, MAX_MAGNITUDE = -2.0, 25.0  # eta Car at its brightest to a large amateur CCD
MAX_ERROR = 2.0
VISUAL_BAND = "Vis."
# The bands AAVSO's Extended format takes (its FILTER codes), and Vis. for visual estimates.
AAVSO_BANDS: tuple[str, ...] = (
    "U", "B", "V", "R", "I", "J", "H", "K", "TG", "TB", "TR", "CV", "CR", "SZ", "SU", "SG", "SR", "SI",
    "STU", "STV", "STB", "STY", "STHBW", "STHBN", "MA", "MB", "MI", "ZS", "Y", "HA", "HAC",
)
_BAND_SPELLINGS = {"RC": "R", "IC": "I", "VIS": VISUAL_BAND, "VIS.": VISUAL_BAND, "VISUAL": VISUAL_BAND}


class ObservationError(PlannerError):
    """An estimate that cannot go into the plan; the message names the field."""


def canonical_band(band: str) -> str:
    """AAVSO's code for a band as typed (``rc`` -> ``R``, ``vis`` -> ``Vis.``); raises
    ``ObservationError`` for one AAVSO does not take."""
    text = (band or "").strip()
    if not text:
        return VISUAL_BAND
    folded = text.upper()
    if folded in _BAND_SPELLINGS:
        return _BAND_SPELLINGS[folded]
    if folded in AAVSO_BANDS:
        return folded
    raise ObservationError(f"filter {text!r} is not one AAVSO takes; use Vis. for a visual estimate or one of "
                           f"{', '.join(AAVSO_BANDS[:8])}, CV, TG, ...")


def find_entry(plan: Plan, star: str) -> int:
    """The index of the entry for ``star`` (its name, spaces and case ignored, or its id)."""
    key = " ".join(str(star or "").split()).casefold()
    if not key:
        raise ObservationError("--star needs the name of a star in the plan")
    matches = [i for i, e in enumerate(plan.entries) if " ".join(e.name.split()).casefold() == key or e.id == star]
    if not matches:
        names = ", ".join(sorted({e.name for e in plan.entries})) or "none"
        raise ObservationError(f"star {star!r} is not in the plan (its stars: {names}); add it to the plan first")
    return matches[0]


def night_bounds(plan: Plan) -> tuple[float, float] | None:
    """Sunset to sunrise of the plan's night at its site (the Sun's upper limb at the
    horizon), or None when the plan names no night or the Sun does not set."""
    import datetime as _dt

    from planner.sky import compute_night, night_for_date

    site = plan.site
    date = None
    if plan.date:
        try:
            date = _dt.date.fromisoformat(plan.date)
        except ValueError:
            date = None
    if date is None and plan.night_start is not None:
        date = (_dt.datetime.fromtimestamp(plan.night_start, site.tz) - _dt.timedelta(hours=6)).date()
    if date is None:
        return None
    horizon = replace(site, sun_altitude=0.0)
    night = compute_night(horizon, night_for_date(horizon, date))
    if night.sunset is None or night.sunrise is None:
        return None
    return float(night.sunset), float(night.sunrise)


def airmass_at(ra_deg: float, dec_deg: float, site, when: float) -> float | None:
    """The airmass of a star at ``when`` from ``site`` (None below the horizon): the chart's
    air mass (Pickering 2002) of the sky engine's apparent altitude."""
    from planner.plot.hover import airmass  # matplotlib-free: the window may call this
    from planner.sky.engine import altitudes_at

    altitude = float(altitudes_at([ra_deg], [dec_deg], site, [[when]])[0, 0])
    value = float(airmass(altitude))
    return value if math.isfinite(value) else None


@dataclass
class Estimate:
    """What the observer gives (the Plan dock's form, the command's options). Either
    ``magnitude`` or ``fainter_than``."""

    star: str
    magnitude: float | None = None
    fainter_than: float | None = None
    time: float | None = None  # unix UTC; None: now
    error: float | None = None
    band: str = VISUAL_BAND
    comparison: Sequence[str] = ()
    check: str = ""
    chart_id: str = ""
    notes: str = ""
    comment_codes: str = ""
    uncertain: bool = False
    comparison_instrumental: float | None = None
    check_instrumental: float | None = None
    transformed: bool = False
    mtype: str = "STD"


@dataclass
class Recorded:
    """An estimate added: the entry it went to, the observation, and notes for the user."""

    index: int
    entry: PlanEntry
    observation: Observation
    notes: list[str] = field(default_factory=list)


def _number(name: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(float(value)):
        raise ObservationError(f"{name} must be a number, not {value!r}")
    return float(value)


def _chart_for(chart_id: str, chart=None, store=None):
    """The chart to check labels against: the one given, else the kept copy of ``chart_id``."""
    if chart is not None:
        return chart
    if not chart_id:
        return None
    from planner.app.charts import ChartStore

    kept = (store or ChartStore()).load(chart_id)
    return kept.chart if kept is not None else None


def build_observation(plan: Plan, estimate: Estimate, *, chart=None, store=None,
                      now: float | None = None) -> tuple[int, Observation, list[str]]:
    """Check ``estimate`` against the plan (and the chart) and build the ``Observation``;
    returns (entry index, observation, notes). Raises ``ObservationError``."""
    index = find_entry(plan, estimate.star)
    entry = plan.entries[index]
    notes: list[str] = []

    given = [(n, v) for n, v in (("--mag", estimate.magnitude), ("--fainter-than", estimate.fainter_than)) if v is not None]
    if len(given) != 1:
        raise ObservationError("give the magnitude (--mag) or the limit it was fainter than (--fainter-than), one of them")
    name, value = given[0]
    magnitude = _number("magnitude" if name == "--mag" else "fainter-than", value)
    if not MIN_MAGNITUDE <= magnitude <= MAX_MAGNITUDE:  # type: ignore[operator]
        raise ObservationError(f"magnitude {magnitude:g} is not one a star can have here "
                               f"({MIN_MAGNITUDE:g} to {MAX_MAGNITUDE:g}); check the value")
    fainter = name == "--fainter-than"
    error = _number("error", estimate.error)
    if error is not None and not 0.0 <= error <= MAX_ERROR:
        raise ObservationError(f"error {error:g} must be between 0 and {MAX_ERROR:g} magnitudes")
    if fainter and error is not None:
        raise ObservationError("a fainter-than estimate has no error; leave --err out")

    when = float(now if now is not None else _time.time()) if estimate.time is None else _number("time", estimate.time)
    bounds = night_bounds(plan)
    if bounds is not None and not bounds[0] <= when <= bounds[1]:  # type: ignore[operator]
        tz = plan.site.tz
        raise ObservationError(
            f"time {format_clock(when, tz, date=True, zone=True)} is outside the plan's night (sunset "
            f"{format_clock(bounds[0], tz, date=True)} to sunrise {format_clock(bounds[1], tz, date=True)}); "
            "give the time of the estimate with --time, or use the plan of that night")

    band = canonical_band(estimate.band)
    chart_id = (estimate.chart_id or entry.chart_id or "").strip()
    known_chart = _chart_for(chart_id, chart, store)
    if known_chart is not None and not chart_id:
        chart_id = known_chart.chart_id
    labels = [" ".join(str(c).split()) for c in estimate.comparison if str(c).strip()]
    if len(labels) != len({lab.casefold() for lab in labels}):
        raise ObservationError("the same comparison star is given twice")
    check = " ".join(str(estimate.check or "").split())
    if check and check.casefold() in {lab.casefold() for lab in labels}:
        raise ObservationError(f"check star {check!r} is also a comparison star; the check star must be another one")
    auids: list[str] = []
    mags: list[float | None] = []
    check_auid, check_mag = "", None
    if known_chart is not None:
        from planner.services.vsp import canonical_band as vsp_band

        chart_band = vsp_band(band if band != VISUAL_BAND else "V")
        for role, label in [("comparison", lab) for lab in labels] + ([("check", check)] if check else []):
            star = known_chart.comparison(label)
            if star is None:
                raise ObservationError(
                    f"{role} star {label!r} is not on chart {known_chart.chart_id} (its labels: "
                    f"{', '.join(known_chart.labels()) or 'none'}); pick one of the chart's stars")
            magnitude_in_band = star.magnitude(chart_band)
            if magnitude_in_band is None:
                notes.append(f"Chart {known_chart.chart_id} gives no {chart_band} magnitude for {label}.")
            if role == "comparison":
                auids.append(star.auid)
                mags.append(None if magnitude_in_band is None else magnitude_in_band.mag)
            else:
                check_auid, check_mag = star.auid, None if magnitude_in_band is None else magnitude_in_band.mag
    elif labels or check:
        notes.append("No chart is kept for this star, so the comparison labels were not checked "
                     "(prepare tonight's charts, or give --chart).")
    if band == VISUAL_BAND and len(labels) > 2:
        raise ObservationError("a visual estimate uses at most two comparison stars (COMP1, COMP2)")

    airmass = airmass_at(entry.target.ra, entry.target.dec, plan.site, when)
    if airmass is None:
        notes.append(f"{entry.name} was below the horizon at that time; no airmass is reported.")
    try:
        observation = Observation(
            time=when,
            magnitude=magnitude,  # type: ignore[arg-type]
            band=band,
            fainter_than=fainter,
            uncertain=bool(estimate.uncertain),
            comparison=tuple(labels),
            chart_id=chart_id,
            notes=" ".join(str(estimate.notes or "").split()),
            error=error,
            comparison_auids=tuple(auids),
            comparison_magnitudes=tuple(mags),
            comparison_instrumental=_number("comparison instrumental magnitude", estimate.comparison_instrumental),
            check=check,
            check_auid=check_auid,
            check_magnitude=check_mag,
            check_instrumental=_number("check instrumental magnitude", estimate.check_instrumental),
            airmass=None if airmass is None else round(airmass, 4),
            comment_codes=estimate.comment_codes or "",
            transformed=bool(estimate.transformed),
            mtype=estimate.mtype or "STD",
        )
    except PlanValueError as exc:
        raise ObservationError(str(exc)) from None
    return index, observation, notes


def add_observation(plan: Plan, index: int, observation: Observation) -> PlanEntry:
    """Append ``observation`` to entry ``index`` (in time order); a planned entry becomes
    observed. Nothing else in the plan changes."""
    entry = plan.entries[index]
    observations = tuple(sorted((*entry.observations, observation), key=lambda o: o.time))
    status = "observed" if entry.status == "planned" else entry.status
    return plan.update(index, observations=observations, status=status)


def record(plan: Plan, estimate: Estimate, *, chart=None, store=None, now: float | None = None) -> Recorded:
    """Check and add one estimate (see the module docstring)."""
    index, observation, notes = build_observation(plan, estimate, chart=chart, store=store, now=now)
    entry = add_observation(plan, index, observation)
    return Recorded(index, entry, observation, notes)


def remove_observation(plan: Plan, index: int, position: int) -> PlanEntry:
    """Remove the ``position``-th observation of entry ``index`` (a mistyped estimate)."""
    entry = plan.entries[index]
    kept = tuple(o for i, o in enumerate(entry.observations) if i != position)
    return plan.update(index, observations=kept)


__all__ = [
    "AAVSO_BANDS",
    "Estimate",
    "ObservationError",
    "Recorded",
    "VISUAL_BAND",
    "add_observation",
    "airmass_at",
    "build_observation",
    "canonical_band",
    "find_entry",
    "night_bounds",
    "record",
    "remove_observation",
]
