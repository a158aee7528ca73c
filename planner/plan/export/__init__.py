"""Exporters: one module per file format, each with ``render(plan, options, path)`` giving
the file's bytes, or a ``Rendered`` with companion files and notes.

``export_plan(plan, fmt, path, options)`` renders and writes every file atomically and
returns what it wrote with notes for the user (e.g. visual-only stars left out of a camera
plan). ``ExportOptions`` carries what the plan does not hold: the filter-wheel names, the
observer, where Ekos finds the capture sequences. Exports carry only what the plan and
those options hold: never a key or a secret, and no local file path except where the
reading program needs one (the Ekos list names its capture sequences by absolute path).
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path, PurePath

from planner.config import atomic_write_bytes
from planner.errors import PlannerError
from planner.files import write_error_text
from planner.formatting import dec_dms, ra_hms  # noqa: F401 - the exporters read them from here
from planner.plan.filters import CameraFilters, FilterNames
from planner.plan.model import Plan, PlanEntry


class ExportError(PlannerError):
    """An export that could not be written; the message says why and what to do."""


@dataclass(frozen=True)
class ExportFormat:
    key: str
    suffix: str
    label: str  # for menus and file dialogs
    module: str
    reader: str  # which software reads it
    camera: bool = False  # a plan a camera runs: only 'planned' entries with a camera filter
    timed: bool = True  # the file carries the plan's times (not a report of estimates, not the plan itself)


@dataclass(frozen=True)
class ExportOptions:
    """What an export needs beyond the plan. ``sequence_dir`` is the folder the Ekos
    capture sequences will be in on the computer running KStars (default: beside the
    ``.esl``); ``image_dir`` where Ekos saves the frames (default: an ``images`` folder
    there)."""

    filters: FilterNames = field(default_factory=FilterNames)
    observer_name: str = ""
    observer_code: str = ""  # AAVSO observer code
    sequence_dir: PurePath | None = None
    image_dir: str = ""
    obstype: str = "CCD"  # AAVSO Extended report: CCD, DSLR, PEP, CMOS, PTG
    date_type: str = "JD"  # AAVSO reports: JD (or HJD, Extended only)

    @classmethod
    def from_settings(cls, settings, **changes) -> "ExportOptions":
        options = cls(
            filters=FilterNames.from_settings(settings.filter_names),
            observer_name=" ".join(settings.observer_name.split()),
            observer_code=settings.observer_code.strip().upper(),
            image_dir=settings.ekos_image_dir.strip(),
        )
        return replace(options, **changes)


@dataclass
class Rendered:
    """One export: the main file's bytes, companion files (name beside the main file ->
    bytes) and notes for the user."""

    data: bytes
    companions: dict[str, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ExportResult:
    path: Path  # the main file
    files: tuple[Path, ...]  # every file written, the main one first
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        extra = f" and {len(self.files) - 1} more file(s)" if len(self.files) > 1 else ""
        return f"{self.path}{extra}" + ("; " + " ".join(self.notes) if self.notes else "")


FORMATS: dict[str, ExportFormat] = {
    f.key: f
    for f in (
        ExportFormat("csv", ".csv", "CSV table", "csv_export", "spreadsheets"),
        ExportFormat("nina-csv", ".csv", "N.I.N.A. / Target Scheduler CSV", "nina", "N.I.N.A. and its Target Scheduler plugin", camera=True),
        ExportFormat("acp", ".txt", "ACP observing plan", "acp", "ACP Observatory Control Software", camera=True),
        ExportFormat("esl", ".esl", "KStars Ekos scheduler list", "ekos", "KStars Ekos Scheduler", camera=True),
        ExportFormat("oal", ".xml", "OpenAstronomyLog 2.1 XML", "oal", "observing-log programs (KStars, SkySafari, Astrarium, ...)"),
        ExportFormat("ics", ".ics", "iCalendar", "ics", "calendar programs"),
        ExportFormat("pdf", ".pdf", "Printable PDF", "pdf", "any PDF viewer or printer"),
        ExportFormat("json", ".json", "Plan JSON", "json_export", "planner and scripts", timed=False),
        ExportFormat("aavso-extended", ".txt", "AAVSO Extended File Format report", "aavso_extended",
                     "AAVSO WebObs (Submit observations > Upload a file)", timed=False),
        ExportFormat("aavso-visual", ".txt", "AAVSO Visual File Format report", "aavso_visual",
                     "AAVSO WebObs (Submit observations > Upload a file)", timed=False),
    )
}


def get_format(key: str) -> ExportFormat:
    try:
        return FORMATS[key]
    except KeyError:
        raise ExportError(f"unknown export format {key!r}; choose one of {', '.join(FORMATS)}.") from None


def warns_about_times(key: str) -> bool:
    """Whether an export as ``key`` is checked for conflicts first (``planner.plan.conflicts``):
    every format that carries the plan's times; not the reports of estimates, nor the plan
    JSON (the plan itself, conflicts and all, as the plan file is)."""
    return get_format(key).timed


def render_export(plan: Plan, fmt: str, options: ExportOptions | None = None,
                  path: str | os.PathLike | None = None) -> Rendered:
    """Render ``plan`` as ``fmt``; ``path`` is where the main file will be written (formats
    with companion files name them after it)."""
    spec = get_format(fmt)
    module = importlib.import_module(f"planner.plan.export.{spec.module}")
    path = Path(path) if path is not None else Path("plan" + spec.suffix)
    result = module.render(plan, options or ExportOptions(), path)
    return result if isinstance(result, Rendered) else Rendered(result)  # single-file formats return bytes


def render(plan: Plan, fmt: str, options: ExportOptions | None = None) -> bytes:
    """The main file's bytes (for tests and previews)."""
    return render_export(plan, fmt, options).data


