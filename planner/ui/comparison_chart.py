"""The Details dock's Chart tab: the AAVSO comparison-star chart of the chosen star, its
photometry and its id.

It follows the night's state: the plan entry chosen in the Plan dock (its kept chart), else
the target selected in the table. A kept chart opens at once with no network (looked up
and decoded in a worker); *Get chart* asks VSP in a worker and announces the chart to the
state, so the plan entry remembers it. The picture zooms (wheel, +/−, Fit) and follows the
theme: as drawn in light, inverted in dark, red on black in night mode. When VSP fails the
last kept chart of the star is shown with its date. The *Scale* list switches between the
telescope's field and AAVSO's chart scales A–G (Settings > Telescope chooses the first one):
finder and telescope charts of the same star are kept side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from planner.ui.listen import listen
from planner.ui.night_filter import mark_image_widget
from planner.ui.themes import THEME_EVENTS
from planner.ui.workers import LatestRunner

ZOOM_STEP = 1.25


@dataclass
class Shown:
    """What the tab shows: the star, the result of the chart use case and the picture."""

    star: str
    result: Any = None  # planner.app.charts.ChartResult
    pixels: tuple[int, int, bytes] | None = None
    look: str = "normal"


def _find_kept(star: str, faintest, chart_id: str, settings, look: str, scale: str | None = None):
    """Worker: the kept chart of the star (by the entry's chart id, else as the telescope
    asks it, else the newest of the star), decoded for ``look``; None when none is kept.
    With a ``scale`` chosen in the tab ('' = the telescope's field), only a chart asked at
    that scale will do."""
    from planner.app.charts import ChartResult, ChartStore, chart_pixels, chart_request

    store = ChartStore()
    kept = store.load(chart_id) if chart_id and scale is None else None
    if kept is None or kept.image is None:
        kept = store.find(chart_request(star, settings, faintest=faintest, scale=scale))
    if kept is None and scale is None:
        kept = store.latest_for(star)
    if kept is None or kept.image is None:
        return Shown(star)
    return Shown(star, ChartResult(kept, "store"), chart_pixels(kept.image, look), look)


def _fetch(star: str, faintest, settings, look: str, refresh: bool, scale: str | None = None):
    """Worker: the chart from VSP (or, when VSP fails, the last kept one), decoded."""
    from planner.app.charts import chart_pixels, chart_request, get_chart

    request = chart_request(star, settings, faintest=faintest, scale=scale)
    result = get_chart(request, settings=settings, refresh=refresh)
    pixels = chart_pixels(result.stored.image, look) if result.stored.image else None
    return Shown(star, result, pixels, look)


def _redraw(shown: Shown, look: str) -> Shown:
    from planner.app.charts import chart_pixels

    return Shown(shown.star, shown.result, chart_pixels(shown.result.stored.image, look), look)


class ChartView(QGraphicsView):
    """The chart picture; the wheel zooms about the pointer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("comparisonChartView")
        self.setScene(QGraphicsScene(self))
        self._item = QGraphicsPixmapItem()
        self._item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self._item)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setMinimumSize(160, 160)
        self._fitted = True

    def set_pixels(self, width: int, height: int, data: bytes) -> None:
        image = QImage(data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()
        self._item.setPixmap(QPixmap.fromImage(image))
        self.scene().setSceneRect(self._item.boundingRect())
        if self._fitted:
            self.fit()

    def clear(self) -> None:
        self._item.setPixmap(QPixmap())

    def has_picture(self) -> bool:
        return not self._item.pixmap().isNull()

    def zoom(self, factor: float) -> None:
        self._fitted = False
        self.scale(factor, factor)

    def fit(self) -> None:
        self._fitted = True
        if self.has_picture():
            self.fitInView(self._item, Qt.AspectRatioMode.KeepAspectRatio)

    def scale_factor(self) -> float:
        return self.transform().m11()

    def wheelEvent(self, event) -> None:  # noqa: N802 (Qt name)
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom(ZOOM_STEP ** steps)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self._fitted:
            self.fit()


class ComparisonChartPanel(QWidget):
    """The Chart tab (see the module docstring). ``message(str)`` for the status bar."""

    message = Signal(str)
    shown_changed = Signal()  # a chart (or its absence) is on screen

    def __init__(self, parent: QWidget | None = None, *, state=None) -> None:
        super().__init__(parent)
        self.setObjectName("comparisonChartPanel")
        self._state = state
        self._star = ""
        self._faintest = None
        self._chart_id = ""
        self._scale: str | None = None  # None: as Settings > Telescope says; '' the field; A-G
        self.shown: Shown | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        self.title = QLabel("Select a target or a plan entry to see its AAVSO chart.")
        self.title.setObjectName("comparisonChartTitle")
        self.title.setWordWrap(True)
        top.addWidget(self.title, 1)
        top.addWidget(QLabel("Chart id"))
        self.chart_id_edit = QLineEdit()
        self.chart_id_edit.setObjectName("comparisonChartId")
        self.chart_id_edit.setReadOnly(True)
        self.chart_id_edit.setMaximumWidth(120)
        self.chart_id_edit.setToolTip("The chart's id: report it with your estimates")
        top.addWidget(self.chart_id_edit)
        self.copy_button = QToolButton()
        self.copy_button.setText("Copy")
        self.copy_button.setToolTip("Copy the chart id")
        self.copy_button.clicked.connect(self.copy_chart_id)
        top.addWidget(self.copy_button)
        layout.addLayout(top)

        buttons = QHBoxLayout()
        self.get_button = QPushButton("Get chart")
        self.get_button.setObjectName("comparisonChartGet")
        self.get_button.setToolTip("Ask AAVSO's Variable Star Plotter for this star's chart and photometry "
                                   "(kept for use without network)")
        self.get_button.clicked.connect(lambda: self.fetch(refresh=self.shown is not None and self.shown.result is not None))
        buttons.addWidget(self.get_button)
        for text, tip, slot in (("−", "Zoom out", lambda: self.view.zoom(1 / ZOOM_STEP)),
                                ("+", "Zoom in", lambda: self.view.zoom(ZOOM_STEP)),
                                ("Fit", "Fit the chart in the view", lambda: self.view.fit())):
            button = QToolButton()
            button.setText(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addSpacing(12)
        buttons.addWidget(QLabel("Scale"))
        self.scale_combo = QComboBox()
        self.scale_combo.setObjectName("comparisonChartScale")
        self.scale_combo.setToolTip("The chart's field: the telescope's (Settings > Telescope), or one of AAVSO's "
                                    "chart scales, A (15°, naked eye) to G (7.5′); each is kept on its own")
        self.scale_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._fill_scales()
        self.scale_combo.activated.connect(self._on_scale_chosen)
        buttons.addWidget(self.scale_combo)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.view = ChartView()
        mark_image_widget(self.view.viewport())  # night mode draws the chart in red
        self.splitter.addWidget(self.view)
        self.table = QTableWidget(0, 0)
        self.table.setObjectName("comparisonStars")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setToolTip("Double-click a comparison star to use it in the Plan dock's estimate")
        self.table.cellDoubleClicked.connect(lambda row, _column: self.pick_row(row))
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.splitter.addWidget(self.table)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([600, 400])  # the picture first; the table's columns scroll
        layout.addWidget(self.splitter, 1)
        self.status = QLabel()
        self.status.setObjectName("comparisonChartStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        self.lookup_runner = LatestRunner("chart-lookup", self)
        self.lookup_runner.finished.connect(self._on_shown)
        self.lookup_runner.failed.connect(self._on_failed)
        self.fetch_runner = LatestRunner("chart-fetch", self)
        self.fetch_runner.finished.connect(self._on_fetched)
        self.fetch_runner.failed.connect(self._on_failed)
        self.fetch_runner.busy_changed.connect(self._on_busy)
        self.redraw_runner = LatestRunner("chart-redraw", self)
        self.redraw_runner.finished.connect(lambda _g, shown: self._display(shown))
        self.redraw_runner.failed.connect(self._on_failed)
        self._update_buttons()

        if state is not None:
            listen(self, state.selection_changed, lambda _indices: self._follow_target())
            listen(self, state.targets_changed, lambda _list: self._follow_target())
            listen(self, state.plan_selection_changed, lambda _entry: self._follow_entry())
            listen(self, state.chart_kept, self._on_chart_kept)
            listen(self, state.settings_changed, self._on_settings_changed)
        self._optics = self._optics_of(self._settings())

    # -- what to show ----------------------------------------------------------------------

    def _settings(self):
        from planner.config import load_settings_or_defaults

        return self._state.settings if self._state is not None else load_settings_or_defaults()

    def _fill_scales(self) -> None:
        from planner.app.telescope import CHART_SCALES

        self.scale_combo.addItem("Telescope", "")
        self._name_telescope_item(self._settings())
        for letter, scale in CHART_SCALES.items():
            fov = scale.fov_arcmin
            width = f"{fov / 60:g}°" if fov >= 60 else f"{fov:g}′"
            self.scale_combo.addItem(f"{letter} ({width})", letter)
            self.scale_combo.setItemData(self.scale_combo.count() - 1, f"AAVSO scale {letter}: {scale.use}",
                                         Qt.ItemDataRole.ToolTipRole)
        chosen = (getattr(self._settings(), "chart_scale", "") or "").upper()
        self.scale_combo.setCurrentIndex(max(self.scale_combo.findData(chosen), 0))

    def _name_telescope_item(self, settings) -> None:
        """The first item says the telescope's field ("Telescope (65′)") and, in its tooltip,
        where that comes from."""
        from planner.app.telescope import TelescopeError, chart_defaults

        try:
            defaults = chart_defaults(settings, None, scale="")
        except TelescopeError:
            return
        self.scale_combo.setItemText(0, f"Telescope ({defaults.fov:g}′)")
        self.scale_combo.setItemData(0, f"The field of the telescope: {defaults.field_words}",
                                     Qt.ItemDataRole.ToolTipRole)

    @staticmethod
    def _optics_of(settings) -> tuple:
        from planner.config.telescope import TELESCOPE

        return tuple(getattr(settings, name, None) for name in TELESCOPE.names)

    def _on_settings_changed(self, settings) -> None:
        """Settings > Telescope changed: the list follows its scale (unless one was chosen
        here) and the star's chart is looked up again as the new optics ask it."""
        optics = self._optics_of(settings)
        if optics == self._optics:
            return  # another section changed (a theme, a key): nothing to look up again
        self._optics = optics
        self._name_telescope_item(settings)
        if self._scale is None:
            chosen = (getattr(settings, "chart_scale", "") or "").upper()
            self.scale_combo.setCurrentIndex(max(self.scale_combo.findData(chosen), 0))
        if self._star:
            self.show_star(self._star, self._faintest, self._chart_id)

    def scale(self) -> str | None:
        """The scale chosen in the tab ('' the telescope's field, A-G), or None (Settings')."""
        return self._scale

    def set_scale(self, scale: str) -> None:
        """Show the star's chart at ``scale`` ('' = the telescope's field, or A-G)."""
        index = self.scale_combo.findData(scale)
        if index >= 0:
            self.scale_combo.setCurrentIndex(index)
            self._on_scale_chosen(index)

    def _on_scale_chosen(self, index: int) -> None:
        self._scale = self.scale_combo.itemData(index)
        if self._star:
            self.show_star(self._star, self._faintest, self._chart_id)

    def _follow_target(self) -> None:
        target = self._state.current_target()
        if target is not None:
            self.show_star(target.star_name, target.min_mag)

    def _follow_entry(self) -> None:
        entry = self._state.current_plan_entry()
        if entry is not None:
            self.show_star(entry.name, entry.target.min_mag, entry.chart_id)

    def _on_chart_kept(self, star: str, chart_id: str) -> None:
        if star.casefold() == self._star.casefold() and chart_id != self._chart_id and not self.fetch_runner.busy:
            self.show_star(star, self._faintest, chart_id)

    def show_star(self, star: str, faintest=None, chart_id: str = "") -> None:
        """Show the kept chart of ``star`` (``chart_id`` first), looked up in a worker."""
        self._star, self._faintest, self._chart_id = star, faintest, chart_id or ""
        self.shown = None  # until the lookup answers (the old picture stays on screen meanwhile)
        self.fetch_runner.cancel()
        self.title.setText(f"<b>{star}</b>")
        self.status.setText("Looking for a kept chart…")
        self.lookup_runner.submit(_find_kept, star, faintest, self._chart_id, self._settings(), self._look(),
                                  self._scale)
        self._update_buttons()

    def fetch(self, refresh: bool = False) -> None:
        """Ask VSP for the shown star's chart (in a worker)."""
        if not self._star:
            return
        self.status.setText(f"Asking AAVSO VSP for the chart of {self._star}…")
        self.fetch_runner.submit(_fetch, self._star, self._faintest, self._settings(), self._look(), refresh,
                                 self._scale)

    def pick_row(self, row: int) -> None:
        """Offer the comparison star in ``row`` to the estimate (through the night's state)."""
        chart = self.shown.result.chart if self.shown is not None and self.shown.result is not None else None
        if chart is None or not 0 <= row < len(chart.photometry) or self._state is None:
            return
        label = chart.photometry[row].label
        self._state.pick_comparison(self.shown.star, label)
        self.message.emit(f"Comparison star {label} of {self.shown.star} picked for the estimate")

    def copy_chart_id(self) -> None:
        text = self.chart_id_edit.text()
        if text:
            QGuiApplication.clipboard().setText(text)
            self.message.emit(f"Copied chart id {text}")

    # -- results ---------------------------------------------------------------------------

    def _on_shown(self, _generation: int, shown: Shown) -> None:
        self._display(shown)

    def _on_fetched(self, _generation: int, shown: Shown) -> None:
        self._display(shown)
        if shown.result is not None and self._state is not None and shown.result.source == "service":
            self._state.announce_chart(shown.star, shown.result.chart.chart_id)

    def _on_failed(self, _generation: int, exc: BaseException) -> None:
        from planner.errors import PlannerError

        text = str(exc) if isinstance(exc, (PlannerError, OSError, ValueError)) else (
            f"The chart could not be shown ({exc.__class__.__name__}).")
        self.status.setText(text)
        self.status.setProperty("role", "error")
        self._repolish(self.status)
        self.message.emit(text)
        self._update_buttons()

    def _display(self, shown: Shown) -> None:
        if shown.star.casefold() != self._star.casefold():
            return  # an answer for a star no longer chosen
        self.shown = shown
        self.status.setProperty("role", "")
        if shown.result is None:
            self.view.clear()
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            self.chart_id_edit.clear()
            which = "" if not self._scale else f"scale-{self._scale} "
            self.status.setText(f"No {which}chart of {shown.star} is kept yet. Press Get chart (or Prepare tonight's "
                                "charts in the Plan dock) while online, and it will be here at a dark site.")
        else:
            result = shown.result
            chart = result.chart
            self._chart_id = chart.chart_id
            self.chart_id_edit.setText(chart.chart_id)
            self.title.setText(f"<b>{shown.star}</b> — {chart.fov or 0:g}′, limit {chart.maglimit or 0:g}")
            if shown.pixels is not None:
                self.view.set_pixels(*shown.pixels)
            self._fill_table(chart)
            if result.source == "stale":
                self.status.setProperty("role", "error")
                self.status.setText(result.message)
            elif result.source == "store":
                self.status.setText(f"Kept chart from {result.stored.fetched_text()} (no network needed).")
            else:
                self.status.setText("Fetched from AAVSO VSP and kept for the field.")
        self._repolish(self.status)
        self._update_buttons()
        self.shown_changed.emit()

    def _fill_table(self, chart) -> None:
        bands = [b for b in chart.bands() if b not in ("V", "B")]
        headers = ["Label", "AUID", "V", "B−V", *bands, "Comments"]
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(chart.photometry))

        def cell(m) -> str:
            if m is None:
                return ""
            return f"{m.mag:.3f}" + (f" ± {m.error:.3f}" if m.error is not None else "")

        for row, star in enumerate(chart.photometry):
            values = [star.label, star.auid, cell(star.magnitude("V")), cell(star.b_minus_v),
                      *(cell(star.magnitude(b)) for b in bands), star.comments]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if 2 <= column < len(values) - 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)

    # -- look ------------------------------------------------------------------------------

    def _look(self) -> str:
        from planner.app.charts import look_for_theme
        from planner.ui.themes import current_theme

        try:
            return look_for_theme(current_theme().name)
        except Exception:  # noqa: BLE001 - no application yet (a widget on its own)
            return "normal"

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().changeEvent(event)
        if event.type() in THEME_EVENTS:
            # The theme's name is recorded after its palette is set: look once the change is done.
            QTimer.singleShot(0, self._follow_theme)

    def _follow_theme(self) -> None:
        shown = self.shown
        if shown is not None and shown.result is not None and shown.result.stored.image and shown.look != self._look():
            self.redraw_runner.submit(_redraw, shown, self._look())

    def _on_busy(self, busy: bool) -> None:
        self._update_buttons()

    def _update_buttons(self) -> None:
        has = self.shown is not None and self.shown.result is not None
        self.get_button.setText("Refresh chart" if has else "Get chart")
        self.get_button.setEnabled(bool(self._star) and not self.fetch_runner.busy)
        self.copy_button.setEnabled(bool(self.chart_id_edit.text()))

    @staticmethod
    def _repolish(widget: QWidget) -> None:
        style = widget.style()
        style.unpolish(widget)
        style.polish(widget)


__all__ = ["ChartView", "ComparisonChartPanel", "Shown"]
