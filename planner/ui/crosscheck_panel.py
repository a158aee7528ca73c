"""The cross-check panel: what the AAVSO API and the local engine disagree about, and why.

``CrossCheckPanel`` shows a ``planner.sky.crosscheck.CrossCheckReport``: a summary badge,
the nighttime comparison, a sortable table of every disagreement (both times and their
difference), the targets found on one side only, and, when the disagreement is wholesale,
the likely cause with a button that asks for the remedy: a refresh of the list
(``refresh_requested``) when its answers were fetched for another site or other limits,
or pushing the local site to AAVSO's ``telescope`` settings (``push_site_requested``)
when it is not known what AAVSO was asked. It computes nothing itself.
"""

from __future__ import annotations

import math
from datetime import tzinfo
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from planner.sky.crosscheck import (
    STATUS_DIFFERS,
    CrossCheckReport,
    EventDifference,
    format_time,
)
from planner.ui.listen import listen
from planner.ui.themes import THEME_EVENTS, current_theme


SORT_ROLE = Qt.ItemDataRole.UserRole + 1
NAME_ROLE = Qt.ItemDataRole.UserRole + 2

NAME, KIND, LOCAL, API, DIFF = range(5)
_EVENT_WORDS = {"TARGET_RISES": "rises", "TARGET_SETS": "sets"}
_KIND_TIPS = {
    "status differs": "One side has the target always up, not observable or rising/setting; the other does not.",
    "event missing": "AAVSO lists a rise or set the local engine does not find.",
    "extra event": "The local engine finds a rise or set AAVSO does not list.",
    "time differs": "Both list the event, further apart than the tolerance.",
}


