"""The mount: a German equatorial's meridian flip and the hour angles it can reach.

A German equatorial mount tracks a target from the east across the meridian for
``flip_minutes`` more, and then must flip to the other side of the pier (the slew, the
re-centring and a new guide star take minutes of the night). The *flip window* of a target
is that span, from its upper culmination to ``flip_minutes`` past it. A block *crosses* the
flip window when it begins before the culmination (the mount on the east side) and is still
running when the flip is due: such a block has a flip in the middle. One that starts after
the meridian points the mount at the west side from the start, and one that ends before the
flip is due needs none. ``east_limit_hours``/``west_limit_hours`` bound the hour angles the
mount reaches at all (-12 and 12: no limit).

The scheduler either keeps blocks out of the flip window (``flip_policy`` "avoid") or places
them anyway and marks the flip ("mark"); see ``planner.plan.scheduler``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

FLIP_POLICIES = ("avoid", "mark")
SIDEREAL_DAY_S = 86164.0905  # mean solar seconds


@dataclass(frozen=True)
class Mount:
    """How the telescope is mounted (see the module docstring)."""

    german: bool = False  # a German equatorial that flips at the meridian
    flip_minutes: float = 10.0  # how long past the meridian it tracks before the flip
    east_limit_hours: float = -12.0  # the most easterly hour angle it can point at
    west_limit_hours: float = 12.0  # the most westerly
    flip_policy: str = "avoid"  # "avoid": no block crosses the flip window; "mark": marked

    def __post_init__(self) -> None:
        if not isinstance(self.german, bool):
            raise ValueError(f"Mount 'german' must be true or false, not {self.german!r}.")
        for name, low, high, unit in (("flip_minutes", 0.0, 120.0, "minutes"),
                                      ("east_limit_hours", -12.0, 0.0, "hours"),
                                      ("west_limit_hours", 0.0, 12.0, "hours")):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"Mount {name.replace('_', ' ')} must be a number of {unit}, not {value!r}.")
            if not low <= value <= high:
                raise ValueError(f"Mount {name.replace('_', ' ')} {value:g} is outside {low:g} to {high:g} {unit}.")
            object.__setattr__(self, name, float(value))
        if self.flip_policy not in FLIP_POLICIES:
            raise ValueError(f"Mount flip policy must be one of {', '.join(FLIP_POLICIES)}, not {self.flip_policy!r}.")

    @property
    def limits_hour_angle(self) -> bool:
        return self.east_limit_hours > -12.0 or self.west_limit_hours < 12.0

    @property
    def flip_seconds(self) -> float:
        return self.flip_minutes * 60.0

    def describe(self) -> str:
        parts = []
        if self.german:
            how = "kept out of" if self.flip_policy == "avoid" else "marked across"
            parts.append(f"German equatorial, flips {self.flip_minutes:g} min past the meridian (blocks {how} it)")
        if self.limits_hour_angle:
            parts.append(f"hour angle {self.east_limit_hours:+g} h to {self.west_limit_hours:+g} h")
        return "; ".join(parts) or "no mount limits"

    def to_json(self) -> dict[str, Any]:
        return {"german": self.german, "flip_minutes": self.flip_minutes, "east_limit_hours": self.east_limit_hours,
                "west_limit_hours": self.west_limit_hours, "flip_policy": self.flip_policy}

    @classmethod
    def from_json(cls, data: Any) -> "Mount":
        """From ``to_json``'s shape (missing keys: the defaults); ValueError names a bad value."""
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise ValueError("The mount must be an object (german, flip_minutes, east/west_limit_hours, flip_policy).")
        return cls(**{k: data[k] for k in ("german", "flip_minutes", "east_limit_hours", "west_limit_hours",
                                           "flip_policy") if k in data})


def transits_between(transit: float, start: float, end: float) -> list[float]:
    """Every upper culmination in [start, end], given any one of them (``transit``)."""
    k0 = math.ceil((start - transit) / SIDEREAL_DAY_S)
    out = []
    k = k0
    while transit + k * SIDEREAL_DAY_S <= end:
        out.append(transit + k * SIDEREAL_DAY_S)
        k += 1
    return out


def crosses_flip(start: float, end: float, transit: float, flip_seconds: float) -> float | None:
    """The culmination whose flip the block [start, end] runs through (it starts east of the
    meridian and is still running ``flip_seconds`` after it), or None."""
    for t in transits_between(transit, start - flip_seconds - SIDEREAL_DAY_S, end + SIDEREAL_DAY_S):
        if start < t and end > t + flip_seconds:
            return t
    return None


def flip_free_windows(windows: Sequence[tuple[float, float]], transit: float,
                      flip_seconds: float) -> list[tuple[float, float]]:
    """``windows`` cut so that no block placed wholly inside one of the results crosses a
    flip window: each window holding a culmination T becomes the part ending at
    T + flip_seconds and the part starting at T (they overlap by the flip window itself)."""
    out: list[tuple[float, float]] = []
    for a, b in windows:
        pieces = [(a, b)]
        for t in transits_between(transit, a, b):
            cut = []
            for lo, hi in pieces:
                if lo < t < hi:
                    cut.append((lo, min(hi, t + flip_seconds)))
                    cut.append((t, hi))
                else:
                    cut.append((lo, hi))
            pieces = cut
        out.extend((float(lo), float(hi)) for lo, hi in pieces if hi > lo)
    return sorted(set(out))
