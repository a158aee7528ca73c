"""The Plan dock's Estimate box: enter an estimate of the chosen plan entry's star.

The comparison and check stars are picked from the entry's kept chart (label and its V
magnitude shown; any label may be typed when no chart is kept), AAVSO's comment codes are
toggle buttons, the time defaults to now. The box only collects what was typed: it emits
``add_requested(Estimate)``, and the dock checks and adds it through
``planner.app.observe`` (in a worker), then shows the refusal, naming the field, or the
estimate in the list below. ``remove_requested(position)`` removes a mistyped one.
"""

from __future__ import annotations

import datetime as _dt
import time as _time
from typing import Callable

from PySide6.QtCore import QDateTime, QTimeZone, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from planner.app.observe import VISUAL_BAND, Estimate
from planner.formatting import parse_decimal
from planner.plan.model import COMMENT_CODES

BANDS = (VISUAL_BAND, "V", "B", "R", "I", "CV", "TG", "TB", "TR", "U", "J", "H", "K")


class EstimateBox(QGroupBox):
    add_requested = Signal(object)  # Estimate
    remove_requested = Signal(int)  # position in the entry's observations

    def __init__(self, parent: QWidget | None = None, *, clock: Callable[[], float] | None = None) -> None:
        super().__init__("Estimate", parent)
        self.setObjectName("estimateBox")
        self._clock = clock or _time.time  # the window's clock: "Now" is the window's now
        self._entry = None
        self._chart = None
        self._tz = _dt.timezone.utc
        outer = QVBoxLayout(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.star_label = QLabel("Choose an entry of the plan.")
        self.star_label.setObjectName("estimateStar")
        self.star_label.setWordWrap(True)
        form.addRow("Star", self.star_label)

        when = QHBoxLayout()
        self.time_edit = QDateTimeEdit()
        self.time_edit.setObjectName("estimateTime")
        self.time_edit.setTimeZone(QTimeZone.utc())
        self.time_edit.setDisplayFormat("yyyy-MM-dd HH:mm:ss 'UTC'")
        self.time_edit.setToolTip("When the estimate was made (UTC)")
        self.now_button = QToolButton()
        self.now_button.setText("Now")
        self.now_button.setToolTip("Set the time to now")
        self.now_button.clicked.connect(self.set_now)
        self.local_label = QLabel()
        self.local_label.setProperty("role", "hint")
        self.time_edit.dateTimeChanged.connect(lambda _v: self._update_local())
        when.addWidget(self.time_edit)
        when.addWidget(self.now_button)
        when.addWidget(self.local_label, 1)
        form.addRow("Time", when)

        value = QHBoxLayout()
        self.mag_edit = QLineEdit()
        self.mag_edit.setObjectName("estimateMagnitude")
        self.mag_edit.setPlaceholderText("e.g. 11.6")
        self.mag_edit.setMaximumWidth(90)
        self.fainter_check = QCheckBox("fainter than")
        self.fainter_check.setToolTip("The star was not seen: it was fainter than this magnitude")
        self.err_edit = QLineEdit()
        self.err_edit.setObjectName("estimateError")
        self.err_edit.setPlaceholderText("± error")
        self.err_edit.setMaximumWidth(80)
        self.band_combo = QComboBox()
        self.band_combo.setObjectName("estimateBand")
        self.band_combo.setEditable(True)
        self.band_combo.setMinimumContentsLength(5)
        self.band_combo.addItems(BANDS)
        self.band_combo.setToolTip("Vis. for a visual estimate; else the AAVSO filter (V, B, CV for unfiltered, TG...)")
        self.band_combo.currentTextChanged.connect(lambda _t: self._fill_stars())
        for widget in (self.mag_edit, self.fainter_check, self.err_edit, self.band_combo):
            value.addWidget(widget)
        value.addStretch(1)
        form.addRow("Magnitude", value)

        stars = QHBoxLayout()
        self.comp_combos = []
        for n in (1, 2):
            combo = QComboBox()
            combo.setObjectName(f"estimateComp{n}")
            combo.setEditable(True)
            combo.setMinimumContentsLength(10)
            combo.setToolTip(f"Comparison star {n}: its chart label")
            self.comp_combos.append(combo)
            stars.addWidget(combo, 1)
        stars.addWidget(QLabel("check"))
        self.check_combo = QComboBox()
        self.check_combo.setObjectName("estimateCheck")
        self.check_combo.setEditable(True)
        self.check_combo.setMinimumContentsLength(10)
        self.check_combo.setToolTip("The check star (instrumental estimates): its chart label")
        stars.addWidget(self.check_combo, 1)
        form.addRow("Comparison", stars)

        codes = QHBoxLayout()
        codes.setSpacing(2)
        self.code_buttons: dict[str, QToolButton] = {}
        for code, meaning in COMMENT_CODES.items():
            button = QToolButton()
            button.setText(code)
            button.setCheckable(True)
            button.setToolTip(f"{code}: {meaning}")
            button.setObjectName(f"estimateCode{code}")
            codes.addWidget(button)
            self.code_buttons[code] = button
        codes.addStretch(1)
        form.addRow("Comment codes", codes)
        self.notes_edit = QLineEdit()
        self.notes_edit.setObjectName("estimateNotes")
        self.notes_edit.setPlaceholderText("sky, seeing, anything the report should say")
        form.addRow("Notes", self.notes_edit)
        outer.addLayout(form)

        row = QHBoxLayout()
        self.add_button = QPushButton("Add estimate")
        self.add_button.setObjectName("estimateAdd")
        self.add_button.setDefault(True)
        self.add_button.clicked.connect(self.request_add)
        row.addWidget(self.add_button)
        self.message = QLabel()
        self.message.setObjectName("estimateMessage")
        self.message.setWordWrap(True)
        row.addWidget(self.message, 1)
        outer.addLayout(row)
        self.list = QListWidget()
        self.list.setObjectName("estimateList")
        self.list.setMaximumHeight(5 * (self.fontMetrics().height() + 6))
        outer.addWidget(self.list)
        remove = QHBoxLayout()
        remove.addStretch(1)
        self.remove_button = QPushButton("Remove estimate")
        self.remove_button.clicked.connect(self._request_remove)
        remove.addWidget(self.remove_button)
        outer.addLayout(remove)
        self.mag_edit.returnPressed.connect(self.request_add)
        self.set_now()
        self.set_entry(None)

    # -- what the box is for ---------------------------------------------------------------

    def set_entry(self, entry, tz=None) -> None:
        """The plan entry estimates go to (None: none chosen)."""
        self._entry = entry
        if tz is not None:
            self._tz = tz
        enabled = entry is not None
        for widget in (self.time_edit, self.now_button, self.mag_edit, self.fainter_check, self.err_edit,
                       self.band_combo, *self.comp_combos, self.check_combo, self.notes_edit, self.add_button,
                       *self.code_buttons.values()):
            widget.setEnabled(enabled)
        if entry is None:
            self.star_label.setText("Choose an entry of the plan.")
            self._chart = None
        else:
            visual = not entry.filters or any(f.strip().rstrip(".").casefold() in ("vis", "visual") for f in entry.filters)
            self.band_combo.setCurrentText(VISUAL_BAND if visual else entry.filters[0])
        self._describe()
        self.refresh_list()
        self._update_local()

    def set_chart(self, chart) -> None:
        """The entry's kept chart (a ``VspChart``), whose stars the combos offer; None: none."""
        self._chart = chart
        self._describe()
        self._fill_stars()

    def _describe(self) -> None:
        if self._entry is None:
            return
        chart = self._chart
        where = (f"chart {chart.chart_id}: pick its comparison stars below" if chart is not None else
                 "no chart kept: labels are taken as typed (Prepare tonight's charts to check them)")
        self.star_label.setText(f"<b>{self._entry.name}</b> — {where}")

    def _fill_stars(self) -> None:
        from planner.services.vsp import canonical_band

        band = self.band_combo.currentText()
        chart_band = canonical_band("V" if band.strip().rstrip(".").casefold() in ("vis", "visual", "") else band)
        for combo in (*self.comp_combos, self.check_combo):
            typed = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem("", "")
            if self._chart is not None:
                for star in self._chart.photometry:
                    m = star.magnitude(chart_band)
                    combo.addItem(f"{star.label}  ({chart_band} {m.mag:.3f})" if m else star.label, star.label)
            combo.setCurrentIndex(max(combo.findData(typed), 0))
            if combo.currentIndex() == 0 and typed and combo.findData(typed) < 0:
                combo.setEditText(typed)
            combo.blockSignals(False)

    def pick_star(self, label: str) -> None:
        """Put the chart star ``label`` into the first empty comparison field (else the
        second). A star already chosen is not chosen twice."""
        if label in (self._label(c) for c in self.comp_combos):
            return
        combo = next((c for c in self.comp_combos if not self._label(c)), self.comp_combos[-1])
        index = combo.findData(label)
        if index >= 0:
            combo.setCurrentIndex(index)
        else:
            combo.setEditText(label)

    @staticmethod
    def _label(combo: QComboBox) -> str:
        data = combo.currentData()
        text = combo.currentText().strip()
        if data and combo.itemText(combo.currentIndex()) == text:
            return str(data)
        return text.split("  (")[0].strip()

    # -- time ------------------------------------------------------------------------------

    def set_now(self) -> None:
        self.set_time(self._clock())

    def set_time(self, unix: float) -> None:
        self.time_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(round(unix)), QTimeZone.utc()))

    def time(self) -> float:
        return float(self.time_edit.dateTime().toSecsSinceEpoch())

    def _update_local(self) -> None:
        local = _dt.datetime.fromtimestamp(self.time(), self._tz)
        self.local_label.setText(local.strftime("%H:%M %Z").strip())

    # -- the estimate ----------------------------------------------------------------------

    def codes(self) -> str:
        return "".join(code for code, button in self.code_buttons.items() if button.isChecked())

    def estimate(self) -> Estimate | str:
        """The estimate as typed, or the reason it cannot be one (naming the field)."""
        if self._entry is None:
            return "Choose the plan entry the estimate is of."
        magnitude = parse_decimal(self.mag_edit.text())
        if magnitude is None:
            return "Magnitude: type the magnitude (or the limit, with 'fainter than')."
        if isinstance(magnitude, str):
            return f"Magnitude: {magnitude!r} is not a number."
        error = parse_decimal(self.err_edit.text())
        if isinstance(error, str):
            return f"Error: {error!r} is not a number."
        fainter = self.fainter_check.isChecked()
        labels = [self._label(c) for c in self.comp_combos]
        return Estimate(
            star=self._entry.id,
            magnitude=None if fainter else magnitude,
            fainter_than=magnitude if fainter else None,
            time=self.time(),
            error=error,
            band=self.band_combo.currentText(),
            comparison=[lab for lab in labels if lab],
            check=self._label(self.check_combo),
            chart_id=self._chart.chart_id if self._chart is not None else "",
            notes=self.notes_edit.text(),
            comment_codes=self.codes(),
        )

    def request_add(self) -> None:
        estimate = self.estimate()
        if isinstance(estimate, str):
            self.show_message(estimate, error=True)
            return
        self.add_requested.emit(estimate)

    def added(self, text: str) -> None:
        """An estimate went in: say so, clear the value fields for the next one."""
        self.show_message(text)
        self.mag_edit.clear()
        self.err_edit.clear()
        self.fainter_check.setChecked(False)
        self.notes_edit.clear()
        for button in self.code_buttons.values():
            button.setChecked(False)
        self.refresh_list()

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("role", "error" if error else "")
        style = self.message.style()
        style.unpolish(self.message)
        style.polish(self.message)

    def refresh_list(self, entry=None) -> None:
        if entry is not None:
            self._entry = entry
        self.list.clear()
        if self._entry is None:
            self.remove_button.setEnabled(False)
            return
        from planner.app.nightlog import estimate_line

        for o in self._entry.observations:
            self.list.addItem(estimate_line(o, self._tz))
        self.remove_button.setEnabled(bool(self._entry.observations))

    def _request_remove(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            self.show_message("Choose the estimate to remove in the list.", error=True)
            return
        self.remove_requested.emit(row)


__all__ = ["BANDS", "EstimateBox"]
