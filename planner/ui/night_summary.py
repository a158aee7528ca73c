"""The night at a glance, above the chart: sunset, dusk, dawn, sunrise, hours of
astronomical darkness and the Moon's phase. Reads a ``planner.sky.Observability``."""

from __future__ import annotations

from datetime import timezone, tzinfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from planner.formatting import format_clock, moon_phase_name
from planner.sky.types import Observability
from planner.ui.listen import listen

__all__ = ["NightSummary", "format_hours", "moon_phase_name"]

MISSING = "—"
# A zone label longer than this ("America/Argentina/Buenos_Aires" when the zone has no
# abbreviation) is not repeated after every time: the tooltips name it instead.
SHORT_ZONE = 5

FIELDS = (
    ("sunset", "Sunset", "The Sun's upper limb sets (standard 0.833° correction)."),
    ("dusk", "Dusk", "Astronomical dusk: the Sun reaches 18° below the horizon."),
    ("dawn", "Dawn", "Astronomical dawn: the Sun rises to 18° below the horizon."),
    ("sunrise", "Sunrise", "The Sun's upper limb rises."),
    ("darkness", "Darkness", "Hours of astronomical darkness (Sun below −18°) tonight."),
    ("moon", "Moon", "The Moon's phase and illuminated fraction at the middle of the night."),
)
# Two rows of three, read left to right: the evening, then the morning. One row of six
# asked for ~1,100 px and forced the window that wide.
GRID = (
    ("sunset", "dusk", "darkness"),
    ("dawn", "sunrise", "moon"),
)


def format_hours(hours: float) -> str:
    minutes = int(round(hours * 60))
    return f"{minutes // 60} h {minutes % 60:02d} min"


class NightSummary(QWidget):
    """Two rows of labelled values; missing events (no darkness in a northern summer, polar
    night) show a dash with a tooltip saying why."""

    def __init__(self, parent: QWidget | None = None, *, state=None) -> None:
        super().__init__(parent)
        self._obs: Observability | None = None
        self._tz: tzinfo = timezone.utc
        self._tz_label = "UTC"
        self.values: dict[str, QLabel] = {}
        layout = QGridLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setHorizontalSpacing(6)
        layout.setVerticalSpacing(1)
        fields = {key: (title, tip) for key, title, tip in FIELDS}
        for row, keys in enumerate(GRID):
            for column, key in enumerate(keys):
                title, tip = fields[key]
                caption = QLabel(f"{title}:")
                caption.setProperty("role", "hint")
                caption.setToolTip(tip)
                caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if column:
                    caption.setContentsMargins(8, 0, 0, 0)  # air between the pairs
                value = QLabel(MISSING)
                value.setObjectName(f"summary_{key}")
                value.setToolTip(tip)
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                layout.addWidget(caption, row, 2 * column)
                layout.addWidget(value, row, 2 * column + 1)
                self.values[key] = value
        layout.setColumnStretch(2 * len(GRID[0]), 1)
        self._refresh()
        if state is not None:  # the window's night
            listen(self, state.observability_changed, self.set_observability)
            listen(self, state.time_zone_changed,
                   lambda: self.set_time_zone(state.display_tz(), state.tz_label(short=True)))
            self.set_time_zone(state.display_tz(), state.tz_label(short=True))

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
        return format_clock(unix, self._tz, missing=MISSING)  # to the nearest minute

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
        tips = {k: t for k, _title, t in FIELDS}
        short = len(self._tz_label) <= SHORT_ZONE
        for key, (when, why) in shown.items():
            label = self.values[key]
            if when is None:
                label.setText(MISSING)
                label.setToolTip(why)
            else:
                label.setText(f"{self._time(when)} {self._tz_label}" if short else self._time(when))
                label.setToolTip(f"{tips[key]} Time in {self._tz_label}.")
        self.values["darkness"].setText(format_hours(tw.astronomical_darkness_hours))
        phase = moon_phase_name(obs.moon_illumination, obs.moon_waxing)
        self.values["moon"].setText(f"{phase}, {obs.moon_illumination * 100:.0f}%")
