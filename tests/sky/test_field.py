"""The field verdict: separation, direction and inside/outside against astropy as the oracle."""

from __future__ import annotations

import math

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from astropy.wcs import WCS

from planner.sky.field import (
    angular_separation_deg,
    compass_text,
    field_verdict,
    position_angle_deg,
    tangent_offsets_deg,
)

# The Leo Triplet solve of the nova.astrometry.net API page (tests/data/astrometry/calibration.json).
LEO = dict(centre_ra=169.96633791366915, centre_dec=13.221011585315143, radius_deg=0.8106715896625917)
LEO_SCALE = 1.0906710701159739
LEO_ORIENTATION = 105.74942079091929


def _oracle(ra0, dec0, ra, dec):
    a, b = SkyCoord(ra0 * u.deg, dec0 * u.deg), SkyCoord(ra * u.deg, dec * u.deg)
    return a.separation(b).deg, a.position_angle(b).deg % 360


@pytest.mark.parametrize(
    "ra0,dec0,ra,dec",
    [
        (359.9, 0.0, 0.1, 0.0),  # across RA 0/360
        (0.05, 10.0, 359.95, 10.2),
        (0.0, 89.9, 180.0, 89.9),  # over the pole
        (123.0, -89.95, 303.0, -89.8),
        (169.97, 13.22, 170.25, 13.5),
        (10.0, 20.0, 190.0, -20.0),  # antipodal neighbourhood
    ],
)
def test_separation_and_position_angle_match_astropy(ra0, dec0, ra, dec):
    sep, pa = _oracle(ra0, dec0, ra, dec)
    assert angular_separation_deg(ra0, dec0, ra, dec) == pytest.approx(sep, abs=1e-9)
    if sep < 179.9:
        assert position_angle_deg(ra0, dec0, ra, dec) == pytest.approx(pa, abs=1e-7)


def test_ra_wrap_target_inside_and_offset_is_east():
    verdict = field_verdict(359.9, 0.0, 0.5, 0.1, 0.0)
    assert verdict.separation_deg == pytest.approx(0.2, abs=1e-9)
    assert verdict.inside and verdict.within_radius and verdict.method == "circle"
    assert verdict.offset_east_deg == pytest.approx(0.2, abs=1e-4)
    assert abs(verdict.offset_north_deg) < 1e-4
    assert compass_text(verdict.position_angle_deg) == "E"


def test_near_the_pole_a_large_ra_difference_is_a_small_distance():
    verdict = field_verdict(0.0, 89.9, 0.5, 180.0, 89.9)
    assert verdict.separation_deg == pytest.approx(0.2, abs=1e-6)
    assert verdict.inside
    # Seen from just below the pole, a point across the pole lies to the north.
    assert verdict.offset_north_deg == pytest.approx(0.2, abs=1e-4)
    outside = field_verdict(0.0, 89.9, 0.1, 180.0, 89.9)
    assert not outside.inside and not outside.within_radius


def test_circle_inside_and_outside_on_the_api_page_solve():
    inside = field_verdict(**LEO, target_ra=170.0, target_dec=13.5, name="M 66-ish")
    assert inside.inside and inside.method == "circle"
    assert "inside the field" in inside.describe()
    far = field_verdict(**LEO, target_ra=172.0, target_dec=13.2, name="SS Leo")
    sep, _ = _oracle(LEO["centre_ra"], LEO["centre_dec"], 172.0, 13.2)
    assert far.separation_deg == pytest.approx(sep, abs=1e-9)
    assert not far.inside
    text = far.describe()
    assert text.startswith("SS Leo is") and "OUTSIDE" in text and "east" in text


