"""The cross-check's results: one target's differences (``EventDifference``,
``TargetComparison``), the nighttime's (``NightComparison``) and the whole report
(``CrossCheckReport``) with its JSON and its text, and the time formatting they share.
Built by ``planner.sky.crosscheck``; shown by the Cross-check dock and ``planner crosscheck``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo

from planner.sky.crosscheck_events import Event
from planner.sky.types import TARGET_RISES, TARGET_SETS

DEFAULT_TOLERANCE_S = 120.0

AGREE = "agree"
DIFFER = "differ"

# Kinds of disagreement of one target.
STATUS_DIFFERS = "status differs"  # e.g. ALWAYS_UP locally, rise/set events at AAVSO
EVENT_MISSING = "event missing"  # AAVSO lists an event the local engine does not have
EXTRA_EVENT = "extra event"  # the local engine has an event AAVSO does not list
TIME_DIFFERS = "time differs"  # same event on both sides, times further apart than the tolerance
KINDS = (STATUS_DIFFERS, EVENT_MISSING, EXTRA_EVENT, TIME_DIFFERS)


# -- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventDifference:
    """One disagreement of one target. Times are unix seconds; ``difference_s`` is
    local minus API (positive: the local event is later)."""

    kind: str
    code: str | None = None
    local_time: float | None = None
    api_time: float | None = None
    local_status: str = ""
    api_status: str = ""

    @property
    def difference_s(self) -> float | None:
        if self.local_time is None or self.api_time is None:
            return None
        return self.local_time - self.api_time

    def describe(self, tz: tzinfo | None = None) -> str:
        """One line for people; times in ``tz`` (UTC when None)."""
        if self.kind == STATUS_DIFFERS:
            return f"status differs: local {self.local_status}, AAVSO {self.api_status}"
        code = _code_word(self.code)
        if self.kind == EVENT_MISSING:
            return f"event missing: AAVSO {code} at {_fmt_time(self.api_time, tz)}, not found locally"
        if self.kind == EXTRA_EVENT:
            return f"extra event: local {code} at {_fmt_time(self.local_time, tz)}, not listed by AAVSO"
        return (
            f"time differs: {code} local {_fmt_time(self.local_time, tz)}, "
            f"AAVSO {_fmt_time(self.api_time, tz)} ({self.difference_s:+.0f} s)"
        )

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "code": self.code,
            "local_time": _json_time(self.local_time),
            "api_time": _json_time(self.api_time),
            "difference_s": None if self.difference_s is None else round(self.difference_s, 1),
            "local_status": self.local_status or None,
            "api_status": self.api_status or None,
        }


@dataclass(frozen=True)
class TargetComparison:
    """Local and API events of one target and what differs between them."""

    name: str
    local_events: tuple[Event, ...]
    api_events: tuple[Event, ...]
    differences: tuple[EventDifference, ...] = ()
    # Every rise/set paired between the two sides, agreeing or not: (code, local, api).
    matched: tuple[tuple[str, float, float], ...] = ()

    @property
    def agrees(self) -> bool:
        return not self.differences

    @property
    def status(self) -> str:
        return AGREE if self.agrees else DIFFER

    @property
    def kind(self) -> str | None:
        return self.differences[0].kind if self.differences else None

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "status": self.status,
            "local": [[c, _json_time(t)] for c, t in self.local_events],
            "api": [[c, _json_time(t)] for c, t in self.api_events],
            "differences": [d.to_json() for d in self.differences],
        }


@dataclass(frozen=True)
class NightComparison:
    """The local nighttime against the API's. ``local``/``api`` are normalised mappings
    (``normalise_nighttime``); ``api`` is None when the API's nighttime was not available."""

    local: dict
    api: dict | None
    tolerance_s: float
    problems: tuple[str, ...] = ()

    @property
    def compared(self) -> bool:
        return self.api is not None

    @property
    def agrees(self) -> bool:
        return self.compared and not self.problems

    @property
    def sunset_difference_s(self) -> float | None:
        return self._diff("sunset")

    @property
    def sunrise_difference_s(self) -> float | None:
        return self._diff("sunrise")

    def _diff(self, key: str) -> float | None:
        if self.api is None or self.local.get(key) is None or self.api.get(key) is None:
            return None
        return self.local[key] - self.api[key]

    def describe(self, tz: tzinfo | None = None) -> str:
        local = _describe_night(self.local, tz)
        if self.api is None:
            return f"nighttime: local {local}; AAVSO nighttime not available, not compared"
        verdict = "agrees" if self.agrees else "differs: " + "; ".join(self.problems)
        return f"nighttime {verdict} (local {local}; AAVSO {_describe_night(self.api, tz)})"

    def to_json(self) -> dict:
        return {
            "compared": self.compared,
            "agrees": self.agrees if self.compared else None,
            "local": {k: _json_time(v) if k != "status" else v for k, v in self.local.items()},
            "api": None if self.api is None else {k: _json_time(v) if k != "status" else v for k, v in self.api.items()},
            "sunset_difference_s": _round(self.sunset_difference_s),
            "sunrise_difference_s": _round(self.sunrise_difference_s),
            "problems": list(self.problems),
        }


