"""The main window and the plan: dragging targets from the table, and File > Open recent."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QMessageBox

from planner.ui.plan_table import TARGETS_MIME, targets_from_mime
from tests.ui.test_main_window import _open, close_windows, open_window  # noqa: F401 (fixture)


@pytest.fixture(autouse=True)
def no_unsaved_plans(close_windows, tmp_path):  # noqa: F811 - torn down before close_windows
    """Closing a window with an unsaved plan rightly asks what to do; save it first so the
    teardown's close meets no modal question."""
    yield
    for number, window in enumerate(_open):
        if window.plan_dock is not None and window.plan_dock.has_unsaved_changes():
            window.plan_dock.save_as(tmp_path / f"teardown-{number}.plan.json")


def _rows(window, n):
    proxy = window.table.model()
    return [proxy.index(r, 0) for r in range(n)]


def test_dragging_rows_carries_their_targets_to_the_plan(qtbot):
    window = open_window(qtbot)
    proxy = window.table.model()
    indexes = _rows(window, 3)
    assert proxy.flags(indexes[0]) & Qt.ItemFlag.ItemIsDragEnabled
    assert TARGETS_MIME in proxy.mimeTypes()
    mime = proxy.mimeData(indexes)
    dragged = targets_from_mime(mime)
    shown = [window.model.target(proxy.mapToSource(i).row()).star_name for i in indexes]
    assert [t.star_name for t in dragged] == shown
    # Dropped on the plan's table, they become entries in that order.
    plan_model = window.plan_dock.model
    assert plan_model.dropMimeData(mime, Qt.DropAction.CopyAction, 0, 0, QModelIndex())
    qtbot.waitUntil(lambda: len(window.plan_dock.plan.entries) == 3, timeout=60_000)
    assert [e.target.name for e in window.plan_dock.plan.entries] == shown


def test_saved_and_opened_plans_are_offered_again(qtbot, tmp_path, monkeypatch):
    window = open_window(qtbot)
    dock = window.plan_dock
    window.table.selectRow(0)
    window.add_selection_to_plan()
    first = tmp_path / "first.plan.json"
    second = tmp_path / "second.plan.json"
    assert dock.save_as(first)
    assert dock.save_as(second)
    assert window.recent_plans() == [str(second.resolve()), str(first.resolve())]
    window._fill_recent_menu()
    titles = [a.text() for a in window.recent_menu.actions() if a.text()]
    assert titles[:2] == ["&1 second.plan.json", "&2 first.plan.json"]
    # Opening from the list asks before discarding unsaved changes.
    window.table.selectRow(1)
    window.add_selection_to_plan()
    assert dock.has_unsaved_changes()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    assert not window.open_recent_plan(str(first.resolve()))
    assert dock.path == second
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    assert window.open_recent_plan(str(first.resolve()))
    assert dock.path == first
    assert len(dock.plan.entries) == 1 and window.recent_plans()[0] == str(first.resolve())


def test_a_vanished_recent_plan_is_removed_with_a_message(qtbot, tmp_path):
    window = open_window(qtbot)
    gone = tmp_path / "gone.plan.json"
    window.remember_plan(gone)
    assert window.recent_plans() == [str(gone.resolve())]
    assert not window.open_recent_plan(str(gone.resolve()))
    assert window.recent_plans() == []
    assert "no longer exists" in window.statusBar().currentMessage()


def test_a_damaged_recent_plan_is_refused_without_changing_the_plan(qtbot, tmp_path, monkeypatch):
    window = open_window(qtbot)
    bad = tmp_path / "bad.plan.json"
    bad.write_text("{ not json")
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text: warnings.append(text))
    before = window.plan_dock.plan
    assert not window.open_recent_plan(str(bad))
    assert warnings and "bad.plan.json" in warnings[0]
    assert window.plan_dock.plan is before


def test_quitting_with_an_unsaved_plan_asks_first(qtbot, tmp_path, monkeypatch):
    window = open_window(qtbot)
    window.table.selectRow(0)
    window.add_selection_to_plan()
    asked = []

    def answer(choice):
        def question(*args, **kwargs):
            asked.append(args[1] if len(args) > 1 else "")
            return choice
        return question

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Cancel))
    assert not window.close()  # Cancel keeps the window and the plan
    assert window.isVisible() and window.plan_dock.has_unsaved_changes()
    target = tmp_path / "kept.plan.json"
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Save))
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    assert window.close()  # Save asks where (a new plan has no file yet), writes it, then quits
    assert asked == ["Unsaved plan", "Unsaved plan"]
    assert target.exists() and not window.plan_dock.has_unsaved_changes()
