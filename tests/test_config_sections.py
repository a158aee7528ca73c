"""Each setting is declared once, in its section (planner.config.<section>), and the settings
loader judges every value by that declaration: a new setting is one ``Setting`` in its
section plus its ``Settings`` field, and this file fails if either is missing."""

from __future__ import annotations

import dataclasses
import json

import pytest

import planner.plan.filters
from planner import config, limits
from planner.config import SECTIONS, SETTINGS, Settings, load_settings, settings_path
from planner.config.exports import EXPORTS, bad_wheel_name
from planner.config.section import Section, Setting, SettingsError
from planner.config.site import SITE


def test_every_settings_field_is_declared_by_exactly_one_section():
    declared = [s.name for section in SECTIONS for s in section] + ["extra"]
    assert len(declared) == len(set(declared)), "a setting is declared twice"
    fields = [f.name for f in dataclasses.fields(Settings) if f.name != "warnings"]
    assert sorted(fields) == sorted(declared)
    assert len({section.key for section in SECTIONS}) == len(SECTIONS)


def test_the_defaults_are_the_declarations():
    defaults = Settings()
    for name, declared in SETTINGS.items():
        assert getattr(defaults, name) == declared.default_value(), name
        assert declared.checked(declared.default_value()) == declared.default_value(), f"{name}: default refused"
    # a fresh dict per Settings, never one shared default
    assert Settings().filter_names is not Settings().filter_names


def test_every_setting_a_user_sees_has_a_label_and_numbers_have_their_range():
    for section in SECTIONS:
        assert section.title and section.shown_in
        for declared in section:
            assert declared.label, declared.name
            if declared.low is not None:
                assert declared.check is not None
                assert declared.problem(declared.low) == "" and declared.problem(declared.high) == ""
                span = declared.high - declared.low
                assert declared.problem(declared.high + span) != "", declared.name


def test_site_ranges_are_the_shared_table_of_limits():
    """One table of site ranges (planner.limits): the section reads it, it does not copy it."""
    for name, limit in limits.SITE_LIMITS.items():
        declared = SITE[name]
        assert (declared.low, declared.high, declared.label) == (limit.low, limit.high, limit.label)
        with pytest.raises(ValueError) as caught:
            declared.checked(limit.high + 1)
        with pytest.raises(limits.SiteError) as shared:
            limits.check_site_number(name, limit.high + 1)
        assert str(caught.value) == str(shared.value)


@pytest.mark.parametrize(
    "name, value, words",
    [
        ("latitude", 95.0, "Latitude 95 degrees is outside [-90, 90]"),
        ("latitude", "abc", "Latitude: 'abc' is not a number of degrees."),
        ("theme", "pink", "Theme: 'pink' is not one of light, dark, night."),
        ("image_cache_mb", 5, "Reference image cache limit: 5 is outside 10 to 100000 (megabytes)."),
        ("ekos_image_dir", "frames", "The Ekos frames folder must be an absolute path"),
        ("telescope_focal_length_mm", -3, "Focal length -3 mm is outside 10–100000 mm; check the unit."),
        ("chart_scale", "H", "Chart scale: 'H' is not one of '', 'A', 'B'"),
    ],
)
def test_a_problem_is_one_sentence_that_names_the_field(name, value, words):
    assert SETTINGS[name].problem(value).startswith(words)


@pytest.mark.parametrize(
    "name, value",
    [("sun_altitude", 12), ("theme", "pink"), ("ekos_image_dir", "frames"), ("observer_code", 7),
     ("image_cache_mb", 5)],
)
def test_the_loader_warns_with_the_sections_own_sentence(name, value):
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(json.dumps({name: value}))
    settings = load_settings()
    assert getattr(settings, name) == SETTINGS[name].default_value()
    (warning,) = settings.warnings
    with pytest.raises(ValueError) as caught:
        SETTINGS[name].checked(value)
    assert warning.startswith(f'"{name}": {str(caught.value).rstrip(".")}')


def test_a_fallback_replaces_a_bad_value_where_the_default_would_mean_something_else():
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(json.dumps({"latitude": 52.0, "longitude": 4.0, "timezone": "Mars/Olympus"}))
    settings = load_settings()
    assert settings.timezone == "" and "the time zone found from the coordinates" in settings.warnings[0]


def test_the_wheel_name_rule_is_one_function():
    assert planner.plan.filters.bad_wheel_name is bad_wheel_name
    assert bad_wheel_name("B;x") and bad_wheel_name("#1") and bad_wheel_name("") is None


def test_a_new_section_is_judged_by_its_declarations(monkeypatch):
    """What a section adds is checked by the loader without touching the loader."""
    def even(value):
        if not isinstance(value, int) or value % 2:
            raise SettingsError(f"{value!r} is not an even number")
        return value

    probe = Section("probe", "Probe", (Setting("extra", default_factory=dict, label="Extra", check=even),),
                    shown_in="nowhere")
    monkeypatch.setitem(config.SETTINGS, "extra", probe["extra"])
    assert probe.problems({"extra": 3}) == {"extra": "Extra: 3 is not an even number."}
    assert Settings.from_json({"extra": 4}).extra == 4
    (warning,) = Settings.from_json({"extra": 3}).warnings
    assert warning.startswith('"extra": 3 is not an even number.')


def test_section_lookup_of_an_unknown_name_says_which_section():
    with pytest.raises(KeyError, match="exports"):
        EXPORTS["latitude"]
