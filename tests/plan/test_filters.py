"""AAVSO filter codes -> the observer's filter-wheel names."""

from __future__ import annotations

from planner.config import Settings
from planner.plan.filters import DEFAULT_WHEEL_NAMES, FilterNames, bad_wheel_name


def test_defaults_keep_bands_drop_visual_and_image_unfiltered_through_clear():
    names = FilterNames.from_settings({})
    assert names.camera_filters(["V", "B"]).names == ("V", "B")
    assert names.camera_filters([]).names == ("Clear",)  # no filter asked: the unfiltered slot
    visual = names.camera_filters(["Vis"])
    assert not visual.usable and visual.dropped == ("Vis",)
    assert "visual only (Vis" in names.left_out_reason(visual)
    spectra = names.camera_filters(["Spectroscopy"])
    assert not spectra.usable and "no camera filter" in names.left_out_reason(spectra)
    assert names.camera_filters(["V", "vis", "All"]).names == ("V",)  # repeats folded, case of modes ignored


def test_the_users_names_win_and_all_follows_v_unless_set():
    names = FilterNames.from_settings({"V": "Johnson-V", "Vis": "", "Spectroscopy": "Grating"})
    assert names.camera_filters(["All"]).names == ("Johnson-V",)
    assert names.camera_filters(["Spectroscopy"]).names == ("Grating",)
    assert names.changed() == {"V": "Johnson-V", "Spectroscopy": "Grating"}
    own = FilterNames.from_settings({"V": "Johnson-V", "All": "L"})
    assert own.camera_filters(["All"]).names == ("L",) and own.changed() == {"V": "Johnson-V", "All": "L"}
    assert names.camera_filters(["Ha", "i"]).names == ("Ha", "i")  # the user's own names pass through


def test_a_hand_edited_settings_file_cannot_break_the_exports():
    names = FilterNames.from_settings({"V": 5, "B": "B;x", "R": "R,G", "Nope": "X", 3: "Y", "I": "  Ic  "})
    assert names.names["V"] == "V" and names.names["B"] == "B" and names.names["R"] == "R"
    assert names.names["I"] == "Ic" and "Nope" not in names.names
    assert FilterNames.from_settings("not a table").names == {**DEFAULT_WHEEL_NAMES}
    assert bad_wheel_name("B;x") and bad_wheel_name("#1") and bad_wheel_name("") is None


def test_settings_round_trip_keeps_the_table():
    settings = Settings.from_json(Settings(filter_names={"V": "Green"}, observer_code="XYZ").to_json())
    assert FilterNames.from_settings(settings.filter_names).wheel_name("V") == "Green"
    assert settings.observer_code == "XYZ"
