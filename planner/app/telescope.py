"""The telescope and camera in the settings, as numbers the rest of the program uses: the
field of view (an eyepiece's true field, or a sensor's), the pixel scale, the visual
limiting magnitude, and the defaults of a comparison-star chart (field and magnitude limit,
or one of AAVSO's chart scales A-G).

Qt-free; every caller (the Chart tab, ``planner vsp``, the plate solver's scale hints, the
Arcsecond telescope import) reads the telescope here, through ``field_of_view(settings)``,
``pixel_scale(settings)`` and ``chart_defaults(settings, target)``.

The optics:
- an eyepiece's true field is its apparent field times its focal length over the
  telescope's (the usual approximation; good to a few per cent, which a chart does not
  notice);
- a sensor's field is ``2 atan(size / 2f)`` per side;
- the pixel scale is 206.265 arcsec/pixel times the pixel size in micrometres over the
  focal length in millimetres;
- the visual limiting magnitude of an aperture ``D`` mm is ``2.7 + 5 log10 D`` (the common
  ``7.7 + 5 log10 D_cm``: about 14.2 for 200 mm), an estimate under a dark sky.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from planner.config.telescope import CHART_SCALES, EAST, MODES, NORTH, OPTICS_FIELDS, TELESCOPE, ChartScale
from planner.numbers import finite_or_none

ARCSEC_PER_RADIAN = math.degrees(1.0) * 3600.0  # 206 264.806...
DEFAULT_SCALE = "D"
MIN_FOV_ARCMIN = 3.0
MAX_FOV_ARCMIN = 900.0
MIN_MAGLIMIT = 5.0
MAX_MAGLIMIT = 20.0
MAGLIMIT_MARGIN = 1.0  # comparison stars a magnitude fainter than the star at its faintest


class TelescopeError(ValueError):
    """A telescope or camera value that cannot be right; the message names the field."""


def _positive(value: Any) -> float | None:
    """A positive finite number, or None (unset or unusable)."""
    number = finite_or_none(value)
    return number if number is not None and number > 0 else None


# (attribute, label, unit, lowest, highest): what Settings > Telescope checks (declared once,
# in the settings section, so the settings file is judged by the same ranges).
FIELDS = OPTICS_FIELDS


def check_value(name: str, value: Any) -> str:
    """Why ``value`` cannot be the telescope setting ``name`` ('' when it can, or is unset):
    the telescope settings section's check."""
    return TELESCOPE[name].problem(value).rstrip(".")


