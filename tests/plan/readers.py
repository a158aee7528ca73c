"""Readers written from the consuming programs' own rules, not from our exporters.

- ``read_acp_plan``: ACP's observing-plan rules (ACP help ``planfmt.html``, and how
  AcquireImages.js uses the compiled plan): ``;`` starts a comment anywhere on a line,
  directives start with ``#`` and their argument follows after spaces or tabs, plan-wide
  directives (``#quitat`` ...) must come before the first target, the imaging directives
  (``#count``/``#interval``/``#filter``/``#binning``) stay in force for every later target
  until changed (the reader models that, so a leak shows), the per-target ones
  (``#waituntil``) apply to the next target only. Date/times must be unambiguous in every
  Windows locale: ``dd Mon yyyy hh:mm:ss`` (English month) is accepted, numeric orders
  such as ``11/23/2026`` are refused.
- ``load_ekos_schedule``: KStars' loader (``schedulerprocess.cpp`` appendEkosScheduleList,
  ``schedulerutils.cpp`` createJob and loadSequenceQueue, ``sequencequeue.cpp`` load,
  ``sequencejob.cpp`` loadFrom): the ``<Sequence>`` text goes through
  ``QUrl::fromUserInput`` without a base folder (only an absolute path or a file: URL is a
  local file), a sequence file needs version >= 2.0, every unknown child of the queue is a
  capture job, a filter name the wheel does not have becomes slot 1, a missing count or
  exposure is -1. Root elements that overwrite the user's Ekos settings on load are
  collected in ``overrides``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PureWindowsPath
from urllib.parse import unquote, urlparse

from defusedxml import ElementTree as SafeET

# -- ACP -------------------------------------------------------------------------------

ACP_PLAN_WIDE = {"quitat", "shutdownat", "shutdown", "sets", "afinterval", "minsettime", "completionstate",
                 "startsetnum", "chain", "chainscript", "duskflats", "dawnflats"}
ACP_STICKY = ("count", "interval", "filter", "binning")
ACP_PER_TARGET = {"waituntil", "waitfor", "waitairmass", "waitinlimits", "waitzendist", "nopointing", "pointing",
                  "autofocus", "trackon", "trackoff", "stack", "stackalign", "repeat", "tag", "dir", "calibrate"}
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                        "dec"), 1)}


class AcpPlanError(ValueError):
    pass


@dataclass
class AcpTarget:
    name: str
    ra_hours: float
    dec: float
    filters: list[str]
    counts: list[int]
    intervals: list[float]
    waituntil: datetime | None


@dataclass
class AcpPlan:
    quitat: datetime | None
    targets: list[AcpTarget]
    comments: list[str]


def acp_datetime(text: str) -> datetime:
    """A date/time every locale reads alike: '23 Nov 2026 18:40:00' (or '23-Nov-2026 18:40')."""
    m = re.fullmatch(r"(\d{1,2})[ -]([A-Za-z]{3})[ -](\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?", text.strip())
    if not m or m.group(2).lower() not in _MONTHS:
        raise AcpPlanError(f"date/time {text!r} is not in an unambiguous form (dd Mon yyyy hh:mm:ss)")
    day, month, year = int(m.group(1)), _MONTHS[m.group(2).lower()], int(m.group(3))
    return datetime(year, month, day, int(m.group(4)), int(m.group(5)), int(m.group(6) or 0), tzinfo=timezone.utc)


def _sexagesimal(text: str) -> float:
    parts = re.split(r"[:\s]+", text.strip())
    sign = -1.0 if parts[0].startswith("-") else 1.0
    values = [abs(float(p)) for p in parts]
    return sign * (values[0] + (values[1] if len(values) > 1 else 0) / 60 + (values[2] if len(values) > 2 else 0) / 3600)


def read_acp_plan(text: str, wheel: set[str]) -> AcpPlan:
    state: dict[str, list[str]] = {}
    pending: dict[str, str] = {}
    quitat = None
    targets: list[AcpTarget] = []
    comments: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line, _, comment = raw.partition(";")
        line = line.strip()
        if comment.strip() and not line:
            comments.append(comment.strip())
        if not line:
            continue
        if line.startswith("#"):
            name, _, arg = line[1:].partition(" ")
            if "\t" in name:
                name, _, arg = line[1:].partition("\t")
            name, arg = name.lower(), arg.strip()
            if name in ACP_PLAN_WIDE:
                if targets:
                    raise AcpPlanError(f"line {number}: #{name} after the first target has no effect")
                if name == "quitat":
                    quitat = acp_datetime(arg)
            elif name in ACP_STICKY:
                state[name] = [a.strip() for a in arg.split(",")]
            elif name in ACP_PER_TARGET:
                pending[name] = arg
            else:
                raise AcpPlanError(f"line {number}: unknown directive #{name}")
            continue
        fields = line.split("\t")
        if len(fields) < 3:
            raise AcpPlanError(f"line {number}: a target line needs name<TAB>RA<TAB>Dec: {raw!r}")
        filters = state.get("filter", [])
        counts = [int(c) for c in state.get("count", ["1"])]
        intervals = [float(i) for i in state.get("interval", [])]
        lengths = {len(v) for v in (filters, counts, intervals) if v}
        if len(lengths) > 1:
            raise AcpPlanError(f"line {number}: #count, #interval and #filter lists differ in length for {fields[0]}")
        unknown = [f for f in filters if f not in wheel]
        if unknown:
            raise AcpPlanError(f"line {number}: filter(s) {unknown} are not on the filter wheel {sorted(wheel)}")
        if any(c < 1 for c in counts) or any(i <= 0 for i in intervals) or not intervals:
            raise AcpPlanError(f"line {number}: bad #count/#interval for {fields[0]}")
        wait = None
        if "waituntil" in pending:
            n, _, when = pending["waituntil"].partition(",")
            if n.strip() != "1":
                raise AcpPlanError(f"line {number}: #waituntil for set {n!r}")
            wait = acp_datetime(when)
        targets.append(AcpTarget(fields[0].strip(), _sexagesimal(fields[1]), _sexagesimal(fields[2]), filters,
                                 counts, intervals, wait))
        pending = {}
    if pending:
        raise AcpPlanError(f"directives {sorted(pending)} after the last target apply to nothing")
    return AcpPlan(quitat, targets, comments)


# -- KStars Ekos -----------------------------------------------------------------------

FRAME_TYPES = ["Light", "Bias", "Dark", "Flat"]  # CCDFrameType order, FRAME_LIGHT = 0
SEQUENCE_OPTION_TAGS = {"Observer", "GuideDeviation", "CCD", "FilterWheel", "GuideStartDeviation", "Autofocus",
                        "HFRCheck", "RefocusOnTemperatureDelta", "RefocusEveryN", "RefocusOnMeridianFlip",
                        "MeridianFlip"}
ROOT_OVERRIDES = {"Profile", "ErrorHandlingStrategy", "StartupProcedure", "ShutdownProcedure", "SchedulerAlgorithm"}


@dataclass
class SequenceJob:
    exposure: float
    filter_slot: int | None  # 1-based slot Ekos turns the wheel to; None: no filter change
    filter_name: str
    frame_type: str
    count: int
    delay_ms: int
    directory: str
    placeholder: str


@dataclass
class EkosJob:
    name: str
    ra_hours: float | None
    dec: float | None
    startup: str
    startup_time: datetime | None
    completion: str
    completion_time: datetime | None
    min_altitude: float | None
    moon_separation: float | None
    twilight: bool
    steps: list[str]
    sequence_url: str
    sequence_path: str  # QUrl::toLocalFile(): '' when the text is not a local file
    sequence: list[SequenceJob] | None  # None: the sequence could not be loaded
    sequence_overrides: list[str] = field(default_factory=list)


@dataclass
class EkosSchedule:
    jobs: list[EkosJob]
    overrides: list[str]  # root elements that overwrite the user's settings on load


def qurl_from_user_input_local_file(text: str) -> str:
    """QUrl::fromUserInput(text).toLocalFile() with no working directory: an absolute path
    is a local file, a file: URL too; anything else is guessed to be a web address."""
    text = text.strip()
    if text.startswith("/") or PureWindowsPath(text).is_absolute():
        return text
    parsed = urlparse(text)
    if parsed.scheme == "file":
        return unquote(parsed.path)
    return ""


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return 0.0  # QLocale::c().toDouble of junk


def _qt_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None  # an invalid QDateTime


def lilxml_parse(data: bytes):
    """Parse as INDI's lilxml (KStars' XML reader) would: it skips ``<!...>`` and ``<?...>``
    up to the first '>', so a comment holding '>' spills its rest into the document."""
    text = data.decode("utf-8")
    for comment in re.findall(r"<!--(.*?)-->", text, flags=re.S):
        if ">" in comment:
            raise ValueError(f"lilxml would end this comment early: {comment!r}")
    return SafeET.fromstring(data)


def load_sequence(path: str, wheel: list[str]) -> tuple[list[SequenceJob] | None, list[str]]:
    try:
        root = lilxml_parse(Path(path).read_bytes())
    except (OSError, SafeET.ParseError):
        return None, []
    version = _float(root.get("version")) or 0.0
    if root.tag != "SequenceQueue" or version < 2.0:
        return None, []
    jobs: list[SequenceJob] = []
    overrides: list[str] = []
    for child in root:
        if child.tag in SEQUENCE_OPTION_TAGS:
            overrides.append(child.tag)
            continue
        values = {c.tag: (c.text or "") for c in child}
        name = values.get("Filter")
        slot = None if name is None else max(1, (wheel.index(name) + 1) if name in wheel else 0)
        frame = values.get("Type", "Light")
        jobs.append(SequenceJob(
            exposure=_float(values.get("Exposure")) if "Exposure" in values else -1,
            filter_slot=slot,
            filter_name=name or "",
            frame_type=FRAME_TYPES[max(0, FRAME_TYPES.index(frame) if frame in FRAME_TYPES else 0)],
            count=int(values["Count"]) if "Count" in values else -1,
            delay_ms=int(float(values.get("Delay", "-0.001")) * 1000),
            directory=values.get("FITSDirectory", ""),
            placeholder=values.get("PlaceholderFormat", ""),
        ))
    return jobs, overrides


def load_ekos_schedule(esl: Path, wheel: list[str]) -> EkosSchedule:
    root = lilxml_parse(esl.read_bytes())
    assert root.tag == "SchedulerList"
    jobs: list[EkosJob] = []
    overrides: list[str] = []
    for element in root:
        if element.tag in ROOT_OVERRIDES:
            overrides.append(element.tag)
            continue
        if element.tag != "Job":
            continue
        name, ra, dec, url = "", None, None, ""
        startup, startup_time, completion, completion_time = "ASAP", None, "Sequence", None
        min_alt = moon = None
        twilight = False
        steps: list[str] = []
        for ep in element:
            if ep.tag == "Name":
                name = ep.text or ""
            elif ep.tag == "Coordinates":
                ra = _float(ep.findtext("J2000RA"))
                dec = _float(ep.findtext("J2000DE"))
            elif ep.tag == "Sequence":
                url = ep.text or ""
            elif ep.tag == "StartupCondition":
                for sub in ep:
                    if sub.text == "ASAP":
                        startup = "ASAP"
                    elif sub.text == "At":
                        startup, startup_time = "At", _qt_iso(sub.get("value"))
            elif ep.tag == "Constraints":
                for sub in ep:
                    if sub.text == "MinimumAltitude":
                        min_alt = _float(sub.get("value"))
                    elif sub.text == "MoonSeparation":
                        moon = _float(sub.get("value"))
                    elif sub.text == "EnforceTwilight":
                        twilight = True
            elif ep.tag == "CompletionCondition":
                for sub in ep:
                    if sub.text in ("Sequence", "Loop", "Repeat"):
                        completion = sub.text
                    elif sub.text == "At":
                        completion, completion_time = "At", _qt_iso(sub.get("value"))
            elif ep.tag == "Steps":
                steps = [s.text or "" for s in ep]
        local = qurl_from_user_input_local_file(url)
        sequence, seq_overrides = load_sequence(local, wheel) if local else (None, [])
        jobs.append(EkosJob(name, ra, dec, startup, startup_time, completion, completion_time, min_alt, moon, twilight,
                            steps, url, local, sequence, seq_overrides))
    return EkosSchedule(jobs, overrides)
