"""Settings > Events: the margins an event's plan block gets are shown, saved, and used by
the block the plan then gets."""

from __future__ import annotations

from planner.config import Settings, event_margins, load_settings
from planner.ui.settings.dialog import SettingsDialog


def test_the_margins_are_shown_saved_and_held_to_their_range(qtbot):
    dialog = SettingsDialog(Settings(latitude=52.0, longitude=4.0, event_margin_before_min=20,
                                     event_margin_after_min=45))
    qtbot.addWidget(dialog)
    assert "Events" in [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    page = dialog.page("events")
    assert (page.before_spin.value(), page.after_spin.value()) == (20, 45)
    page.before_spin.setValue(15)
    page.after_spin.setValue(100_000)  # a spin box keeps its range: 12 h at most
    assert page.after_spin.value() == 12 * 60
    assert dialog.is_valid() and page.errors() == []
    dialog.accept()
    saved = load_settings()
    assert (saved.event_margin_before_min, saved.event_margin_after_min) == (15.0, 720.0)
    assert event_margins(saved) == (15 * 60.0, 12 * 3600.0)


def test_a_bad_margin_in_the_settings_file_shows_as_the_default(qtbot):
    dialog = SettingsDialog(Settings(event_margin_before_min=float("nan"), event_margin_after_min=-3))
    qtbot.addWidget(dialog)
    page = dialog.page("events")
    assert (page.before_spin.value(), page.after_spin.value()) == (30, 0)