@dataclass(frozen=True)
class Optics:
    """The telescope and camera of the settings; any value may be unknown (None)."""

    aperture_mm: float | None = None
    focal_length_mm: float | None = None
    eyepiece_focal_length_mm: float | None = None
    eyepiece_field_deg: float | None = None
    sensor_width_mm: float | None = None
    sensor_height_mm: float | None = None
    pixel_size_um: float | None = None
    mode: str = "visual"

    @classmethod
    def from_settings(cls, settings) -> "Optics":
        mode = getattr(settings, "observing_mode", "visual")
        return cls(
            aperture_mm=_positive(getattr(settings, "telescope_aperture_mm", None)),
            focal_length_mm=_positive(getattr(settings, "telescope_focal_length_mm", None)),
            eyepiece_focal_length_mm=_positive(getattr(settings, "eyepiece_focal_length_mm", None)),
            eyepiece_field_deg=_positive(getattr(settings, "eyepiece_field_deg", None)),
            sensor_width_mm=_positive(getattr(settings, "camera_sensor_width_mm", None)),
            sensor_height_mm=_positive(getattr(settings, "camera_sensor_height_mm", None)),
            pixel_size_um=_positive(getattr(settings, "camera_pixel_size_um", None)),
            mode=mode if mode in MODES else "visual",
        )

    def problems(self) -> list[str]:
        """Values that cannot be right together (each alone is checked by ``check_value``)."""
        out = []
        if self.focal_length_mm and self.aperture_mm and self.focal_length_mm / self.aperture_mm < 1.0:
            out.append(f"a focal ratio of f/{self.focal_length_mm / self.aperture_mm:.2g} is not a telescope's; "
                       "check the aperture and focal length")
        if self.focal_length_mm and self.eyepiece_focal_length_mm and self.eyepiece_focal_length_mm >= self.focal_length_mm:
            out.append("the eyepiece's focal length must be shorter than the telescope's")
        return out

    # -- what the optics give ------------------------------------------------------------

    @property
    def magnification(self) -> float | None:
        if self.focal_length_mm and self.eyepiece_focal_length_mm:
            return self.focal_length_mm / self.eyepiece_focal_length_mm
        return None

    def eyepiece_field_arcmin(self) -> float | None:
        """The eyepiece's true field (diameter) in arcminutes."""
        magnification = self.magnification
        if magnification and self.eyepiece_field_deg:
            return self.eyepiece_field_deg / magnification * 60.0
        return None

    def sensor_field_arcmin(self) -> tuple[float, float] | None:
        """The sensor's field (width, height) in arcminutes."""
        if not (self.focal_length_mm and self.sensor_width_mm):
            return None
        height = self.sensor_height_mm or self.sensor_width_mm

        def side(size: float) -> float:
            return math.degrees(2.0 * math.atan(size / (2.0 * self.focal_length_mm))) * 60.0  # type: ignore[operator]

        return side(self.sensor_width_mm), side(height)

    def pixel_scale(self) -> float | None:
        """Arcseconds per pixel, or None without a focal length and a pixel size."""
        return pixel_scale_of(self.focal_length_mm, self.pixel_size_um)

    def limiting_magnitude(self) -> float | None:
        """The faintest star the aperture shows the eye under a dark sky (an estimate)."""
        if not self.aperture_mm:
            return None
        return 2.7 + 5.0 * math.log10(self.aperture_mm)

    def field(self) -> "FieldOfView | None":
        """The field a chart should show: the eyepiece's for a visual observer, the sensor's
        for imaging; the other one when only it is known."""
        eyepiece = self.eyepiece_field_arcmin()
        sensor = self.sensor_field_arcmin()
        order = ("sensor", "eyepiece") if self.mode == "imaging" else ("eyepiece", "sensor")
        for source in order:
            if source == "eyepiece" and eyepiece:
                words = (f"the {self.eyepiece_focal_length_mm:g} mm eyepiece ({self.eyepiece_field_deg:g}° apparent) "
                         f"at {self.magnification:.0f}×")
                return FieldOfView(eyepiece, eyepiece, "eyepiece", words)
            if source == "sensor" and sensor:
                words = (f"the {self.sensor_width_mm:g} × {self.sensor_height_mm or self.sensor_width_mm:g} mm sensor "
                         f"at {self.focal_length_mm:g} mm")
                return FieldOfView(sensor[0], sensor[1], "sensor", words)
        return None


@dataclass(frozen=True)
class FieldOfView:
    """A field in arcminutes; ``source`` is "eyepiece" or "sensor", ``words`` how it was found."""

    width_arcmin: float
    height_arcmin: float
    source: str
    words: str = ""

    @property
    def largest_arcmin(self) -> float:
        return max(self.width_arcmin, self.height_arcmin)

    def describe(self) -> str:
        if abs(self.width_arcmin - self.height_arcmin) < 0.05:
            return f"{self.width_arcmin:.1f}′"
        return f"{self.width_arcmin:.1f}′ × {self.height_arcmin:.1f}′"


def pixel_scale_of(focal_length_mm: Any, pixel_size_um: Any) -> float | None:
    """Arcseconds per pixel of a pixel size (µm) at a focal length (mm); None when unknown."""
    focal, pixel = _positive(focal_length_mm), _positive(pixel_size_um)
    if focal is None or pixel is None:
        return None
    return ARCSEC_PER_RADIAN * pixel * 1e-3 / focal


def field_of_view(settings) -> FieldOfView | None:
    """The field of the telescope in the settings (see ``Optics.field``), or None."""
    return Optics.from_settings(settings).field()


