"""Target records: parsing of the real AAVSO payload shapes, rejection of bad records,
"due" semantics, section names and the API-dict round trip."""

from __future__ import annotations

import copy
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.catalog import (
    ALL_SECTION_CODES,
    SECTION_NAMES,
    Link,
    Target,
    TargetParseError,
    parse_other_info,
    parse_target,
    parse_targets,
    section_code,
    section_name,
    targets_to_payload,
)

DAY = 86400.0

# A record in the exact shape the live API returns (facts of CH Cyg; the other_info text
# and links are written for this test in the API's format, not copied from anywhere).
CH_CYG = {
    "star_name": "CH Cyg",
    "ra": 291.13779,
    "dec": 50.24142,
    "constellation": "Cyg",
    "var_type": "ZAND+SR",
    "min_mag": 10.1,
    "min_mag_band": "V",
    "max_mag": 5.6,
    "max_mag_band": "V",
    "period": None,
    "obs_cadence": 5.0,
    "obs_mode": "All",
    "obs_section": ["Alerts / Campaigns"],
    "filter": "B",
    "other_info": "B and V wanted\r\n[[Alert Notice 1 https://www.aavso.org/aavso-alert-notice-1]]\r\n"
    "[[Special Notice #2 https://www.aavso.org/aavso-special-notice-2]]",
    "priority": True,
    "last_data_point": 1770638619,
    "observability_times": [["TARGET_RISES", 1771719131]],
    "solar_conjunction": False,
}

# Another real shape: unknown magnitudes, empty filter, no period, two events.
SPARSE = {
    "star_name": "HE 0218-4447",
    "ra": 35.10204,
    "dec": -44.55792,
    "constellation": "Phe",
    "var_type": "",
    "min_mag": None,
    "min_mag_band": None,
    "max_mag": 12.89,
    "max_mag_band": "V",
    "period": None,
    "obs_cadence": 1.0,
    "obs_mode": "All",
    "obs_section": ["Alerts / Campaigns"],
    "filter": "",
    "other_info": "",
    "priority": False,
    "last_data_point": None,
    "observability_times": [["TARGET_SETS", 1771710000], ["TARGET_RISES", 1771740000]],
    "solar_conjunction": True,
}


def record(**changes):
    data = copy.deepcopy(CH_CYG)
    for key, value in changes.items():
        if value is ...:
            data.pop(key, None)
        else:
            data[key] = value
    return data


# -- the real shapes ------------------------------------------------------------------------


def test_full_record_keeps_every_field():
    target = parse_target(CH_CYG)
    assert target.star_name == "CH Cyg"
    assert (target.ra, target.dec) == (291.13779, 50.24142)
    assert target.constellation == "Cyg" and target.var_type == "ZAND+SR"
    assert (target.min_mag, target.min_mag_band, target.max_mag, target.max_mag_band) == (10.1, "V", 5.6, "V")
    assert target.period is None
    assert target.obs_cadence == 5.0 and target.obs_mode == "All"
    assert target.obs_section == ("Alerts / Campaigns",)
    assert target.section_codes == ("ac",)
    assert target.filter == "B" and target.filters == ("B",)
    assert target.priority is True
    assert target.last_data_point == 1770638619.0
    assert target.observability_times == (("TARGET_RISES", 1771719131.0),)
    assert target.solar_conjunction is False
    assert target.name == "CH Cyg"


def test_nulls_and_empty_filter():
    target = parse_target(SPARSE)
    assert target.min_mag is None and target.period is None and target.last_data_point is None
    assert target.min_mag_band == ""  # a null band reads as "no band"
    assert target.filter == "" and target.filters == ()
    assert target.var_type == ""
    assert target.other_info == "" and target.info.text == "" and target.info.links == ()
    assert target.observability_times == (("TARGET_SETS", 1771710000.0), ("TARGET_RISES", 1771740000.0))
    assert target.solar_conjunction is True


def test_other_info_crlf_and_links_become_text_and_links():
    info = parse_target(CH_CYG).info
    assert "\r" not in info.text
    assert info.text.splitlines() == ["B and V wanted", "Alert Notice 1", "Special Notice #2"]
    assert info.links == (
        Link("Alert Notice 1", "https://www.aavso.org/aavso-alert-notice-1"),
        Link("Special Notice #2", "https://www.aavso.org/aavso-special-notice-2"),
    )