@dataclass(frozen=True)
class CrossCheckReport:
    """Everything the cross-check found: per-target results, the nighttime comparison,
    targets present on one side only, and the wholesale-disagreement diagnosis."""

    targets: tuple[TargetComparison, ...]
    nighttime: NightComparison | None
    only_local: tuple[str, ...] = ()
    only_api: tuple[str, ...] = ()
    tolerance_s: float = DEFAULT_TOLERANCE_S
    time: float | None = None
    site: dict = field(default_factory=dict)
    wholesale: bool = False
    reasons: tuple[str, ...] = ()
    likely_cause: str | None = None
    suggest_push_site: bool = False
    # The site and limits the API's answers were asked for (None: not known, e.g. a saved
    # file), and how they differ from ``site``: then the list is stale and a refresh fixes it.
    fetched_for: dict | None = None
    site_changes: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # how the comparison was made, for people (e.g. the flat limit)

    @property
    def suggest_refresh(self) -> bool:
        return bool(self.site_changes)

    @property
    def agree_count(self) -> int:
        return sum(1 for t in self.targets if t.agrees)

    @property
    def differ_count(self) -> int:
        return sum(1 for t in self.targets if not t.agrees)

    @property
    def compared_count(self) -> int:
        return len(self.targets)

    @property
    def differing(self) -> tuple[TargetComparison, ...]:
        return tuple(t for t in self.targets if not t.agrees)

    @property
    def differing_names(self) -> frozenset[str]:
        return frozenset(t.name for t in self.targets if not t.agrees)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "agree": self.agree_count,
            "differ": self.differ_count,
            "only_local": len(self.only_local),
            "only_api": len(self.only_api),
        }

    @property
    def all_agree(self) -> bool:
        night_ok = self.nighttime is None or not self.nighttime.compared or self.nighttime.agrees
        return self.differ_count == 0 and night_ok

    def differences(self) -> list[tuple[str, EventDifference]]:
        """Every disagreement as (star name, difference), in target order."""
        return [(t.name, d) for t in self.targets for d in t.differences]

    def summary(self) -> str:
        text = f"cross-check: {self.agree_count} agree, {self.differ_count} differ"
        extra = []
        if self.nighttime is not None and self.nighttime.compared and not self.nighttime.agrees:
            extra.append("nighttime differs")
        if self.only_local:
            extra.append(f"{len(self.only_local)} only local")
        if self.only_api:
            extra.append(f"{len(self.only_api)} only at AAVSO")
        return text + (f" ({', '.join(extra)})" if extra else "")

    def to_json(self) -> dict:
        return {
            "summary": self.summary(),
            "time": _json_time(self.time),
            "site": dict(self.site),
            "tolerance_s": self.tolerance_s,
            "counts": self.counts,
            "nighttime": None if self.nighttime is None else self.nighttime.to_json(),
            "wholesale": self.wholesale,
            "reasons": list(self.reasons),
            "likely_cause": self.likely_cause,
            "suggest_push_site": self.suggest_push_site,
            "fetched_for": None if self.fetched_for is None else dict(self.fetched_for),
            "site_changes": list(self.site_changes),
            "suggest_refresh": self.suggest_refresh,
            "notes": list(self.notes),
            "differing": [t.to_json() for t in self.differing],
            "differing_names": sorted(self.differing_names),
            "only_local": list(self.only_local),
            "only_api": list(self.only_api),
        }

    def to_json_text(self) -> str:
        return json.dumps(self.to_json(), indent=2, sort_keys=False)

    def to_text(self, tz: tzinfo | None = None) -> str:
        """A report for people; times in ``tz`` (UTC when None)."""
        lines = [self.summary()]
        if self.site:
            lines.append("site: " + ", ".join(f"{k} {v}" for k, v in self.site.items()))
        if self.time is not None:
            lines.append(f"time: {_fmt_time(self.time, tz)}; tolerance {self.tolerance_s:g} s")
        lines.extend(self.notes)
        if self.nighttime is not None:
            lines.append(self.nighttime.describe(tz))
        if self.site_changes and not self.wholesale:
            lines.append("The AAVSO answers were fetched for another site or other limits ("
                         + "; ".join(self.site_changes) + "): refresh the list for this site.")
        if self.wholesale:
            lines.append("")
            lines.append("The answers disagree wholesale: " + "; ".join(self.reasons) + ".")
            if self.likely_cause:
                lines.append("Likely cause: " + self.likely_cause)
        if self.differing:
            lines.append("")
            lines.append("Disagreements (difference = local - AAVSO):")
            for target in self.differing:
                for diff in target.differences:
                    lines.append(f"  {target.name}: {diff.describe(tz)}")
        if self.only_api:
            lines.append("")
            lines.append("Only at AAVSO (no local result): " + ", ".join(self.only_api))
        if self.only_local:
            lines.append("")
            lines.append("Only local (no AAVSO times): " + ", ".join(self.only_local))
        return "\n".join(lines)


# -- formatting ---------------------------------------------------------------------------


def _code_word(code: str | None) -> str:
    return {TARGET_RISES: "rise", TARGET_SETS: "set"}.get(code or "", code or "event")


def _fmt_time(t: float | None, tz: tzinfo | None = None) -> str:
    if t is None:
        return "—"
    when = datetime.fromtimestamp(t, tz or timezone.utc)
    if tz is None:
        return when.strftime("%Y-%m-%d %H:%M:%SZ")
    return when.strftime("%Y-%m-%d %H:%M:%S %Z")


def format_time(t: float | None, tz: tzinfo | None = None) -> str:
    """A unix time as text in ``tz`` (UTC when None); '—' for None."""
    return _fmt_time(t, tz)


def _json_time(t: float | None):
    if t is None:
        return None
    return int(round(t)) if abs(t - round(t)) < 1e-6 else round(t, 3)


def _round(v: float | None):
    return None if v is None else round(v, 1)


def _describe_night(night: dict, tz: tzinfo | None = None) -> str:
    parts = [night["status"]]
    if night.get("sunset") is not None:
        parts.append(f"sunset {_fmt_time(night['sunset'], tz)}")
    if night.get("sunrise") is not None:
        parts.append(f"sunrise {_fmt_time(night['sunrise'], tz)}")
    return ", ".join(parts)
