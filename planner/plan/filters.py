"""AAVSO filter codes and the observer's filter-wheel names.

The AAVSO Target Tool asks for filters by code: photometric bands (``U B V R I J H``, and
``CV`` for unfiltered images reduced to V) and observing modes that are no filter at all
(``Vis``/``Visual``, ``Spectroscopy``, ``All``). A camera program (ACP, KStars Ekos,
N.I.N.A.) needs the names the filter wheel uses, and a wrong name is not harmless: ACP's
plan checker rejects it and Ekos silently uses the wheel's first slot. ``FilterNames``
maps each code to a wheel name; an empty name means "no camera filter", and an entry left
with no camera filter (a visual-only star) is left out of camera plans with a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from planner.config.exports import bad_wheel_name  # the rule is the Exports settings section's

# (code, what it is), in the order Settings lists them.
AAVSO_FILTER_CODES: tuple[tuple[str, str], ...] = (
    ("U", "Johnson U"),
    ("B", "Johnson B"),
    ("V", "Johnson V"),
    ("R", "Cousins R"),
    ("I", "Cousins I"),
    ("J", "NIR J"),
    ("H", "NIR H"),
    ("CV", "unfiltered, V zero point; also used for entries with no filter"),
    ("Vis", "visual estimate (not a camera filter)"),
    ("Visual", "visual estimate (not a camera filter)"),
    ("Spectroscopy", "spectroscopy (not a filter)"),
    ("All", "any filter AAVSO accepts (follows V unless given a name of its own)"),
)

# Names most wheels use; visual and spectroscopy map to no filter, 'All' to V (the band
# AAVSO's light curves are built on): unless set on its own it follows V's wheel name.
DEFAULT_WHEEL_NAMES: dict[str, str] = {
    "U": "U",
    "B": "B",
    "V": "V",
    "R": "R",
    "I": "I",
    "J": "J",
    "H": "H",
    "CV": "Clear",
    "Vis": "",
    "Visual": "",
    "Spectroscopy": "",
    "All": "V",
}

UNFILTERED = "CV"  # the code an entry without filters is imaged under
_BY_FOLDED = {code.casefold(): code for code, _ in AAVSO_FILTER_CODES if len(code) > 1}


def canonical_code(name: str) -> str | None:
    """The AAVSO code ``name`` spells (``vis`` -> ``Vis``), or None for a name of the user's
    own. One-letter bands are case-sensitive (``I`` is Cousins I, ``i`` may be Sloan i')."""
    if name in DEFAULT_WHEEL_NAMES:
        return name
    return _BY_FOLDED.get(name.casefold())


@dataclass(frozen=True)
class CameraFilters:
    """What a camera takes for one entry: ``names`` (wheel names, in order, no repeats)
    and ``dropped``, the requested codes that are no camera filter."""

    names: tuple[str, ...]
    dropped: tuple[str, ...]

    @property
    def usable(self) -> bool:
        return bool(self.names)


@dataclass(frozen=True)
class FilterNames:
    """AAVSO code -> filter-wheel name ('' = not a camera filter). Names that are no AAVSO
    code (a user's own, e.g. ``Ha``) pass through unchanged."""

    names: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_WHEEL_NAMES))

    @classmethod
    def from_settings(cls, overrides: Any) -> "FilterNames":
        """The defaults with the user's choices laid over them; anything that is not a known
        code with a text value (a hand-edited settings file) is ignored."""
        names = dict(DEFAULT_WHEEL_NAMES)
        own: set[str] = set()
        if isinstance(overrides, Mapping):
            for code, wheel in overrides.items():
                known = canonical_code(code) if isinstance(code, str) else None
                if known is not None and isinstance(wheel, str) and not bad_wheel_name(wheel):
                    names[known] = " ".join(wheel.split())
                    own.add(known)
        if "All" not in own:
            names["All"] = names["V"]
        return cls(names)

    def defaults_for(self) -> dict[str, str]:
        """What each code would be without a choice of its own ('All' follows V)."""
        return {**DEFAULT_WHEEL_NAMES, "All": self.names.get("V", DEFAULT_WHEEL_NAMES["V"])}

    def changed(self) -> dict[str, str]:
        """The entries that differ from their defaults (what Settings stores)."""
        defaults = self.defaults_for()
        return {c: n for c, n in self.names.items() if defaults.get(c) != n}

    def wheel_name(self, requested: str) -> str:
        code = canonical_code(requested)
        return requested if code is None else self.names.get(code, DEFAULT_WHEEL_NAMES[code])

    def camera_filters(self, requested: Iterable[str]) -> CameraFilters:
        """The wheel names for an entry's filters; no filters at all means unfiltered (CV)."""
        requested = [r for r in requested if r] or [UNFILTERED]
        names: list[str] = []
        dropped: list[str] = []
        for code in requested:
            wheel = self.wheel_name(code)
            if not wheel:
                dropped.append(code)
            elif wheel not in names:
                names.append(wheel)
        return CameraFilters(tuple(names), tuple(dropped))

    def left_out_reason(self, chosen: CameraFilters) -> str:
        """Why an entry with no usable camera filter is not in a camera plan."""
        codes = ", ".join(chosen.dropped)
        visual = all(canonical_code(c) in ("Vis", "Visual") for c in chosen.dropped)
        what = "visual only" if visual else "no camera filter"
        return f"{what} ({codes}; set a filter-wheel name for it in Settings > Exports to image it)"
