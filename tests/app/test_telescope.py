"""The telescope in the settings as numbers (planner.app.telescope): fields, pixel scale,
limits and chart defaults, checked against astropy computed another way."""

from __future__ import annotations

import math

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import SkyCoord
from astropy.wcs import WCS

from planner import config
from planner.app.telescope import (
    CHART_SCALES,
    FIELDS,
    Optics,
    TelescopeError,
    chart_defaults,
    check_value,
    field_of_view,
    pixel_scale,
    pixel_scale_of,
)
from planner.config import Settings
from planner.config.telescope import TELESCOPE


def _imaging(**kw) -> Settings:
    base = dict(telescope_focal_length_mm=530.0, camera_sensor_width_mm=17.7, camera_sensor_height_mm=13.4,
                camera_pixel_size_um=3.8, observing_mode="imaging")
    base.update(kw)
    return Settings(**base)


def test_pixel_scale_matches_astropy_units():
    # 3.76 um at 1000 mm: the small-angle scale; astropy converts the angle independently.
    expected = (3.76e-3 / 1000.0 * u.rad).to(u.arcsec).value
    assert pixel_scale(Settings(telescope_focal_length_mm=1000.0, camera_pixel_size_um=3.76)) == pytest.approx(expected, rel=1e-9)
    assert pixel_scale(Settings()) is None
    assert pixel_scale_of(1000.0, None) is None and pixel_scale_of(-5, 3.0) is None and pixel_scale_of("x", 3) is None


def test_sensor_field_matches_a_tan_projection_measured_on_the_sky():
    """The sensor's field from the formula equals the separation between the middles of its
    opposite edges, measured with an astropy WCS (gnomonic projection, the way a camera
    images the sky) to 0.01' (float noise; the formula is exact for TAN)."""
    settings = _imaging()
    field = field_of_view(settings)
    assert field is not None and field.source == "sensor"
    focal = 530.0
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = [150.0, 30.0]
    wcs.wcs.crpix = [0.0, 0.0]
    scale_deg_per_mm = math.degrees(1.0 / focal)  # 1 mm on the focal plane, in the projection's units
    wcs.wcs.cdelt = [-scale_deg_per_mm, scale_deg_per_mm]
    for half, measured in ((17.7 / 2, field.width_arcmin), (13.4 / 2, field.height_arcmin)):
        x = np.array([-half, half]) if half == 17.7 / 2 else np.array([0.0, 0.0])
        y = np.array([0.0, 0.0]) if half == 17.7 / 2 else np.array([-half, half])
        world = wcs.wcs_pix2world(np.column_stack([x, y]), 0)
        a = SkyCoord(world[0, 0], world[0, 1], unit="deg")
        b = SkyCoord(world[1, 0], world[1, 1], unit="deg")
        assert measured == pytest.approx(a.separation(b).arcmin, abs=0.01)


def test_eyepiece_true_field_is_the_published_one():
    # A 25 mm, 52° Plössl on a 1200 mm Dobsonian: 48x and a true field of 52/48 = 1.083° (65').
    settings = Settings(telescope_aperture_mm=200.0, telescope_focal_length_mm=1200.0,
                        eyepiece_focal_length_mm=25.0, eyepiece_field_deg=52.0)
    optics = Optics.from_settings(settings)
    assert optics.magnification == pytest.approx(48.0)
    field = field_of_view(settings)
    assert field.source == "eyepiece" and field.width_arcmin == pytest.approx(65.0) and "25 mm" in field.words
    # 200 mm: about 14.2 visually (7.7 + 5 log10 20 cm)
    assert optics.limiting_magnitude() == pytest.approx(7.7 + 5 * math.log10(20.0))


def test_the_mode_picks_the_eyepiece_or_the_sensor_and_falls_back_to_the_known_one():
    both = Settings(telescope_focal_length_mm=1200.0, eyepiece_focal_length_mm=25.0, eyepiece_field_deg=52.0,
                    camera_sensor_width_mm=17.7, camera_sensor_height_mm=13.4)
    assert field_of_view(both).source == "eyepiece"
    assert field_of_view(Settings(**{**both.__dict__, "observing_mode": "imaging"})).source == "sensor"
    only_sensor = Settings(telescope_focal_length_mm=1200.0, camera_sensor_width_mm=17.7)
    assert field_of_view(only_sensor).source == "sensor"
    assert field_of_view(Settings()) is None
    assert Optics.from_settings(Settings(observing_mode="binocular")).mode == "visual"


