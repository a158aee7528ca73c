"""Horizon masks: the model (interpolation, wrapping through north) and each importer against
sample files written to its format's rules (tests/data/horizon), read as the program that
writes the format reads it back. Expected altitudes are worked out by hand from those rules
(N.I.N.A.'s CustomHorizon, Cartes du Ciel's LoadHorizon, Stellarium's createPolygonalHorizon)."""

from __future__ import annotations

import pickle
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from planner.sky.horizon import (
    HorizonError,
    HorizonMask,
    format_typed_points,
    guess_format,
    parse_typed_points,
    read_horizon,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "horizon"

# The backyard: the same nine points in the N.I.N.A., MountWizzard4 and Stellarium samples.
BACKYARD = [(10, 20), (45.5, 30), (90, 25), (135, 40), (180, 15), (225, 15), (270, 35), (315, 25), (350, 22)]


def test_interpolation_is_linear_and_wraps_through_north():
    mask = HorizonMask(((90.0, 30.0), (270.0, 10.0)))
    assert mask.altitude_at(180.0) == pytest.approx(20.0)
    # across north: 270 -> 450 (= 90) runs from 10 to 30, so 0 (= 360) is half way
    assert mask.altitude_at(0.0) == pytest.approx(20.0)
    assert mask.altitude_at(360.0) == pytest.approx(20.0)
    assert mask.altitude_at(-90.0) == pytest.approx(10.0)  # any azimuth range wraps
    assert mask.altitude_at(315.0) == pytest.approx(15.0)
    values = mask.altitude_at(np.array([[90.0, 180.0], [270.0, 45.0]]))
    assert values.shape == (2, 2)
    assert values[1, 1] == pytest.approx(25.0)


def test_points_are_sorted_and_a_vertical_step_keeps_its_order():
    mask = HorizonMask(((200.0, 5.0), (100.0, 0.0), (100.0, 30.0)))
    assert mask.points == ((100.0, 0.0), (100.0, 30.0), (200.0, 5.0))
    assert mask.altitude_at(99.999) == pytest.approx(0.0, abs=0.01)  # before the wall
    assert mask.altitude_at(100.001) == pytest.approx(30.0, abs=0.01)  # on top of it


def test_json_round_trip_and_pickle():
    mask = HorizonMask(((0.0, 10.0), (180.0, 20.0)), "typed in Settings")
    assert HorizonMask.from_json(mask.to_json()) == mask
    assert HorizonMask.from_json([[0, 10], [180, 20]]).points == mask.points
    again = pickle.loads(pickle.dumps(mask))
    assert again == mask and again.altitude_at(90.0) == pytest.approx(15.0)
    assert hash(again) == hash(mask)


@pytest.mark.parametrize("data, message", [
    ({"points": [[0, 10]]}, "1 point; a horizon needs at least two"),
    ({"points": [[0, 10], [361, 5]]}, "point 2: azimuth 361 is outside 0-360"),
    ({"points": [[0, 10], [20, 91]]}, "point 2: altitude 91 is over 90 degrees"),
    ({"points": [[0, 10], ["x", 5]]}, "point 2: ['x', 5] is not a pair of numbers"),
    ({"points": "0 10"}, "must be a list of [azimuth, altitude] pairs"),
])
def test_from_json_refuses_with_the_point_and_the_reason(data, message):
    with pytest.raises(HorizonError, match=message.replace("[", r"\[").replace("]", r"\]")):
        HorizonMask.from_json(data)


def test_nina_hrz_as_nina_reads_it():
    mask = read_horizon(DATA / "backyard.hrz")
    assert mask.source == "backyard.hrz"
    # N.I.N.A. groomed the ends: neither 0 nor 360 given, the point nearest north (10°, a tie
    # with 350° goes to the low side) gives both ends its 20°.
    assert mask.points[0] == (0.0, 20.0) and mask.points[-1] == (360.0, 20.0)
    assert [p for p in mask.points[1:-1]] == [(float(a), float(h)) for a, h in BACKYARD]
    assert mask.altitude_at(5.0) == pytest.approx(20.0)
    assert mask.altitude_at(355.0) == pytest.approx(21.0)  # 350 (22) -> 360 (20)
    assert mask.altitude_at(67.75) == pytest.approx(27.5)  # half way 45.5 (30) -> 90 (25)


def test_apcc_hrz_with_its_header_and_crlf_lines():
    mask = read_horizon(DATA / "apcc.hrz")
    assert len(mask.points) == 361  # 0-359 and 360 added from 0, as N.I.N.A. grooms it
    assert mask.altitude_at(45.0) == pytest.approx(25.0)
    assert mask.altitude_at(359.5) == pytest.approx((mask.altitude_at(359.0) + 15.0) / 2)


def test_mw4_hpts_gives_the_same_mask_as_the_hrz():
    assert read_horizon(DATA / "backyard.hpts").points == read_horizon(DATA / "backyard.hrz").points


def test_nina_keeps_the_last_value_given_for_an_azimuth(tmp_path):
    path = tmp_path / "twice.hrz"
    path.write_text("0 10\n90 20\n90 40\n180 10\n")
    mask = read_horizon(path)
    assert (90.0, 40.0) in mask.points and (90.0, 20.0) not in mask.points


def test_cartes_du_ciel_text_horizon():
    mask = read_horizon(DATA / "cdc_horizon.txt")
    assert guess_format("cdc_horizon.txt") == "text"
    assert mask.points[:3] == ((0.0, 25.0), (30.0, 25.0), (60.0, 5.0))
    assert mask.points[-1] == (359.0, 25.0)  # the last point joins the first at 359
    assert mask.altitude_at(90.0) == pytest.approx(5.0)
    assert mask.altitude_at(175.0) == pytest.approx(21.0)  # 170 (32) -> 180 (10)
    assert mask.altitude_at(225.0) == pytest.approx(11.0)


def test_cartes_du_ciel_starts_at_zero_when_the_file_does_not():
    mask = read_horizon(DATA / "cdc_from_east.txt")
    assert mask.points[0] == (0.0, 0.0)
    assert mask.altitude_at(45.0) == pytest.approx(10.0)
    # 270 (20) -> 359 (0, the first altitude) as Cartes du Ciel fills its table
    assert mask.altitude_at(315.0) == pytest.approx(20.0 - 45.0 * 20.0 / 89.0)


def test_cartes_du_ciel_refuses_a_decreasing_azimuth(tmp_path):
    path = tmp_path / "back.txt"
    path.write_text("0 10\n90 20\n45 30\n")
    with pytest.raises(HorizonError, match=r"line 3: azimuth 45 does not follow 90 \(line 2\)"):
        read_horizon(path)


def test_stellarium_landscape_ini_with_rotation():
    mask = read_horizon(DATA / "stellarium_backyard" / "landscape.ini")
    assert mask.source == "landscape.ini"
    # polygonal_angle_rotatez = -10 turns every azimuth 10 degrees west
    expected = sorted(((a - 10.0) % 360.0, float(h)) for a, h in BACKYARD)
    assert mask.points == tuple(expected)
    assert mask.altitude_at(350.0) == pytest.approx(21.0)  # 340 (22) -> 360 (20, the first point)


def test_stellarium_list_file_alone_is_azdeg_altdeg():
    mask = read_horizon(DATA / "stellarium_backyard" / "horizon_backyard.txt", format="stellarium")
    assert mask.points == tuple((float(a), float(h)) for a, h in BACKYARD)


def test_stellarium_zenith_distances_in_radians_listed_westwards():
    mask = read_horizon(DATA / "stellarium_zd" / "landscape.ini")
    assert [(round(a, 6), round(h, 6)) for a, h in mask.points] == [(0, 20), (90, 30), (180, 10), (270, 25)]


def test_stellarium_landscape_zip(tmp_path):
    archive = tmp_path / "backyard.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for f in (DATA / "stellarium_backyard").iterdir():
            z.write(f, f"backyard/{f.name}")
    mask = read_horizon(archive)
    assert mask.source == "backyard.zip"
    assert mask.points == read_horizon(DATA / "stellarium_backyard" / "landscape.ini").points


def test_stellarium_refuses_a_landscape_without_a_horizon_line(tmp_path):
    (tmp_path / "landscape.ini").write_text("[landscape]\nname = Photo\ntype = spherical\nmaptex = pano.png\n")
    with pytest.raises(HorizonError, match="names no polygonal_horizon_list .landscape type spherical."):
        read_horizon(tmp_path / "landscape.ini")


def test_stellarium_missing_list_file_is_named(tmp_path):
    shutil.copy(DATA / "stellarium_backyard" / "landscape.ini", tmp_path / "landscape.ini")
    with pytest.raises(HorizonError, match=r"horizon_backyard.txt: no such file"):
        read_horizon(tmp_path / "landscape.ini")


def test_csv_with_header_and_extra_columns():
    mask = read_horizon(DATA / "theodolite.csv")
    assert mask.points == ((0.0, 12.5), (60.0, 18.0), (120.0, 8.0), (200.0, 30.0), (300.0, 15.0))
    assert mask.altitude_at(330.0) == pytest.approx(13.75)


def test_csv_semicolons():
    assert read_horizon(DATA / "semicolon.csv").points == ((0.0, 10.0), (180.0, 20.0))


def test_csv_without_the_columns_it_needs(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("bearing,height\n0,1\n")
    with pytest.raises(HorizonError, match="line 1: the header 'bearing, height' names no azimuth"):
        read_horizon(path)


@pytest.mark.parametrize("name, message", [
    ("bad_altitude.hrz", r"bad_altitude.hrz, line 3: altitude 400 is over 90 degrees"),
    ("bad_azimuth.hrz", r"bad_azimuth.hrz, line 2: azimuth 400 is outside 0-360 degrees"),
    ("one_point.hrz", r"one_point.hrz has 1 point; a horizon needs at least two"),
    ("not_a_number.hrz", r"not_a_number.hrz, line 2: altitude 'twenty' is not a number"),
])
def test_bad_files_are_refused_with_the_line_and_the_reason(name, message):
    with pytest.raises(HorizonError, match=message):
        read_horizon(DATA / name)


def test_unreadable_files(tmp_path):
    with pytest.raises(HorizonError, match="no such file"):
        read_horizon(tmp_path / "missing.hrz")
    with pytest.raises(HorizonError, match="is a folder"):
        read_horizon(tmp_path)
    binary = tmp_path / "image.hrz"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(HorizonError, match="is not a text file"):
        read_horizon(binary)
    with pytest.raises(HorizonError, match="not a horizon format"):
        read_horizon(DATA / "backyard.hrz", format="kstars")


def test_typed_points_round_trip():
    mask = parse_typed_points("0 15, 90 25; 180 10\n270 30")
    assert mask.points == ((0.0, 15.0), (90.0, 25.0), (180.0, 10.0), (270.0, 30.0))
    assert mask.source == "typed in Settings"
    assert parse_typed_points(format_typed_points(mask)).points == mask.points
    with pytest.raises(HorizonError, match="point 2: '90' is not 'azimuth altitude'"):
        parse_typed_points("0 15, 90")
    with pytest.raises(HorizonError, match="point 2: altitude 95 is over 90"):
        parse_typed_points("0 15, 90 95")
