"""Settings > Telescope: the telescope, the eyepiece (visual) and the camera (imaging), and
how comparison-star charts are made from them (whose field, or an AAVSO scale A-G, and the
orientation VSP draws them in).

A settings page (``planner.ui.settings.page.SettingsPage``, registered in ``planner.ui.settings.PAGES``): ``TelescopePage(settings)``
shows the values, ``errors()`` lists what cannot be saved, ``apply(settings)`` returns the
settings with the page's values. What the numbers give (true field, magnification, pixel
scale, the chart a star would get) is shown as it is typed, computed by
``planner.app.telescope``, the module every other part of the program reads them through.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from planner.app.telescope import (
    CHART_SCALES,
    FIELDS,
    Optics,
    chart_defaults,
    check_value,
)
from planner.config import Settings
from planner.config.telescope import TELESCOPE
from planner.formatting import parse_decimal
from planner.ui.settings.page import SettingsPage

TITLE = "Telescope"
_LABELS = {name: (label, unit) for name, label, unit, _low, _high in FIELDS}
_GROUPS = (
    ("Telescope", ("telescope_aperture_mm", "telescope_focal_length_mm")),
    ("Eyepiece (visual observing)", ("eyepiece_focal_length_mm", "eyepiece_field_deg")),
    ("Camera (imaging)", ("camera_sensor_width_mm", "camera_sensor_height_mm", "camera_pixel_size_um")),
)


class TelescopePage(SettingsPage):
    KEY = "telescope"
    TITLE = TITLE

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(settings, parent)
        self._settings = settings
        layout = QVBoxLayout(self)
        self.edits: dict[str, QLineEdit] = {}
        self.messages: dict[str, QLabel] = {}
        self.derived: dict[str, QLabel] = {}
        for title, names in _GROUPS:
            box = QGroupBox(title)
            # What the numbers give goes under the form, not in a row of it: a word-wrapped
            # label spanning a QFormLayout row got a line less than its text needs at the
            # dialog's default size (the chart sentence's last line was clipped).
            box_layout = QVBoxLayout(box)
            form = QFormLayout()
            box_layout.addLayout(form)
            for name in names:
                label, unit = _LABELS[name]
                value = getattr(settings, name)
                edit = QLineEdit("" if value is None else f"{value:g}")
                edit.setPlaceholderText(TELESCOPE[name].hint)
                edit.setObjectName(f"telescope_{name}")
                edit.textChanged.connect(self._on_changed)
                message = QLabel()
                message.setProperty("role", "error")
                message.setVisible(False)
                row = QVBoxLayout()
                row.setSpacing(1)
                row.addWidget(edit)
                row.addWidget(message)
                form.addRow(f"{label} ({unit})", row)
                self.edits[name] = edit
                self.messages[name] = message
            derived = QLabel()
            derived.setProperty("role", "hint")
            derived.setWordWrap(True)
            box_layout.addWidget(derived)
            self.derived[title] = derived
            layout.addWidget(box)

        charts = QGroupBox("Comparison-star charts (AAVSO VSP)")
        charts_box = QVBoxLayout(charts)
        form = QFormLayout()
        charts_box.addLayout(form)
        mode_row = QHBoxLayout()
        self.mode_group = QButtonGroup(self)
        self.visual_radio = QRadioButton("the eyepiece (visual)")
        self.imaging_radio = QRadioButton("the camera (imaging)")
        for button in (self.visual_radio, self.imaging_radio):
            self.mode_group.addButton(button)
            mode_row.addWidget(button)
        mode_row.addStretch(1)
        (self.imaging_radio if settings.observing_mode == "imaging" else self.visual_radio).setChecked(True)
        self.imaging_radio.toggled.connect(self._on_changed)
        form.addRow("Charts show the field of", mode_row)
        self.scale_combo = QComboBox()
        self.scale_combo.setObjectName("telescopeChartScale")
        self.scale_combo.addItem("the telescope's field (above)", "")
        for scale in CHART_SCALES.values():
            self.scale_combo.addItem(f"{scale.code}: {scale.fov_arcmin:g}′, limit {scale.maglimit:g} — {scale.use}",
                                     scale.code)
        index = self.scale_combo.findData(settings.chart_scale.upper() if settings.chart_scale else "")
        self.scale_combo.setCurrentIndex(max(index, 0))
        self.scale_combo.currentIndexChanged.connect(self._on_changed)
        form.addRow("Chart scale", self.scale_combo)
        orientation = QHBoxLayout()
        self.north_combo = QComboBox()
        for text, value in (("North: VSP's default (up)", ""), ("North up", "up"), ("North down", "down")):
            self.north_combo.addItem(text, value)
        self.east_combo = QComboBox()
        for text, value in (("East: VSP's default", ""), ("East left", "left"), ("East right (mirrored, "
                                                                                     "for a star diagonal)", "right")):
            self.east_combo.addItem(text, value)
        self.north_combo.setCurrentIndex(max(self.north_combo.findData(settings.chart_north), 0))
        self.east_combo.setCurrentIndex(max(self.east_combo.findData(settings.chart_east), 0))
        for combo in (self.north_combo, self.east_combo):
            combo.currentIndexChanged.connect(self._on_changed)
            orientation.addWidget(combo)
        form.addRow("Orientation", orientation)
        self.chart_preview = QLabel()
        self.chart_preview.setObjectName("telescopeChartPreview")
        self.chart_preview.setWordWrap(True)
        charts_box.addWidget(self.chart_preview)
        layout.addWidget(charts)

        self.message = QLabel()
        self.message.setProperty("role", "error")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self._refresh()

    # -- values --------------------------------------------------------------------------

    def values(self) -> dict[str, float | str | None]:
        return {name: parse_decimal(edit.text()) for name, edit in self.edits.items()}

    def _field_errors(self) -> dict[str, str]:
        out = {}
        for name, value in self.values().items():
            if isinstance(value, str):
                out[name] = f"{_LABELS[name][0]} must be a number in {_LABELS[name][1]} (or empty)"
            else:
                out[name] = check_value(name, value)
        return out

    def _candidate(self) -> Settings:
        """The settings with the page's values that are valid (invalid ones left unset)."""
        errors = self._field_errors()
        numbers = {name: (None if errors[name] or isinstance(v, str) else v) for name, v in self.values().items()}
        return dataclasses.replace(
            self._settings,
            **numbers,
            observing_mode="imaging" if self.imaging_radio.isChecked() else "visual",
            chart_scale=self.scale_combo.currentData() or "",
            chart_north=self.north_combo.currentData() or "",
            chart_east=self.east_combo.currentData() or "",
        )

    def errors(self) -> list[str]:
        field_errors = self._field_errors()
        out = [f"{e}." for e in field_errors.values() if e]
        if not out:
            out += [p[:1].upper() + p[1:] + "." for p in Optics.from_settings(self._candidate()).problems()]
        self.message.setText(" ".join(out))
        return out

    def apply(self, settings: Settings) -> Settings:
        candidate = self._candidate()
        return dataclasses.replace(settings, **{name: getattr(candidate, name) for name in (
            *self.edits, "observing_mode", "chart_scale", "chart_north", "chart_east")})

    # -- what they give ------------------------------------------------------------------

    def _on_changed(self, *_args) -> None:
        self._refresh()
        self.changed.emit()

    def _refresh(self) -> None:
        for name, error in self._field_errors().items():
            self.messages[name].setText(error)
            self.messages[name].setVisible(bool(error))
        optics = Optics.from_settings(self._candidate())
        scope = []
        if optics.focal_length_mm and optics.aperture_mm:
            scope.append(f"f/{optics.focal_length_mm / optics.aperture_mm:.1f}")
        if optics.limiting_magnitude() is not None:
            scope.append(f"the eye reaches about magnitude {optics.limiting_magnitude():.1f}")
        self.derived["Telescope"].setText(", ".join(scope))
        eyepiece = optics.eyepiece_field_arcmin()
        self.derived["Eyepiece (visual observing)"].setText(
            f"{optics.magnification:.0f}×, true field {eyepiece:.1f}′" if eyepiece else
            ("" if not optics.magnification else f"{optics.magnification:.0f}× (give the apparent field for the true field)"))
        sensor = optics.sensor_field_arcmin()
        camera = []
        if sensor:
            camera.append(f"field {sensor[0]:.1f}′ × {sensor[1]:.1f}′")
        if optics.pixel_scale():
            camera.append(f"{optics.pixel_scale():.2f}″ per pixel (the plate solver's scale hint)")
        self.derived["Camera (imaging)"].setText(", ".join(camera))
        try:
            defaults = chart_defaults(self._candidate(), faintest=None)
            self.chart_preview.setText(
                f"A chart will be {defaults.fov:g}′ wide: {defaults.field_words}. Its magnitude limit reaches a "
                "magnitude past each star's faintest" + ("." if self.imaging_radio.isChecked() else
                                                          ", at most half a magnitude past what the eye reaches."))
        except ValueError as exc:
            self.chart_preview.setText(str(exc))
