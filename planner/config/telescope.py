"""Settings section "telescope": the telescope, eyepiece and camera, and how comparison-star
charts are made from them (Settings > Telescope). ``planner.app.telescope`` turns them into
the field of view, pixel scale, visual limit and chart defaults every caller reads; the
ranges, choices and AAVSO's chart scales are declared here once, for the settings loader,
the page and that module alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

from planner.config.section import Section, Setting, SettingsError, choice

MODES = ("visual", "imaging")
NORTH = ("", "up", "down")
EAST = ("", "left", "right")


@dataclass(frozen=True)
class ChartScale:
    """One of AAVSO's chart scales as VSP offers it: the chart's width and its usual limit."""

    code: str
    fov_arcmin: float
    maglimit: float
    use: str


# The scales of AAVSO's printed charts (a: naked eye/binoculars ... g: large telescopes).
CHART_SCALES: dict[str, ChartScale] = {
    s.code: s
    for s in (
        ChartScale("A", 900.0, 9.0, "naked eye and binoculars (15°)"),
        ChartScale("B", 180.0, 11.0, "binoculars and finders (3°)"),
        ChartScale("C", 120.0, 12.0, "small telescopes, low power (2°)"),
        ChartScale("D", 60.0, 14.5, "telescopes, low power (1°)"),
        ChartScale("E", 30.0, 16.5, "telescopes, medium power (30′)"),
        ChartScale("F", 15.0, 18.5, "large telescopes, high power (15′)"),
        ChartScale("G", 7.5, 18.5, "large telescopes and cameras (7.5′)"),
    )
}


def _optic(label: str, unit: str, low: float, high: float) -> Callable[[Any], float | None]:
    """None (not set) or a number of ``unit`` in [low, high]; the message names the field."""

    def check(value: Any) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(float(value)):
            raise SettingsError(f"{label} must be a number in {unit}")
        if not low <= float(value) <= high:
            raise SettingsError(f"{label} {float(value):g} {unit} is outside {low:g}–{high:g} {unit}; check the unit")
        return float(value)

    return check


def _optic_setting(name: str, label: str, unit: str, low: float, high: float, hint: str) -> Setting:
    return Setting(name, None, label=label, unit=unit, low=low, high=high, hint=hint,
                   check=_optic(label, unit, low, high))


TELESCOPE = Section("telescope", "Telescope", (
    _optic_setting("telescope_aperture_mm", "Aperture", "mm", 5.0, 10_000.0, "e.g. 200"),
    _optic_setting("telescope_focal_length_mm", "Focal length", "mm", 10.0, 100_000.0, "e.g. 1200"),
    _optic_setting("eyepiece_focal_length_mm", "Eyepiece focal length", "mm", 1.0, 100.0, "e.g. 25"),
    _optic_setting("eyepiece_field_deg", "Eyepiece apparent field", "°", 10.0, 120.0, "e.g. 52 (Plössl), 68, 82"),
    _optic_setting("camera_sensor_width_mm", "Sensor width", "mm", 1.0, 100.0, "e.g. 17.7"),
    _optic_setting("camera_sensor_height_mm", "Sensor height", "mm", 1.0, 100.0, "e.g. 13.4"),
    _optic_setting("camera_pixel_size_um", "Pixel size", "µm", 0.5, 50.0, "e.g. 3.76"),
    Setting("observing_mode", "visual", label="Charts show the field of", check=choice(MODES)),
    Setting("chart_scale", "", label="Chart scale", check=choice(("", *CHART_SCALES))),
    Setting("chart_north", "", label="Chart north", check=choice(NORTH)),
    Setting("chart_east", "", label="Chart east", check=choice(EAST)),
), shown_in="telescope")

# The numbers of the section: (attribute, label, unit, lowest, highest), in the page's order.
OPTICS_FIELDS: tuple[tuple[str, str, str, float, float], ...] = tuple(
    (s.name, s.label, s.unit, s.low, s.high) for s in TELESCOPE if s.low is not None
)
