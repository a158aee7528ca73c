"""What the window remembers between runs, apart from the settings: its layout (geometry,
docks, splitter), the table's columns, sort order and filters, and the recent plans.

A ``QSettings`` INI file in the config folder (``window.ini``), so it stays beside
``settings.json`` and the tests' ``PLANNER_CONFIG_DIR`` redirects it too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt

from planner.catalog.target import SECTION_NAMES
from planner.config import config_dir
from planner.ui.targets_model import COLUMN_INDEX

WINDOW_SETTINGS_FILE = "window.ini"
RECENT_PLANS_KEY = "plans/recent"
MAX_RECENT_PLANS = 8
STATE_VERSION = 2  # bump when docks/toolbars change so an old saved layout is not misapplied


def window_settings() -> QSettings:
    """The window's own settings (layout, columns, filters): an INI file in the config folder."""
    folder = config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return QSettings(str(folder / WINDOW_SETTINGS_FILE), QSettings.Format.IniFormat)


def as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("true", "1", "yes")
    return bool(value)


def save_layout(window, s: QSettings) -> None:
    """The window's layout, columns, sort order and filters into ``s``."""
    s.setValue("version", STATE_VERSION)
    s.setValue("geometry", window.saveGeometry())
    s.setValue("windowState", window.saveState(STATE_VERSION))
    s.setValue("splitter", window.splitter.saveState())
    s.setValue("tableHeader", window.table.horizontalHeader().saveState())
    s.setValue("sortColumn", window.model.sort_column)
    s.setValue("sortOrder", 1 if window.model.sort_order == Qt.SortOrder.DescendingOrder else 0)
    s.setValue("filters/sections", sorted(window.proxy.sections or []))
    s.setValue("filters/observable", window.observable_action.isChecked())
    s.setValue("filters/due", window.due_action.isChecked())
    s.setValue("filters/events", window.events_action.isChecked())
    s.sync()


def restore_layout(window, s: QSettings) -> None:
    """What ``save_layout`` kept, when it was saved by this layout version."""
    if int(s.value("version", 0) or 0) != STATE_VERSION:
        return

    def as_bytes(key: str) -> QByteArray | None:
        value = s.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    if (geometry := as_bytes("geometry")) is not None:
        window.restoreGeometry(geometry)
    if (state := as_bytes("windowState")) is not None:
        window.restoreState(state, STATE_VERSION)
    if (splitter := as_bytes("splitter")) is not None:
        window.splitter.restoreState(splitter)
    if (header := as_bytes("tableHeader")) is not None:
        if not window.table.horizontalHeader().restoreState(header):
            window.table.apply_default_columns()
        window.table.setColumnHidden(COLUMN_INDEX["name"], False)
    try:
        column = int(s.value("sortColumn", -1))
        order = Qt.SortOrder.DescendingOrder if int(s.value("sortOrder", 0)) else Qt.SortOrder.AscendingOrder
    except (TypeError, ValueError):
        column, order = -1, Qt.SortOrder.AscendingOrder
    if 0 <= column < window.model.columnCount():
        window.table.sortByColumn(column, order)
    sections = s.value("filters/sections", [])
    if isinstance(sections, str):
        sections = [sections]
    sections = [c for c in (sections or []) if c in SECTION_NAMES]
    window.set_section_filter(sections or None)
    window.observable_action.setChecked(as_bool(s.value("filters/observable", False)))
    window.due_action.setChecked(as_bool(s.value("filters/due", False)))
    window.events_action.setChecked(as_bool(s.value("filters/events", False)))


class RecentPlans:
    """File > Open recent: the plans last opened or saved, newest first."""

    def __init__(self, s: QSettings) -> None:
        self._s = s

    def paths(self) -> list[str]:
        value = self._s.value(RECENT_PLANS_KEY, [])
        if isinstance(value, str):  # QSettings returns a lone string for a one-item list
            value = [value]
        return [str(v) for v in (value or []) if v]

    def remember(self, path) -> None:
        path = str(Path(path).resolve())
        recent = [path] + [p for p in self.paths() if p != path]
        self._s.setValue(RECENT_PLANS_KEY, recent[:MAX_RECENT_PLANS])

    def forget(self, path: str) -> None:
        self._s.setValue(RECENT_PLANS_KEY, [p for p in self.paths() if p != path])

    def clear(self) -> None:
        self._s.setValue(RECENT_PLANS_KEY, [])
