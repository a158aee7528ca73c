"""Is the target in the picture? The field verdict of a plate solve.

Given a solve's calibration (centre RA/Dec, field radius, orientation, pixel scale) and,
when known, the image size in pixels or the solve's full WCS header, ``field_verdict``
says how far the target is from the field centre, in which direction the telescope would
have to move, and whether the target lies inside the imaged field. Pure numpy/astropy:
no Qt, no network.

Three levels of knowledge, best first:

* a WCS header (nova.astrometry.net's ``wcs_file``): the target's pixel position, exact
  (``method == "wcs"``);
* pixel scale, orientation and image size: the target projected onto the tangent plane
  and rotated into the image's axes, tested against the rectangle (``"rectangle"``);
* only the field radius: inside means within the circle that encloses the image
  (``"circle"``; a target near a corner of that circle may still be off the chip).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from planner.numbers import finite_or_none
from planner.sky._offline import configure_astropy_offline

configure_astropy_offline()

from astropy.wcs.utils import proj_plane_pixel_scales  # noqa: E402

__all__ = [
    "FieldVerdict",
    "angular_separation_deg",
    "compass_text",
    "far_limit_deg",
    "field_verdict",
    "position_angle_deg",
    "tangent_offsets_deg",
]


def angular_separation_deg(ra1, dec1, ra2, dec2):
    """Great-circle distance in degrees (Vincenty: exact at 0°, 180° and across RA 0/360)."""
    r1, d1, r2, d2 = (np.radians(np.asarray(v, dtype=float)) for v in (ra1, dec1, ra2, dec2))
    dra = r2 - r1
    num = np.hypot(np.cos(d2) * np.sin(dra), np.cos(d1) * np.sin(d2) - np.sin(d1) * np.cos(d2) * np.cos(dra))
    den = np.sin(d1) * np.sin(d2) + np.cos(d1) * np.cos(d2) * np.cos(dra)
    result = np.degrees(np.arctan2(num, den))
    return float(result) if np.ndim(result) == 0 else result


def position_angle_deg(ra0, dec0, ra, dec) -> float:
    """Position angle of (ra, dec) seen from (ra0, dec0): degrees east of north, 0..360."""
    r0, d0, r1, d1 = (math.radians(float(v)) for v in (ra0, dec0, ra, dec))
    dra = r1 - r0
    y = math.sin(dra) * math.cos(d1)
    x = math.cos(d0) * math.sin(d1) - math.sin(d0) * math.cos(d1) * math.cos(dra)
    return math.degrees(math.atan2(y, x)) % 360.0


def tangent_offsets_deg(ra0, dec0, ra, dec) -> tuple[float, float, bool]:
    """Gnomonic (tangent-plane) offsets of (ra, dec) from the centre (ra0, dec0).

    Returns (xi, eta, in_front): xi towards the east, eta towards the north, in degrees of
    the tangent plane (what a camera's pixels sample); ``in_front`` is False for a point 90°
    or more away, which no image centred there can contain.
    """
    r0, d0, r1, d1 = (math.radians(float(v)) for v in (ra0, dec0, ra, dec))
    dra = r1 - r0
    cos_c = math.sin(d0) * math.sin(d1) + math.cos(d0) * math.cos(d1) * math.cos(dra)
    if cos_c <= 1e-12:
        return math.nan, math.nan, False
    xi = math.cos(d1) * math.sin(dra) / cos_c
    eta = (math.cos(d0) * math.sin(d1) - math.sin(d0) * math.cos(d1) * math.cos(dra)) / cos_c
    return math.degrees(xi), math.degrees(eta), True


_COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")


def compass_text(pa_deg: float) -> str:
    """The nearest of eight compass points for a position angle (east of north)."""
    return _COMPASS[int(((pa_deg % 360.0) + 22.5) // 45.0) % 8]


def _angle_text(deg: float) -> str:
    deg = abs(deg)
    if deg >= 1.0:
        return f"{deg:.2f}°"
    if deg * 60 >= 1.0:
        return f"{deg * 60:.1f}′"
    return f"{deg * 3600:.0f}″"


@dataclass(frozen=True)
class FieldVerdict:
    """Where the target is relative to a solved field.

    ``inside`` is the answer the observer needs; ``method`` says how it was decided
    (``wcs``, ``rectangle`` or ``circle``). ``offset_east_deg``/``offset_north_deg`` are the
    tangent-plane offsets of the target from the centre (how far to move the telescope),
    ``margin_deg`` the distance from the target to the nearest edge of the field (positive
    inside, negative outside; None when only the radius is known and for ``wcs`` without
    a size). ``pixel_x``/``pixel_y`` are the target's 0-based pixel position (``wcs`` only).
    """

    target_ra: float
    target_dec: float
    centre_ra: float
    centre_dec: float
    separation_deg: float
    field_radius_deg: float
    inside: bool
    within_radius: bool
    method: str
    position_angle_deg: float
    offset_east_deg: float | None
    offset_north_deg: float | None
    margin_deg: float | None = None
    pixel_x: float | None = None
    pixel_y: float | None = None
    name: str = ""

    @property
    def far_limit_deg(self) -> float:
        """Beyond this separation the image is not of the target's field (see ``far_limit_deg``)."""
        return far_limit_deg(self.field_radius_deg)

    @property
    def far(self) -> bool:
        """The field centre is so far from the target that the image is of another field:
        "move the telescope" offsets would mislead (see ``far_limit_deg``)."""
        return not self.inside and self.separation_deg > self.far_limit_deg

    def describe(self) -> str:
        """One sentence for the panel or the terminal."""
        who = self.name or "The target"
        sep = _angle_text(self.separation_deg)
        if self.separation_deg < 1 / 3600:
            where = f"{who} is at the field centre"
        else:
            where = f"{who} is {sep} {compass_text(self.position_angle_deg)} of the field centre"
        if self.inside:
            tail = "inside the field"
            if self.margin_deg is not None:
                tail += f" ({_angle_text(self.margin_deg)} from the nearest edge)"
            elif self.method == "circle":
                tail += " radius (image size unknown: it may still be off a corner)"
            return f"{where}: {tail}."
        if self.far:
            return (f"{where}: OUTSIDE the field, and this image is not of {self.name or 'the target'}'s "
                    f"field (more than {_angle_text(self.far_limit_deg)} away): no telescope offsets to give.")
        moves = []
        if self.offset_north_deg is not None and self.offset_east_deg is not None:
            if abs(self.offset_north_deg) * 3600 >= 1:
                moves.append(f"{_angle_text(self.offset_north_deg)} {'north' if self.offset_north_deg > 0 else 'south'}")
            if abs(self.offset_east_deg) * 3600 >= 1:
                moves.append(f"{_angle_text(self.offset_east_deg)} {'east' if self.offset_east_deg > 0 else 'west'}")
        move = f"; move the telescope {' and '.join(moves)}" if moves else ""
        return f"{where}: OUTSIDE the field (radius {_angle_text(self.field_radius_deg)}){move}."

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, float):
                data[key] = round(value, 6) if math.isfinite(value) else None
        data["far"] = self.far
        data["text"] = self.describe()
        return data