def test_chart_defaults_follow_the_field_and_the_stars_faintest_magnitude():
    settings = Settings(telescope_aperture_mm=200.0, telescope_focal_length_mm=1200.0,
                        eyepiece_focal_length_mm=25.0, eyepiece_field_deg=52.0)
    d = chart_defaults(settings, faintest=12.2)
    assert d.fov == 65.0  # the field, rounded up to a whole arcminute
    assert d.maglimit == 13.5  # 12.2 + 1, rounded up to half a magnitude
    assert "eyepiece" in d.words and "faintest" in d.words
    # a star fainter than the aperture reaches: the limit stops half a magnitude past it
    deep = chart_defaults(settings, faintest=17.0)
    assert deep.maglimit == 15.0 and "200 mm" in deep.words
    # imaging is not capped by the eye
    assert chart_defaults(_imaging(), faintest=17.0).maglimit == 18.0
    # no telescope, no magnitude: AAVSO's D scale
    plain = chart_defaults(Settings())
    assert (plain.fov, plain.maglimit) == (CHART_SCALES["D"].fov_arcmin, CHART_SCALES["D"].maglimit)


def test_a_chosen_scale_gives_its_field_and_a_bad_one_is_refused():
    d = chart_defaults(Settings(chart_scale="b"), faintest=None)
    assert d.fov == 180.0 and d.maglimit == 11.0 and d.scale == "B"
    assert chart_defaults(Settings(), scale="G", faintest=15.0).fov == 7.5
    with pytest.raises(TelescopeError, match="not one of A, B, C, D, E, F, G"):
        chart_defaults(Settings(), scale="Z")


def test_orientation_passes_through_only_when_it_is_one_vsp_knows():
    d = chart_defaults(Settings(chart_north="down", chart_east="left"))
    assert (d.north, d.east) == ("down", "left")
    odd = chart_defaults(Settings(chart_north="sideways", chart_east="up"))
    assert (odd.north, odd.east) == ("", "")


def test_values_are_checked_with_their_field_and_unit_named():
    assert check_value("telescope_focal_length_mm", 1200.0) == ""
    assert check_value("telescope_focal_length_mm", None) == ""
    assert "Focal length 1.2 mm is outside" in check_value("telescope_focal_length_mm", 1.2)
    assert "Pixel size must be a number" in check_value("camera_pixel_size_um", float("nan"))
    assert Optics(aperture_mm=200.0, focal_length_mm=100.0).problems()  # f/0.5
    assert Optics(focal_length_mm=500.0, eyepiece_focal_length_mm=600.0).problems()
    assert Optics(aperture_mm=200.0, focal_length_mm=1200.0, eyepiece_focal_length_mm=25.0).problems() == []


def test_settings_keep_the_new_keys_and_drop_unusable_values():
    from planner.config import load_settings, save_settings

    save_settings(_imaging(chart_scale="E", chart_north="down"))
    again = load_settings()
    assert again.camera_sensor_width_mm == 17.7 and again.observing_mode == "imaging" and again.chart_scale == "E"
    assert Settings.from_json({"telescope_aperture_mm": True, "eyepiece_field_deg": "wide"}).telescope_aperture_mm is None


def test_the_settings_file_judges_the_telescope_by_the_pages_own_ranges_and_choices():
    # one declaration (planner.config.telescope), read by the loader, the page and this module
    assert FIELDS == tuple((s.name, s.label, s.unit, s.low, s.high) for s in TELESCOPE if s.low is not None)
    assert {name for name, *_ in FIELDS} | {"observing_mode", "chart_scale", "chart_north", "chart_east"} == set(
        TELESCOPE.names)
    assert config.SETTINGS["chart_scale"] is TELESCOPE["chart_scale"]
    for name, _label, _unit, low, high in FIELDS:
        assert check_value(name, low) == check_value(name, high) == ""
        assert check_value(name, high * 2) and TELESCOPE[name].problem(high * 2).rstrip(".") == check_value(name, high * 2)
    loaded = Settings.from_json({"telescope_focal_length_mm": -200, "chart_scale": "H", "observing_mode": "imaging",
                                 "eyepiece_field_deg": 68})
    assert loaded.telescope_focal_length_mm is None and loaded.chart_scale == ""
    assert (loaded.observing_mode, loaded.eyepiece_field_deg) == ("imaging", 68.0)
    focal, scale = loaded.warnings
    assert focal.startswith('"telescope_focal_length_mm": Focal length -200 mm is outside 10–100000 mm')
    assert scale.startswith('"chart_scale"') and "'H'" in scale and "'A'" in scale
    # a value the page refuses is refused in the file too (it was kept before: two ranges)
    assert Settings.from_json({"camera_pixel_size_um": 60}).camera_pixel_size_um is None
