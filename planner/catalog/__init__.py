"""Target records of the AAVSO Target Tool, their parsing, the bundled sample and "due" logic."""

from planner.catalog.sample import TargetFileError, load_sample, load_targets_file
from planner.catalog.target import (
    ALL_SECTION_CODES,
    SECTION_NAMES,
    Link,
    OtherInfo,
    ParseResult,
    Target,
    TargetParseError,
    parse_other_info,
    parse_target,
    parse_targets,
    section_code,
    section_name,
    targets_to_payload,
)

__all__ = [
    "ALL_SECTION_CODES",
    "SECTION_NAMES",
    "Link",
    "OtherInfo",
    "ParseResult",
    "Target",
    "TargetFileError",
    "TargetParseError",
    "load_sample",
    "load_targets_file",
    "parse_other_info",
    "parse_target",
    "parse_targets",
    "section_code",
    "section_name",
    "targets_to_payload",
]
