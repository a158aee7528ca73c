"""Settings > Site: where the telescope is (name, latitude, longitude, elevation), its
altitude limit and the Sun's altitude that ends dusk, the time zone found from the
coordinates (looked up in a worker as they are typed), and the cross-check's tolerance.

Labels, hints, ranges and the check of each value are the "site" settings section's
(``planner.config.site.SITE``), so the page, the settings loader and ``planner site set``
agree on what a valid site is; every bad field gets its message at once. Latitude and
longitude take decimal degrees (with a decimal comma too) or sexagesimal forms with a
hemisphere.
"""

from __future__ import annotations

import dataclasses
import math
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDoubleSpinBox, QFormLayout, QLabel, QLineEdit, QWidget

from planner.config import Settings
from planner.config.site import SITE
from planner.limits import SITE_LIMITS
from planner.sky.site import timezone_at
from planner.ui.settings.page import Field, SettingsPage
from planner.ui.workers import LatestRunner

TZ_DEBOUNCE_MS = 300

# The site's numbers, in the page's order (attributes of Settings and Site).
SITE_NUMBERS = ("latitude", "longitude", "elevation", "target_altitude", "sun_altitude")
SITE_UNITS = {key: SITE_LIMITS[key].unit for key in SITE_NUMBERS}  # in words: "degrees"

_SEXAGESIMAL = re.compile(r"^([+-]?)\s*(\d+(?:\.\d+)?)(?:\s+(\d+(?:\.\d+)?))?(?:\s+(\d+(?:\.\d+)?))?\s*([NSEW]?)$")
_ANGLE_MARKS = str.maketrans({"°": " ", "d": " ", "'": " ", "′": " ", '"': " ", "″": " ", ":": " ", "m": " ", "s": " "})


def parse_number(text: str, *, angle: bool = False) -> float | str:
    """A float from a field's text, or the text itself when it is not a number.

    Accepts a decimal comma ("52,5") and, for angles, sexagesimal forms with an optional
    hemisphere ("52:30:00", "52°30'", "4 30 W"). The caller passes a non-number on to
    ``Site`` so that the message is the one the rest of the program uses.
    """
    raw = text.strip()
    candidate = raw.replace(",", ".") if raw.count(",") == 1 and "." not in raw else raw
    try:
        return float(candidate)
    except ValueError:
        pass
    if angle:
        upper = candidate.strip().upper()
        hemisphere = upper[-1] if upper[-1:] in ("N", "S", "E", "W") else ""
        body = upper[:-1] if hemisphere else upper
        m = _SEXAGESIMAL.match(" ".join(body.lower().translate(_ANGLE_MARKS).split()) + hemisphere)
        if m and (m.group(3) or m.group(5) or body != candidate):
            sign, d, mi, s, hemi = m.groups()
            value = float(d) + float(mi or 0) / 60.0 + float(s or 0) / 3600.0
            if (mi and float(mi) >= 60) or (s and float(s) >= 60):
                return raw
            if sign == "-" or hemi.upper() in ("S", "W"):
                value = -value
            return value
    return raw


def describe_offset(tzname: str, when: datetime | None = None) -> str:
    try:
        zone = ZoneInfo(tzname)
    except Exception:  # noqa: BLE001
        return tzname
    now = when or datetime.now(tz=zone)
    offset = now.astimezone(zone).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "−"
    return f"{tzname} (UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d} now)"