def test_other_info_bare_urls_and_plain_brackets():
    info = parse_other_info("See https://example.org/a. and [[just words]]\r\nend")
    assert info.text == "See https://example.org/a. and just words\nend"
    assert info.links == (Link("https://example.org/a", "https://example.org/a"),)
    # A link without a label keeps the URL as its label.
    assert parse_other_info("[[https://example.org/x]]").links == (
        Link("https://example.org/x", "https://example.org/x"),
    )


def test_always_up_and_empty_event_lists():
    up = parse_target(record(observability_times=[["TARGET_IS_ALWAYS_UP", None]]))
    assert up.observability_times == (("TARGET_IS_ALWAYS_UP", None),)
    never = parse_target(record(observability_times=[]))
    assert never.observability_times == ()
    absent = parse_target(record(observability_times=..., solar_conjunction=...))
    assert absent.observability_times is None and absent.solar_conjunction is None


def test_several_full_section_names_and_codes():
    target = parse_target(record(obs_section=["Cataclysmic Variables", "alerts / campaigns", "cv"]))
    assert target.obs_section == ("Cataclysmic Variables", "Alerts / Campaigns", "Cataclysmic Variables")
    assert target.section_codes == ("cv", "ac", "cv")
    # The API's "None" section is kept as a name but has no request code.
    assert parse_target(record(obs_section=["None"])).section_codes == ()
    # A single string is accepted as one section.
    assert parse_target(record(obs_section="Exoplanets")).section_codes == ("ep",)


def test_numbers_as_strings_and_unknown_fields():
    target = parse_target(record(ra="291.13779", min_mag="", priority="false", new_field={"x": 1}))
    assert target.ra == 291.13779 and target.min_mag is None and target.priority is False
    assert target.extra == {"new_field": {"x": 1}}


def test_filters_split_on_separators():
    assert parse_target(record(filter="B, V;R/I  Vis")).filters == ("B", "V", "R", "I", "Vis")


def test_bare_list_and_object_payloads():
    assert [t.star_name for t in parse_targets([CH_CYG, SPARSE])] == ["CH Cyg", "HE 0218-4447"]
    result = parse_targets({"targets": [CH_CYG, SPARSE], "meta": {"count": 2}})
    assert len(result) == 2 and result.problems == []


# -- malformed records -----------------------------------------------------------------------

BAD_RECORDS = [
    (record(ra=...), "'ra'", "missing"),
    (record(ra=None), "'ra'", "missing"),
    (record(ra=361.0), "'ra'", "outside"),
    (record(ra=-0.5), "'ra'", "outside"),
    (record(dec=91), "'dec'", "outside"),
    (record(dec="north"), "'dec'", "number"),
    (record(ra=True), "'ra'", "number"),
    (record(ra=float("nan")), "'ra'", "finite"),
    (record(min_mag=[1]), "'min_mag'", "number"),
    (record(star_name=...), "'star_name'", "missing"),
    (record(star_name="   "), "'star_name'", "missing"),
    (record(star_name=["CH", "Cyg"]), "'star_name'", "text"),
    (record(other_info={"a": 1}), "'other_info'", "text"),
    (record(priority="maybe"), "'priority'", "true or false"),
    (record(solar_conjunction=2), "'solar_conjunction'", "true or false"),
    (record(obs_section=5), "'obs_section'", "list"),
    (record(obs_section=["ac", 3]), "'obs_section'", "list"),
    (record(observability_times="TARGET_RISES"), "'observability_times'", "list"),
    (record(observability_times=[["TARGET_FLIES", 1]]), "'observability_times'", "bad entry"),
    (record(observability_times=[["TARGET_RISES"]]), "'observability_times'", "bad entry"),
    (record(observability_times=[["TARGET_RISES", None]]), "'observability_times'", "needs a time"),
    (record(observability_times=[["TARGET_SETS", "soon"]]), "'observability_times'", "bad time"),
    (record(observability_times=[["TARGET_SETS", True]]), "'observability_times'", "bad time"),
    (record(observability_times=["TARGET_SETS"]), "'observability_times'", "bad entry"),
]


