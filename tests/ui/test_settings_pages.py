"""The Settings pages are registered once (planner.ui.settings.PAGES) and the dialog asks the
registry for everything: tabs, checking, applying, saving. A new page is one module and one
entry: the test adds one and sees it take part."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil

from PySide6.QtWidgets import QLineEdit, QVBoxLayout

import planner.ui.settings as package
from planner.config import Settings, load_settings
from planner.ui.settings import PAGES, SettingsPage
from planner.ui.settings.dialog import SettingsDialog


def page_classes_in_the_package() -> set[type]:
    found = set()
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"planner.ui.settings.{info.name}")
        for _name, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, SettingsPage) and obj is not SettingsPage and obj.__module__ == module.__name__:
                found.add(obj)
    return found


def test_every_page_module_is_registered_once_with_its_own_key():
    assert len(PAGES) == len(set(PAGES))
    assert set(PAGES) == page_classes_in_the_package()
    keys = [page.KEY for page in PAGES]
    assert all(keys) and len(keys) == len(set(keys))


def test_the_tabs_are_the_registry_in_order(qtbot):
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == [page.TITLE for page in PAGES]
    assert [type(page) for page in dialog.pages] == list(PAGES)


class ObserverNotesPage(SettingsPage):
    """A page someone adds: one text field kept in ``extra``, refused when it has a tab."""

    KEY = "notes"
    TITLE = "Notes"
    saved: list[str] = []

    def __init__(self, settings, parent=None):
        super().__init__(settings, parent)
        self.edit = QLineEdit(settings.extra.get("notes", ""))
        self.edit.textChanged.connect(lambda _t: self.changed.emit())
        QVBoxLayout(self).addWidget(self.edit)

    def errors(self):
        return ["Notes cannot hold a tab."] if "\t" in self.edit.text() else []

    def apply(self, settings):
        return dataclasses.replace(settings, extra={**settings.extra, "notes": self.edit.text()})

    def after_save(self, tell):
        ObserverNotesPage.saved.append(self.edit.text())
        return True


def test_a_new_page_is_one_class_and_one_entry(qtbot, monkeypatch):
    monkeypatch.setattr(package, "PAGES", (*PAGES, ObserverNotesPage))
    monkeypatch.setattr("planner.ui.settings.dialog.PAGES", package.PAGES)
    dialog = SettingsDialog(Settings(latitude=52.0, longitude=4.0))
    qtbot.addWidget(dialog)
    notes = dialog.page("notes")
    assert dialog.tabs.tabText(dialog.tabs.count() - 1) == "Notes"
    notes.edit.setText("dew\theater")
    assert not dialog.ok_button.isEnabled() and "Notes cannot hold a tab." in dialog.problems.text()
    notes.edit.setText("dew heater")
    assert dialog.ok_button.isEnabled()
    dialog.accept()
    assert load_settings().extra["notes"] == "dew heater" and ObserverNotesPage.saved == ["dew heater"]


def test_the_pages_judge_values_by_the_settings_sections(qtbot):
    """The dialog, the settings loader and the commands ask the same declarations
    (planner.config.<section>): a bad value gets the section's sentence on the page, and
    the page's ranges are the section's."""
    from planner.config.advanced import ADVANCED
    from planner.config.exports import EXPORTS
    from planner.config.site import SITE

    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    site = dialog.page("site")
    site.fields["sun_altitude"].edit.setText("12")
    site.fields["latitude"].edit.setText("95")
    dialog.validate()
    assert site.fields["sun_altitude"].message.text() == SITE["sun_altitude"].problem(12.0) != ""
    assert site.fields["latitude"].message.text() == SITE["latitude"].problem(95.0) != ""
    assert (site.tolerance_spin.minimum(), site.tolerance_spin.maximum()) == (
        SITE["crosscheck_tolerance_s"].low, SITE["crosscheck_tolerance_s"].high)
    advanced = dialog.page("advanced")
    assert (advanced.image_cache_spin.minimum(), advanced.image_cache_spin.maximum()) == (
        ADVANCED["image_cache_mb"].low, ADVANCED["image_cache_mb"].high)
    exports = dialog.page("exports")
    exports.image_dir_edit.setText("frames")
    assert EXPORTS["ekos_image_dir"].problem("frames") in exports.errors()
    assert not dialog.ok_button.isEnabled()