def pixel_scale(settings) -> float | None:
    """The camera's pixel scale in arcsec/pixel at the telescope's focal length, or None."""
    return Optics.from_settings(settings).pixel_scale()


# -- chart defaults -----------------------------------------------------------------------


@dataclass(frozen=True)
class ChartDefaults:
    """What a chart is asked for when the user does not say: ``fov`` in arcminutes,
    ``maglimit``, the orientation, and ``words`` saying where each came from."""

    fov: float
    maglimit: float
    north: str = ""
    east: str = ""
    scale: str = ""
    words: str = ""  # where both came from: "<field words>; <limit words>"
    field_words: str = ""
    limit_words: str = ""


def _round_up(value: float, step: float) -> float:
    return math.ceil(value / step - 1e-9) * step


def chart_defaults(settings, faintest: float | None = None, *, scale: str | None = None) -> ChartDefaults:
    """Field and magnitude limit of a target's chart.

    The field is the chosen AAVSO scale's, else the telescope's (``field_of_view``), else
    the D scale's (1°). The limit reaches ``MAGLIMIT_MARGIN`` below the star's faintest
    magnitude (so its comparison stars are on the chart at minimum); for a visual observer
    it stops half a magnitude past what the aperture shows. Without a faintest magnitude,
    the scale's usual limit (or the aperture's) is used."""
    chosen = (scale if scale is not None else getattr(settings, "chart_scale", "") or "").strip().upper()
    if chosen and chosen not in CHART_SCALES:
        raise TelescopeError(f"chart scale {chosen!r} is not one of {', '.join(CHART_SCALES)}")
    optics = Optics.from_settings(settings)
    north = getattr(settings, "chart_north", "") or ""
    east = getattr(settings, "chart_east", "") or ""
    north = north if north in NORTH else ""
    east = east if east in EAST else ""
    field = optics.field()
    if chosen:
        fov = CHART_SCALES[chosen].fov_arcmin
        field_words = f"AAVSO scale {chosen}"
    elif field is not None:
        fov = min(max(_round_up(field.largest_arcmin, 1.0), MIN_FOV_ARCMIN), MAX_FOV_ARCMIN)
        field_words = f"the field of {field.words}"
    else:
        fov = CHART_SCALES[DEFAULT_SCALE].fov_arcmin
        field_words = f"AAVSO scale {DEFAULT_SCALE}: no eyepiece or sensor in Settings > Telescope"

    reach = optics.limiting_magnitude() if optics.mode == "visual" else None
    usual = CHART_SCALES[chosen or DEFAULT_SCALE].maglimit
    if faintest is not None and math.isfinite(faintest):
        limit = _round_up(faintest + MAGLIMIT_MARGIN, 0.5)
        limit_words = f"limit {limit:g} (the star's faintest, {faintest:g}, + {MAGLIMIT_MARGIN:g})"
        if reach is not None and limit > _round_up(reach + 0.5, 0.5):
            limit = _round_up(reach + 0.5, 0.5)
            limit_words = f"limit {limit:g} (what {optics.aperture_mm:g} mm shows the eye)"
    elif reach is not None:
        limit = _round_up(reach + 0.5, 0.5)
        limit_words = f"limit {limit:g} (what {optics.aperture_mm:g} mm shows the eye)"
    else:
        limit = usual
        limit_words = f"limit {limit:g} (the scale's usual)"
    limit = min(max(limit, MIN_MAGLIMIT), MAX_MAGLIMIT)
    return ChartDefaults(fov=float(fov), maglimit=float(limit), north=north, east=east, scale=chosen,
                         words=f"{fov:g}′, {field_words}; {limit_words}", field_words=field_words,
                         limit_words=limit_words)


__all__ = [
    "CHART_SCALES",
    "EAST",
    "FIELDS",
    "MODES",
    "NORTH",
    "ChartDefaults",
    "ChartScale",
    "FieldOfView",
    "Optics",
    "TelescopeError",
    "chart_defaults",
    "check_value",
    "field_of_view",
    "pixel_scale",
    "pixel_scale_of",
]
