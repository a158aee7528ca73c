"""The native plan file (versioned JSON), atomic saving, and the autosave/recovery file.

A plan file is ``{"format": "planner-plan", "version": 2, "plan": {...}}``. Version 2 added
the estimates' error, check star, airmass, comment codes and AAVSO report fields, and each
entry's chart id; version 1 files open as they are (every new field has a default). Saving goes
through ``planner.config.atomic_write_text`` (temporary file, fsync, rename), so a crash
or a full disk mid-save leaves the previous file as it was. Opening anything that is not
a plan this version understands raises ``PlanFileError`` and changes nothing.

While a plan is open the GUI autosaves it to one recovery file in the data folder; a
clean save or close removes it, so a recovery file found at start-up means the program
did not end cleanly and its content is offered back to the user.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner.config import atomic_write_text, data_dir
from planner.errors import PlannerError
from planner.files import parse_json, read_text, write_error_text
from planner.plan.model import Plan, PlanValueError

FORMAT = "planner-plan"
VERSION = 2  # 2: estimates with errors, check stars, airmass, comment codes; entry chart ids
RECOVERY_FORMAT = "planner-plan-recovery"
RECOVERY_FILE = "recovery-plan.json"
SUFFIX = ".plan.json"
# A plan is a few kB; anything far larger is not a plan and is not read into memory.
MAX_FILE_BYTES = 50 * 1024 * 1024


class PlanFileError(PlannerError):
    """A plan file that cannot be opened or saved; the message says which file, why, and what to do."""


class OverwriteRefused(PlanFileError):
    """Saving would replace a file planner cannot read (a newer planner's plan, a damaged
    file, something that is not a plan); ``reason`` says why it could not be read."""

    def __init__(self, path: Path, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(
            f"{path} was not replaced: {reason} Save to another file, or replace it on purpose."
        )


def plan_to_document(plan: Plan) -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, "plan": plan.to_dict()}


def dumps_plan(plan: Plan) -> str:
    return json.dumps(plan_to_document(plan), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def plan_from_document(doc: Any, where: str = "the file") -> Plan:
    """Validate a parsed document and build the ``Plan``; raises ``PlanFileError``."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise PlanFileError(f"{where} is not a planner plan (no \"format\": \"{FORMAT}\"); open a file saved by planner.")
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise PlanFileError(f"{where} has no valid plan version; the file is damaged.")
    if version > VERSION:
        raise PlanFileError(
            f"{where} was saved by a newer planner (plan format version {version}, this one reads "
            f"up to {VERSION}); update planner to open it."
        )
    try:
        return Plan.from_dict(doc.get("plan"))
    except (PlanValueError, TypeError, ValueError) as exc:
        raise PlanFileError(f"{where} is damaged: {exc}.") from None


def loads_plan(text: str, where: str = "the file") -> Plan:
    doc = parse_json(text, where, error=PlanFileError,
                     hint="it may be truncated or damaged. Check for a recovery or backup copy")
    return plan_from_document(doc, where)


def _read_text(path: Path) -> str:
    return read_text(path, "plan file", error=PlanFileError, max_bytes=MAX_FILE_BYTES, hint="it is not a planner plan")


def load_plan(path: str | os.PathLike) -> Plan:
    """Open a plan file; raises ``PlanFileError`` for anything but a valid plan."""
    path = Path(path)
    return loads_plan(_read_text(path), str(path))


def overwrite_refusal(path: str | os.PathLike) -> str | None:
    """Why saving to ``path`` needs the user's say-so: the reason the file there cannot be
    read as a plan, or None when there is no file or it is a plan this version reads (an
    older copy of the user's work, fine to replace)."""
    path = Path(path)
    if not path.exists() or path.is_dir():
        return None  # nothing to lose; a folder fails the write with its own message
    try:
        load_plan(path)
    except PlanFileError as exc:
        return str(exc)
    return None


def save_plan(plan: Plan, path: str | os.PathLike, *, force: bool = False) -> Path:
    """Write the plan atomically; on any failure the previous file is untouched. A file
    that is not a plan this version reads is never replaced unless ``force`` is true
    (``OverwriteRefused``): it may be a newer planner's plan or someone else's file."""
    path = Path(path)
    if not force:
        reason = overwrite_refusal(path)
        if reason is not None:
            raise OverwriteRefused(path, reason)
    text = dumps_plan(plan)
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise PlanFileError(
            f"could not save {path}: {write_error_text(exc, path)}. Any previous version is unchanged."
        ) from None
    return path


# -- autosave and recovery ---------------------------------------------------------------


def recovery_path() -> Path:
    return data_dir() / RECOVERY_FILE


@dataclass
class Recovery:
    """An autosaved plan left behind by a session that did not end cleanly."""

    plan: Plan
    saved_at: float
    source: str | None  # the file the plan was opened from or saved as, if any
    path: Path


def autosave(plan: Plan, source: str | os.PathLike | None = None) -> Path:
    """Write the open plan to the recovery file (atomically)."""
    doc = {
        "format": RECOVERY_FORMAT,
        "version": VERSION,
        "saved_at": time.time(),
        "source": None if source is None else str(source),
        "document": plan_to_document(plan),
    }
    path = recovery_path()
    try:
        atomic_write_text(path, json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False))
    except OSError as exc:
        raise PlanFileError(f"could not autosave the plan to {path} ({exc.strerror or exc}).") from None
    return path


def find_recovery() -> Recovery | None:
    """The plan to offer back after a crash, or None. A damaged recovery file is set aside
    (renamed ``*.damaged``) so it is not offered again, and None is returned."""
    path = recovery_path()
    if not path.exists():
        return None
    try:
        doc = parse_json(_read_text(path), "the recovery file", error=PlanFileError)
        if not isinstance(doc, dict) or doc.get("format") != RECOVERY_FORMAT:
            raise PlanFileError("not a recovery file")
        plan = plan_from_document(doc.get("document"), "the recovery file")
        saved_at = float(doc.get("saved_at") or path.stat().st_mtime)
        source = doc.get("source") if isinstance(doc.get("source"), str) else None
    except (PlanFileError, TypeError, ValueError, OSError):
        try:
            os.replace(path, path.with_name(path.name + ".damaged"))
        except OSError:
            pass
        return None
    return Recovery(plan=plan, saved_at=saved_at, source=source, path=path)


def clear_recovery() -> None:
    """Remove the recovery file (after a clean save or close)."""
    try:
        recovery_path().unlink()
    except FileNotFoundError:
        pass