FAR_MIN_DEG = 5.0
FAR_FIELD_DIAMETERS = 3.0
FAR_MAX_DEG = 15.0


def far_limit_deg(radius_deg: float) -> float:
    """The separation beyond which a solved field is "not of this target", not "off by a
    bit": three field widths (diameters), but never less than 5° (more than any GoTo
    pointing error or star-hop slip, so a small field still gets its offsets after a bad
    slew) and never more than 15° (where the tangent-plane offsets are already >2% off
    and a wide field 30° away is simply another part of the sky)."""
    return min(FAR_MAX_DEG, max(FAR_MIN_DEG, FAR_FIELD_DIAMETERS * 2 * float(radius_deg)))


def _positive(value) -> float | None:
    number = finite_or_none(value)
    return number if number is not None and number > 0 else None


def _wcs_from(header):
    """An astropy WCS from a header object, a header text or a FITS file's bytes; None if unusable."""
    import warnings

    from astropy.io import fits
    from astropy.wcs import WCS

    if header is None:
        return None, None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # odd cards in a downloaded header are not our problem
            if isinstance(header, (bytes, bytearray)):
                header = fits.Header.fromstring(bytes(header).decode("ascii", "replace"))
            elif isinstance(header, str):
                header = fits.Header.fromstring(header)
            wcs = WCS(header, naxis=2)
        if not wcs.has_celestial:
            return None, None
        return wcs.celestial, header
    except Exception:  # noqa: BLE001 - a damaged header just means: decide without it
        return None, None