class SitePage(SettingsPage):
    KEY = "site"
    TITLE = "Site"

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(settings, parent)
        self.fields: dict[str, Field] = {}
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.name_edit = QLineEdit(settings.site_name)
        self.name_edit.setPlaceholderText(SITE["site_name"].hint)
        form.addRow(SITE["site_name"].label, self.name_edit)

        self._tz_timer = QTimer(self)
        self._tz_timer.setSingleShot(True)
        self._tz_timer.setInterval(TZ_DEBOUNCE_MS)
        self._tz_timer.timeout.connect(self.lookup_timezone)
        for key in SITE_NUMBERS:
            declared = SITE[key]
            edit = QLineEdit(f"{getattr(settings, key):g}")
            edit.setObjectName(key)
            edit.setPlaceholderText(declared.hint)
            edit.setToolTip(declared.hint)
            field = Field(edit)
            self.fields[key] = field
            edit.textChanged.connect(lambda _t: self.changed.emit())
            if key in ("latitude", "longitude"):
                edit.textChanged.connect(lambda _t: self._tz_timer.start())
            form.addRow(f"{declared.label} ({declared.unit})", field.with_message())
            if key == "elevation":
                self.timezone_label = QLabel("…")
                self.timezone_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                self.timezone_label.setToolTip("Found from the coordinates; times are shown in this zone")
                form.addRow("Time zone", self.timezone_label)
        tolerance = SITE["crosscheck_tolerance_s"]
        self.tolerance_spin = QDoubleSpinBox()
        self.tolerance_spin.setRange(tolerance.low, tolerance.high)
        self.tolerance_spin.setDecimals(0)
        self.tolerance_spin.setSuffix(f" {tolerance.unit}")
        self.tolerance_spin.setValue(float(settings.crosscheck_tolerance_s))
        self.tolerance_spin.setToolTip(tolerance.hint)
        form.addRow(tolerance.label, self.tolerance_spin)

        self._tz_runner = LatestRunner("timezone", self)
        self._tz_runner.finished.connect(self._on_timezone)
        self._tz_runner.failed.connect(lambda _g, exc: self.timezone_label.setText(f"unknown ({exc})"))
        self.errors()  # the fields' messages before the first lookup reads them
        self.lookup_timezone()

    # -- checking ------------------------------------------------------------------------

    def values(self) -> dict[str, float | str]:
        return {
            key: parse_number(self.fields[key].edit.text(), angle=key in ("latitude", "longitude"))
            for key in SITE_NUMBERS
        }

    def errors(self) -> list[str]:
        values = self.values()
        for key in SITE_NUMBERS:
            value = values[key]
            declared = SITE[key]
            if isinstance(value, str) and not value:
                error = f"{declared.label} is needed."
            elif isinstance(value, str):  # not a number: said the way the site's own check says it
                error = f"{declared.label} must be a number of {SITE_UNITS[key]}, not {value!r}."
            else:
                error = declared.problem(value)  # the section's check: the loader's and the commands' too
            self.fields[key].set_error(error)
        return [f.error for f in self.fields.values() if f.error]

    def apply(self, settings: Settings) -> Settings:
        values = self.values()
        where = (float(values["latitude"]), float(values["longitude"]))
        return dataclasses.replace(
            settings,
            site_name=self.name_edit.text().strip(),
            latitude=where[0],
            longitude=where[1],
            elevation=float(values["elevation"]),
            target_altitude=float(values["target_altitude"]),
            sun_altitude=float(values["sun_altitude"]),
            timezone=self.original.timezone if self._keeps_timezone_override(where) else "",
            crosscheck_tolerance_s=float(self.tolerance_spin.value()),
        )

    def stop(self) -> None:
        self._tz_timer.stop()
        self._tz_runner.cancel()

    # -- time zone -----------------------------------------------------------------------

    def _coordinates(self) -> tuple[float, float] | None:
        values = self.values()
        lat, lon = values["latitude"], values["longitude"]
        if isinstance(lat, float) and isinstance(lon, float) and not self.fields["latitude"].error \
                and not self.fields["longitude"].error:
            return lat, lon
        return None

    def lookup_timezone(self) -> None:
        where = self._coordinates()
        if where is None:
            self.timezone_label.setText("— (needs a valid latitude and longitude)")
            return
        if self._keeps_timezone_override(where):
            self.timezone_label.setText(describe_offset(self.original.timezone) + " — set in the settings file")
            return
        self.timezone_label.setText("looking up…")
        self._tz_runner.submit(timezone_at, *where)

    def _on_timezone(self, _generation: int, name: str) -> None:
        if self._coordinates() is not None:
            self.timezone_label.setText(describe_offset(name))

    def _keeps_timezone_override(self, where: tuple[float, float]) -> bool:
        o = self.original
        return bool(o.timezone) and math.isclose(where[0], o.latitude) and math.isclose(where[1], o.longitude)
