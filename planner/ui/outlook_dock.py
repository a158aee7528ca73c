"""The Outlook dock: the nights ahead as a heat map, targets down the side, nights across.

Each cell is a target's hours observable that night (against the horizon mask too), its
colour deeper the longer; a dot marks a night on which the target is due by its cadence.
The header gives each night's date and the Moon's illumination; a cell's tooltip gives the
hours, the highest altitude, the Moon's separation, whether it is due and the night's events
(minima, transits, maxima of targets with elements; a small triangle in the cell's lower
left corner marks a night with an event that can be watched, hollow when it cannot).
Clicking a cell
opens that night in the window and selects the target.

The dock computes nothing itself: ``planner.app.outlook.outlook_in_helper`` runs in the
sky helper process from a ``LatestRunner`` worker, for the list, the site and the number of
nights in the settings, and only while the dock is shown.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QPointF, QRectF, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStyle,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from planner.app.outlook import Outlook, outlook_dates, outlook_in_helper, target_name
from planner.formatting import format_clock
from planner.sky.events import FULL, NONE, PARTIAL
from planner.ui.listen import listen
from planner.ui.themes import THEME_EVENTS, current_theme
from planner.ui.workers import LatestRunner

HOURS_ROLE = Qt.ItemDataRole.UserRole + 1  # float hours (sort value)
DUE_ROLE = Qt.ItemDataRole.UserRole + 2  # bool
TARGET_ROLE = Qt.ItemDataRole.UserRole + 3  # index into the state's targets
EVENT_ROLE = Qt.ItemDataRole.UserRole + 4  # "watchable" | "unwatchable" | None: the cell's event mark
NAME_COLUMN = 0


class OutlookModel(QAbstractTableModel):
    """Rows are the outlook's targets, column 0 their names, then one column per night."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.outlook: Outlook | None = None
        self._longest = 1.0

    def set_outlook(self, outlook: Outlook | None) -> None:
        self.beginResetModel()
        self.outlook = outlook
        if outlook is not None and outlook.hours.size:
            self._longest = max(1.0, max(n.night.hours for n in outlook.nights))
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() or self.outlook is None else len(self.outlook.targets)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() or self.outlook is None else 1 + len(self.outlook.nights)

    def fraction(self, row: int, night: int) -> float:
        """The cell's hours as a fraction of the longest night in the outlook (its colour)."""
        return min(1.0, float(self.outlook.hours[row, night]) / self._longest)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.outlook is None:
            return None
        row, col = index.row(), index.column()
        o = self.outlook
        if col == NAME_COLUMN:
            name = target_name(o.targets[row])
            if role in (Qt.ItemDataRole.DisplayRole, HOURS_ROLE):
                return name if role == Qt.ItemDataRole.DisplayRole else name.lower()
            if role == TARGET_ROLE:
                return row
            if role == Qt.ItemDataRole.ToolTipRole:
                total = float(o.hours[row].sum())
                nights = int(np.sum(o.hours[row] > 0.05))
                return f"{name}: observable on {nights} of {len(o.nights)} nights, {total:.0f} h in all"
            return None
        k = col - 1
        hours = float(o.hours[row, k])
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{hours:.1f}" if hours >= 0.05 else ""
        if role == HOURS_ROLE:
            return hours
        if role == DUE_ROLE:
            return bool(o.due[row, k])
        if role == TARGET_ROLE:
            return row
        if role == EVENT_ROLE:
            events = o.events_of(row, k)
            if not events:
                return None
            return "watchable" if any(e.observable in (FULL, PARTIAL) for e in events) else "unwatchable"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._cell_tip(row, k)
        return None

    def _cell_tip(self, row: int, k: int) -> str:
        o = self.outlook
        night = o.nights[k]
        name = target_name(o.targets[row])
        hours = float(o.hours[row, k])
        lines = [f"{name}, night of {night.date:%a %Y-%m-%d}"]
        if hours >= 0.05:
            alt = float(o.max_altitude[row, k])
            lines.append(f"{hours:.1f} h observable, up to {alt:.0f}°")
        else:
            lines.append("not observable (below the limit or the horizon mask all night)")
        sep = float(o.moon_separation[row, k])
        if math.isfinite(sep):
            lines.append(f"Moon {night.moon_illumination * 100:.0f}% illuminated, {sep:.0f}° away in the middle of the night")
        lines.append("due by its cadence" if o.due[row, k] else "not due")
        tz = o.site.tz
        for event in o.events_of(row, k):
            lines.append(f"{event.label} at {format_clock(event.time, tz)} ({_utc_clock(event.time)} UTC), "
                         f"altitude {event.altitude:.0f}°: {VISIBILITY_WORDS.get(event.observable, event.observable)}")
        lines.append("Click to open this night.")
        return "\n".join(lines)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or self.outlook is None:
            return None
        if section == NAME_COLUMN:
            return "Star" if role == Qt.ItemDataRole.DisplayRole else None
        night = self.outlook.nights[section - 1]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{night.date:%a}\n{night.date:%d}\n{night.moon_illumination * 100:.0f}%"
        if role == Qt.ItemDataRole.ToolTipRole:
            tz = self.outlook.site.tz
            n = night.night
            return (f"Night of {night.date:%A %Y-%m-%d}\nsunset {format_clock(n.sunset, tz)}, sunrise "
                    f"{format_clock(n.sunrise, tz)} ({self.outlook.site.timezone})\n"
                    f"Moon {night.moon_illumination * 100:.0f}% illuminated")
        return None

    def night_of_column(self, column: int):
        return None if self.outlook is None or column < 1 else self.outlook.nights[column - 1].date


