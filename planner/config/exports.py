"""Settings section "exports": the observer for the observing log, the filter-wheel names
the telescope exports use for AAVSO's filter codes, and where Ekos saves frames (Settings >
Exports). The codes and their default names are ``planner.plan.filters``'; the rule for a
wheel name is here, where the dialog and the exporters both read it."""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from planner.config.section import Section, Setting, SettingsError, text, text_table


def bad_wheel_name(name: str) -> str | None:
    """Why ``name`` cannot be a filter-wheel name in the exports ('' is fine: no filter)."""
    if "," in name or ";" in name:
        return "a filter name cannot hold ',' or ';' (they separate lists and start comments in ACP plans)"
    if name.strip().startswith("#"):
        return "a filter name cannot start with '#'"
    return None


def _folder(value: Any) -> str:
    folder = text(value).strip()
    if folder and not (PurePosixPath(folder).is_absolute() or PureWindowsPath(folder).is_absolute()):
        raise SettingsError("The Ekos frames folder must be an absolute path (KStars finds folders by absolute path only)")
    return folder


EXPORTS = Section("exports", "Exports", (
    Setting("observer_name", "", label="Observer name", check=text),
    Setting("observer_code", "", label="AAVSO observer code", check=text),
    # AAVSO filter code -> filter-wheel name, only where it differs from
    # planner.plan.filters.DEFAULT_WHEEL_NAMES ('' = not a camera filter)
    Setting("filter_names", default_factory=dict, label="Filter-wheel names",
            check=text_table("filter codes and wheel names")),
    # '' = an images folder beside the .esl
    Setting("ekos_image_dir", "", label="Ekos frames folder", check=_folder),
), shown_in="exports")
