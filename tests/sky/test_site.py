from __future__ import annotations

import pytest

from planner.sky import Site, SiteError


def test_defaults_and_timezone_from_coordinates():
    site = Site(52.0, 4.0)
    assert site.target_altitude == 20.0 and site.sun_altitude == -5.0
    assert site.timezone == "Europe/Amsterdam"
    assert Site(36.1661, -86.7839).timezone == "America/Chicago"
    assert Site(-33.87, 151.21).timezone == "Australia/Sydney"


def test_open_ocean_gets_a_nautical_zone():
    assert Site(0.0, -150.0).timezone in {"Etc/GMT+10", "Pacific/Tahiti", "Pacific/Honolulu"} or Site(0.0, -150.0).timezone.startswith("Etc/GMT")


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"latitude": 91, "longitude": 0}, "Latitude 91"),
        ({"latitude": -90.5, "longitude": 0}, "Latitude"),
        ({"latitude": 0, "longitude": 181}, "Longitude 181"),
        ({"latitude": 0, "longitude": "east"}, "Longitude must be a number"),
        ({"latitude": float("nan"), "longitude": 0}, "finite"),
        ({"latitude": 0, "longitude": 0, "target_altitude": 95}, "Target altitude"),
        ({"latitude": 0, "longitude": 0, "sun_altitude": 10}, "Sun altitude"),
        ({"latitude": 0, "longitude": 0, "elevation": 20000}, "Elevation"),
        ({"latitude": 0, "longitude": 0, "timezone": "Mars/Olympus"}, "time zone"),
    ],
)
def test_validation_messages(kwargs, words):
    with pytest.raises(SiteError, match=words):
        Site(**kwargs)


def test_sites_are_hashable_and_comparable():
    assert Site(10, 20) == Site(10, 20)
    assert len({Site(10, 20), Site(10, 20)}) == 1


def test_label_is_the_name_or_the_coordinates():
    assert Site(52.0, 4.0, name="Backyard").label == "Backyard"
    unnamed = Site(-33.86, 151.21)
    assert unnamed.label == "33.8600°S 151.2100°E" == unnamed.coordinates
    assert unnamed.describe() == "33.8600°S 151.2100°E, 0 m"
    assert Site(52.0, 4.0, elevation=5, name=" Back\tyard ").describe() == "Back yard (52.0000°N 4.0000°E, 5 m)"


def test_the_old_placeholder_name_is_not_a_name():
    from planner.config import Settings
    from planner.sky.site import LEGACY_PLACEHOLDER_NAME

    site = Site(42.3736, -71.1097, name=LEGACY_PLACEHOLDER_NAME)
    assert site.name == "" and site.label == "42.3736°N 71.1097°W"
    assert "AAVSO HQ" not in Settings().site().label
    migrated = Settings.from_json({"site_name": LEGACY_PLACEHOLDER_NAME, "latitude": 52.0, "longitude": 4.0})
    assert migrated.site_name == "" and migrated.site().label == "52.0000°N 4.0000°E"
