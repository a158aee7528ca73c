"""The options of an upload to nova.astrometry.net (scale, centre, licence, visibility...),
checked before anything is sent, and their ``request-json`` form."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from planner.numbers import NOT_FINITE, NumberError, finite_number
from planner.services.astrometry_net.service import _invalid

SCALE_UNITS = ("degwidth", "arcminwidth", "arcsecperpix")
SCALE_TYPES = ("ul", "ev")
LICENCE_COMMERCIAL = ("d", "y", "n")
LICENCE_MODIFICATIONS = ("d", "y", "n", "sa")
VISIBILITY = ("y", "n")


# -- options -----------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadOptions:
    """Every documented upload argument; ``to_request()`` validates and returns the JSON fields.

    Leave a field None to let the service use its default.
    """

    allow_commercial_use: str | None = None  # d (default), y, n
    allow_modifications: str | None = None  # d (default), y, n, sa
    publicly_visible: str | None = None  # y, n
    scale_units: str | None = None  # degwidth, arcminwidth, arcsecperpix
    scale_type: str | None = None  # ul (lower/upper) or ev (estimate/error)
    scale_lower: float | None = None
    scale_upper: float | None = None
    scale_est: float | None = None
    scale_err: float | None = None  # percent, 0..100
    center_ra: float | None = None  # degrees, 0..360
    center_dec: float | None = None  # degrees, -90..90
    radius: float | None = None  # degrees
    downsample_factor: float | None = None  # > 1
    tweak_order: int | None = None
    use_sextractor: bool | None = None
    crpix_center: bool | None = None
    parity: int | None = None  # 0, 1 or 2 (try both)
    image_width: int | None = None  # for x,y lists only
    image_height: int | None = None
    positional_error: float | None = None  # pixels

    def to_request(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        self._choice(out, "allow_commercial_use", LICENCE_COMMERCIAL)
        self._choice(out, "allow_modifications", LICENCE_MODIFICATIONS)
        self._choice(out, "publicly_visible", VISIBILITY)
        self._choice(out, "scale_units", SCALE_UNITS)
        self._choice(out, "scale_type", SCALE_TYPES)
        self._scale(out)
        self._centre(out)
        if self.downsample_factor is not None:
            value = _finite("downsample_factor", self.downsample_factor)
            if value < 1:
                raise _invalid(f"downsample_factor {value:g} is below 1", "use 2 or 4 to bin the image, or leave it empty")
            out["downsample_factor"] = value
        if self.tweak_order is not None:
            order = _integer("tweak_order", self.tweak_order)
            if not 0 <= order <= 10:
                raise _invalid(f"tweak_order {order} is outside 0 to 10", "use the default 2, or 0 to 4")
            out["tweak_order"] = order
        for name in ("use_sextractor", "crpix_center"):
            value = getattr(self, name)
            if value is not None:
                if not isinstance(value, bool):
                    raise _invalid(f"{name} must be true or false, not {value!r}", f"give {name} as true or false")
                out[name] = value
        if self.parity is not None:
            parity = _integer("parity", self.parity)
            if parity not in (0, 1, 2):
                raise _invalid(f"parity {parity} is not 0, 1 or 2", "use 2 (try both) unless you know the parity")
            out["parity"] = parity
        if (self.image_width is None) != (self.image_height is None):
            raise _invalid("image_width and image_height go together", "give both (for an x,y list) or neither")
        for name in ("image_width", "image_height"):
            value = getattr(self, name)
            if value is not None:
                size = _integer(name, value)
                if size <= 0:
                    raise _invalid(f"{name} {size} is not positive", f"give {name} in pixels")
                out[name] = size
        if self.positional_error is not None:
            error = _finite("positional_error", self.positional_error)
            if error <= 0:
                raise _invalid(f"positional_error {error:g} is not positive", "give the expected star position error in pixels (default 1)")
            out["positional_error"] = error
        return out

    def _choice(self, out: dict, name: str, allowed: tuple[str, ...]) -> None:
        value = getattr(self, name)
        if value is None:
            return
        if value not in allowed:
            raise _invalid(f"{name} {value!r} is not one of {', '.join(allowed)}", f"use one of {', '.join(allowed)}")
        out[name] = value

    def _scale(self, out: dict) -> None:
        ul = (self.scale_lower, self.scale_upper)
        ev = (self.scale_est, self.scale_err)
        has_ul, has_ev = any(v is not None for v in ul), any(v is not None for v in ev)
        if has_ul and has_ev:
            raise _invalid("both scale bounds and a scale estimate were given", "give scale_lower/scale_upper or scale_est/scale_err, not both")
        scale_type = self.scale_type or ("ev" if has_ev else "ul" if has_ul else None)
        if has_ul:
            if scale_type != "ul":
                raise _invalid("scale_lower/scale_upper need scale_type 'ul'", "set scale_type to ul or leave it empty")
            if None in ul:
                raise _invalid("scale_lower and scale_upper go together", "give both bounds of the image scale")
            lower, upper = (_finite(n, v) for n, v in zip(("scale_lower", "scale_upper"), ul))
            if lower <= 0 or upper <= 0:
                raise _invalid("the scale bounds must be positive", "give positive scale_lower and scale_upper")
            if lower > upper:
                raise _invalid(f"scale_lower {lower:g} is above scale_upper {upper:g}", "swap the two bounds")
            out.update(scale_type="ul", scale_lower=lower, scale_upper=upper)
        elif has_ev:
            if scale_type != "ev":
                raise _invalid("scale_est/scale_err need scale_type 'ev'", "set scale_type to ev or leave it empty")
            if None in ev:
                raise _invalid("scale_est and scale_err go together", "give the scale estimate and its error in percent")
            est, err = _finite("scale_est", ev[0]), _finite("scale_err", ev[1])
            if est <= 0:
                raise _invalid(f"scale_est {est:g} is not positive", "give a positive scale estimate")
            if not 0 <= err <= 100:
                raise _invalid(f"scale_err {err:g} is outside 0 to 100 percent", "give the error in percent")
            out.update(scale_type="ev", scale_est=est, scale_err=err)
        elif self.scale_type is not None:
            raise _invalid(f"scale_type {self.scale_type!r} was given without scale values", "give the scale values too, or leave scale_type empty")
        if self.scale_units is not None and not (has_ul or has_ev):
            raise _invalid("scale_units was given without scale values", "give the scale bounds or estimate too")

    def _centre(self, out: dict) -> None:
        values = (self.center_ra, self.center_dec, self.radius)
        if all(v is None for v in values):
            return
        if any(v is None for v in values):
            raise _invalid("center_ra, center_dec and radius go together", "give all three (degrees) or none")
        ra, dec, radius = (_finite(n, v) for n, v in zip(("center_ra", "center_dec", "radius"), values))
        if not 0 <= ra <= 360:
            raise _invalid(f"center_ra {ra:g} is outside 0 to 360 degrees", "give the right ascension in degrees")
        if not -90 <= dec <= 90:
            raise _invalid(f"center_dec {dec:g} is outside -90 to 90 degrees", "give the declination in degrees")
        if not 0 < radius <= 180:
            raise _invalid(f"radius {radius:g} is outside 0 to 180 degrees", "give the search radius in degrees")
        out.update(center_ra=ra, center_dec=dec, radius=radius)

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> "UploadOptions":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise _invalid(f"unknown option(s) {', '.join(unknown)}", f"use only {', '.join(sorted(known))}")
        return cls(**{k: v for k, v in data.items() if v is not None})


def _finite(name: str, value: Any) -> float:
    try:
        return finite_number(value, name, required=True)
    except NumberError as exc:
        kind = "finite" if exc.reason == NOT_FINITE else "a number"
        raise _invalid(f"{name} must be {kind}, not {value!r}", f"give {name} as a number") from None


def _integer(name: str, value: Any) -> int:
    number = _finite(name, value)
    if number != int(number):
        raise _invalid(f"{name} must be a whole number, not {value!r}", f"give {name} as a whole number")
    return int(number)
