"""Relative air mass from apparent altitude: what the scheduler minimises, the Plan dock
shows per entry and the chart puts on its second axis.

Pickering (2002, DIO 12, 1), written for apparent (refracted) altitudes, which is what
the sky engine's grids hold: within 1 % of the tabulated air masses down to the horizon,
where sec(z) diverges (sec z is 2 % high at 10 deg and 0.3 % at 30 deg).
"""

from __future__ import annotations

import numpy as np

# Below the horizon a target has no air mass; where a finite number is needed (a cost to
# minimise) this stands in for it: more than at any altitude above 0.5 deg.
BELOW_HORIZON_AIRMASS = 40.0


def airmass(altitude_deg):
    """Relative air mass for an apparent altitude in degrees (NaN at or below the horizon)."""
    h = np.asarray(altitude_deg, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        hp = np.where(h > 0, h, np.nan)
        return 1.0 / np.sin(np.radians(hp + 244.0 / (165.0 + 47.0 * hp**1.1)))


def airmass_or_cap(altitude_deg) -> np.ndarray:
    """``airmass`` with ``BELOW_HORIZON_AIRMASS`` where the target is down (or unknown)."""
    am = airmass(altitude_deg)
    return np.where(np.isfinite(am), np.minimum(am, BELOW_HORIZON_AIRMASS), BELOW_HORIZON_AIRMASS)


def altitude_for_airmass(x: float) -> float:
    """The apparent altitude (deg) with air mass ``x``: the inverse of ``airmass``."""
    h = np.linspace(0.5, 90.0, 2000)
    am = airmass(h)  # decreasing in h
    return float(np.interp(x, am[::-1], h[::-1]))
