"""Why the AAVSO API's answers disagree with the local ones as a whole: what changed between
the site a list was fetched for and the site shown (``site_changes``), the thresholds that
make a disagreement wholesale and a timing offset systematic (``diagnose``,
``systematic_offsets``), and the likely cause to tell the user. Part of the cross-check
(``planner.sky.crosscheck``, where these names are importable too).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from planner.sky.crosscheck_events import _get, _number_or_none
from planner.sky.crosscheck_report import NightComparison, TargetComparison, _code_word

LIKELY_CAUSE = (
    "the site or limits stored at AAVSO differ from the local ones: AAVSO computes with the "
    "telescope settings stored in your account when the request omits them. Push the local "
    "site to AAVSO (its 'telescope' settings) or check the local site and limits."
)
# When the answers are known to have been asked for a site and limits (the window's list,
# a live request): the account's telescope settings played no part.
LIKELY_CAUSE_OTHER_SITE = (
    "the list was fetched for another site or other limits ({changes}), so AAVSO's times answer "
    "that question, not this one. Refresh the list (F5) to fetch it for the site shown."
)
LIKELY_CAUSE_SAME_SITE = (
    "AAVSO was asked for exactly this site and these limits (the request carried them), yet "
    "its answers fit another: the service may be computing with the telescope settings stored "
    "in your account instead. Push the local site to AAVSO (its 'telescope' settings), then "
    "refresh; if they still differ, check this computer's clock and the site's coordinates."
)
SITE_KEYS = ("latitude", "longitude", "target_altitude", "sun_altitude")
_SITE_WORDS = {"latitude": "latitude", "longitude": "longitude", "target_altitude": "altitude limit",
               "sun_altitude": "Sun altitude"}
_SITE_SLACK = {"latitude": 1e-4, "longitude": 1e-4, "target_altitude": 0.01, "sun_altitude": 0.01}


def site_changes(fetched_for: Mapping | None, site: Mapping | None) -> tuple[str, ...]:
    """What differs between the site and limits a list was fetched with and the ones it is
    compared for, for people ("latitude 52.0000° then, 48.1000° now"); () when they agree
    or either is unknown."""
    if not fetched_for or not site:
        return ()
    out = []
    for key in SITE_KEYS:
        then, now = _number_or_none(_get(fetched_for, key)), _number_or_none(_get(site, key))
        if then is None or now is None:
            continue
        if abs(then - now) > _SITE_SLACK[key]:
            digits = 4 if key in ("latitude", "longitude") else 1
            out.append(f"{_SITE_WORDS[key]} {then:.{digits}f}° then, {now:.{digits}f}° now")
    return tuple(out)


# Wholesale-disagreement thresholds.
_WHOLESALE_FRACTION = 0.5  # more than half of the compared targets differ
_MIN_COMPARED = 3  # below this, no statistics
_SYSTEMATIC_MIN_EVENTS = 3  # timing differences of one event code needed to call an offset systematic
_SYSTEMATIC_SAME_SIGN = 0.8  # share of them that must lie on the same side
# Share of paired rise/set times further apart than the tolerance that is no longer a few
# outliers: with the same site and limits the engine matches every one of the reference's
# 200 event times within seconds, while one degree of latitude moves 72 % of them by more
# than 2 minutes (in both directions, so no one-signed offset shows).
_TIMED_FRACTION = 0.25


def _likely_cause(wholesale: bool, fetched_for: Mapping | None, changes: Sequence[str]) -> tuple[str | None, bool]:
    """(likely cause, suggest pushing the site to AAVSO) of a wholesale disagreement: a list
    fetched for another site is refreshed, not blamed on the account; the account's
    telescope settings are suspected only when it is not known what the API was asked."""
    if not wholesale:
        return None, False
    if changes:
        return LIKELY_CAUSE_OTHER_SITE.format(changes="; ".join(changes)), False
    if fetched_for:
        return LIKELY_CAUSE_SAME_SITE, True
    return LIKELY_CAUSE, True


def systematic_offsets(results: Sequence[TargetComparison], tolerance_s: float) -> dict[str, float]:
    """Event codes whose paired times (all of them, agreeing or not) are shifted one way by
    more than the tolerance in the median: code -> median difference (s, local - API).
    A few outliers leave the median alone; a changed site or limit moves it. A different longitude shifts every
    event the same way; a different altitude limit moves rises one way and sets the other;
    a different latitude shifts them by declination-dependent but one-signed amounts."""
    by_code: dict[str, list[float]] = {}
    for result in results:
        for code, local_t, api_t in result.matched:
            by_code.setdefault(code, []).append(local_t - api_t)
    offsets: dict[str, float] = {}
    for code, values in by_code.items():
        arr = np.asarray(values, dtype=float)
        if arr.size < _SYSTEMATIC_MIN_EVENTS:
            continue
        same_sign = max(float(np.mean(arr > 0)), float(np.mean(arr < 0)))
        median = float(np.median(arr))
        if same_sign >= _SYSTEMATIC_SAME_SIGN and abs(median) > tolerance_s:
            offsets[code] = median
    return offsets


def diagnose(results: Sequence[TargetComparison], night: NightComparison | None, tolerance_s: float):
    """(wholesale?, reasons): the API's answers disagree as a whole when most targets
    differ, the nighttime differs, many rise/set times differ, or the timing differences
    are systematic."""
    reasons: list[str] = []
    n = len(results)
    differ = sum(1 for r in results if not r.agrees)
    if n >= _MIN_COMPARED and differ / n > _WHOLESALE_FRACTION:
        reasons.append(f"{differ} of {n} targets differ")
    if night is not None and night.compared and not night.agrees:
        reasons.append("the nighttime differs (" + "; ".join(night.problems) + ")")
    gaps = np.array([abs(lt - at) for r in results for _, lt, at in r.matched], dtype=float)
    beyond = int(np.sum(gaps > tolerance_s))
    if beyond >= _SYSTEMATIC_MIN_EVENTS and beyond / gaps.size > _TIMED_FRACTION:
        reasons.append(f"{beyond} of {gaps.size} rise/set times differ by more than {tolerance_s:g} s")
    offsets = systematic_offsets(results, tolerance_s)
    if offsets and differ >= _SYSTEMATIC_MIN_EVENTS:
        parts = [
            f"{_code_word(code)} {abs(v) / 60:.1f} min {'later' if v > 0 else 'earlier'} locally"
            for code, v in sorted(offsets.items())
        ]
        reasons.append("systematic offset: " + ", ".join(parts))
    return bool(reasons), reasons


def flat_limit_note(site: Any) -> str:
    """Why a site's horizon mask is left out of the cross-check."""
    source = f" ({site.horizon.source})" if site.horizon.source else ""
    return (f"Compared with the flat altitude limit of {site.target_altitude:g}°, the only limit the AAVSO API "
            f"knows: the horizon mask{source} is not applied here.")