EVENT_MARK_COLOR = QColor("#e69500")  # amber: apart from the heat's blues and the due dot's red


def event_mark_color() -> QColor:
    """The event mark's colour: amber, except in night mode, whose every colour is a red
    (amber's green would reach dark-adapted eyes): there the theme's text red."""
    theme = current_theme()
    return QColor(theme.window_text) if theme.name == "night" else EVENT_MARK_COLOR
VISIBILITY_WORDS = {FULL: "can be watched whole", PARTIAL: "can be watched in part", NONE: "cannot be watched"}


def _utc_clock(unix: float) -> str:
    return _dt.datetime.fromtimestamp(round(unix), _dt.timezone.utc).strftime("%H:%M")


class HeatDelegate(QStyledItemDelegate):
    """Paints a night cell: the palette's highlight, as deep as the hours are long, the hours
    in the cell, and a dot in the corner when the target is due that night."""

    def paint(self, painter: QPainter, option, index: QModelIndex) -> None:
        if index.column() == NAME_COLUMN:
            super().paint(painter, option, index)
            return
        model = index.model()
        source = model.mapToSource(index) if isinstance(model, QSortFilterProxyModel) else index
        heat: OutlookModel = source.model()
        fraction = heat.fraction(source.row(), source.column() - 1)
        palette = option.palette
        rect = QRectF(option.rect).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.save()
        painter.fillRect(rect, palette.base())
        if fraction > 0:
            color = QColor(palette.highlight().color())
            color.setAlphaF(0.08 + 0.92 * fraction ** 1.6)  # a ramp the eye can tell apart at the long end too
            painter.fillRect(rect, color)
        text_color = palette.highlightedText().color() if fraction > 0.62 else palette.text().color()
        painter.setPen(text_color)
        font = option.font
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.85))
        painter.setFont(font)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, index.data() or "")
        if index.data(DUE_ROLE):
            painter.setPen(QPen(Qt.PenStyle.NoPen))
            painter.setBrush(QBrush(QColor("#c0392b")))
            painter.drawEllipse(QRectF(rect.right() - 6, rect.top() + 2, 4, 4))
        mark = index.data(EVENT_ROLE)
        if mark:
            corner = QPolygonF([QPointF(rect.left() + 1, rect.bottom() - 9), QPointF(rect.left() + 1, rect.bottom() - 1),
                                QPointF(rect.left() + 9, rect.bottom() - 1)])
            color = event_mark_color()
            painter.setPen(QPen(color, 1.2))
            painter.setBrush(QBrush(color) if mark == "watchable" else Qt.BrushStyle.NoBrush)
            painter.drawPolygon(corner)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.setPen(QPen(palette.text().color(), 1.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect.adjusted(1, 1, -1, -1))
        painter.restore()


class OutlookProxy(QSortFilterProxyModel):
    """Sorting by the names or by a night's hours; optionally only targets observable at least once."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setSortRole(HOURS_ROLE)
        self.only_observable = False

    def set_only_observable(self, on: bool) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.9 (as the targets proxy does)
            self.beginFilterChange()
            self.only_observable = bool(on)
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - older Qt
            self.only_observable = bool(on)
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:
        source: OutlookModel = self.sourceModel()
        if not self.only_observable or source.outlook is None:
            return True
        return bool(np.any(source.outlook.hours[row] >= 0.05))


class OutlookPanel(QWidget):
    """The heat map with a line of status above it; ``message(str)`` for the status bar."""

    message = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, state=None) -> None:
        super().__init__(parent)
        self.state = state
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        self.status = QLabel("The nights ahead appear here once the target list is loaded.")
        self.status.setWordWrap(True)
        self.observable_check = QCheckBox("Observable at least once")
        self.observable_check.setToolTip("Hide the targets that are not observable on any night of the outlook.")
        top.addWidget(self.status, 1)
        top.addWidget(self.observable_check)
        layout.addLayout(top)
        self.model = OutlookModel(self)
        self.proxy = OutlookProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = QTableView(self)
        self.view.setObjectName("outlookHeatMap")
        self.view.setModel(self.proxy)
        self.view.setItemDelegate(HeatDelegate(self.view))
        # the list's own order until a header is clicked
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setShowGrid(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 4)
        header = self.view.horizontalHeader()
        header.setDefaultSectionSize(self.fontMetrics().horizontalAdvance("00.0") + 10)
        header.setMinimumSectionSize(24)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.clicked.connect(self._on_clicked)
        layout.addWidget(self.view, 1)
        self.observable_check.toggled.connect(self.proxy.set_only_observable)
        self.runner = LatestRunner("outlook", self)
        self.runner.finished.connect(lambda _g, result: self._on_outlook(result))
        self.runner.failed.connect(lambda _g, exc: self._say(f"The outlook could not be computed: {exc}"))
        self._dirty = True
        self._asked: tuple | None = None
        if state is not None:
            listen(self, state.targets_changed, lambda _tl: self._invalidate())
            listen(self, state.site_changed, lambda _site: self._invalidate())
            listen(self, state.settings_changed, lambda _s: self._invalidate())

    # -- computing ---------------------------------------------------------------------

    def _invalidate(self) -> None:
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    def _request(self) -> tuple | None:
        state = self.state
        if state is None or not state.targets:
            return None
        dates = outlook_dates(state.site, None, int(state.settings.outlook_nights), state.clock())
        return (tuple(state.targets), state.site, tuple(dates))

    def refresh(self) -> None:
        """Compute the outlook for the state's list, site and nights (in the sky helper)."""
        request = self._request()
        self._dirty = False
        if request is None:
            self.runner.cancel()
            self.model.set_outlook(None)
            self.status.setText("No targets loaded yet.")
            return
        if request == self._asked and self.model.outlook is not None:
            return
        self._asked = request
        targets, site, dates = request
        self.status.setText(f"Computing the next {len(dates)} nights for {len(targets)} targets…")
        self.runner.submit(outlook_in_helper, list(targets), site, list(dates))

    def _on_outlook(self, result: Outlook) -> None:
        self.model.set_outlook(result)
        self.view.horizontalHeader().setSectionResizeMode(NAME_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        first, last = result.nights[0].date, result.nights[-1].date
        mask = " and the horizon mask" if result.site.horizon is not None else ""
        self.status.setText(
            f"Hours observable each night, {first:%a %d %b} to {last:%a %d %b} (nights of, {result.site.timezone}; "
            f"the altitude limit{mask}). Deeper = longer; a red dot: due that night; a corner triangle: an event "
            f"(filled: it can be watched). Click a night to open it.")

    def _on_clicked(self, index: QModelIndex) -> None:
        source = self.proxy.mapToSource(index)
        date = self.model.night_of_column(source.column())
        if self.state is None:
            return
        target = source.row()
        if date is not None:
            self.state.set_night_date(date)
            self._say(f"Showing the night of {date:%a %Y-%m-%d}.")
        targets = self.state.targets
        outlook = self.model.outlook
        # the row is the state's target only while the outlook is of the list shown
        if outlook is not None and 0 <= target < len(targets) and outlook.targets[target] == targets[target]:
            self.state.set_selection([target])

    def _say(self, text: str) -> None:
        self.message.emit(text)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in THEME_EVENTS:
            self.view.viewport().update()


class OutlookDock(QDockWidget):
    """The Outlook panel in its dock (``message`` forwarded for the window's status bar)."""

    message = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, state=None) -> None:
        super().__init__("Outlook", parent)
        self.panel = OutlookPanel(self, state=state)
        self.panel.message.connect(self.message)
        self.setWidget(self.panel)
        self.setAllowedAreas(Qt.DockWidgetArea.AllDockWidgetAreas)
