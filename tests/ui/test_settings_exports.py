"""Settings > Exports: the filter-wheel table, the observer and the Ekos frames folder are
edited, checked and saved; the exports then use them."""

from __future__ import annotations

import pytest

from planner.config import Settings, load_settings
from planner.plan.filters import AAVSO_FILTER_CODES, FilterNames
from planner.ui.settings.dialog import SettingsDialog
from planner.ui.settings.exports import NAME_COLUMN


@pytest.fixture
def dialog(qtbot):
    dlg = SettingsDialog(Settings(latitude=52.0, longitude=4.0, filter_names={"CV": "L"}))
    qtbot.addWidget(dlg)
    return dlg


def cell(dialog, code):
    row = [c for c, _ in AAVSO_FILTER_CODES].index(code)
    return dialog.page("exports").table.item(row, NAME_COLUMN)


def test_the_table_shows_every_code_with_its_current_name(dialog):
    titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert "Exports" in titles
    assert dialog.page("exports").table.rowCount() == len(AAVSO_FILTER_CODES)
    assert cell(dialog, "V").text() == "V" and cell(dialog, "CV").text() == "L" and cell(dialog, "Vis").text() == ""
    assert cell(dialog, "All").text() == "V"


def test_names_observer_and_folder_are_saved_and_all_follows_v(dialog):
    page = dialog.page("exports")
    cell(dialog, "V").setText("Johnson V")
    assert cell(dialog, "All").text() == "Johnson V"  # follows until given its own name
    cell(dialog, "Spectroscopy").setText("Grating")
    page.observer_name_edit.setText("  Jane   Observer ")
    page.observer_code_edit.setText("xyz")
    page.image_dir_edit.setText("/home/astro/frames")
    assert dialog.is_valid()
    dialog.accept()
    saved = load_settings()
    assert saved.filter_names == {"V": "Johnson V", "CV": "L", "Spectroscopy": "Grating"}
    assert (saved.observer_name, saved.observer_code, saved.ekos_image_dir) == ("Jane Observer", "XYZ",
                                                                                "/home/astro/frames")
    assert FilterNames.from_settings(saved.filter_names).camera_filters(["All"]).names == ("Johnson V",)


def test_bad_names_and_a_relative_folder_are_refused_next_to_the_table(dialog):
    page = dialog.page("exports")
    cell(dialog, "B").setText("B;blue")
    assert not dialog.ok_button.isEnabled() and "B: a filter name cannot hold" in page.message.text()
    assert "Fix the marked fields" in dialog.problems.text()
    cell(dialog, "B").setText("B")
    page.image_dir_edit.setText("frames")
    assert not dialog.ok_button.isEnabled() and "absolute path" in page.message.text()
    page.image_dir_edit.setText("")
    assert dialog.ok_button.isEnabled() and page.message.text() == ""
