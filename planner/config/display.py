"""Settings section "display": the window's look and its clock (View menu)."""

from __future__ import annotations

from planner.config.section import Section, Setting, choice, flag

THEMES = ("light", "dark", "night")

DISPLAY = Section("display", "Display", (
    Setting("theme", "light", label="Theme", check=choice(THEMES)),
    Setting("show_utc", False, label="Times in UTC", check=flag),
), shown_in="view menu")
