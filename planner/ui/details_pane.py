"""The Details dock's content: tabs for the chosen target's details (tonight's visibility,
``planner.ui.details_sky``, above its fields) and its AAVSO comparison-star chart
(``planner.ui.comparison_chart``)."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from planner.ui.comparison_chart import ComparisonChartPanel
from planner.ui.details_sky import TargetSkyPanel
from planner.ui.targets_view import TargetDetails


class DetailsPane(QTabWidget):
    """The Target tab: ``sky`` (position, tonight's window, transit, altitude sparkline) above
    ``target`` (the target's fields and links); the Chart tab: ``chart`` (its AAVSO chart)."""

    def __init__(self, parent: QWidget | None = None, *, state=None) -> None:
        super().__init__(parent)
        self.setObjectName("detailsPane")
        self.setDocumentMode(True)
        page = QWidget(self)
        page.setObjectName("targetPage")
        self.sky = TargetSkyPanel(page, state=state)
        self.target = TargetDetails(page, state=state)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sky)
        layout.addWidget(self.target, 1)
        self.chart = ComparisonChartPanel(self, state=state)
        self.addTab(page, "Target")
        self.addTab(self.chart, "Chart")
        self.message = self.chart.message

    def show_chart_tab(self) -> None:
        self.setCurrentWidget(self.chart)


__all__ = ["DetailsPane"]
