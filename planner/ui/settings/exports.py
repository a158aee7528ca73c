"""Settings > Exports: the observer (for the observing log), the filter-wheel names the
telescope exports use for AAVSO's filter codes, and where Ekos saves frames.

A settings page (``planner.ui.settings.page``): ``ExportsPage(settings)`` shows the values,
``errors()`` lists what cannot be saved, ``apply(settings)`` returns the settings with the
page's values. The codes and defaults come from ``planner.plan.filters``; the checks are the
"exports" settings section's (``planner.config.exports``), which the settings loader uses too.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from planner.config import Settings
from planner.config.exports import EXPORTS, bad_wheel_name
from planner.plan.filters import AAVSO_FILTER_CODES, FilterNames
from planner.ui.settings.page import SettingsPage

CODE_COLUMN, NAME_COLUMN, MEANING_COLUMN = range(3)


class ExportsPage(SettingsPage):
    KEY = "exports"
    TITLE = "Exports"

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(settings, parent)
        layout = QVBoxLayout(self)

        observer = QGroupBox("Observer (for the observing log, OAL)")
        form = QFormLayout(observer)
        self.observer_name_edit = QLineEdit(settings.observer_name)
        self.observer_name_edit.setPlaceholderText("e.g. Jane Q. Observer")
        self.observer_code_edit = QLineEdit(settings.observer_code)
        self.observer_code_edit.setPlaceholderText("e.g. XYZ")
        self.observer_code_edit.setMaxLength(8)
        form.addRow("Name", self.observer_name_edit)
        form.addRow("AAVSO observer code", self.observer_code_edit)
        layout.addWidget(observer)

        wheel = QGroupBox("Filter-wheel names for AAVSO's filter codes (ACP, Ekos, N.I.N.A.)")
        wheel_layout = QVBoxLayout(wheel)
        hint = QLabel("Type each filter as your filter wheel names it. Leave a name empty for what a "
                      "camera cannot take: such stars are left out of the telescope exports, with a note.")
        hint.setWordWrap(True)
        wheel_layout.addWidget(hint)
        names = FilterNames.from_settings(settings.filter_names)
        self.table = QTableWidget(len(AAVSO_FILTER_CODES), 3)
        self.table.setHorizontalHeaderLabels(["AAVSO code", "Filter-wheel name", "What it is"])
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        for row, (code, meaning) in enumerate(AAVSO_FILTER_CODES):
            for column, text in ((CODE_COLUMN, code), (NAME_COLUMN, names.names[code]), (MEANING_COLUMN, meaning)):
                item = QTableWidgetItem(text)
                if column != NAME_COLUMN:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(CODE_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(NAME_COLUMN, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(MEANING_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(NAME_COLUMN, 150)
        self._rows = {code: row for row, (code, _meaning) in enumerate(AAVSO_FILTER_CODES)}
        # 'All' follows V's name until the user gives it one of its own.
        self._all_follows = names.names["All"] == names.names["V"] and "All" not in names.changed()
        self.table.itemChanged.connect(self._on_item_changed)
        wheel_layout.addWidget(self.table)
        layout.addWidget(wheel, 1)

        ekos = QGroupBox("KStars Ekos")
        ekos_form = QFormLayout(ekos)
        self.image_dir_edit = QLineEdit(settings.ekos_image_dir)
        self.image_dir_edit.setPlaceholderText("an 'images' folder beside the exported .esl")
        ekos_form.addRow("Save frames in", self.image_dir_edit)
        layout.addWidget(ekos)

        self.message = QLabel()
        self.message.setProperty("role", "error")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        for edit in (self.observer_name_edit, self.observer_code_edit, self.image_dir_edit):
            edit.textChanged.connect(lambda _text: self.changed.emit())

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == NAME_COLUMN:
            if item.row() == self._rows["All"]:
                self._all_follows = False
            elif item.row() == self._rows["V"] and self._all_follows:
                follower = self.table.item(self._rows["All"], NAME_COLUMN)
                self.table.blockSignals(True)
                follower.setText(item.text())
                self.table.blockSignals(False)
        self.changed.emit()

    def wheel_names(self) -> dict[str, str]:
        names = {self.table.item(row, CODE_COLUMN).text(): " ".join(self.table.item(row, NAME_COLUMN).text().split())
                 for row in range(self.table.rowCount())}
        if self._all_follows:
            names.pop("All")
        return names

    def errors(self) -> list[str]:
        out = []
        for code, name in self.wheel_names().items():
            why = bad_wheel_name(name)
            if why:
                out.append(f"{code}: {why}.")
        folder = EXPORTS["ekos_image_dir"].problem(self.image_dir_edit.text())  # the section's rule
        if folder:
            out.append(folder)
        self.message.setText(" ".join(out))
        return out

    def apply(self, settings: Settings) -> Settings:
        names = FilterNames.from_settings(self.wheel_names())
        return dataclasses.replace(
            settings,
            observer_name=" ".join(self.observer_name_edit.text().split()),
            observer_code=self.observer_code_edit.text().strip().upper(),
            filter_names=names.changed(),
            ekos_image_dir=self.image_dir_edit.text().strip(),
        )