@pytest.mark.parametrize(("bad", "field", "words"), BAD_RECORDS)
def test_bad_record_is_reported_by_name_and_field_and_good_ones_are_kept(bad, field, words):
    result = parse_targets({"targets": [SPARSE, bad, CH_CYG]})
    assert [t.star_name for t in result] == ["HE 0218-4447", "CH Cyg"]
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert problem.startswith("target 2")
    if isinstance(bad.get("star_name"), str) and bad["star_name"].strip():
        assert "'CH Cyg'" in problem
    assert field in problem and words in problem


@pytest.mark.parametrize("bad", [None, 3, "CH Cyg", ["a", "list"], True])
def test_non_object_records_are_reported(bad):
    result = parse_targets([bad, CH_CYG])
    assert [t.star_name for t in result] == ["CH Cyg"]
    assert result.problems[0].startswith("target 1:") and "JSON object" in result.problems[0]


@pytest.mark.parametrize("payload", [None, 3, "targets", {"stars": []}, {"targets": "CH Cyg"}, {"targets": {}}])
def test_a_payload_that_is_not_a_target_list_raises(payload):
    with pytest.raises(TargetParseError, match="target"):
        parse_targets(payload)


def test_parse_target_raises_naming_the_field():
    with pytest.raises(TargetParseError, match="'dec'"):
        parse_target(record(dec=-100))


def test_empty_list_is_fine():
    result = parse_targets([])
    assert len(result) == 0 and result.problems == []


# Integers too large for a float (valid JSON) and unhashable event codes once crashed the
# parser with OverflowError/TypeError; they must be problem messages like any bad field.
@pytest.mark.parametrize(
    "bad",
    [
        record(ra=10**400),
        record(last_data_point=10**400),
        record(observability_times=[["TARGET_RISES", 10**400]]),
        record(observability_times=[[["TARGET_RISES"], 1]]),
        record(observability_times=[[{"code": 1}, 1]]),
    ],
)
def test_overflowing_numbers_and_unhashable_codes_are_problems_not_crashes(bad):
    result = parse_targets([bad, SPARSE])
    assert len(result) == 1 and len(result.problems) == 1


# -- "due" -------------------------------------------------------------------------------------


def make(cadence, last):
    return parse_target(record(obs_cadence=cadence, last_data_point=last))


def test_due_when_last_data_is_older_than_the_cadence():
    now = 2_000_000_000.0
    assert make(5.0, now - 6 * DAY).is_due(now)
    assert not make(5.0, now - 4 * DAY).is_due(now)
    assert not make(5.0, now - 5 * DAY).is_due(now)  # exactly on cadence: not yet late
    assert make(5.0, now - 5 * DAY - 1).is_due(now)


def test_no_data_is_due_and_no_cadence_is_never_due():
    now = 2_000_000_000.0
    assert make(3.0, None).is_due(now)
    assert not make(None, None).is_due(now)
    assert not make(None, now - 1000 * DAY).is_due(now)
    assert not make(0.0, now - 1000 * DAY).is_due(now)


def test_days_since_and_overdue():
    now = 2_000_000_000.0
    target = make(5.0, now - 7.5 * DAY)
    assert target.days_since_last_data(now) == pytest.approx(7.5)
    assert target.overdue_days(now) == pytest.approx(2.5)
    assert make(5.0, now - 2 * DAY).overdue_days(now) == pytest.approx(-3.0)
    assert make(5.0, None).overdue_days(now) is None
    assert make(None, now).overdue_days(now) is None
    assert make(5.0, None).days_since_last_data(now) is None


# -- sections ----------------------------------------------------------------------------------


def test_section_codes_and_names_map_both_ways():
    assert ALL_SECTION_CODES == ("ac", "ep", "cv", "eb", "spp", "lpv", "yso", "het", "misc")
    for code, name in SECTION_NAMES.items():
        assert section_name(code) == name
        assert section_name(code.upper()) == name
        assert section_name(name.upper()) == name
        assert section_code(name) == code
        assert section_code(f"  {name.lower()} ") == code
        assert section_code(code) == code
    assert section_name("Long Period Variables") == "Long Period Variables"
    assert section_code("None") is None
    assert section_code("Comets") is None
    assert section_name("Comets") == "Comets"


