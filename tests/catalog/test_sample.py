"""The bundled offline sample: real stars, every section, the whole sky, consistent facts,
stated sources; and target files read from disk."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pytest

from planner.catalog import (
    SECTION_NAMES,
    TargetFileError,
    load_sample,
    load_targets_file,
)
from planner.sky.elements import ELEMENT_FIELDS

API_FIELDS = {
    "star_name", "ra", "dec", "constellation", "var_type", "min_mag", "min_mag_band", "max_mag",
    "max_mag_band", "period", "obs_cadence", "obs_mode", "obs_section", "filter", "other_info",
    "priority", "last_data_point",
}


@pytest.fixture(scope="module")
def raw():
    text = resources.files("planner.resources.targets").joinpath("sample_targets.json").read_text("utf-8")
    return json.loads(text)


@pytest.fixture(scope="module")
def sample():
    return load_sample()


def test_at_least_forty_targets_all_parse(sample, raw):
    assert len(sample) >= 40
    assert sample.problems == []
    assert len(sample) == len(raw["targets"])


def test_api_shape_with_every_field_and_no_computed_ones(raw):
    assert set(raw) == {"targets", "meta"}
    assert "source" in raw["meta"] and raw["meta"]["count"] == len(raw["targets"])
    for record in raw["targets"]:
        # the API's fields, plus the optional elements of periodic stars (docs/events.md)
        assert API_FIELDS <= set(record) <= API_FIELDS | set(ELEMENT_FIELDS), record["star_name"]
        assert "observability_times" not in record and "solar_conjunction" not in record


def test_every_section_is_represented(sample):
    codes = {code for target in sample for code in target.section_codes}
    assert codes == set(SECTION_NAMES)
    for target in sample:
        assert target.section_codes, target.star_name
        assert all(name in SECTION_NAMES.values() for name in target.obs_section)


def test_both_hemispheres(sample):
    decs = np.array([t.dec for t in sample])
    assert (decs > 30).sum() >= 10
    assert (decs < -30).sum() >= 10


def test_every_three_hour_ra_bin_has_stars(sample):
    bins = np.bincount((np.array([t.ra for t in sample]) // 45).astype(int), minlength=8)
    assert bins.shape == (8,) and (bins >= 2).all(), bins


def test_every_ra_bin_has_southern_and_northern_stars(sample):
    ras = np.array([t.ra for t in sample])
    decs = np.array([t.dec for t in sample])
    bins = (ras // 45).astype(int)
    for b in range(8):
        assert (decs[bins == b] > -20).any(), f"no northern-sky star in RA bin {b}"
    # A southern observer finds stars south of -20 in most of the sky, not one patch.
    assert len(set(bins[decs < -20])) >= 6


def test_names_are_unique_and_in_aavso_style(sample):
    names = [t.star_name for t in sample]
    assert len(names) == len(set(names))
    assert len({n.lower() for n in names}) == len(names)
    for must in ("omi Cet", "chi Cyg", "alf Ori", "SS Cyg", "bet Per", "del Cep", "T CrB", "eta Car"):
        assert must in names


def test_magnitudes_are_consistent(sample):
    for t in sample:
        for mag, band in ((t.max_mag, t.max_mag_band), (t.min_mag, t.min_mag_band)):
            if mag is not None:
                assert -2.0 <= mag <= 25.0, t.star_name
                assert band, t.star_name
        if t.max_mag is not None and t.min_mag is not None:
            assert t.max_mag <= t.min_mag, t.star_name  # max is the bright end


def test_periods_cadences_and_types(sample):
    for t in sample:
        assert t.var_type, t.star_name
        assert t.period is None or t.period > 0, t.star_name
        assert t.obs_cadence is not None and t.obs_cadence > 0, t.star_name
        assert t.obs_mode in {"All", "Photometry", "Visual", "Spectroscopy"}, t.star_name
        assert t.last_data_point is not None, t.star_name
    # Types that match the kind of section.
    by_name = {t.star_name: t for t in sample}
    assert by_name["omi Cet"].var_type == "M" and by_name["omi Cet"].section_codes == ("lpv",)
    assert by_name["del Cep"].var_type == "DCEP"
    assert by_name["bet Per"].var_type.startswith("EA")


def test_constellations_match_positions(sample):
    """The three-letter constellation must be the one the stored position lies in.

    This catches a wrong sign or a slipped digit in the coordinates."""
    from astropy import units as u
    from astropy.coordinates import SkyCoord, get_constellation

    coords = SkyCoord(ra=[t.ra for t in sample] * u.deg, dec=[t.dec for t in sample] * u.deg)
    found = get_constellation(coords, short_name=True)
    wrong = [(t.star_name, t.constellation, f) for t, f in zip(sample, found) if t.constellation != f]
    assert wrong == []


def test_well_known_positions(sample):
    """A few positions every observer knows, to the arcminute."""
    by_name = {t.star_name: t for t in sample}
    known = {
        "omi Cet": (34.837, -2.978),
        "alf Ori": (88.793, 7.407),
        "bet Per": (47.042, 40.956),
        "eta Car": (161.265, -59.685),
        "SS Cyg": (325.678, 43.586),
    }
    for name, (ra, dec) in known.items():
        assert by_name[name].ra == pytest.approx(ra, abs=0.02), name
        assert by_name[name].dec == pytest.approx(dec, abs=0.02), name


def test_some_targets_due_and_some_not_at_the_reference_time(sample, raw):
    ref = raw["meta"]["reference_time_utc"]
    due = [t.is_due(ref) for t in sample]
    assert 0 < sum(due) < len(due)
    assert all(t.last_data_point < ref for t in sample)
    assert "illustrative" in raw["meta"]["last_data_point_note"]


def test_other_info_has_text_and_links(sample):
    for t in sample:
        info = t.info
        assert info.text and "[[" not in info.text, t.star_name
        assert info.links and all(link.url.startswith("https://www.aavso.org/") for link in info.links)


def test_sources_are_stated():
    sources = resources.files("planner.resources.targets").joinpath("SOURCES.md").read_text("utf-8")
    for words in ("VSX", "GCVS", "illustrative", "last_data_point"):
        assert words in sources


# -- target files ------------------------------------------------------------------------------


def test_targets_file_round_trip(tmp_path, sample):
    from planner.catalog import targets_to_payload

    path = tmp_path / "mine.json"
    path.write_text(json.dumps(targets_to_payload(sample.targets[:5])), "utf-8")
    assert load_targets_file(path).targets == sample.targets[:5]
    path.write_text(json.dumps([t.to_api_dict() for t in sample.targets[:3]]), "utf-8")
    assert load_targets_file(str(path)).targets == sample.targets[:3]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"{not json", "not valid JSON (line 1"),
        (b'{"stars": []}', "no 'targets' list"),
        (b"\xff\xfe\x00garbage", "not a UTF-8 JSON file"),
        (bytes(range(256)) * 8, "not a UTF-8 JSON file"),
        (b"[" * 100_000, "nested far too deeply"),
        (b'{"targets": [' + b"[" * 100_000, "nested far too deeply"),
        (b'[{"star_name": "No position"}, 42, "text"]', "none of its 3 records is a usable target"),
    ],
)
def test_bad_targets_files_name_the_file_and_the_cause(tmp_path, content, words):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(TargetFileError) as info:
        load_targets_file(path)
    assert str(path) in str(info.value) and words in str(info.value)


def test_a_byte_order_mark_is_not_an_error(tmp_path, sample):
    from planner.catalog import targets_to_payload

    path = tmp_path / "notepad.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(targets_to_payload(sample.targets[:2])).encode())
    assert load_targets_file(path).targets == sample.targets[:2]


def test_an_empty_list_is_no_error(tmp_path):
    path = tmp_path / "empty.json"
    path.write_text('{"targets": []}', "utf-8")
    assert len(load_targets_file(path)) == 0


def test_missing_targets_file(tmp_path):
    with pytest.raises(TargetFileError, match="no such file"):
        load_targets_file(tmp_path / "nope.json")


def test_bad_records_in_a_file_are_reported_and_the_rest_kept(tmp_path, raw):
    records = raw["targets"][:3] + [{"star_name": "Broken", "dec": 10}]
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps({"targets": records}), "utf-8")
    result = load_targets_file(path)
    assert len(result) == 3
    assert result.problems == ["target 4 ('Broken'): field 'ra' is missing"]
