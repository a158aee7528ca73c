"""The Plan dock's files: new, open, save, save as, the recovery file, and export (with the
question a plan with conflicts asks first, ``planner.plan.conflicts.export_warnings``).

``PlanFilesMixin`` is a part of ``planner.ui.plan_dock.PlanDock`` (it uses the dock's plan,
runners, dirty flag and status line); kept apart so the dock stays one screenful of
scheduling and editing.
"""

from __future__ import annotations

import copy
import datetime as _dt
from pathlib import Path
from typing import Sequence

from PySide6.QtWidgets import QFileDialog, QMessageBox

from planner.config import load_settings_or_defaults
from planner.plan import store
from planner.plan.conflicts import describe, export_warnings
from planner.plan.export import FORMATS, ExportOptions, export_plan, warns_about_times
from planner.ui.window_state import window_settings

EXPORT_DIR_KEY = "plan/export_dir"  # window settings: the folder of the last export
EXPORT_FORMAT_KEY = "plan/export_format"  # and its format


def ask_export_anyway(parent, label: str, warnings: Sequence[str]) -> bool:
    """The export dialog's question about a plan with conflicts: True to export anyway."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Export plan",
                      f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''} about the plan's times. "
                      f"The {label} will hold them as they are:", QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("planExportWarnings")
    box.setInformativeText("\n".join(f"• {w}" for w in warnings[:12])
                           + (f"\n… and {len(warnings) - 12} more." if len(warnings) > 12 else ""))
    anyway = box.addButton("Export anyway", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(anyway)
    box.exec()
    return box.clickedButton() is anyway


class PlanFilesMixin:
    """The open plan's file, recovery and exports (part of ``PlanDock``)."""

    def new_plan(self) -> bool:
        if not self._confirm_discard():
            return False
        self._replace_plan(self._blank_plan(), None)
        store.clear_recovery()
        return True

    def open_plan(self, path: str | Path | None = None) -> bool:
        """Open a plan file; raises ``PlanFileError`` for anything but a valid plan (the
        open plan is then left as it was)."""
        if path is None:
            if not self._confirm_discard():
                return False
            path, _ = QFileDialog.getOpenFileName(self, "Open plan", "", "Plans (*.plan.json *.json);;All files (*)")
            if not path:
                return False
        plan = store.load_plan(path)
        self._replace_plan(plan, Path(path))
        store.clear_recovery()
        self._say(f"Opened {path}")
        return True

    def save(self) -> bool:
        if self._path is None:
            return self.save_as()
        return self._write(self._path)

    def open_recent(self, path: str | Path) -> bool:
        """Open a plan chosen from File > Open recent, asking first if the open plan has
        unsaved changes. Raises ``PlanFileError`` as ``open_plan`` does."""
        if not self._confirm_discard():
            return False
        return self.open_plan(path)

    def save_as(self, path: str | Path | None = None) -> bool:
        if path is None:
            suggestion = f"{self.plan.date or 'plan'}.plan.json"
            path, _ = QFileDialog.getSaveFileName(self, "Save plan as", suggestion, "Plans (*.plan.json *.json)")
            if not path:
                return False
        return self._write(Path(path))

    def _write(self, path: Path) -> bool:
        """Save to ``path``, asking first when the file there is not a plan this planner can
        read (it may be a newer planner's plan or another program's file). False when the
        user keeps the file."""
        reason = store.overwrite_refusal(path)
        if reason is not None:
            answer = QMessageBox.question(
                self, "Replace file?",
                f"{path.name} is not a plan this planner can read:\n\n{reason}\n\n"
                "Replace it with this plan? What it holds now will be lost.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                self._say(f"Not saved: {path} was kept as it is.")
                return False
        store.save_plan(self.plan, path, force=True)
        self._path = path
        self._set_dirty(False)
        store.clear_recovery()
        self._say(f"Saved {path}")
        self.path_changed.emit(path)
        return True

    def export(self, fmt: str | None = None, path: str | Path | None = None) -> bool:
        """Render the plan as ``fmt`` to ``path`` in a worker; ``export_finished(path)`` or
        ``export_failed(message)`` follows. Chosen in the dialog, an export of a plan with
        conflicts (``planner.plan.conflicts.export_warnings``) asks first: export anyway or
        cancel; given ``fmt`` and ``path`` it goes ahead and the warnings are said."""
        asked = fmt is None or path is None
        if asked:
            labels = {k: f"{f.label} (*{f.suffix})" for k, f in FORMATS.items()}
            # the folder and format of the last export (the night's files go to one place)
            remembered = window_settings()
            folder = str(remembered.value(EXPORT_DIR_KEY, "") or "")
            last = str(remembered.value(EXPORT_FORMAT_KEY, "") or "")
            start = str(Path(folder) / (self.plan.date or "plan")) if folder and Path(folder).is_dir() \
                else (self.plan.date or "plan")
            path, chosen = QFileDialog.getSaveFileName(self, "Export plan", start, ";;".join(labels.values()),
                                                       labels.get(last, ""))
            if not path:
                return False
            fmt = next((k for k, f in FORMATS.items() if chosen.startswith(f.label)), "csv")
            if not Path(path).suffix:
                path += FORMATS[fmt].suffix
            remembered.setValue(EXPORT_DIR_KEY, str(Path(path).parent))
            remembered.setValue(EXPORT_FORMAT_KEY, fmt)
            remembered.sync()
        if fmt not in FORMATS:
            raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
        warnings = describe(export_warnings(self.plan)) if warns_about_times(fmt) else []
        if warnings and asked and not ask_export_anyway(self, FORMATS[fmt].label, warnings):
            self._say("Not exported: fix the warnings (or export anyway).")
            return False
        self._export_warnings = warnings
        options = ExportOptions.from_settings(load_settings_or_defaults())
        self.export_runner.submit(export_plan, copy.deepcopy(self.plan), fmt, Path(path), options)
        self._say(f"Exporting {FORMATS[fmt].label} to {path}…")
        return True

    def autosave_now(self) -> None:
        if not self._dirty:
            return
        try:
            store.autosave(self.plan, self._path)
        except store.PlanFileError as exc:
            self._say(str(exc))

    def offer_recovery(self) -> bool:
        """Offer the plan a crashed session left behind; True when it was restored."""
        recovery = store.find_recovery()
        if recovery is None:
            return False
        when = _dt.datetime.fromtimestamp(recovery.saved_at).strftime("%Y-%m-%d %H:%M")
        answer = QMessageBox.question(
            self, "Recover plan",
            f"planner did not close cleanly. A plan with {len(recovery.plan.entries)} entries was autosaved at "
            f"{when}. Restore it?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            store.clear_recovery()
            return False
        self.restore(recovery)
        return True

    def restore(self, recovery: store.Recovery) -> None:
        self._replace_plan(recovery.plan, Path(recovery.source) if recovery.source else None)
        self._set_dirty(True)
        self._say("Restored the autosaved plan; save it to keep it.")

    def _on_quit(self) -> None:
        self._prepare_cancel.set()  # a chart download in progress stops after the star in hand
        store.clear_recovery()

    def _confirm_discard(self) -> bool:
        if not self._dirty:
            return True
        answer = QMessageBox.question(
            self, "Unsaved plan", "The plan has unsaved changes. Discard them?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Discard

    def _on_exported(self, _generation: int, result) -> None:
        warned = self._export_warnings
        self._say(f"Exported {result.summary()}"
                  + (f" With {len(warned)} warning{'s' if len(warned) != 1 else ''}: " + " ".join(warned)
                     if warned else ""))
        self.export_finished.emit(str(result.path))

    def _on_export_failed(self, _generation: int, exc) -> None:
        self._say(f"Export failed: {exc}")
        self.export_failed.emit(str(exc))
