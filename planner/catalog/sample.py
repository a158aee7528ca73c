"""The bundled offline sample of real variable stars (``planner/resources/targets/``) and target files."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from planner.catalog.target import ParseResult, TargetParseError, parse_targets

SAMPLE_RESOURCE = "sample_targets.json"


class TargetFileError(ValueError):
    """A targets file that cannot be read; the message names the file and the cause."""


def load_sample() -> ParseResult:
    """The bundled sample, parsed. It ships in the wheel and needs no network."""
    text = resources.files("planner.resources.targets").joinpath(SAMPLE_RESOURCE).read_text("utf-8")
    return parse_targets(json.loads(text))


def load_targets_file(path: str | Path) -> ParseResult:
    """A file in the API's response shape (``{"targets": [...]}``) or a bare JSON list."""
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise TargetFileError(f"{path}: no such file.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TargetFileError(f"{path}: cannot be read ({exc.__class__.__name__}: {exc}).") from None
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TargetFileError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from None
    try:
        return parse_targets(payload)
    except TargetParseError as exc:
        raise TargetFileError(f"{path}: {exc}.") from None
