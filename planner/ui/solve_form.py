"""The solver dock's form: where to look (near the selected target), the pixel-scale bounds
the telescope in Settings gives (``planner.app.solve.scale_bounds``), and every documented
upload option of nova.astrometry.net under "Advanced". ``options()`` is what it describes,
as the client's ``UploadOptions``."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from superqt import QCollapsible

from planner.app.solve import scale_bounds


def _spin(minimum: float, maximum: float, decimals: int, value: float, suffix: str = "", step: float = 1.0) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(minimum, maximum)
    box.setDecimals(decimals)
    box.setSingleStep(step)
    box.setValue(value)
    if suffix:
        box.setSuffix(suffix)
    return box


class SolveForm(QWidget):
    """Hints and upload options for a solve."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        hints = QGroupBox("Hints", self)
        grid = QGridLayout(hints)
        self.use_position = QCheckBox("Near the target", hints)
        self.use_position.setToolTip("Search only around the selected target (faster)")
        self.ra_spin = _spin(0, 360, 4, 0, "°")
        self.dec_spin = _spin(-90, 90, 4, 0, "°")
        self.radius_spin = _spin(0.05, 180, 2, 2.0, "°", 0.5)
        grid.addWidget(self.use_position, 0, 0, 1, 4)
        grid.addWidget(QLabel("RA"), 1, 0)
        grid.addWidget(self.ra_spin, 1, 1)
        grid.addWidget(QLabel("Dec"), 1, 2)
        grid.addWidget(self.dec_spin, 1, 3)
        grid.addWidget(QLabel("radius"), 2, 0)
        grid.addWidget(self.radius_spin, 2, 1)
        self.use_scale = QCheckBox("Telescope scale (from Settings)", hints)
        self.use_scale.setToolTip("Pixel-scale bounds from the focal length and pixel size in Settings")
        self.scale_lower = _spin(0.01, 3600, 3, 0.5, '"/px', 0.1)
        self.scale_upper = _spin(0.01, 3600, 3, 2.0, '"/px', 0.1)
        grid.addWidget(self.use_scale, 3, 0, 1, 4)
        grid.addWidget(QLabel("from"), 4, 0)
        grid.addWidget(self.scale_lower, 4, 1)
        grid.addWidget(QLabel("to"), 4, 2)
        grid.addWidget(self.scale_upper, 4, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        layout.addWidget(hints)

        self.advanced = QCollapsible("Advanced", self)
        advanced = QWidget()
        form = QFormLayout(advanced)
        self.downsample_spin = _spin(0, 16, 1, 0, "", 1)
        self.downsample_spin.setSpecialValueText("service default")
        self.tweak_spin = QSpinBox()
        self.tweak_spin.setRange(-1, 10)
        self.tweak_spin.setSpecialValueText("service default (2)")
        self.tweak_spin.setValue(-1)
        self.parity_combo = QComboBox()
        for text, value in (("try both", None), ("positive", 0), ("negative", 1)):
            self.parity_combo.addItem(text, value)
        self.positional_spin = _spin(0, 20, 2, 0, " px", 0.5)
        self.positional_spin.setSpecialValueText("service default (1 px)")
        self.sextractor_check = QCheckBox("use SourceExtractor")
        self.crpix_check = QCheckBox("reference point at the image centre")
        self.public_combo = QComboBox()
        for text, value in (("service default", None), ("yes", "y"), ("no (private)", "n")):
            self.public_combo.addItem(text, value)
        self.commercial_combo = QComboBox()
        for text, value in (("service default", None), ("yes", "y"), ("no", "n")):
            self.commercial_combo.addItem(text, value)
        self.modifications_combo = QComboBox()
        for text, value in (("service default", None), ("yes", "y"), ("share-alike", "sa"), ("no", "n")):
            self.modifications_combo.addItem(text, value)
        form.addRow("Downsample by", self.downsample_spin)
        form.addRow("Tweak order", self.tweak_spin)
        form.addRow("Parity", self.parity_combo)
        form.addRow("Positional error", self.positional_spin)
        form.addRow("", self.sextractor_check)
        form.addRow("", self.crpix_check)
        form.addRow("Publicly visible", self.public_combo)
        form.addRow("Commercial use", self.commercial_combo)
        form.addRow("Modifications", self.modifications_combo)
        self.advanced.addWidget(advanced)
        layout.addWidget(self.advanced)


    def set_target(self, target) -> None:
        """Search around the selected target (None: anywhere)."""
        if target is not None:
            self.ra_spin.setValue(float(target.ra) % 360.0)
            self.dec_spin.setValue(float(target.dec))
            self.use_position.setChecked(True)
        else:
            self.use_position.setChecked(False)

    def set_settings(self, settings) -> None:
        """The scale hint follows the telescope and camera in Settings."""
        bounds = scale_bounds(getattr(settings, "telescope_focal_length_mm", None),
                              getattr(settings, "camera_pixel_size_um", None))
        self.use_scale.setEnabled(bounds is not None)
        if bounds is not None:
            self.scale_lower.setValue(round(bounds[0], 3))
            self.scale_upper.setValue(round(bounds[1], 3))
            self.use_scale.setChecked(True)
            self.use_scale.setToolTip(f"{bounds[0]:.3f}–{bounds[1]:.3f}\"/px from the telescope in Settings (±20 %)")
        else:
            self.use_scale.setChecked(False)
            self.use_scale.setToolTip("Set the focal length and the camera's pixel size in Settings to use this")

    def options(self):
        """The upload options the form describes (validated when the solve starts)."""
        # The client module (requests, requests-cache) loads on the first solve, not with the
        # window (start-up time).
        from planner.services.astrometry_net import UploadOptions

        values: dict[str, Any] = {}
        if self.use_position.isChecked():
            values.update(center_ra=self.ra_spin.value(), center_dec=self.dec_spin.value(), radius=self.radius_spin.value())
        if self.use_scale.isChecked() and self.use_scale.isEnabled():
            values.update(scale_units="arcsecperpix", scale_type="ul", scale_lower=self.scale_lower.value(),
                          scale_upper=self.scale_upper.value())
        if self.downsample_spin.value() >= 1:
            values["downsample_factor"] = self.downsample_spin.value()
        if self.tweak_spin.value() >= 0:
            values["tweak_order"] = self.tweak_spin.value()
        if self.parity_combo.currentData() is not None:
            values["parity"] = self.parity_combo.currentData()
        if self.positional_spin.value() > 0:
            values["positional_error"] = self.positional_spin.value()
        if self.sextractor_check.isChecked():
            values["use_sextractor"] = True
        if self.crpix_check.isChecked():
            values["crpix_center"] = True
        for key, combo in (("publicly_visible", self.public_combo), ("allow_commercial_use", self.commercial_combo),
                           ("allow_modifications", self.modifications_combo)):
            if combo.currentData() is not None:
                values[key] = combo.currentData()
        return UploadOptions(**values)
