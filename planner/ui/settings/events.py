"""Settings > Events: the margins a minimum, transit or maximum gets when it is added to
the plan (its block starts this long before the event's window and ends this long after
it), see docs/events.md.

A settings page (``planner.ui.settings.page``): ``EventsPage(settings)`` shows the values,
``errors()`` lists what cannot be saved (the spin boxes hold the section's range, so nothing),
``apply(settings)`` returns the settings with the page's values. The labels and range are
the section's (``planner.config.events``); the rule is ``planner.config.event_margins``,
read wherever an event's block is made (``planner.app.events.plan_entry_for``).
"""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QSpinBox, QVBoxLayout, QWidget

from planner.config import Settings, event_margins
from planner.config.events import EVENTS
from planner.ui.settings.page import SettingsPage

BEFORE, AFTER = EVENTS["event_margin_before_min"], EVENTS["event_margin_after_min"]


class EventsPage(SettingsPage):
    KEY = "events"
    TITLE = "Events"

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(settings, parent)
        layout = QVBoxLayout(self)
        box = QGroupBox("Minima, transits and maxima added to the plan")
        form = QFormLayout(box)
        before, after = event_margins(settings)  # an unusable value shows as its default
        self.before_spin = self._minutes(BEFORE, before / 60.0)
        self.after_spin = self._minutes(AFTER, after / 60.0)
        form.addRow(BEFORE.label, self.before_spin)
        form.addRow(AFTER.label, self.after_spin)
        hint = QLabel("The block of an event is fixed in time: Schedule keeps it where the event is and fits "
                      "the other targets around it. An eclipse's or transit's window runs from ingress to "
                      "egress, a maximum's is its rise. Add them with Edit \u25b8 Add selected targets' events "
                      "to plan (Ctrl+Shift+P).")
        hint.setWordWrap(True)
        form.addRow(hint)
        layout.addWidget(box)
        layout.addStretch(1)

    def _minutes(self, declared, value: float) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(int(declared.low), int(declared.high))  # the section's range: nothing else to check
        spin.setSingleStep(5)
        spin.setSuffix(f" {declared.unit}")
        spin.setValue(int(round(value)))
        spin.setToolTip(declared.hint[:1].upper() + declared.hint[1:] + ".")
        spin.valueChanged.connect(lambda _v: self.changed.emit())
        return spin

    def apply(self, settings: Settings) -> Settings:
        return dataclasses.replace(settings, event_margin_before_min=float(self.before_spin.value()),
                                   event_margin_after_min=float(self.after_spin.value()))
