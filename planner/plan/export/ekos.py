"""KStars Ekos scheduler list (``.esl``) with its capture sequences (``.esq``).

Written to what KStars' loader reads (``ekos/scheduler/schedulerutils.cpp`` createJob,
``schedulerprocess.cpp`` appendEkosScheduleList, ``ekos/capture/sequencequeue.cpp`` and
``sequencejob.cpp`` loadFrom):

- One ``<Job>`` per entry still 'planned' with a camera filter: name, J2000 RA (hours) and
  Dec (degrees), priority, the plan's altitude and Moon limits, twilight enforcement, the
  Track/Focus/Align/Guide steps (without ``<Steps>`` Ekos would not even slew), a start
  "At" and completion "At" for a scheduled entry (site local time without offset: Ekos
  reads it in its geographic location's time), "ASAP"/"Sequence" otherwise.
- ``<Sequence>`` names a capture sequence file by absolute path: KStars passes the text to
  ``QUrl::fromUserInput`` with no base folder, so a relative name would not be found. One
  ``.esq`` per distinct (filters, exposure, count) set is written beside the ``.esl``; the
  path inside the list is ``ExportOptions.sequence_dir`` (the folder on the computer that
  runs KStars), by default the folder the ``.esl`` is written to.
- Each ``.esq`` job is a Light frame with the entry's exposure and count, for each filter in
  turn. Filter names are the wheel's (Settings > Exports): Ekos takes the wheel's first
  slot for a name it does not know. The frames go to ``FITSDirectory`` (``image_dir``, by
  default ``images`` beside the sequences) in KStars' default target/type/filter layout.
- Nothing the plan does not decide is written: no ``<Profile>`` (it would pick an equipment
  profile that may not exist), no ``<ErrorHandlingStrategy>`` and no Startup/Shutdown
  procedures (loading them replaces the user's error handling and unpark/park settings),
  and no guiding, focus or temperature options in the sequences (they overwrite the Capture
  module's settings on load).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from planner import __version__
from planner.plan.export import ExportOptions, Rendered, camera_entries, event_note, one_line, utc
from planner.plan.filters import CameraFilters
from planner.plan.model import Plan, PlanEntry

ESL_VERSION = "1.4"
ESQ_VERSION = "2.6"  # KStars reads sequence files back to version 2.0
# KStars' default file layout (PlaceholderPath::defaultFormat with filter, exposure, time).
PLACEHOLDER_FORMAT = "/%t/%T/%F/%t_%T_%F_%e_%D"
PLACEHOLDER_SUFFIX = "3"  # digits of the frame counter
STEPS = ("Track", "Focus", "Align", "Guide")


def _local(t: float, plan: Plan) -> str:
    return utc(t).astimezone(plan.site.tz).replace(tzinfo=None).isoformat(timespec="seconds")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _xml(root: ET.Element, comments: list[str]) -> bytes:
    ET.indent(root)
    head = b'<?xml version="1.0" encoding="UTF-8"?>\n'
    for text in comments:
        # '--' may not appear in an XML comment, and KStars' parser (INDI's lilxml) ends a
        # comment at its first '>'.
        text = one_line(text).replace("--", "- -").replace(">", "→").replace("<", "←")
        head += ("<!-- " + text + " -->\n").encode("utf-8")
    return head + ET.tostring(root, encoding="utf-8") + b"\n"


def _join(folder: str, name: str) -> str:
    """``folder/name`` in the folder's own convention (a Windows path keeps backslashes)."""
    windows = bool(re.match(r"^[A-Za-z]:[\\/]", folder)) or ("\\" in folder and "/" not in folder)
    sep = "\\" if windows else "/"
    return folder.rstrip("/\\") + sep + name


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.+_-]+", "_", text).strip("_") or "x"


def _sequence(options: ExportOptions, images: str, key: tuple[tuple[str, ...], float, int]) -> bytes:
    names, exposure, count = key
    root = ET.Element("SequenceQueue", {"version": ESQ_VERSION})
    for name in names:
        job = _sub(root, "Job")
        _sub(job, "Exposure", f"{exposure:g}")
        _sub(job, "Filter", name)
        _sub(job, "Type", "Light")
        _sub(job, "Count", str(count))
        _sub(job, "Delay", "0")
        _sub(job, "FITSDirectory", images)
        _sub(job, "PlaceholderFormat", PLACEHOLDER_FORMAT)
        _sub(job, "PlaceholderSuffix", PLACEHOLDER_SUFFIX)
    frames = f"{count} x {exposure:g} s in {', '.join(names)}"
    return _xml(root, [f"Capture sequence written by planner {__version__}: {frames}."])


def _sequence_names(stem: str, entries: list[tuple[PlanEntry, CameraFilters]]) -> dict[tuple, str]:
    files: dict[tuple, str] = {}
    for e, chosen in entries:
        key = (chosen.names, e.exposure, e.count)
        if key in files:
            continue
        name = _safe(f"{stem}-{'-'.join(chosen.names)}-{e.count}x{e.exposure:g}s")
        candidate, n = f"{name}.esq", 2
        while candidate in files.values():
            candidate, n = f"{name}-{n}.esq", n + 1
        files[key] = candidate
    return files


def render(plan: Plan, options: ExportOptions, path: Path) -> Rendered:
    entries, notes = camera_entries(plan, options.filters)
    folder = str(options.sequence_dir) if options.sequence_dir is not None else str(path.resolve().parent)
    images = options.image_dir or _join(folder, "images")
    sequences = _sequence_names(path.stem, entries)

    root = ET.Element("SchedulerList", {"version": ESL_VERSION})
    for e, chosen in entries:
        t = e.target
        job = _sub(root, "Job")
        _sub(job, "Name", t.name)
        _sub(job, "Priority", "5" if t.priority else "10")  # read by KStars before 3.7, harmless after
        coords = _sub(job, "Coordinates")
        _sub(coords, "J2000RA", f"{t.ra / 15.0:.6f}")
        _sub(coords, "J2000DE", f"{t.dec:.6f}")
        _sub(job, "Sequence", _join(folder, sequences[(chosen.names, e.exposure, e.count)]))
        startup = _sub(job, "StartupCondition")
        if e.start is not None:
            _sub(startup, "Condition", "At", value=_local(e.start, plan))
        else:
            _sub(startup, "Condition", "ASAP")
        constraints = _sub(job, "Constraints")
        _sub(constraints, "Constraint", "MinimumAltitude", value=f"{plan.limits.min_altitude:g}")
        if plan.limits.moon_separation is not None:
            _sub(constraints, "Constraint", "MoonSeparation", value=f"{plan.limits.moon_separation:g}")
        _sub(constraints, "Constraint", "EnforceTwilight")
        completion = _sub(job, "CompletionCondition")
        if e.end is not None:
            _sub(completion, "Condition", "At", value=_local(e.end, plan))
        else:
            _sub(completion, "Condition", "Sequence")
        steps = _sub(job, "Steps")
        for step in STEPS:
            _sub(steps, "Step", step)

    comments = [f"Ekos scheduler list written by planner {__version__}: {one_line(plan.title) or 'night plan'}"
                f" at {plan.site.label}; times are {plan.site.timezone} local time."]
    comments += notes
    # an event's job starts "At" its fixed block; say which event that is
    comments += [event_note(e, plan.site.tz) for e, _chosen in entries if e.event is not None]
    companions = {name: _sequence(options, images, key) for key, name in sequences.items()}
    return Rendered(_xml(root, comments), companions=companions, notes=notes)