def export_plan(plan: Plan, fmt: str, path: str | os.PathLike, options: ExportOptions | None = None) -> ExportResult:
    """Render ``plan`` as ``fmt`` and write it (and its companion files, beside it) to
    ``path``, each atomically."""
    path = Path(path)
    rendered = render_export(plan, fmt, options, path)
    written = []
    for target, data in [(path, rendered.data)] + [(path.with_name(n), d) for n, d in rendered.companions.items()]:
        try:
            atomic_write_bytes(target, data)
        except OSError as exc:
            raise ExportError(f"could not write {target}: {write_error_text(exc, target)}.") from None
        written.append(target)
    return ExportResult(path, tuple(written), tuple(rendered.notes))


# -- helpers shared by the exporters ----------------------------------------------------


def ordered_entries(plan: Plan) -> list[PlanEntry]:
    """Scheduled entries in time order, then the unscheduled ones in list order: the order
    a telescope runs them in (ACP runs a plan's targets top to bottom, each ``#waituntil``
    its start; Ekos's scheduler takes its jobs in list order), and a calendar's. The CSV
    table keeps the plan's own order instead (``plan.entries``, what the Plan dock shows)."""
    timed = sorted((e for e in plan.entries if e.start is not None), key=lambda e: e.start)
    return timed + [e for e in plan.entries if e.start is None]


def acquisition_entries(plan: Plan) -> list[PlanEntry]:
    """What a telescope should still do: ``ordered_entries`` whose status is 'planned'."""
    return [e for e in ordered_entries(plan) if e.status == "planned"]


def camera_entries(plan: Plan, filters: FilterNames) -> tuple[list[tuple[PlanEntry, CameraFilters]], list[str]]:
    """What a camera should still do, each entry with its wheel filters, and a note for
    every 'planned' entry left out because it has no camera filter (a visual-only star)."""
    kept: list[tuple[PlanEntry, CameraFilters]] = []
    notes: list[str] = []
    for entry in acquisition_entries(plan):
        chosen = filters.camera_filters(entry.filters)
        if chosen.usable:
            kept.append((entry, chosen))
        else:
            notes.append(f"Left out {entry.name}: {filters.left_out_reason(chosen)}.")
    return kept, notes


def utc(t: float) -> datetime:
    return datetime.fromtimestamp(t, tz=timezone.utc)


def utc_iso(t: float | None) -> str:
    return "" if t is None else utc(t).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_iso(t: float | None, plan: Plan) -> str:
    return "" if t is None else utc(t).astimezone(plan.site.tz).isoformat(timespec="seconds")


EVENT_WORDS = {"primary": "primary minimum", "secondary": "secondary minimum", "transit": "transit",
               "maximum": "maximum"}


def event_note(entry: PlanEntry, tz=timezone.utc) -> str:
    """One line on the event an entry's fixed block is for ('' for other entries): which,
    when (in ``tz``, with its abbreviation), its window and the margins around it."""
    ev = entry.event
    if ev is None:
        return ""

    def at(t: float, fmt: str = "%H:%M") -> str:
        return utc(t).astimezone(tz).strftime(fmt)

    word = EVENT_WORDS.get(ev.kind, ev.kind)
    text = f"{entry.name}: {word} at {at(ev.time, '%Y-%m-%d %H:%M %Z')}"
    if ev.end > ev.start:
        text += f", from {at(ev.start)} to {at(ev.end)}"
    return text + (f"; fixed block with {ev.before / 60:.0f} min before and {ev.after / 60:.0f} min after "
                   "(planner events)")


def one_line(text: str) -> str:
    """Text with line breaks and tabs folded to spaces (for line-oriented formats)."""
    return " ".join(text.split())
