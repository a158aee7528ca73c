"""The night at a glance, above the chart: sunset, dusk, dawn, sunrise, hours of
astronomical darkness and the Moon's phase. Reads a ``planner.sky.Observability``."""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from planner.sky.types import Observability

MISSING = "—"

FIELDS = (
    ("sunset", "Sunset", "The Sun's upper limb sets (standard 0.833° correction)."),
    ("dusk", "Dusk", "Astronomical dusk: the Sun reaches 18° below the horizon."),
    ("dawn", "Dawn", "Astronomical dawn: the Sun rises to 18° below the horizon."),
    ("sunrise", "Sunrise", "The Sun's upper limb rises."),
    ("darkness", "Darkness", "Hours of astronomical darkness (Sun below −18°) tonight."),
    ("moon", "Moon", "The Moon's phase and illuminated fraction at the middle of the night."),
)


def moon_phase_name(illumination: float, waxing: bool) -> str:
    """Common name of the phase from the illuminated fraction (0..1) and its trend."""
    k = float(illumination)
    if k < 0.03:
        return "New Moon"
    if k > 0.97:
        return "Full Moon"
    if 0.47 <= k <= 0.53:
        return "First quarter" if waxing else "Last quarter"
    trend = "Waxing" if waxing else "Waning"
    return f"{trend} {'crescent' if k < 0.5 else 'gibbous'}"


def format_hours(hours: float) -> str:
    minutes = int(round(hours * 60))
    return f"{minutes // 60} h {minutes % 60:02d} min"


class NightSummary(QWidget):
    """One row of labelled values; missing events (no darkness in a northern summer, polar
    night) show a dash with a tooltip saying why."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._obs: Observability | None = None
        self._tz: tzinfo = timezone.utc
        self._tz_label = "UTC"
        self.values: dict[str, QLabel] = {}
        layout = QGridLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setHorizontalSpacing(6)
        for column, (key, title, tip) in enumerate(FIELDS):
            caption = QLabel(f"{title}:")
            caption.setProperty("role", "hint")
            caption.setToolTip(tip)
            value = QLabel(MISSING)
            value.setObjectName(f"summary_{key}")
            value.setToolTip(tip)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(caption, 0, 2 * column)
            layout.addWidget(value, 0, 2 * column + 1)
            self.values[key] = value
        layout.setColumnStretch(2 * len(FIELDS), 1)
        self._refresh()

    def set_observability(self, obs: Observability | None) -> None:
        self._obs = obs
        self._refresh()

    def set_time_zone(self, tz: tzinfo, label: str) -> None:
        self._tz, self._tz_label = tz, label
        self._refresh()

    def text(self) -> dict[str, str]:
        """The values shown, by key (for tests and copying)."""
        return {key: label.text() for key, label in self.values.items()}

    def _time(self, unix: float | None) -> str:
        if unix is None:
            return MISSING
        # to the nearest minute: 19:59:40 is 20:00, not 19:59
        return datetime.fromtimestamp(round(unix / 60.0) * 60.0, tz=self._tz).strftime("%H:%M")

    def _refresh(self) -> None:
        obs = self._obs
        if obs is None:
            for label in self.values.values():
                label.setText(MISSING)
            return
        tw = obs.night.twilight
        shown = {
            "sunset": (tw.sunset, "The Sun does not set tonight."),
            "dusk": (tw.astronomical_dusk, "The Sun does not get 18° below the horizon: no astronomical darkness."),
            "dawn": (tw.astronomical_dawn, "The Sun does not get 18° below the horizon: no astronomical darkness."),
            "sunrise": (tw.sunrise, "The Sun does not rise within this night."),
        }
        for key, (when, why) in shown.items():
            label = self.values[key]
            label.setText(self._time(when) if when is None else f"{self._time(when)} {self._tz_label}")
            tip = dict((k, t) for k, _title, t in FIELDS)[key]
            label.setToolTip(why if when is None else tip)
        self.values["darkness"].setText(format_hours(tw.astronomical_darkness_hours))
        phase = moon_phase_name(obs.moon_illumination, obs.moon_waxing)
        self.values["moon"].setText(f"{phase}, {obs.moon_illumination * 100:.0f}%")
