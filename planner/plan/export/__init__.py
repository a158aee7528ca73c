"""Exporters: one module per file format, each with ``render(plan) -> bytes``.

``export_plan(plan, fmt, path)`` renders and writes atomically. Exports carry only what
the plan holds (targets, times, site, limits, notes): never a key, a secret or a local
file path.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from planner.config import atomic_write_bytes
from planner.errors import PlannerError
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


FORMATS: dict[str, ExportFormat] = {
    f.key: f
    for f in (
        ExportFormat("csv", ".csv", "CSV table", "csv_export", "spreadsheets"),
        ExportFormat("nina-csv", ".csv", "N.I.N.A. / Target Scheduler CSV", "nina", "N.I.N.A. and its Target Scheduler plugin"),
        ExportFormat("acp", ".txt", "ACP observing plan", "acp", "ACP Observatory Control Software"),
        ExportFormat("esl", ".esl", "KStars Ekos scheduler list", "ekos", "KStars Ekos Scheduler"),
        ExportFormat("oal", ".xml", "OpenAstronomyLog 2.1 XML", "oal", "observing-log programs (KStars, SkySafari, Astrarium, ...)"),
        ExportFormat("ics", ".ics", "iCalendar", "ics", "calendar programs"),
        ExportFormat("pdf", ".pdf", "Printable PDF", "pdf", "any PDF viewer or printer"),
        ExportFormat("json", ".json", "Plan JSON", "json_export", "planner and scripts"),
    )
}


def get_format(key: str) -> ExportFormat:
    try:
        return FORMATS[key]
    except KeyError:
        raise ExportError(f"unknown export format {key!r}; choose one of {', '.join(FORMATS)}.") from None


def render(plan: Plan, fmt: str) -> bytes:
    module = importlib.import_module(f"planner.plan.export.{get_format(fmt).module}")
    return module.render(plan)


def export_plan(plan: Plan, fmt: str, path: str | os.PathLike) -> Path:
    """Render ``plan`` as ``fmt`` and write it to ``path`` atomically."""
    data = render(plan, fmt)
    path = Path(path)
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise ExportError(f"could not write {path} ({exc.strerror or exc}); choose another folder.") from None
    return path


# -- helpers shared by the exporters ----------------------------------------------------


def ordered_entries(plan: Plan) -> list[PlanEntry]:
    """Scheduled entries in time order, then the unscheduled ones in list order."""
    timed = sorted((e for e in plan.entries if e.start is not None), key=lambda e: e.start)
    return timed + [e for e in plan.entries if e.start is None]


def acquisition_entries(plan: Plan) -> list[PlanEntry]:
    """What a telescope should still do: ``ordered_entries`` whose status is 'planned'."""
    return [e for e in ordered_entries(plan) if e.status == "planned"]


def utc(t: float) -> datetime:
    return datetime.fromtimestamp(t, tz=timezone.utc)


def utc_iso(t: float | None) -> str:
    return "" if t is None else utc(t).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_iso(t: float | None, plan: Plan) -> str:
    return "" if t is None else utc(t).astimezone(plan.site.tz).isoformat(timespec="seconds")


def _sexagesimal(value: float, decimals: int) -> tuple[int, int, float]:
    """(units, minutes, seconds) of a non-negative value, rounded so seconds never read 60."""
    scale = 10**decimals
    total = round(value * 3600 * scale)
    units, rest = divmod(total, 3600 * scale)
    minutes, seconds = divmod(rest, 60 * scale)
    return int(units), int(minutes), seconds / scale


def ra_hms(ra_deg: float, sep: tuple[str, str, str] = (":", ":", ""), decimals: int = 2) -> str:
    """Right ascension in hours, e.g. ``05:35:17.30``."""
    h, m, s = _sexagesimal((ra_deg % 360.0) / 15.0, decimals)
    h %= 24
    width = 3 + decimals if decimals else 2
    return f"{h:02d}{sep[0]}{m:02d}{sep[1]}{s:0{width}.{decimals}f}{sep[2]}"


def dec_dms(dec_deg: float, sep: tuple[str, str, str] = (":", ":", ""), decimals: int = 1) -> str:
    """Declination with sign, e.g. ``-05:23:28.0``."""
    sign = "-" if dec_deg < 0 else "+"
    d, m, s = _sexagesimal(abs(dec_deg), decimals)
    width = 3 + decimals if decimals else 2
    return f"{sign}{d:02d}{sep[0]}{m:02d}{sep[1]}{s:0{width}.{decimals}f}{sep[2]}"


def one_line(text: str) -> str:
    """Text with line breaks and tabs folded to spaces (for line-oriented formats)."""
    return " ".join(text.split())