def test_rectangle_uses_orientation_and_size():
    # A 1.0° wide, 0.5° high image (3600 x 1800 px at 1"/px), radius of its circumcircle.
    radius = math.hypot(0.5, 0.25)
    kw = dict(pixscale_arcsec=1.0, width_px=3600, height_px=1800)
    north = field_verdict(100.0, 0.0, radius, 100.0, 0.4, orientation_deg=0.0, **kw)
    east = field_verdict(100.0, 0.0, radius, 100.4, 0.0, orientation_deg=0.0, **kw)
    assert north.method == "rectangle"
    assert north.within_radius and not north.inside  # in the circle, off the short side
    assert east.inside and east.margin_deg == pytest.approx(0.1, abs=1e-3)
    # Turn the camera by 90°: the long side now runs north-south.
    north_rot = field_verdict(100.0, 0.0, radius, 100.0, 0.4, orientation_deg=90.0, **kw)
    east_rot = field_verdict(100.0, 0.0, radius, 100.4, 0.0, orientation_deg=90.0, **kw)
    assert north_rot.inside and not east_rot.inside
    assert east_rot.margin_deg < 0


def test_rectangle_across_ra_zero():
    kw = dict(pixscale_arcsec=2.0, width_px=1800, height_px=1800, orientation_deg=30.0)
    inside = field_verdict(359.95, 45.0, 0.8, 0.05, 45.0, **kw)  # 0.07° away in a 1°x1° field
    assert inside.inside and inside.method == "rectangle"
    outside = field_verdict(359.5, 45.0, 0.8, 0.6, 45.0, **kw)
    assert not outside.inside


def _wcs_header(ra, dec, scale_deg, rot_deg, width, height):
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = [ra, dec]
    wcs.wcs.crpix = [width / 2 + 0.5, height / 2 + 0.5]
    c, s = math.cos(math.radians(rot_deg)), math.sin(math.radians(rot_deg))
    wcs.wcs.cd = np.array([[-scale_deg * c, scale_deg * s], [scale_deg * s, scale_deg * c]])
    header = wcs.to_header()
    header["IMAGEW"] = width
    header["IMAGEH"] = height
    return header, wcs


def test_wcs_header_gives_the_pixel_position_and_the_verdict():
    header, wcs = _wcs_header(LEO["centre_ra"], LEO["centre_dec"], LEO_SCALE / 3600, 20.0, 3000, 2000)
    ra, dec = 170.1, 13.3
    expected = wcs.all_world2pix([[ra, dec]], 0)[0]
    verdict = field_verdict(**LEO, target_ra=ra, target_dec=dec, wcs_header=header.tostring())
    assert verdict.method == "wcs" and verdict.inside
    assert verdict.pixel_x == pytest.approx(expected[0], abs=1e-6)
    assert verdict.pixel_y == pytest.approx(expected[1], abs=1e-6)
    assert verdict.margin_deg > 0
    off = field_verdict(**LEO, target_ra=170.6, target_dec=13.3, wcs_header=header)
    assert off.method == "wcs" and not off.inside
    assert not (0 <= off.pixel_x < 3000 and 0 <= off.pixel_y < 2000)


def test_a_damaged_wcs_header_falls_back_to_the_next_method():
    verdict = field_verdict(**LEO, target_ra=170.0, target_dec=13.5, wcs_header="not a header at all")
    assert verdict.method == "circle" and verdict.inside


def test_target_on_the_far_side_of_the_sky():
    verdict = field_verdict(10.0, 20.0, 1.0, 190.0, -20.0, pixscale_arcsec=1, width_px=100, height_px=100, orientation_deg=0)
    assert not verdict.inside
    assert verdict.offset_east_deg is None and verdict.offset_north_deg is None
    assert verdict.separation_deg == pytest.approx(180.0, abs=1e-6)
    assert "OUTSIDE" in verdict.describe()
    data = verdict.to_json()
    assert data["inside"] is False and data["text"]


@pytest.mark.parametrize(
    "args",
    [
        (float("nan"), 0, 1, 0, 0),
        (0, 95, 1, 0, 0),
        (0, 0, 0, 0, 0),
        (0, 0, 1, 0, -91),
    ],
)
def test_bad_input_is_refused_with_value_error(args):
    with pytest.raises(ValueError):
        field_verdict(*args)