# -- round trip --------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [CH_CYG, SPARSE, record(observability_times=..., solar_conjunction=...)])
def test_to_api_dict_round_trips(raw):
    target = parse_target(raw)
    data = target.to_api_dict()
    assert json.loads(json.dumps(data)) == data  # plain JSON types only
    assert parse_target(data) == target
    assert set(data) >= {
        "star_name", "ra", "dec", "constellation", "var_type", "min_mag", "min_mag_band", "max_mag",
        "max_mag_band", "period", "obs_cadence", "obs_mode", "obs_section", "filter", "other_info",
        "priority", "last_data_point",
    }
    assert ("observability_times" in data) == (target.observability_times is not None)
    assert ("solar_conjunction" in data) == (target.solar_conjunction is not None)


def test_payload_round_trip():
    targets = list(parse_targets([CH_CYG, SPARSE]))
    payload = targets_to_payload(targets)
    assert list(payload) == ["targets"]
    again = parse_targets(json.loads(json.dumps(payload)))
    assert again.problems == [] and again.targets == targets


def test_target_is_immutable_and_hashable_fields_compare():
    target = parse_target(CH_CYG)
    with pytest.raises(AttributeError):
        target.ra = 0.0  # type: ignore[misc]
    assert target == parse_target(copy.deepcopy(CH_CYG))
    assert isinstance(target, Target)


# -- random input ----------------------------------------------------------------------------

# JSON numbers as a real file or the API carries them, including integers beyond float range.
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["TARGET_RISES", "TARGET_SETS", "TARGET_IS_ALWAYS_UP", "Exoplanets", "ac", ""])
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
FIELDS = [
    "star_name", "ra", "dec", "constellation", "var_type", "min_mag", "min_mag_band", "max_mag",
    "max_mag_band", "period", "obs_cadence", "obs_mode", "obs_section", "filter", "other_info",
    "priority", "last_data_point", "solar_conjunction",
]
# Event lists with any codes, unhashable ones included.
events = st.lists(st.lists(json_values, max_size=3) | scalars, max_size=3)
record_like = st.fixed_dictionaries(
    {},
    optional={**{name: json_values for name in FIELDS}, "observability_times": events},
)


def check_contract(payload):
    try:
        result = parse_targets(payload)
    except TargetParseError as exc:
        assert str(exc)
        return
    assert len(result.targets) + len(result.problems) == len(
        payload["targets"] if isinstance(payload, dict) else payload
    )
    for target in result.targets:
        assert isinstance(target, Target)
        assert 0.0 <= target.ra < 360.0 + 1e-9 and -90.0 <= target.dec <= 90.0
        assert math.isfinite(target.ra) and target.star_name.strip()
        json.dumps(target.to_api_dict())
    for problem in result.problems:
        assert problem.startswith("target ")


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_random_json_never_crashes(payload):
    check_contract(payload)


@settings(max_examples=300, deadline=None)
@given(st.lists(record_like | json_values, max_size=6), st.booleans())
def test_random_records_become_targets_or_problems(records, wrapped):
    check_contract({"targets": records} if wrapped else records)


def test_due_columns_agree_with_is_due_and_overdue_days():
    """``DueColumns`` (the table and the outlook ask it for many targets at once) answers as
    ``is_due`` and ``Target.overdue_days`` do for each: no cadence, a cadence of zero or less,
    never observed, exactly at the cadence, and something with neither attribute."""
    import math
    from types import SimpleNamespace

    from planner.catalog.target import DueColumns, is_due

    now = 1_771_705_415.0
    day = 86400.0
    rows = [(None, now - 5 * day), (0.0, now - 5 * day), (-3.0, None), (5.0, None), (None, None),
            (2.0, now - 2 * day), (2.0, now - 2.5 * day), (10.0, now - 1 * day), (1.5, now + day)]
    things = [SimpleNamespace(obs_cadence=c, last_data_point=last) for c, last in rows] + [object()]
    columns = DueColumns.of(things)
    for moment in (now, now + 0.5 * day, now + 30 * day):
        expected_due = [is_due(c, last, moment) for c, last in rows] + [False]
        assert columns.due(moment).tolist() == expected_due
        overdue = columns.overdue(moment).tolist()
        for (c, last), value in zip(rows, overdue):
            if c is None or last is None:
                assert math.isnan(value)
            else:
                assert value == (moment - last) / day - c  # as Target.overdue_days computes it
        assert math.isnan(overdue[-1])
