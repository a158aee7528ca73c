"""The targets table's columns, declared once: ``COLUMNS``.

Each ``Column`` says what it is called, how it reads and how it sorts: ``values(model)``
gives every target's sort value at once (a float array, or lowercase strings) with a mask
of the missing ones, and ``text(model, i)`` the cell of target ``i``; ``tip(model, i)`` an
optional per-cell tooltip. ``model`` is the ``TargetsModel``: its ``targets``,
``observability`` (None until computed), ``now``, ``time_text(unix)``, ``due`` and
``overdue`` arrays. A new column (say, "next event" or the phase now) is one ``Column`` in
``COLUMNS``; add it at the end so saved layouts keep their places (see docs/architecture.md).
``reads`` says what beyond the list its cells depend on: "sky" (``observability``),
"events" or "now" (``due``); the model redraws and re-sorts a column only when what it
reads changes, so a column that reads the sky results without saying so goes stale.

A first start shows the columns an observer reads first, in ``DEFAULT_ORDER`` (as the AAVSO
Target Tool page does: name, rise, set, hours, max alt, due, then what fits beside the docks at
1280x820); the others are ``visible=False`` and wait under View > Columns. Each column's
first width is measured from its title and its ``sample`` with the table's fonts
(``TargetsView.apply_default_columns``), so a larger font gets wider columns, not clipped ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

import numpy as np

from planner.formatting import dec_dms, ra_hms
from planner.sky.types import TARGET_IS_ALWAYS_DOWN, TARGET_IS_ALWAYS_UP

NUMBER, TEXT, TIME, FLAG = "number", "text", "time", "flag"

Values = tuple[np.ndarray, np.ndarray]

# What a column's values and cells depend on: the model redraws and re-sorts only the
# columns that read what changed (visibility arriving touches the sky columns alone).
READS = ("list", "sky", "events", "now")


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: str  # NUMBER, TEXT, TIME or FLAG: alignment, and how the header reads
    tooltip: str
    values: Callable[[Any], Values]
    text: Callable[[Any, int], str]
    tip: Callable[[Any, int], str | None] | None = None
    visible: bool = True  # shown on a first start; the user can change it from View > Columns
    sample: str = ""  # the widest text a cell usually shows: sizes the first-start width with the font
    width: int = 0  # pixels on a first start instead of measuring ``sample`` (a column of long text)
    reads: str = "list"  # what its values depend on beyond the list: "sky", "events" or "now" (see READS)


# -- helpers the columns share -----------------------------------------------------------

def floats(values) -> Values:
    arr = np.array([np.nan if v is None else v for v in values], dtype=float)
    return arr, np.isnan(arr)


def texts(values) -> Values:
    arr = np.array([v.lower() for v in values], dtype=object)
    return arr, np.array([not v for v in values], dtype=bool)


def number(value: float | None, fmt: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return format(value, fmt)


def magnitude(value: float | None, band: str) -> str:
    return "" if value is None else f"{value:.2f} {band}".strip()


def field(name: str) -> tuple[Callable, Callable]:
    """(values, text) of a plain text field of the target."""
    return (lambda m: texts([getattr(t, name) for t in m.targets]), lambda m, i: getattr(m.targets[i], name))


def sky(attribute: str) -> Callable[[Any], Values]:
    """Sort values from an ``Observability`` array (missing until it is computed)."""
    def values(m) -> Values:
        if m.observability is None:
            n = len(m.targets)
            return np.full(n, np.nan), np.ones(n, dtype=bool)
        arr = np.asarray(getattr(m.observability, attribute), dtype=float)
        return arr, np.isnan(arr)
    return values


def _sky_text(m, i: int, attribute: str, fmt: Callable[[float], str]) -> str:
    return "" if m.observability is None else fmt(float(getattr(m.observability, attribute)[i]))


# -- the columns ---------------------------------------------------------------------------

def _name_tip(m, i: int) -> str:
    t = m.targets[i]
    lines = [t.star_name]
    if t.priority:
        lines.append("AAVSO priority target")
    if t.star_name in m.differing:
        lines.append("The AAVSO cross-check differs for this target (see the Cross-check panel).")
    return "\n".join(lines)


def _due_values(m) -> Values:
    arr = m.overdue.copy()
    arr[np.isnan(arr) & m.due] = np.inf  # due without data: the most overdue of all
    return arr, np.isnan(arr)


def _due_text(m, i: int) -> str:
    over = m.overdue[i]
    if not math.isnan(over):
        return f"{over:+.0f}" if abs(over) >= 1 else f"{over:+.1f}"
    return "due" if m.due[i] else ""


def _due_tip(m, i: int) -> str:
    if m.due[i]:
        over = m.overdue[i]
        return "Never observed: due." if math.isnan(over) else f"Due: {over:.1f} days past the cadence."
    return "No cadence requested." if m.targets[i].obs_cadence is None else "Not due yet."


def _last_data_text(m, i: int) -> str:
    when = m.targets[i].last_data_point
    return "" if when is None else datetime.fromtimestamp(when, timezone.utc).strftime("%Y-%m-%d")


def _last_data_tip(m, i: int) -> str | None:
    when = m.targets[i].last_data_point
    if when is None:
        return None
    return f"{m.time_text(when, with_date=True)} ({(m.now - when) / 86400.0:.1f} days ago)"


def _event_text(key: str) -> Callable[[Any, int], str]:
    def text(m, i: int) -> str:
        obs = m.observability
        if obs is None:
            return ""
        value = float(obs.rise[i] if key == "rise" else obs.set[i])
        if math.isnan(value):
            events = obs.events[i]
            code = events[0][0] if events else None
            if code == TARGET_IS_ALWAYS_UP:
                return "up" if key == "rise" else "all night"
            if code == TARGET_IS_ALWAYS_DOWN or not obs.observable[i]:
                return "—"
            return ""
        return m.time_text(value)
    return text


def _time_tip(key: str, default: str) -> Callable[[Any, int], str | None]:
    def tip(m, i: int) -> str | None:
        if m.observability is None:
            return default
        return m.time_text(float(getattr(m.observability, key)[i]), with_date=True) or default
    return tip


def _notes_tip(m, i: int) -> str | None:
    info = m.targets[i].info
    if not info.text and not info.links:
        return None
    links = "\n".join(f"{link.label}: {link.url}" for link in info.links)
    return info.text + ("\n\n" + links if links else "")


def _solar_values(m) -> Values:
    n = len(m.targets)
    if m.observability is None:
        return np.full(n, np.nan), np.ones(n, dtype=bool)
    return np.where(np.asarray(m.observability.solar_conjunction, dtype=bool), 0.0, 1.0), np.zeros(n, dtype=bool)


_RISE_TIP = ("When the target climbs above your altitude limit (and your horizon mask, when one is set) "
             "during the selected night (site time, or UTC when View > Times in UTC is on).")
_SET_TIP = "When the target sinks below your altitude limit (or behind your horizon mask) during the selected night."
_TRANSIT_TIP = ("Upper culmination: when the target crosses the meridian, highest in the sky, in local time "
                "(the transit nearest the middle of the night). A German equatorial mount flips soon after.")
_MOON_TIP = ("The closest the Moon comes while the target is observable and the Moon is up ('down': the Moon is "
             "below the horizon all that time). Red: nearer than your Moon avoidance asks at some moment "
             "(Settings > Horizon, Moon & mount).")


def _moon_values(m) -> Values:
    obs = m.observability
    n = len(m.targets)
    if obs is None:
        return np.full(n, np.nan), np.ones(n, dtype=bool)
    closest = np.asarray(obs.moon_min_separation if obs.moon_min_separation is not None else obs.moon_separation,
                         dtype=float)
    observable = np.asarray(obs.observable, dtype=bool)
    # not observable tonight: the separation at the night's middle; the Moon down all the
    # target's time sorts as the farthest
    arr = np.where(observable, np.where(np.isnan(closest), 999.0, closest), np.asarray(obs.moon_separation, float))
    return arr, np.isnan(arr)


def _moon_text(m, i: int) -> str:
    obs = m.observability
    if obs is None:
        return ""
    if not obs.observable[i] or obs.moon_min_separation is None:
        return number(float(obs.moon_separation[i]), ".0f") + "°"
    closest = float(obs.moon_min_separation[i])
    return "down" if math.isnan(closest) else number(closest, ".0f") + "°"


def _moon_tip(m, i: int) -> str | None:
    obs = m.observability
    if obs is None:
        return _MOON_TIP
    middle = f"{float(obs.moon_separation[i]):.0f}° from the Moon in the middle of the night"
    if not obs.observable[i] or obs.moon_min_separation is None:
        return f"Not observable tonight; {middle}."
    closest = float(obs.moon_min_separation[i])
    avoid = obs.moon_avoidance.describe() if obs.moon_avoidance is not None else ""
    if math.isnan(closest):
        text = "The Moon is below the horizon all the time this target is observable: no Moon avoidance applies."
    else:
        text = f"Closest the Moon comes while this target is observable: {closest:.0f}° ({middle})."
    if obs.moon_clear is not None and not obs.moon_clear[i]:
        text += f"\nToo close to the Moon at times for your Moon avoidance ({avoid})."
    elif avoid:
        text += f"\nClear of the Moon all that time ({avoid})."
    return text

COLUMNS: tuple[Column, ...] = (
    Column("name", "Star", TEXT, "Star name as it appears in the AAVSO Target Tool. Bold: priority target.",
           lambda m: texts([t.star_name for t in m.targets]), lambda m, i: m.targets[i].star_name, _name_tip,
           sample="V1500 Cyg ★"),
    Column("priority", "Pri", FLAG, "★ marks an AAVSO priority target.",
           lambda m: (np.array([0.0 if t.priority else 1.0 for t in m.targets]), np.zeros(len(m.targets), bool)),
           lambda m, i: "★" if m.targets[i].priority else "", sample="★"),
    Column("due", "Due", NUMBER,
           "Days past the observing cadence since the last data point (positive: overdue). "
           "'due' with no number: never observed.", _due_values, _due_text, _due_tip, sample="+99", reads="now"),
    Column("section", "Section", TEXT, "AAVSO observing section(s) the target is listed in.",
           lambda m: texts([", ".join(t.obs_section) for t in m.targets]), lambda m, i: ", ".join(m.targets[i].obs_section),
           visible=False, sample="Long Period Variables"),
    Column("var_type", "Type", TEXT, "Variable star type (GCVS/VSX notation).", *field("var_type"),
           sample="EA/SD"),
    Column("constellation", "Con", TEXT, "Constellation (IAU abbreviation).", *field("constellation"),
           visible=False, sample="Cyg"),
    Column("ra", "RA", NUMBER, "Right ascension, J2000 (h:m:s). Sorts by value.",
           lambda m: floats([t.ra for t in m.targets]), lambda m, i: ra_hms(m.targets[i].ra, decimals=0),
           visible=False, sample="23:59:59"),
    Column("dec", "Dec", NUMBER, "Declination, J2000 (°:′:″). Sorts by value.",
           lambda m: floats([t.dec for t in m.targets]), lambda m, i: dec_dms(m.targets[i].dec, decimals=0),
           visible=False, sample="+89:59:59"),
    Column("max_mag", "Max mag", NUMBER, "Brightest magnitude and its band.",
           lambda m: floats([t.max_mag for t in m.targets]),
           lambda m, i: magnitude(m.targets[i].max_mag, m.targets[i].max_mag_band), sample="12.30 V"),
    Column("min_mag", "Min mag", NUMBER, "Faintest magnitude and its band.",
           lambda m: floats([t.min_mag for t in m.targets]),
           lambda m, i: magnitude(m.targets[i].min_mag, m.targets[i].min_mag_band), visible=False, sample="12.30 V"),
    Column("period", "Period (d)", NUMBER, "Period in days, when known.",
           lambda m: floats([t.period for t in m.targets]), lambda m, i: number(m.targets[i].period, ".4g"),
           visible=False, sample="1234"),
    Column("cadence", "Cadence (d)", NUMBER, "How often AAVSO asks for an observation, in days.",
           lambda m: floats([t.obs_cadence for t in m.targets]), lambda m, i: number(m.targets[i].obs_cadence, "g"),
           visible=False, sample="30"),
    Column("last_data", "Last data", TIME, "Date of the latest observation in the AAVSO database.",
           lambda m: floats([t.last_data_point for t in m.targets]), _last_data_text, _last_data_tip,
           visible=False, sample="2026-11-28"),
    Column("obs_mode", "Mode", TEXT, "Requested observing mode (e.g. VIS, CCD, DSLR, PEP, spectroscopy).",
           *field("obs_mode"), visible=False, sample="DSLR"),
    Column("filter", "Filters", TEXT, "Requested filters.", *field("filter"), visible=False, sample="B, V"),
    Column("rise", "Rises", TIME, _RISE_TIP, sky("rise"), _event_text("rise"), _time_tip("rise", _RISE_TIP),
           sample="23:59", reads="sky"),
    Column("set", "Sets", TIME, _SET_TIP, sky("set"), _event_text("set"), _time_tip("set", _SET_TIP),
           sample="all night", reads="sky"),
    Column("hours", "Hours", NUMBER,
           "Hours above your altitude limit (and your horizon mask, when one is set) during the selected night.",
           sky("hours_observable"), lambda m, i: _sky_text(m, i, "hours_observable", lambda v: number(v, ".1f")),
           sample="12.5", reads="sky"),
    Column("max_alt", "Max alt", NUMBER, "Highest altitude (degrees) reached during the selected night.",
           sky("max_altitude"), lambda m, i: _sky_text(m, i, "max_altitude", lambda v: number(v, ".0f") + "°"),
           sample="90°", reads="sky"),
    Column("transit", "Transit", TIME, _TRANSIT_TIP, sky("transit"),
           lambda m, i: _sky_text(m, i, "transit", m.time_text), _time_tip("transit", _TRANSIT_TIP), sample="23:59",
           reads="sky"),
    Column("moon_sep", "Moon", NUMBER, _MOON_TIP, _moon_values, _moon_text, _moon_tip, sample="down", reads="sky"),
    Column("solar_conj", "Sun conj.", FLAG, "☀ marks a target within 30° of the Sun (solar conjunction).",
           _solar_values,
           lambda m, i: "" if m.observability is None else ("☀" if bool(m.observability.solar_conjunction[i]) else ""),
           visible=False, sample="☀", reads="sky"),
    Column("other_info", "Notes", TEXT,
           "AAVSO notes (other_info). Links open from the Details panel or the row's context menu.",
           lambda m: texts([t.other_info for t in m.targets]), lambda m, i: " ".join(m.targets[i].info.text.split()),
           _notes_tip, visible=False, width=260),
)


# -- minima, transits and maxima (planner.app.events; docs/events.md) ------------------------

_WATCH = {"full": "full", "partial": "partial", "none": "not observable"}


def _next(m, i: int):
    """(event, tonight?) for target i: the next event tonight, else the next one at all."""
    events = m.events
    if events is None:
        return None, False
    row = events.targets[i]
    if row.next_event_tonight is not None:
        return row.next_event_tonight, True
    return row.next_event, False


def _next_values(m) -> Values:
    n = len(m.targets)
    if m.events is None:
        return np.full(n, np.nan), np.ones(n, dtype=bool)
    times = np.array([np.nan if (e := _next(m, i)[0]) is None else e.time for i in range(n)], dtype=float)
    return times, np.isnan(times)


def _label(kind: str) -> str:
    from planner.app.events import KIND_LABELS

    return KIND_LABELS.get(kind, kind)


def _next_text(m, i: int) -> str:
    event, tonight = _next(m, i)
    if event is None:
        return ""
    when = m.events.clock(event.time, m.time_zone)  # "02:10" tonight, "3 Dec 02:10" outside it
    if tonight:
        return f"{event.label} {when} {event.observable}"
    return f"{_label(event.kind)} {when}"


def _next_tip(m, i: int) -> str | None:
    from planner.app.events import KIND_WORDS

    if m.events is None:
        return None
    row = m.events.targets[i]
    event, tonight = _next(m, i)
    if event is None:
        return row.reason or None
    word = KIND_WORDS.get(event.kind, event.kind)
    if event.end > event.start:
        window = f"{m.time_text(event.start, with_date=True)} – {m.time_text(event.end, with_date=True)}"
    else:
        window = "a moment (the elements give no duration)"
    lines = [f"{word.capitalize()} at {m.time_text(event.time, with_date=True)}", f"Window: {window}"]
    if tonight:
        lines.append(f"Altitude at mid-event {event.altitude:.0f}°: {_WATCH.get(event.observable, event.observable)} "
                     "(window against the night and your altitude limit)")
    else:
        lines.append("Not tonight: the next one after this night.")
    uncertainty = "" if event.uncertainty_s is None else f", ± {event.uncertainty_s / 60:.0f} min"
    lines.append(f"{event.cycles_from_epoch:g} cycles from the epoch{uncertainty}")
    if event.kind == "secondary":
        lines.append("At phase 0.5: assumes a circular orbit.")
    if row.elements is not None and row.elements.source:
        lines.append(f"Elements: {row.elements.source}")
    return "\n".join(lines)


def _phase_values(m) -> Values:
    n = len(m.targets)
    if m.events is None:
        return np.full(n, np.nan), np.ones(n, dtype=bool)
    phases = np.array([np.nan if r.phase is None else r.phase for r in m.events.targets], dtype=float)
    return phases, np.isnan(phases)


def _phase_text(m, i: int) -> str:
    if m.events is None or m.events.targets[i].phase is None:
        return ""
    return f"{m.events.targets[i].phase:.2f}"


def _phase_tip(m, i: int) -> str | None:
    if m.events is None:
        return None
    row = m.events.targets[i]
    if row.phase is None:
        return row.reason or None
    zero = "a maximum" if row.star_class in ("pulsator", "long-period") else "primary minimum"
    text = f"Phase {row.phase:.3f} (0 = {zero}, from the epoch {row.elements.epoch} {row.elements.time_scale})"
    if row.star_class == "long-period":
        text += "\nLong-period variable: its cycles wander, so the phase is only a guide."
    return text


COLUMNS = COLUMNS + (
    Column("next_event", "Next event", TIME,
           "The next minimum, transit or maximum: tonight's with its local time and whether it can be "
           "watched (full, partial, none), else the next one after tonight. Sorts by time.",
           _next_values, _next_text, _next_tip, visible=False, sample="Min 23:59 partial", reads="events"),
    Column("phase", "Phase now", NUMBER,
           "Phase of the star's cycle now (for another night: at its start); 0 is a primary minimum "
           "or a maximum. Needs elements.", _phase_values, _phase_text, _phase_tip, visible=False, sample="0.99",
           reads="events"),
)
COLUMN_KEYS: tuple[str, ...] = tuple(c.key for c in COLUMNS)
# A first start's left-to-right order (the visible ones; hidden ones follow in COLUMNS order)
DEFAULT_ORDER: tuple[str, ...] = ("name", "rise", "set", "hours", "max_alt", "due", "transit", "moon_sep",
                                  "priority", "var_type", "max_mag")
# ... of which these always show on a first start; the rest of DEFAULT_ORDER while they fit
OBSERVER_FIRST: tuple[str, ...] = DEFAULT_ORDER[:6]
COLUMN_INDEX: dict[str, int] = {c.key: i for i, c in enumerate(COLUMNS)}
