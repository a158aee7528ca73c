"""Settings > Horizon, Moon & mount: the horizon mask (imported from a file or typed as a few
points, with a picture of it), the Moon avoidance, the mount's meridian flip and reach, and
how many nights the Outlook shows.

A settings page (``planner.ui.settings.page``, KEY "sky"): ``SkyPage(settings)`` shows the
values, ``errors()`` lists what cannot be saved, ``apply(settings)`` returns the settings with
the page's values; the dialog tells it the altitude limit typed on the Site page
(``set_altitude_limit``) so the picture shows the effective limit. A horizon file that cannot be read is refused with its line and reason and
the mask in force stays; typed points that do not make a horizon keep OK disabled.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from planner.config import Settings
from planner.limits import OUTLOOK_MAX_NIGHTS
from planner.sky.horizon import (
    FORMAT_LABELS,
    HorizonError,
    HorizonMask,
    format_typed_points,
    parse_typed_points,
    read_horizon,
)
from planner.sky.moon import SYNODIC_MONTH_DAYS, MoonAvoidance, lorentzian_separation
from planner.sky.mount import Mount
from planner.ui.settings.page import SettingsPage
from planner.ui.themes import current_theme

FILE_FILTER = ";;".join([
    "Horizon files (*.hrz *.hpts *.ini *.zip *.csv *.txt)",
    f"{FORMAT_LABELS['nina']} (*.hrz)",
    f"{FORMAT_LABELS['mw4']} (*.hpts)",
    "Stellarium landscape (landscape.ini *.zip)",
    f"{FORMAT_LABELS['csv']} (*.csv)",
    f"{FORMAT_LABELS['text']} (*.txt)",
    "All files (*)",
])


class HorizonPreview(QWidget):
    """The mask as a silhouette: altitude 0-90 against azimuth 0-360 (N, E, S, W), with the
    altitude limit as a dashed line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mask: HorizonMask | None = None
        self.limit = 20.0
        self.setMinimumHeight(110)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(420, 120)

    def set_mask(self, mask: HorizonMask | None, limit: float) -> None:
        self.mask, self.limit = mask, float(limit)
        self.update()

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(palette.ColorRole.WindowText)
        base = palette.color(palette.ColorRole.Base)
        rect = QRectF(self.rect()).adjusted(28, 6, -6, -18)
        painter.fillRect(rect, base)
        painter.setPen(QPen(text, 1))
        painter.drawRect(rect)

        def point(az: float, alt: float) -> QPointF:
            return QPointF(rect.left() + az / 360.0 * rect.width(), rect.bottom() - max(alt, 0.0) / 90.0 * rect.height())

        font = painter.font()
        font.setPointSizeF(max(6.5, font.pointSizeF() * 0.8))
        painter.setFont(font)
        for az, name in ((0, "N"), (90, "E"), (180, "S"), (270, "W"), (360, "N")):
            x = point(az, 0).x()
            painter.drawText(QRectF(x - 10, rect.bottom() + 1, 20, 16), Qt.AlignmentFlag.AlignCenter, name)
        for alt in (0, 30, 60, 90):
            y = point(0, alt).y()
            painter.drawText(QRectF(0, y - 8, 24, 16), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             f"{alt}°")
        if self.mask is not None:
            az = [a / 2.0 for a in range(0, 721)]
            alt = self.mask.altitude_at(az)
            polygon = QPolygonF([point(a, h) for a, h in zip(az, alt)])
            path = QPainterPath(point(0, 0))
            for vertex in polygon:
                path.lineTo(vertex)
            path.lineTo(point(360, 0))
            path.closeSubpath()
            ground = QColor(text)
            ground.setAlpha(90)
            painter.fillPath(path, ground)
            painter.setPen(QPen(text, 1.4))
            painter.drawPolyline(polygon)
        limit_pen = QPen(QColor(current_theme().limit), 1.2, Qt.PenStyle.DashLine)  # the chart's limit line
        painter.setPen(limit_pen)
        y = point(0, self.limit).y()
        painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
        painter.end()


