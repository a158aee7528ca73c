"""Elements on targets: which types have which events, what is refused (naming the star and
the field), and the target file's own fields."""

from __future__ import annotations

import json
import math

import pytest

from planner.catalog import load_sample, load_targets_file, parse_targets
from planner.sky.elements import (
    ECLIPSING,
    EXOPLANET,
    LONG_PERIOD,
    PRIMARY,
    PULSATOR,
    SECONDARY,
    Elements,
    ElementsError,
    event_kinds,
    star_class,
    time_scale_name,
    validate,
)

NOW = 1796083200.0  # 2026-12-01 00:00 UTC
NOW_JD = NOW / 86400 + 2440587.5


@pytest.mark.parametrize(
    "var_type, sections, expected",
    [
        ("EA/SD", (), ECLIPSING),
        ("EB", (), ECLIPSING),
        ("EW/KW", (), ECLIPSING),
        ("EA/GS+SRC", (), ECLIPSING),  # VV Cep: the eclipse is what can be timed
        ("UGSS+E", (), ECLIPSING),  # U Gem
        ("XPR+E", (), ECLIPSING),
        ("E", (), ECLIPSING),
        ("ELL+HMXB", (), None),  # ellipsoidal, not eclipsing
        ("NR+ELL", (), None),
        ("EP", (), EXOPLANET),
        ("", ("Exoplanets",), EXOPLANET),
        ("RRAB/BL", (), PULSATOR),
        ("DCEP", (), PULSATOR),
        ("DCEP(B)", (), PULSATOR),
        ("CWA", (), PULSATOR),
        ("DSCT", (), PULSATOR),
        ("SXPHE", (), PULSATOR),
        ("M", (), LONG_PERIOD),
        ("M+ZAND", (), LONG_PERIOD),
        ("SRC", (), LONG_PERIOD),
        ("UGSS", (), None),
        ("RCB", (), None),
        ("QSO", (), None),
        ("", (), None),
    ],
)
def test_which_types_have_events(var_type, sections, expected):
    assert star_class(var_type, sections) == expected


def test_secondary_minima_only_for_binaries_of_two_shining_stars():
    assert event_kinds(ECLIPSING, "EA/SD") == (PRIMARY, SECONDARY)
    assert event_kinds(ECLIPSING, "EW/KW") == (PRIMARY, SECONDARY)
    assert event_kinds(ECLIPSING, "UGSS+E") == (PRIMARY,)
    assert event_kinds(EXOPLANET) == ("transit",) and event_kinds(PULSATOR) == ("maximum",)
    assert event_kinds(LONG_PERIOD) == () and event_kinds(None) == ()


def good(**changes) -> Elements:
    base = dict(epoch=2455528.105, period=2.867326, time_scale="HJD", eclipse_duration=14.0)
    base.update(changes)
    return Elements(**base)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"period": 0.0}, "period"),
        ({"period": -2.5}, "period"),
        ({"period": math.nan}, "period"),
        ({"epoch": NOW_JD + 3.0}, "epoch"),  # more than one period (2.87 d) ahead
        ({"epoch": 55528.105}, "epoch"),  # a reduced date
        ({"eclipse_duration": 51.0}, "eclipse_duration"),
        ({"eclipse_duration": -1.0}, "eclipse_duration"),
        ({"rise_duration": 80.0}, "rise_duration"),
        ({"time_scale": "TCB"}, "time_scale"),
        ({"period_uncertainty": -1e-6}, "period_uncertainty"),
    ],
)
def test_impossible_elements_are_refused_naming_the_field(changes, field):
    with pytest.raises(ElementsError) as info:
        validate(good(**changes), now=NOW)
    assert info.value.field == field and f"'{field}'" in str(info.value)


def test_an_epoch_less_than_one_period_ahead_is_allowed():
    validate(good(epoch=NOW_JD + 2.0), now=NOW)


@pytest.mark.parametrize("text, name", [("hjd", "HJD"), ("BJD_TDB", "BJD"), (" jd ", "JD"), ("HJD-UTC", "HJD")])
def test_time_scale_names(text, name):
    assert time_scale_name(text) == name


def test_a_target_file_carries_its_own_elements(tmp_path):
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"targets": [
        {"star_name": "bet Per", "ra": 47.04, "dec": 40.96, "var_type": "EA/SD", "period": 2.8673285,
         "epoch": 2460000.1234, "time_scale": "hjd", "eclipse_duration": 13.9, "period_uncertainty": 2e-7,
         "elements_source": "O-C gateway, 2025"},
    ]}))
    result = load_targets_file(path)
    assert result.problems == [] and result.notes == []
    elements = result.targets[0].elements
    assert elements == Elements(2460000.1234, 2.8673285, "HJD", 13.9, None, 2e-7, "O-C gateway, 2025")
    record = result.targets[0].to_api_dict()
    assert record["epoch"] == 2460000.1234 and record["elements_source"] == "O-C gateway, 2025"
    assert "elements" not in record and "epoch" not in result.targets[0].extra
    assert parse_targets([record]).targets[0].elements == elements  # the file's shape round-trips


@pytest.mark.parametrize(
    "fields, fragment",
    [
        ({"period": 0, "epoch": 2455528.1}, "'period'"),
        ({"period": 2.8, "epoch": 2455528.1, "eclipse_duration": 60}, "'eclipse_duration' is 60 %"),
        ({"period": 2.8, "epoch": 2499999.0}, "'epoch'"),
        ({"epoch": 2455528.1}, "'period' is needed"),
        ({"period": 2.8, "epoch": "soon"}, "'epoch' must be a number"),
        ({"period": 2.8, "epoch": 2455528.1, "time_scale": "local"}, "'time_scale'"),
        ({"period": 2.8, "eclipse_duration": 10}, "without an 'epoch'"),
    ],
)
def test_bad_elements_cost_the_elements_not_the_star(fields, fragment):
    record = {"star_name": "Test Star", "ra": 10, "dec": 10, "var_type": "EA"}
    record.update(fields)
    result = parse_targets([record])
    assert [t.star_name for t in result.targets] == ["Test Star"] and result.targets[0].elements is None
    assert result.problems == [] and len(result.notes) == 1
    assert "'Test Star'" in result.notes[0] and fragment in result.notes[0]


def test_the_bundled_sample_has_real_elements_without_problems():
    sample = load_sample()
    assert sample.problems == [] and sample.notes == []
    by_name = {t.star_name: t for t in sample.targets}
    with_elements = {name for name, t in by_name.items() if t.elements is not None}
    assert {"bet Per", "lam Tau", "W UMa", "V Pup", "U Gem", "HZ Her"} <= with_elements  # eclipsing
    assert {"V376 Peg", "HD 189733", "WASP-12", "TrES-3", "WASP-19"} <= with_elements  # transits
    assert {"del Cep", "eta Aql", "bet Dor", "kap Pav"} <= with_elements  # pulsators
    assert by_name["HD 189733"].elements.time_scale == "BJD"
    for name in with_elements:
        t = by_name[name]
        assert t.elements.period == t.period, name  # one period: the one the epoch goes with
        assert t.elements.source, name
        assert star_class(t.var_type, t.obs_section) is not None, name
