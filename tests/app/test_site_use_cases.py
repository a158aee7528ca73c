"""The site use cases (planner.app.site), Qt-free, as the window and ``planner site`` call them."""

from __future__ import annotations

import pytest

from planner.app.site import (
    SiteChange,
    SiteChoiceError,
    change_from_aavso,
    change_site,
    choose_arcsecond_site,
    normalise_longitude,
    site_for_run,
)
from planner.config import Settings
from planner.limits import SiteError
from planner.services.aavso import Telescope
from planner.services.arcsecond import ObservingSite


@pytest.mark.parametrize("given, east", [(0, 0), (180, 180), (-180, -180), (273.25, -86.75), (359.5, -0.5),
                                         (360, 0), (-190, 170)])
def test_longitudes_of_0_to_360_become_east_positive_180(given, east):
    assert normalise_longitude(given) == pytest.approx(east)


def test_moving_the_default_place_drops_aavso_hqs_elevation_only():
    moved = change_site(Settings(), SiteChange(latitude=10.0, longitude=20.0))
    assert moved.elevation == 0.0 and not moved.is_default_site and Settings().is_default_site
    mine = change_site(Settings(latitude=52.0, longitude=4.0, elevation=3.0), SiteChange(latitude=10.0, longitude=20.0))
    assert mine.elevation == 3.0


def test_a_change_is_checked_whole_and_returns_new_settings():
    old = Settings(site_name="Backyard", latitude=52.0, longitude=4.0, theme="night")
    new = change_site(old, SiteChange(sun_altitude=-12.0))
    assert new.sun_altitude == -12.0 and new.theme == "night" and old.sun_altitude == -5.0
    with pytest.raises(SiteError, match="Sun altitude 12"):
        change_site(old, SiteChange(sun_altitude=12.0))
    with pytest.raises(SiteError, match="needs a longitude"):
        change_site(old, SiteChange(latitude=10.0))
    # The name the first versions stored as the default names nothing: it reads as no name.
    from planner.limits import LEGACY_PLACEHOLDER_NAME

    assert change_site(old, SiteChange(name=LEGACY_PLACEHOLDER_NAME)).site().name == ""


def test_a_run_site_is_another_place_with_the_settings_limits():
    settings = Settings(site_name="Backyard", latitude=52.0, longitude=4.0, elevation=3.0, target_altitude=30.0,
                        timezone="Europe/Amsterdam")
    site = site_for_run(settings, latitude=-33.9, longitude=18.4)
    assert (site.name, site.elevation, site.timezone, site.target_altitude) == ("", 0.0, "Africa/Johannesburg", 30.0)
    assert site_for_run(settings) == settings.site()
    assert site_for_run(settings, elevation=8.0).name == "Backyard"


def test_aavso_record_without_limits_keeps_them():
    change = change_from_aavso(Telescope(36.2, 273.2))
    assert change.longitude == pytest.approx(-86.8) and change.target_altitude is None and change.sun_altitude is None


def site(uuid, name, lat=46.2, lon=6.1):
    return ObservingSite(uuid=uuid, name=name, latitude=lat, longitude=lon)


def test_choosing_an_arcsecond_site():
    one, two, bare = site("u1", "Roof"), site("u2", "Dome"), site("u3", "Unknown", None, None)
    assert choose_arcsecond_site([one, bare]) is one  # the only one with coordinates
    assert choose_arcsecond_site([one, two], "dome") is two and choose_arcsecond_site([one, two], "U1") is one
    with pytest.raises(SiteChoiceError, match="2 sites with coordinates.*Roof \\(u1\\); Dome \\(u2\\)"):
        choose_arcsecond_site([one, two])
    with pytest.raises(SiteChoiceError, match="Several Arcsecond sites are called 'Roof'"):
        choose_arcsecond_site([one, site("u4", "roof")], "Roof")
    with pytest.raises(SiteChoiceError, match="has no coordinates"):
        choose_arcsecond_site([one, bare], "Unknown")