class SkyPage(SettingsPage):
    KEY = "sky"
    TITLE = "Horizon, Moon && mount"
    SCROLLS = True

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(settings, parent)
        layout = QVBoxLayout(self)
        self._limit = float(settings.target_altitude)
        try:
            self.mask: HorizonMask | None = settings.horizon_mask()
        except ValueError:
            self.mask = None

        horizon = QGroupBox("Horizon mask")
        h_layout = QVBoxLayout(horizon)
        hint = QLabel("Targets must clear the higher of your horizon at their azimuth and the altitude limit "
                      "(the dashed line): in rise and set, hours, the Observable filter, the scheduler and the chart.")
        hint.setWordWrap(True)
        h_layout.addWidget(hint)
        self.preview = HorizonPreview()
        h_layout.addWidget(self.preview)
        self.status = QLabel()
        self.status.setWordWrap(True)
        h_layout.addWidget(self.status)
        buttons = QHBoxLayout()
        self.import_button = QPushButton("Import horizon file…")
        self.import_button.setToolTip("N.I.N.A. .hrz, MountWizzard4 .hpts, a Stellarium landscape.ini or landscape "
                                      ".zip, CSV, or a Cartes du Ciel text horizon")
        self.import_button.clicked.connect(self._choose_file)
        self.clear_button = QPushButton("No mask")
        self.clear_button.clicked.connect(self.clear_mask)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        h_layout.addLayout(buttons)
        typed = QFormLayout()
        self.points_edit = QLineEdit(format_typed_points(self.mask))
        self.points_edit.setPlaceholderText("azimuth altitude pairs, e.g. 0 15, 90 25, 180 10, 270 30")
        self.points_edit.setToolTip("Type a few 'azimuth altitude' points (degrees) separated by commas; "
                                    "between them the horizon is interpolated, joined across north.")
        self.points_edit.textEdited.connect(self._on_points_typed)
        typed.addRow("Points", self.points_edit)
        h_layout.addLayout(typed)
        self.horizon_message = QLabel()
        self.horizon_message.setProperty("role", "error")
        self.horizon_message.setWordWrap(True)
        h_layout.addWidget(self.horizon_message)
        layout.addWidget(horizon)

        moon_box = QGroupBox("Moon avoidance (N.I.N.A. Target Scheduler's Lorentzian)")
        m_form = QFormLayout(moon_box)
        moon = _safe(settings.moon, MoonAvoidance())
        self.moon_check = QCheckBox("Keep targets away from the Moon while it is up")
        self.moon_check.setChecked(moon.enabled)
        self.distance_spin = QDoubleSpinBox()
        self.distance_spin.setRange(0.0, 180.0)
        self.distance_spin.setDecimals(0)
        self.distance_spin.setSuffix("° at full Moon")
        self.distance_spin.setValue(moon.distance)
        self.width_spin = QDoubleSpinBox()
        self.width_spin.setRange(0.1, 30.0)
        self.width_spin.setDecimals(1)
        self.width_spin.setSuffix(" days")
        self.width_spin.setValue(moon.width)
        self.width_spin.setToolTip("Days either side of full Moon over which the separation asked falls to half.")
        self.moon_caption = QLabel()
        self.moon_caption.setWordWrap(True)
        m_form.addRow(self.moon_check)
        m_form.addRow("Distance", self.distance_spin)
        m_form.addRow("Width", self.width_spin)
        m_form.addRow(self.moon_caption)
        layout.addWidget(moon_box)

        mount_box = QGroupBox("Mount")
        t_form = QFormLayout(mount_box)
        mount = _safe(settings.mount_model, Mount())
        self.german_check = QCheckBox("German equatorial: flips at the meridian")
        self.german_check.setChecked(mount.german)
        self.flip_spin = QDoubleSpinBox()
        self.flip_spin.setRange(0.0, 120.0)
        self.flip_spin.setDecimals(0)
        self.flip_spin.setSuffix(" min past the meridian")
        self.flip_spin.setValue(mount.flip_minutes)
        self.flip_spin.setToolTip("How long the mount tracks past the meridian before it must flip.")
        self.policy_combo = QComboBox()
        self.policy_combo.addItem("Keep blocks out of the flip window", "avoid")
        self.policy_combo.addItem("Schedule them and mark the flip", "mark")
        self.policy_combo.setCurrentIndex(max(0, self.policy_combo.findData(mount.flip_policy)))
        self.east_spin = QDoubleSpinBox()
        self.east_spin.setRange(-12.0, 0.0)
        self.east_spin.setDecimals(1)
        self.east_spin.setSuffix(" h (east)")
        self.east_spin.setValue(mount.east_limit_hours)
        self.west_spin = QDoubleSpinBox()
        self.west_spin.setRange(0.0, 12.0)
        self.west_spin.setDecimals(1)
        self.west_spin.setSuffix(" h (west)")
        self.west_spin.setValue(mount.west_limit_hours)
        ha = QHBoxLayout()
        ha.addWidget(self.east_spin)
        ha.addWidget(QLabel("to"))
        ha.addWidget(self.west_spin)
        ha.addStretch(1)
        t_form.addRow(self.german_check)
        t_form.addRow("Flip", self.flip_spin)
        t_form.addRow("Blocks crossing it", self.policy_combo)
        t_form.addRow("Hour angle reach", ha)
        layout.addWidget(mount_box)

        outlook_box = QGroupBox("Outlook")
        o_form = QFormLayout(outlook_box)
        self.nights_spin = QSpinBox()
        self.nights_spin.setRange(1, OUTLOOK_MAX_NIGHTS)
        self.nights_spin.setSuffix(" nights")
        self.nights_spin.setValue(int(settings.outlook_nights))
        o_form.addRow("The nights ahead", self.nights_spin)
        layout.addWidget(outlook_box)
        layout.addStretch(1)

        self._typed_error = ""
        for spin in (self.distance_spin, self.width_spin, self.flip_spin, self.east_spin, self.west_spin,
                     self.nights_spin):
            spin.valueChanged.connect(self._on_change)
        for check in (self.moon_check, self.german_check):
            check.toggled.connect(self._on_change)
        self.policy_combo.currentIndexChanged.connect(self._on_change)
        self._show_mask()
        self._on_change()

    # -- the horizon ---------------------------------------------------------------------

    def set_altitude_limit(self, limit: float) -> None:
        """The site page's altitude limit, for the picture."""
        self._limit = float(limit)
        self.preview.set_mask(self.mask, self._limit)

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a horizon", str(Path.home()), FILE_FILTER)
        if path:
            self.import_file(path)

    def import_file(self, path: str | Path) -> bool:
        """Read a horizon file; on failure say why (file, line, reason) and keep the mask."""
        try:
            mask = read_horizon(path)
        except HorizonError as exc:
            self.horizon_message.setText(f"{exc} The horizon mask was not changed.")
            return False
        self.mask = mask
        self._typed_error = ""
        self.points_edit.setText(format_typed_points(mask) if len(mask.points) <= 40 else "")
        self.horizon_message.setText("")
        self._show_mask()
        self.changed.emit()
        return True

    def clear_mask(self) -> None:
        self.mask = None
        self._typed_error = ""
        self.points_edit.setText("")
        self.horizon_message.setText("")
        self._show_mask()
        self.changed.emit()

    def _on_points_typed(self, text: str) -> None:
        if not text.strip():
            self.clear_mask()
            return
        try:
            self.mask = parse_typed_points(text)
            self._typed_error = ""
            self.horizon_message.setText("")
        except HorizonError as exc:
            self._typed_error = str(exc)
            self.horizon_message.setText(str(exc))
        self._show_mask()
        self.changed.emit()

    def _show_mask(self) -> None:
        if self.mask is None:
            self.status.setText("No horizon mask: the altitude limit alone, all round the sky.")
        else:
            self.status.setText(f"Horizon mask: {self.mask.describe()}.")
        self.preview.set_mask(self.mask, self._limit)

    # -- the rest ------------------------------------------------------------------------

    def _on_change(self, *_args) -> None:
        on = self.moon_check.isChecked()
        for widget in (self.distance_spin, self.width_spin):
            widget.setEnabled(on)
        if on:
            full = self.distance_spin.value()
            new = float(lorentzian_separation(0.0, full, self.width_spin.value()))
            quarter = float(lorentzian_separation(SYNODIC_MONTH_DAYS / 4, full, self.width_spin.value()))
            self.moon_caption.setText(f"Asks {full:.0f}° at full Moon, {quarter:.0f}° at quarter Moon, {new:.0f}° at "
                                      "new Moon; nothing while the Moon is below the horizon.")
        else:
            self.moon_caption.setText("The Moon is not checked (the table still shows how close it comes).")
        german = self.german_check.isChecked()
        for widget in (self.flip_spin, self.policy_combo):
            widget.setEnabled(german)
        self.changed.emit()

    def errors(self) -> list[str]:
        return [self._typed_error] if self._typed_error else []

    def moon(self) -> MoonAvoidance:
        return MoonAvoidance(self.distance_spin.value(), self.width_spin.value(), self.moon_check.isChecked())

    def mount(self) -> Mount:
        return Mount(german=self.german_check.isChecked(), flip_minutes=self.flip_spin.value(),
                     east_limit_hours=self.east_spin.value(), west_limit_hours=self.west_spin.value(),
                     flip_policy=self.policy_combo.currentData())

    def apply(self, settings: Settings) -> Settings:
        return dataclasses.replace(
            settings,
            horizon=self.mask.to_json() if self.mask is not None else {},
            moon_avoidance=self.moon().to_json(),
            mount=self.mount().to_json(),
            outlook_nights=int(self.nights_spin.value()),
        )


def _safe(build, default):
    try:
        return build()
    except ValueError:
        return default
