"""The table's first-start columns at 1280x820 (issue 17 item 10): the ones an observer reads
first, in their order, all inside the table with no horizontal scroll; a saved choice wins."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from planner.ui import columns
from planner.ui.columns import COLUMN_INDEX, COLUMNS
from planner.ui.main_window import MainWindow
from tests.ui.test_main_window import close_windows  # noqa: F401 (the fixture: windows closed after each test)
from tests.ui.test_main_window import open_window as open_main_window

OBSERVER_FIRST = ("name", "rise", "set", "hours", "max_alt", "due")  # the list, not read from the code


def open_window(qtbot, size=(1280, 820)) -> MainWindow:
    window = open_main_window(qtbot)
    window.resize(*size)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == size, timeout=60_000)
    return window


def visible_in_order(table) -> list[str]:
    header = table.horizontalHeader()
    logical = [header.logicalIndex(v) for v in range(header.count())]
    return [COLUMNS[i].key for i in logical if not header.isSectionHidden(i)]


def test_first_start_columns_are_the_observers_and_fit_at_1280x820(qtbot):
    window = open_window(qtbot)
    table = window.table
    assert window.model.observability is not None  # the sky columns have their numbers
    shown = visible_in_order(table)
    assert tuple(shown[: len(OBSERVER_FIRST)]) == OBSERVER_FIRST
    header = table.horizontalHeader()
    viewport = table.viewport().width()
    assert table.horizontalScrollBar().value() == 0
    for key in shown:
        i = COLUMN_INDEX[key]
        right = header.sectionViewportPosition(i) + header.sectionSize(i)
        assert right <= viewport, f"{key}'s right edge {right} px is past the table's {viewport} px"
    assert table.horizontalScrollBar().maximum() == 0  # no horizontal scroll at all
    assert tuple(shown) == columns.DEFAULT_ORDER
    for key in shown:  # each as wide as its title and sample need in this font
        assert header.sectionSize(COLUMN_INDEX[key]) >= table.content_width(COLUMN_INDEX[key])


def test_widths_follow_the_font(qtbot):
    window = open_window(qtbot)
    table = window.table
    i = COLUMN_INDEX["set"]  # "all night" decides its width
    before = table.content_width(i)
    font = table.font()
    font.setPointSizeF(font.pointSizeF() * 1.5)
    table.setFont(font)
    table.horizontalHeader().setFont(font)
    assert table.content_width(i) > before * 1.3


def test_a_saved_column_choice_is_honoured_and_hidden_ones_stay_in_the_menu(qtbot):
    window = open_window(qtbot)
    table, header = window.table, window.table.horizontalHeader()
    ra = COLUMN_INDEX["ra"]
    assert table.isColumnHidden(ra)
    menu = table.columns_menu()
    titles = {a.text(): a.isChecked() for a in menu.actions() if a.isCheckable()}
    assert titles["RA"] is False and titles["Section"] is False and titles["Rises"] is True
    table.setColumnHidden(ra, False)
    table.setColumnHidden(COLUMN_INDEX["due"], True)
    header.moveSection(header.visualIndex(ra), 1)
    window.close()

    again = open_window(qtbot)
    shown = visible_in_order(again.table)
    assert shown[1] == "ra" and "due" not in shown
    again.table.reset_columns()
    assert tuple(visible_in_order(again.table)) == columns.DEFAULT_ORDER


@pytest.fixture
def larger_font(qapp):
    old = QApplication.font()
    big = QFont(old)
    big.setPointSizeF(old.pointSizeF() * 1.4)
    QApplication.setFont(big)
    yield big
    QApplication.setFont(old)


def test_a_larger_font_drops_columns_from_the_right_instead_of_scrolling(qtbot, larger_font):
    window = open_window(qtbot)
    table = window.table
    assert table.font().pointSizeF() == pytest.approx(larger_font.pointSizeF())
    needed = sum(table.content_width(COLUMN_INDEX[k]) for k in columns.DEFAULT_ORDER)
    assert needed > table.viewport().width()  # all of them would not fit: some must go
    shown = visible_in_order(table)
    assert tuple(shown[: len(OBSERVER_FIRST)]) == OBSERVER_FIRST
    assert len(OBSERVER_FIRST) <= len(shown) < len(columns.DEFAULT_ORDER)
    assert tuple(shown) == columns.DEFAULT_ORDER[: len(shown)]  # dropped from the right, no gaps
    assert table.horizontalScrollBar().maximum() == 0


def test_a_narrower_window_drops_them_a_wider_one_brings_them_back_until_the_user_chooses(qtbot):
    window = open_window(qtbot)
    table = window.table
    full = visible_in_order(table)
    window.resize(1000, 820)
    qtbot.waitUntil(lambda: len(visible_in_order(table)) < len(full), timeout=60_000)
    assert table.horizontalScrollBar().maximum() == 0
    window.resize(1280, 820)
    qtbot.waitUntil(lambda: visible_in_order(table) == full, timeout=60_000)
    header = table.horizontalHeader()
    header.moveSection(header.visualIndex(COLUMN_INDEX["due"]), 1)  # the user's own order now
    mine = visible_in_order(table)
    window.resize(1000, 820)
    qtbot.waitUntil(lambda: table.width() < 700, timeout=60_000)
    assert visible_in_order(table) == mine  # nothing hidden behind the user's back
