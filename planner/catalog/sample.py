"""The bundled offline sample of real variable stars (``planner/resources/targets/``) and target files."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from planner.catalog.target import ParseResult, TargetParseError, parse_targets
from planner.files import read_json

SAMPLE_RESOURCE = "sample_targets.json"


class TargetFileError(ValueError):
    """A targets file that cannot be read; the message names the file and the cause."""


def load_sample() -> ParseResult:
    """The bundled sample, parsed. It ships in the wheel and needs no network."""
    text = resources.files("planner.resources.targets").joinpath(SAMPLE_RESOURCE).read_text("utf-8")
    return parse_targets(json.loads(text))


def load_targets_file(path: str | Path) -> ParseResult:
    """A file in the API's response shape (``{"targets": [...]}``) or a bare JSON list.

    Raises ``TargetFileError`` when the file cannot be read, is not such a list, or holds
    records of which not one is a usable target (a list of bad records is a wrong file,
    not an empty night)."""
    path = Path(path)
    payload = read_json(path, "targets file", error=TargetFileError)
    try:
        result = parse_targets(payload)
    except TargetParseError as exc:
        raise TargetFileError(f"targets file {path}: {exc}.") from None
    if result.problems and not result.targets:
        count = len(result.problems)
        raise TargetFileError(
            f"targets file {path}: none of its {count} record{'s' if count != 1 else ''} is a usable "
            f"target ({result.problems[0]}); save the AAVSO Target Tool's answer as it came."
        )
    return result
