"""The Details dock's content: tabs for the chosen target's details and its AAVSO
comparison-star chart (``planner.ui.comparison_chart``)."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QWidget

from planner.ui.comparison_chart import ComparisonChartPanel
from planner.ui.targets_view import TargetDetails


class DetailsPane(QTabWidget):
    """``target`` (the target's fields and links) and ``chart`` (its AAVSO chart)."""

    def __init__(self, parent: QWidget | None = None, *, state=None) -> None:
        super().__init__(parent)
        self.setObjectName("detailsPane")
        self.setDocumentMode(True)
        self.target = TargetDetails(self, state=state)
        self.chart = ComparisonChartPanel(self, state=state)
        self.addTab(self.target, "Target")
        self.addTab(self.chart, "Chart")
        self.message = self.chart.message

    def show_chart_tab(self) -> None:
        self.setCurrentWidget(self.chart)


__all__ = ["DetailsPane"]