class DisagreementModel(QAbstractTableModel):
    """One row per disagreement of a report: (star name, ``EventDifference``)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[tuple[str, EventDifference]] = []
        self._tz: tzinfo | None = None
        self._tz_label = "UTC"

    # -- data in --
    def set_rows(self, rows: list[tuple[str, EventDifference]]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def set_time_zone(self, tz: tzinfo | None, label: str) -> None:
        self._tz, self._tz_label = tz, label or "UTC"
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, LOCAL, API)
        if self._rows:
            self.dataChanged.emit(self.index(0, LOCAL), self.index(len(self._rows) - 1, API))

    def row_at(self, row: int) -> tuple[str, EventDifference]:
        return self._rows[row]

    # -- Qt model --
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else 5

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                NAME: "Target",
                KIND: "Disagreement",
                LOCAL: f"Local ({self._tz_label})",
                API: f"AAVSO ({self._tz_label})",
                DIFF: "Difference (s)",
            }.get(section)
        if role == Qt.ItemDataRole.ToolTipRole:
            return {
                LOCAL: "What the local engine computed",
                API: "What the AAVSO Target Tool API answered",
                DIFF: "Local minus AAVSO, in seconds: positive when the local event is later",
            }.get(section)
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        name, diff = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(name, diff, col)
        if role == SORT_ROLE:
            return self._sort_key(name, diff, col)
        if role == NAME_ROLE:
            return name
        if role == Qt.ItemDataRole.ToolTipRole:
            return diff.describe(self._tz) if col != KIND else _KIND_TIPS.get(diff.kind)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == DIFF:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, name: str, diff: EventDifference, col: int) -> str:
        if col == NAME:
            return name
        if col == KIND:
            word = _EVENT_WORDS.get(diff.code or "", "")
            return f"{diff.kind} ({word})" if word else diff.kind
        if col in (LOCAL, API):
            if diff.kind == STATUS_DIFFERS:
                return diff.local_status if col == LOCAL else diff.api_status
            when = diff.local_time if col == LOCAL else diff.api_time
            return "" if when is None else format_time(when, self._tz)
        if col == DIFF:
            return "" if diff.difference_s is None else f"{diff.difference_s:+.0f}"
        return ""

    @staticmethod
    def _sort_key(name: str, diff: EventDifference, col: int):
        if col == NAME:
            return name.casefold()
        if col == KIND:
            return diff.kind
        if col == LOCAL:
            return diff.local_time
        if col == API:
            return diff.api_time
        if col == DIFF:
            return None if diff.difference_s is None else abs(diff.difference_s)
        return None


class _MissingLastProxy(QSortFilterProxyModel):
    """Sorts by ``SORT_ROLE`` value; rows without a value go last in both orders."""

    def lessThan(self, left, right) -> bool:
        a = left.data(SORT_ROLE)
        b = right.data(SORT_ROLE)
        a_missing = a is None or (isinstance(a, float) and math.isnan(a))
        b_missing = b is None or (isinstance(b, float) and math.isnan(b))
        if a_missing or b_missing:
            if a_missing and b_missing:
                return False
            ascending = self.sortOrder() == Qt.SortOrder.AscendingOrder
            # Missing compares "greater" ascending and "smaller" descending: last either way.
            return b_missing if ascending else a_missing
        try:
            return a < b
        except TypeError:
            return str(a) < str(b)


class CrossCheckPanel(QWidget):
    """The cross-check report for people; see the module docstring."""

    push_site_requested = Signal()
    refresh_requested = Signal()
    target_activated = Signal(str)  # a disagreement row was double-clicked: select that target

    def __init__(self, parent: QWidget | None = None, *, state=None):
        super().__init__(parent)
        self._report: CrossCheckReport | None = None
        self._recolour_pending = False
        self._tz: tzinfo | None = None
        self._tz_label = "UTC"

        self.badge = QLabel(objectName="crosscheckBadge")
        font = self.badge.font()
        font.setBold(True)
        self.badge.setFont(font)
        self.badge.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.night_label = QLabel(objectName="crosscheckNight")
        self.night_label.setWordWrap(True)
        self.night_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.cause_label = QLabel(objectName="crosscheckCause")
        self.cause_label.setWordWrap(True)
        self.cause_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.push_button = QPushButton("Push local site to AAVSO", objectName="crosscheckPush")
        self.push_button.setToolTip(
            "Store the local latitude, longitude and limits as your AAVSO Target Tool telescope "
            "settings, so the API computes for the same site"
        )
        self.push_button.clicked.connect(self.push_site_requested)
        self.refresh_button = QPushButton("Refresh the list for this site", objectName="crosscheckRefresh")
        self.refresh_button.setToolTip("Fetch the AAVSO list again for the site and limits shown (F5); "
                                       "the cross-check then runs again on the new answers")
        self.refresh_button.clicked.connect(self.refresh_requested)

        self.model = DisagreementModel(self)
        self.proxy = _MissingLastProxy(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView(objectName="crosscheckTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(DIFF, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.doubleClicked.connect(self._on_double_click)

        self.push_status = QLabel(objectName="crosscheckPushStatus")
        self.push_status.setWordWrap(True)
        self.push_status.setVisible(False)

        self.one_side_label = QLabel(objectName="crosscheckOneSide")
        self.one_side_label.setWordWrap(True)
        self.one_side_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        top = QHBoxLayout()
        top.addWidget(self.badge, 1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.push_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.night_label)
        layout.addWidget(self.cause_label)
        layout.addWidget(self.push_status)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.one_side_label)
        self.set_report(None)
        if state is not None:  # the window's night: show its cross-check in its time zone
            listen(self, state.crosscheck_changed, self.set_report)
            listen(self, state.time_zone_changed,
                   lambda: self.set_time_zone(state.display_tz(), state.tz_label(short=True)))
            self.set_time_zone(state.display_tz(), state.tz_label(short=True))

    # -- public API --
    def report(self) -> CrossCheckReport | None:
        return self._report

    def set_report(self, report: CrossCheckReport | None) -> None:
        """Show ``report`` (None: no cross-check yet)."""
        self._report = report
        self.set_push_status("")
        self.model.set_rows(report.differences() if report is not None else [])
        self.table.resizeColumnsToContents()
        self._refresh_labels()

    def set_time_zone(self, tz: tzinfo | None, label: str = "") -> None:
        """Show times in ``tz`` (None: UTC); ``label`` names it in the headers (e.g. "CET")."""
        self._tz = tz
        self._tz_label = label or ("UTC" if tz is None else str(tz))
        self.model.set_time_zone(tz, self._tz_label)
        self._refresh_labels()

    def set_push_status(self, text: str, ok: bool | None = None) -> None:
        """Say how pushing the site went (the window calls this with the service's answer
        or error); an empty text hides the line. A new report clears it."""
        self.push_status.setText(text)
        self.push_status.setVisible(bool(text))
        if ok is None or not text:
            self.push_status.setStyleSheet("")
        else:
            t = current_theme()
            self.push_status.setStyleSheet(f"color: {t.ok if ok else t.error};")

    def badge_text(self) -> str:
        return self.badge.text()

    # -- internals --
    def _refresh_labels(self) -> None:
        report = self._report
        if report is None:
            self.badge.setText("cross-check: not run yet")
            self.badge.setToolTip("Tools > Cross-check compares local times with the AAVSO Target Tool's")
            self.night_label.setText("")
            self.night_label.setVisible(False)
            self.cause_label.setVisible(False)
            self.one_side_label.setVisible(False)
            self.push_button.setEnabled(False)
            self.push_button.setVisible(True)
            self.refresh_button.setVisible(False)
            self._apply_badge_colour(None)
            return
        self.badge.setText(report.summary())
        self.badge.setToolTip(f"Times further apart than {report.tolerance_s:g} s count as differing")
        if report.nighttime is not None:
            self.night_label.setText(report.nighttime.describe(self._tz))
            self.night_label.setVisible(True)
        else:
            self.night_label.setVisible(False)
        if report.wholesale:
            text = "The AAVSO answers disagree wholesale: " + "; ".join(report.reasons) + "."
            if report.likely_cause:
                text += "\nLikely cause: " + report.likely_cause
            self.cause_label.setText(text)
            self.cause_label.setVisible(True)
        elif report.suggest_refresh:
            self.cause_label.setText("These AAVSO answers were fetched for another site or other limits ("
                                     + "; ".join(report.site_changes) + "). Refresh the list for the site shown.")
            self.cause_label.setVisible(True)
        else:
            self.cause_label.setVisible(False)
        parts = []
        if report.only_api:
            parts.append("Only at AAVSO (no local result): " + ", ".join(report.only_api))
        if report.only_local:
            parts.append("Only local (no AAVSO times): " + ", ".join(report.only_local))
        self.one_side_label.setText("\n".join(parts))
        self.one_side_label.setVisible(bool(parts))
        self.push_button.setEnabled(bool(report.suggest_push_site))
        # one remedy at a time: a stale list is refreshed, not pushed over the account's settings
        self.push_button.setVisible(not report.suggest_refresh)
        self.refresh_button.setVisible(report.suggest_refresh)
        self._apply_badge_colour(report.all_agree)

    def _apply_badge_colour(self, ok: bool | None) -> None:
        if ok is None:
            self.badge.setStyleSheet("")
            return
        t = current_theme()
        self.badge.setStyleSheet(f"color: {t.ok if ok else t.error};")

    def changeEvent(self, event) -> None:
        # A theme switch (night mode) changes the palette: recolour the badge to match, once
        # the switch is complete (the theme's name is recorded after the palette changes).
        if event.type() in THEME_EVENTS and not self._recolour_pending:
            self._recolour_pending = True
            QTimer.singleShot(0, self, self._recolour)  # dropped if the panel is deleted first
        super().changeEvent(event)

    def _recolour(self) -> None:
        self._recolour_pending = False
        self._apply_badge_colour(None if self._report is None else self._report.all_agree)

    def _on_double_click(self, index) -> None:
        name = index.data(NAME_ROLE)
        if name:
            self.target_activated.emit(name)
