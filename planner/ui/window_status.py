"""The main window's status bar: where the list came from, how many targets are shown, what
is being computed, the AAVSO request budget, the cross-check badge, and messages (an error
stays in ``planner.ui.messages.MessageArea`` until its condition clears). A mixin of
``planner.ui.main_window.MainWindow``.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from planner.app import targets as target_lists
from planner.ui.messages import MessageArea

log = logging.getLogger(__name__)

# What the status bar's labels reserve room for, so that nothing in it shifts when the list,
# its visibility or a refresh arrives (issue 17 item 13): the count as a filter narrows it,
# the source as an AAVSO list says it. Longer texts still fit: the labels only grow.
COUNT_ROOM = "9999 of 9999 targets"
SOURCE_ROOM = "AAVSO live (2026-12-31 23:59 CEST)"


def reserve(label: QLabel, sample: str) -> None:
    """Keep at least room for ``sample`` in ``label``'s font."""
    margins = label.contentsMargins()
    label.setMinimumWidth(label.fontMetrics().horizontalAdvance(sample) + margins.left() + margins.right() + 4)


class WindowStatus:
    """Builds and updates the status bar (mixed into MainWindow)."""

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.source_label = QLabel("starting…", self)
        self.source_label.setObjectName("sourceLabel")
        self.source_label.setToolTip("Where the target list came from")
        self.count_label = QLabel("", self)
        self.activity_label = QLabel("", self)
        self.activity_label.setObjectName("activityLabel")
        self.budget_label = QLabel("", self)
        self.budget_label.setObjectName("budgetLabel")
        self.budget_label.setToolTip("AAVSO API requests left in this hour (the API allows 1000 per hour)")
        self.crosscheck_badge = QPushButton("", self)
        self.crosscheck_badge.setObjectName("crosscheckBadge")
        self.crosscheck_badge.setFlat(True)
        self.crosscheck_badge.setToolTip("Result of the last cross-check with the AAVSO API; click for details")
        self.crosscheck_badge.clicked.connect(lambda: self._show_dock(self.crosscheck_dock))
        self.crosscheck_badge.hide()
        self.messages = MessageArea(self, clock=self.night_state.clock,
                                    zone=lambda: (self.night_state.display_tz(), self.night_state.tz_label(short=True)))
        reserve(self.count_label, COUNT_ROOM)
        reserve(self.source_label, SOURCE_ROOM)
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        status.addWidget(self.activity_label, 1)
        status.addPermanentWidget(self.messages)
        status.addPermanentWidget(self.count_label)
        status.addPermanentWidget(self.crosscheck_badge)
        status.addPermanentWidget(self.budget_label)
        status.addPermanentWidget(self.source_label)

    # == status ===============================================================================

    def show_message(self, text: str, *, error: bool = False, timeout_ms: int = 15_000, key: str | None = None) -> None:
        """A message in the status bar. An error also goes to the log and stays in the message
        area (``planner.ui.messages``), whole, until ``messages.clear(key)`` says its condition
        is gone (without a key, until the user dismisses it)."""
        if error:
            log.warning("%s", text)
            self.messages.report(key or text, text)
        self.statusBar().showMessage(text, timeout_ms * (2 if error else 1))

    def _error_text(self, exc: BaseException) -> str:
        """A worker's error for people, its times (a 429's retry time) in the window's zone."""
        describe = getattr(exc, "describe", None)
        return describe(self.display_tz()) if callable(describe) else (str(exc) or exc.__class__.__name__)

    def _update_source_label(self) -> None:
        if self.target_list is None:
            return
        text = self.target_list.describe(self.night_state.display_tz(), refresh_failed=self._refresh_failed)
        tip = "Where the target list came from."
        if self._refresh_failed:
            tip += f" The last refresh failed: {self.messages.text_of('aavso-refresh') or 'see the message area'}"
        if self.target_list.origin == target_lists.SAMPLE:
            tip += " Set an AAVSO key in Settings and refresh to get the current list."
        if self.night_state.list_is_stale():
            text += " · for another site"
            tip += (" Its rise and set times from AAVSO were asked for another site or other limits; "
                    "Refresh (F5) fetches them for the site shown.")
        self.source_label.setText(text)
        self.source_label.setToolTip(tip)

    def _update_activity(self, *_args) -> None:
        jobs = []
        if self.sky_runner.busy:
            jobs.append("computing visibility")
        if self.refresh_runner.busy:
            jobs.append("refreshing from AAVSO")
        if self.crosscheck_runner.busy:
            jobs.append("cross-checking")
        if self.night_events.vsx_runner.busy:
            jobs.append("looking elements up in VSX")
        elif self.night_events.runner.busy:
            jobs.append("computing minima and maxima")
        self.activity_label.setText((", ".join(jobs).capitalize() + "…") if jobs else "")

    def _update_count(self, *args) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        self.count_label.setText(f"{shown} of {total} targets" if shown != total else f"{total} targets")


    def _show_crosscheck_badge(self, report) -> None:
        if report is None:  # a new list or site: the old report no longer applies
            self.crosscheck_badge.hide()
            return
        self.crosscheck_badge.setText(report.summary() + (" · list for another site" if report.suggest_refresh else ""))
        self.crosscheck_badge.show()