def field_verdict(
    centre_ra: float,
    centre_dec: float,
    radius_deg: float,
    target_ra: float,
    target_dec: float,
    *,
    orientation_deg: float | None = None,
    pixscale_arcsec: float | None = None,
    width_px: int | float | None = None,
    height_px: int | float | None = None,
    wcs_header=None,
    name: str = "",
) -> FieldVerdict:
    """The verdict for a target against a solved field (see the module docstring).

    ``orientation_deg`` is astrometry.net's "up is N degrees east of north". Parity (a
    mirrored image) does not change whether a point is inside a centred rectangle, so it is
    not needed. ``wcs_header`` (header text, bytes or an ``astropy.io.fits.Header``) wins
    when it parses; its ``IMAGEW``/``IMAGEH`` give the size if ``width_px``/``height_px`` are
    not given.
    """
    values = [float(v) for v in (centre_ra, centre_dec, radius_deg, target_ra, target_dec)]
    if not all(math.isfinite(v) for v in values):
        raise ValueError("field verdict needs finite centre, radius and target coordinates")
    centre_ra, centre_dec, radius_deg, target_ra, target_dec = values
    if not -90 <= centre_dec <= 90 or not -90 <= target_dec <= 90:
        raise ValueError("declinations must be within -90..90 degrees")
    if radius_deg <= 0:
        raise ValueError("the field radius must be positive")
    centre_ra %= 360.0
    target_ra %= 360.0

    separation = angular_separation_deg(centre_ra, centre_dec, target_ra, target_dec)
    pa = position_angle_deg(centre_ra, centre_dec, target_ra, target_dec)
    xi, eta, in_front = tangent_offsets_deg(centre_ra, centre_dec, target_ra, target_dec)
    within_radius = separation <= radius_deg
    common = dict(
        target_ra=target_ra,
        target_dec=target_dec,
        centre_ra=centre_ra,
        centre_dec=centre_dec,
        separation_deg=separation,
        field_radius_deg=radius_deg,
        within_radius=within_radius,
        position_angle_deg=pa,
        offset_east_deg=xi if in_front else None,
        offset_north_deg=eta if in_front else None,
        name=name,
    )
    width, height = _positive(width_px), _positive(height_px)
    scale = _positive(pixscale_arcsec)

    wcs, header = _wcs_from(wcs_header)
    if wcs is not None:
        if width is None or height is None:
            width = width or _positive(header.get("IMAGEW")) or _positive(header.get("NAXIS1"))
            height = height or _positive(header.get("IMAGEH")) or _positive(header.get("NAXIS2"))
        if width is not None and height is not None and in_front:
            try:
                x, y = (float(v) for v in wcs.all_world2pix([[target_ra, target_dec]], 0, quiet=True)[0])
            except Exception:  # noqa: BLE001 - no convergence far outside: fall back below
                x = y = math.nan
            if math.isfinite(x) and math.isfinite(y):
                inside = -0.5 <= x <= width - 0.5 and -0.5 <= y <= height - 0.5
                px_scale = scale or float(np.mean(proj_plane_pixel_scales(wcs))) * 3600
                edge_px = min(x + 0.5, width - 0.5 - x, y + 0.5, height - 0.5 - y)
                margin = edge_px * px_scale / 3600.0 if inside else None
                return FieldVerdict(
                    **common, inside=inside, method="wcs", margin_deg=margin, pixel_x=x, pixel_y=y
                )

    if scale is not None and width is not None and height is not None and orientation_deg is not None:
        if not in_front:
            return FieldVerdict(**common, inside=False, method="rectangle", margin_deg=None)
        theta = math.radians(float(orientation_deg))
        # Unit vectors of the image's "up" and "right" in (east, north); mirroring flips the
        # sign of "right", which does not matter for |along| tests.
        along_up = xi * math.sin(theta) + eta * math.cos(theta)
        along_right = xi * math.cos(theta) - eta * math.sin(theta)
        half_w = width * scale / 3600.0 / 2.0
        half_h = height * scale / 3600.0 / 2.0
        # Both sides are tangent-plane lengths: a solve's pixel scale (its CD matrix) is linear there.
        dx, dy = half_w - abs(along_right), half_h - abs(along_up)
        inside = dx >= 0 and dy >= 0
        margin = min(dx, dy) if inside else -math.hypot(max(-dx, 0.0), max(-dy, 0.0))
        return FieldVerdict(**common, inside=inside, method="rectangle", margin_deg=margin)

    return FieldVerdict(**common, inside=within_radius, method="circle", margin_deg=None)