def test_tangent_offsets_are_signed_east_and_north():
    xi, eta, front = tangent_offsets_deg(50.0, -30.0, 50.1, -30.0)
    assert front and xi > 0 and abs(eta) < 0.01
    xi, eta, front = tangent_offsets_deg(50.0, -30.0, 50.0, -30.2)
    assert front and eta < 0 and abs(xi) < 1e-9


# -- `planner solve` carries the verdict ------------------------------------------------------


def _fake_nova(server, wcs_text: str | None):
    import json as _json

    cal = {"parity": 1.0, "orientation": LEO_ORIENTATION, "pixscale": LEO_SCALE,
           "radius": LEO["radius_deg"], "ra": LEO["centre_ra"], "dec": LEO["centre_dec"]}
    server.expect_request("/api/login", method="POST").respond_with_json({"status": "success", "session": "s-1"})
    server.expect_request("/api/url_upload", method="POST").respond_with_json({"status": "success", "subid": 7, "hash": "h"})
    server.expect_request("/api/submissions/7").respond_with_json(
        {"processing_started": "x", "jobs": [70], "job_calibrations": [[70, 1]], "user_images": [1]})
    server.expect_request("/api/jobs/70").respond_with_json({"status": "success"})
    server.expect_request("/api/jobs/70/calibration/").respond_with_json(cal)
    if wcs_text is None:
        server.expect_request("/wcs_file/70").respond_with_data("gone", status=404)
    else:
        server.expect_request("/wcs_file/70").respond_with_data(wcs_text.encode("ascii"), content_type="application/fits")
    return _json


@pytest.fixture
def solve_env(httpserver, monkeypatch):
    import dataclasses

    from planner.services.http import POLICIES, reset_limiters

    for key, policy in list(POLICIES.items()):
        monkeypatch.setitem(POLICIES, key, dataclasses.replace(policy, min_interval=0.0, retries=0, timeout=(2.0, 2.0)))
    reset_limiters()
    monkeypatch.setenv("PLANNER_ASTROMETRY_URL", httpserver.url_for("/api"))
    monkeypatch.setenv("PLANNER_ASTROMETRY_KEY", "nova-key-for-tests")
    return httpserver


def test_planner_solve_prints_the_verdict_from_the_wcs(solve_env, capsys):
    import json

    from planner.cli import main

    header, _ = _wcs_header(LEO["centre_ra"], LEO["centre_dec"], LEO_SCALE / 3600, 20.0, 3000, 2000)
    _fake_nova(solve_env, header.tostring())
    code = main(["solve", "https://example.org/leo.jpg", "--wait", "--poll-interval", "0.01",
                 "--target-ra", "11:20:24", "--target-dec", "13:18:00"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    verdict = report["verdict"]
    assert verdict["method"] == "wcs" and verdict["inside"] is True
    assert verdict["separation_deg"] == pytest.approx(report["target"]["separation_deg"], abs=1e-5)
    assert "inside the field" in verdict["text"]


def test_planner_solve_verdict_for_a_sample_star_outside_without_wcs(solve_env, capsys):
    import json

    from planner.catalog.sample import load_sample
    from planner.cli import main

    star = load_sample().targets[0]
    _fake_nova(solve_env, None)  # the WCS file is missing: the verdict falls back to the radius
    code = main(["solve", "https://example.org/leo.jpg", "--wait", "--poll-interval", "0.01",
                 "--target", star.star_name.lower()])
    assert code == 0
    verdict = json.loads(capsys.readouterr().out)["verdict"]
    sep, _ = _oracle(LEO["centre_ra"], LEO["centre_dec"], star.ra, star.dec)
    assert verdict["separation_deg"] == pytest.approx(sep, abs=1e-5)
    assert verdict["inside"] is bool(sep <= LEO["radius_deg"])
    assert verdict["method"] == "circle" and verdict["name"] == star.star_name.lower()


def test_planner_solve_refuses_an_unknown_sample_name(solve_env, capsys):
    from planner.cli import main

    assert main(["solve", "https://example.org/a.jpg", "--wait", "--target", "NO SUCH STAR"]) == 2
    assert "not in the bundled sample" in capsys.readouterr().err
