"""The observing site as the user sets it once: changed by hand, imported from the AAVSO
account's telescope record or an Arcsecond observing site, and applied for one run.

Qt-free use cases for ``planner site`` and the window alike. Each returns new ``Settings``
(validated: a ``SiteError`` names the bad field and nothing is changed); saving is the
caller's step, so a dialog can show the result before it is kept.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Sequence

from planner.config import Settings
from planner.limits import SiteError


@dataclass(frozen=True)
class SiteChange:
    """What to change; None keeps the current value. ``timezone=""`` means "from the coordinates"."""

    latitude: float | None = None
    longitude: float | None = None
    elevation: float | None = None
    name: str | None = None
    target_altitude: float | None = None
    sun_altitude: float | None = None
    timezone: str | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in dataclasses.fields(self))


def change_site(settings: Settings, change: SiteChange) -> Settings:
    """``settings`` with the site changed, checked as a whole ``Site`` (``SiteError`` if not).

    Moving the place (new latitude/longitude) finds the time zone from the coordinates
    again unless one is given. It keeps a name and elevation the user gave this site; the
    default site's elevation belongs to AAVSO HQ and does not move with it."""
    if (change.latitude is None) != (change.longitude is None):
        raise SiteError("A latitude needs a longitude (and the reverse): give both, or neither.")
    values: dict[str, Any] = {}
    moved = change.latitude is not None and (change.latitude, change.longitude) != (settings.latitude, settings.longitude)
    if change.latitude is not None:
        values.update(latitude=float(change.latitude), longitude=float(change.longitude))
    if moved:
        values["timezone"] = ""
        if settings.is_default_site:
            values["elevation"] = 0.0
    for key, field in (("elevation", "elevation"), ("target_altitude", "target_altitude"),
                       ("sun_altitude", "sun_altitude")):
        if getattr(change, key) is not None:
            values[field] = float(getattr(change, key))
    if change.name is not None:
        values["site_name"] = change.name.strip()
    if change.timezone is not None:
        values["timezone"] = change.timezone.strip()
    new = dataclasses.replace(settings, **values, warnings=())
    new.site()  # validates every field together; SiteError names the first bad one
    return new


def site_for_run(settings: Settings, *, latitude=None, longitude=None, elevation=None,
                 target_altitude=None, sun_altitude=None):
    """The site of one run: the settings' site with these values applied (None keeps it).

    A place given here is a different place: its time zone comes from its coordinates, it
    has no name and no horizon mask, and its elevation is 0 unless given. Raises ``SiteError``."""
    if (latitude is None) != (longitude is None):
        raise SiteError("A latitude needs a longitude (and the reverse): give both, or neither.")
    site = settings.site()
    changes: dict[str, Any] = {}
    if latitude is not None:
        # the configured horizon mask belongs to the configured place, not to one given here
        changes.update(latitude=latitude, longitude=longitude, timezone="", name="", elevation=0.0, horizon=None)
    if elevation is not None:
        changes["elevation"] = elevation
    if target_altitude is not None:
        changes["target_altitude"] = target_altitude
    if sun_altitude is not None:
        changes["sun_altitude"] = sun_altitude
    return dataclasses.replace(site, **changes) if changes else site


# -- importing from the services ---------------------------------------------------------------


def normalise_longitude(longitude: float) -> float:
    """East-positive degrees in [-180, 180] (AAVSO and Arcsecond also store 0..360)."""
    lon = float(longitude)
    if lon > 180.0:
        lon -= 360.0
    elif lon < -180.0:
        lon += 360.0
    return lon


def change_from_aavso(telescope) -> SiteChange:
    """The site in an AAVSO ``Telescope`` record (``AavsoClient.get_telescope()``): the place
    and, when the account has them, its altitude limits. AAVSO stores no elevation or name."""
    return SiteChange(
        latitude=float(telescope.latitude),
        longitude=normalise_longitude(telescope.longitude),
        target_altitude=telescope.targetaltitude,
        sun_altitude=telescope.sunaltitude,
    )


class SiteChoiceError(SiteError):
    """Which Arcsecond site to import is not clear; the message lists the candidates."""


def choose_arcsecond_site(sites: Sequence, wanted: str | None = None):
    """The observing site to import: the one whose UUID or name (case-insensitive) is
    ``wanted``, or the only one with coordinates. ``SiteChoiceError`` lists the choices."""
    usable = [s for s in sites if s.latitude is not None and s.longitude is not None]
    if wanted:
        key = wanted.strip().lower()
        matches = [s for s in sites if s.uuid.lower() == key or s.name.strip().lower() == key]
        if not matches:
            raise SiteChoiceError(f"No Arcsecond observing site is called {wanted!r}; {_choices(sites)}")
        if len(matches) > 1:
            raise SiteChoiceError(f"Several Arcsecond sites are called {wanted!r}; give the UUID: {_choices(matches)}")
        site = matches[0]
        if site.latitude is None or site.longitude is None:
            raise SiteChoiceError(f"The Arcsecond site {site.name or site.uuid} has no coordinates; add them on Arcsecond first.")
        return site
    if not sites:
        raise SiteChoiceError("Your Arcsecond account has no observing site yet; create one on Arcsecond first.")
    if len(usable) == 1:
        return usable[0]
    if not usable:
        raise SiteChoiceError(f"None of your Arcsecond observing sites has coordinates; {_choices(sites)}")
    raise SiteChoiceError(f"Your Arcsecond account has {len(usable)} sites with coordinates; choose one "
                          f"by name or UUID: {_choices(usable)}")


def _choices(sites: Sequence) -> str:
    if not sites:
        return "there are none."
    shown = "; ".join(f"{s.name or '(no name)'} ({s.uuid})" for s in sites[:10])
    more = f"; and {len(sites) - 10} more" if len(sites) > 10 else ""
    return f"the sites are: {shown}{more}."


def change_from_arcsecond(site) -> SiteChange:
    """The site in an Arcsecond ``ObservingSite``: name, place and height (no altitude limits there)."""
    return SiteChange(
        latitude=float(site.latitude),
        longitude=normalise_longitude(site.longitude),
        elevation=None if site.height is None else float(site.height),
        name=site.name.strip() or None,
    )
