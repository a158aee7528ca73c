"""The main window's night, site, time zone, settings and theme: the date in the toolbar,
the site button, following a new site (recompute, refetch an AAVSO list asked for the old
one), the Settings dialog and the theme. A mixin of ``planner.ui.main_window.MainWindow``;
the values themselves live in ``NightState``.
"""

from __future__ import annotations

import datetime as _dt

from PySide6.QtCore import QDate, QSignalBlocker
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QDialog

from planner.app import targets as target_lists
from planner.config import Settings, SettingsError, save_settings
from planner.ui.night_filter import apply_night_filter
from planner.ui.settings.dialog import SettingsDialog
from planner.ui.themes import THEME_NAMES, apply_theme


class WindowNight:
    """The night, the site, the settings and the theme as the window shows them (mixed into MainWindow)."""

    # == night, site, time zone ================================================================

    def tonight_date(self) -> _dt.date:
        """Evening date of tonight: the night in progress, or the coming one (``planner.app.tonight``)."""
        return self.night_state.tonight().date

    def night_date(self) -> _dt.date:
        return self.night_state.shown_date()

    def set_night_date(self, date: _dt.date | None) -> None:
        """Show the night starting on the evening of ``date`` (None or tonight's date: tonight)."""
        self.night_state.set_night_date(date)

    def _on_night_changed(self, _date) -> None:
        self._sync_date_edit()
        self.recompute()

    def shift_night(self, days: int) -> None:
        self.set_night_date(self.night_date() + _dt.timedelta(days=days))

    def go_tonight(self) -> None:
        self.set_night_date(None)

    def _sync_date_edit(self) -> None:
        d = self.night_date()
        with QSignalBlocker(self.date_edit):
            self.date_edit.setDate(QDate(d.year, d.month, d.day))
        self.tonight_action.setEnabled(self.night_state.night_date is not None)
        self.date_edit.setToolTip(f"The night starting on the evening of this date ({self.night_state.describe_night()})")

    def _on_date_edited(self, qdate: QDate) -> None:
        self.set_night_date(_dt.date(qdate.year(), qdate.month(), qdate.day()))

    def display_tz(self):
        return self.night_state.display_tz()

    def _on_utc_toggled(self, on: bool) -> None:
        self.night_state.set_show_utc(on)
        self._save_settings_quietly()

    def _update_site_label(self) -> None:
        name = self.site.label
        short = name if len(name) <= 28 else name[:27] + "…"
        self.site_button.setText(f"Site: {short}")
        horizon = f"\nHorizon mask: {self.site.horizon.describe()}" if self.site.horizon is not None else ""
        self.site_button.setToolTip(f"{self.site.describe()}\nTime zone {self.site.timezone}; "
                                    f"altitude limit {self.site.target_altitude:g}°{horizon}\n"
                                    "Click to change it in Settings.")

    def _on_site_changed(self, _site) -> None:
        self._update_site_label()
        self._sync_date_edit()
        self.recompute()
        self._follow_site()

    def _follow_site(self) -> None:
        """After a site or limits change (Settings, an Arcsecond import), an AAVSO list
        fetched for the old site is fetched again for the new one, or marked stale without a
        key; its cross-check is withdrawn until the new answers are compared."""
        if not self.night_state.list_is_stale():
            return
        self.night_state.set_crosscheck(None)
        self._update_source_label()
        if target_lists.aavso_key():
            self.show_message(f"The site changed: fetching the AAVSO list for {self.site.label}…")
            self.refresh_from_aavso(quiet=True)

    def apply_settings(self, settings: Settings) -> None:
        """New settings from the dialog: site, limits, theme and time display follow."""
        problem = self.night_state.apply_settings(settings)
        if problem:
            self.show_message(problem, error=True, key="site")
        else:
            self.messages.clear("site")

    def _on_settings_changed(self, settings: Settings) -> None:
        self.apply_theme(settings.theme, save=False)
        with QSignalBlocker(self.utc_action):
            self.utc_action.setChecked(bool(settings.show_utc))
        self.night_state.time_zone_changed.emit()
        if self._moon_used is not None and settings.moon() != self._moon_used:
            self.recompute()  # the night is judged against the Moon again (a new site recomputes anyway)

    def open_settings(self) -> None:
        dialog = SettingsDialog(self.settings, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.apply_settings(dialog.result_settings())

    def _save_settings_quietly(self) -> None:
        try:
            save_settings(self.settings)
        except (OSError, SettingsError) as exc:
            self.show_message(f"Settings could not be saved ({exc}).", error=True, key="settings-save")
        else:
            self.messages.clear("settings-save")

    # == theme =================================================================================

    def apply_theme(self, name: str, *, save: bool = True):
        if name not in THEME_NAMES:
            name = "light"
        app = QApplication.instance()
        theme = apply_theme(app, name)
        self._theme = theme
        self.theme_actions[name].setChecked(True)
        self._apply_icons(theme)
        self.model.set_accent_colors(QColor(theme.error), QColor(theme.now))
        self.chart.set_theme(theme)
        apply_night_filter(self, theme.name == "night")  # pictures too: no white light at night
        if save and self.settings.theme != name:
            self.settings.theme = name
            self._save_settings_quietly()
        return theme


