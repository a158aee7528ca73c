"""Settings > Telescope: the values are checked as typed with the field named, what they
give is shown, and OK saves them for the charts and the plate solver."""

from __future__ import annotations

import pytest

from planner.app.telescope import field_of_view, pixel_scale
from planner.config import Settings, load_settings
from planner.ui.settings.dialog import SettingsDialog


@pytest.fixture
def dialog(qtbot):
    dlg = SettingsDialog(Settings(latitude=52.0, longitude=4.0, telescope_focal_length_mm=1200.0))
    qtbot.addWidget(dlg)
    return dlg


def test_the_page_is_registered_and_shows_the_stored_values(dialog):
    titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert titles[:3] == ["Site", "Telescope", "Exports"]
    page = dialog.page("telescope")
    assert page.edits["telescope_focal_length_mm"].text() == "1200"
    assert page.edits["telescope_aperture_mm"].text() == "" and page.visual_radio.isChecked()


def test_typing_shows_what_the_optics_give_and_ok_saves_them(dialog):
    page = dialog.page("telescope")
    page.edits["telescope_aperture_mm"].setText("200")
    page.edits["eyepiece_focal_length_mm"].setText("25")
    page.edits["eyepiece_field_deg"].setText("52")
    page.edits["camera_sensor_width_mm"].setText("17,7")  # a decimal comma is fine
    page.edits["camera_pixel_size_um"].setText("3.76")
    assert "48×, true field 65.0′" in page.derived["Eyepiece (visual observing)"].text()
    assert "f/6.0" in page.derived["Telescope"].text()
    assert "0.65″ per pixel" in page.derived["Camera (imaging)"].text()
    assert "65′ wide" in page.chart_preview.text()
    page.scale_combo.setCurrentIndex(page.scale_combo.findData("E"))
    assert "30′ wide" in page.chart_preview.text()
    page.east_combo.setCurrentIndex(page.east_combo.findData("right"))
    assert dialog.is_valid()
    dialog.accept()
    saved = load_settings()
    assert (saved.telescope_aperture_mm, saved.camera_sensor_width_mm, saved.chart_scale, saved.chart_east) == (
        200.0, 17.7, "E", "right")
    assert field_of_view(saved).width_arcmin == pytest.approx(65.0)
    assert pixel_scale(saved) == pytest.approx(0.6463, abs=1e-3)


def test_bad_values_are_refused_next_to_their_field(dialog):
    page = dialog.page("telescope")
    page.edits["telescope_focal_length_mm"].setText("long")
    assert not dialog.ok_button.isEnabled()
    assert "Focal length must be a number in mm" in page.messages["telescope_focal_length_mm"].text()
    page.edits["telescope_focal_length_mm"].setText("1200")
    page.edits["camera_pixel_size_um"].setText("3760")  # nanometres typed as micrometres
    assert "outside 0.5–50 µm; check the unit" in page.message.text()
    assert "Fix the marked fields" in dialog.problems.text()
    page.edits["camera_pixel_size_um"].setText("")
    page.edits["eyepiece_focal_length_mm"].setText("1500")
    assert "1500 mm is outside" in page.message.text()
    page.edits["eyepiece_focal_length_mm"].setText("")
    page.edits["telescope_aperture_mm"].setText("2000")  # f/0.6
    assert "focal ratio" in page.message.text() and not dialog.ok_button.isEnabled()
    page.edits["telescope_aperture_mm"].setText("")
    assert dialog.ok_button.isEnabled() and page.message.text() == ""


def test_imaging_mode_and_clearing_a_value_are_saved(qtbot):
    dlg = SettingsDialog(Settings(telescope_focal_length_mm=530.0, camera_sensor_width_mm=17.7,
                                  camera_sensor_height_mm=13.4, eyepiece_focal_length_mm=20.0))
    qtbot.addWidget(dlg)
    page = dlg.page("telescope")
    page.imaging_radio.setChecked(True)
    page.edits["eyepiece_focal_length_mm"].setText("")
    dlg.accept()
    saved = load_settings()
    assert saved.observing_mode == "imaging" and saved.eyepiece_focal_length_mm is None
    assert field_of_view(saved).source == "sensor"


def test_every_sentence_on_the_page_is_whole_at_the_dialogs_default_size(qtbot):
    """Before: at the default size the chart sentence (two lines) got one line's height in
    its form row, and its second line was cut off."""
    from PySide6.QtWidgets import QLabel

    dlg = SettingsDialog(Settings(latitude=52.0, longitude=4.0, telescope_aperture_mm=200.0,
                                  telescope_focal_length_mm=1200.0, eyepiece_focal_length_mm=25.0,
                                  eyepiece_field_deg=52.0, camera_sensor_width_mm=17.7,
                                  camera_sensor_height_mm=13.4, camera_pixel_size_um=3.76))
    qtbot.addWidget(dlg)
    page = dlg.page("telescope")
    dlg.tabs.setCurrentIndex(dlg.pages.index(page))
    dlg.show()
    qtbot.waitExposed(dlg)
    preview = page.chart_preview
    assert "A chart will be 65′ wide" in preview.text()
    wrapped = [label for label in page.findChildren(QLabel) if label.wordWrap() and label.text() and label.isVisible()]
    assert preview in wrapped and len(wrapped) >= 4
    qtbot.waitUntil(lambda: preview.height() > preview.fontMetrics().height(), timeout=60000)
    for label in wrapped:
        needed = label.heightForWidth(label.width())
        assert label.height() >= needed, f"{label.text()[:40]!r}: {label.height()} px of the {needed} it needs"
        assert label.visibleRegion().boundingRect() == label.rect(), f"{label.text()[:40]!r} is partly hidden"
