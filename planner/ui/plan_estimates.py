"""The Plan dock's estimates and charts: the estimate form of the chosen entry (checked in a
worker with the airmass, added to the live plan), the comparison stars picked in the Chart
tab, and "Prepare tonight's charts" (fetched in a worker, with progress and cancel).

``PlanEstimatesMixin`` is a part of ``planner.ui.plan_dock.PlanDock`` (it uses the dock's
table, plan, runners and status line); kept apart so the dock stays one screenful of
scheduling and editing.
"""

from __future__ import annotations

import copy

from PySide6.QtCore import QObject, Signal

from planner.config import load_settings_or_defaults
from planner.plan.model import Plan, PlanEntry


class _Progress(QObject):
    """Carries "Prepare tonight's charts" progress from its worker to the dock (queued)."""

    changed = Signal(int, int, str)


def _kept_chart(name: str, chart_id: str):
    """Worker: the kept chart of a plan entry (its chart id first, else the star's newest)."""
    from planner.app.charts import ChartStore

    store = ChartStore()
    kept = store.load(chart_id) if chart_id else None
    if kept is None:
        kept = store.latest_for(name)
    return name, (kept.chart if kept is not None else None)


def _check_estimate(plan: Plan, estimate, chart):
    """Worker: the estimate checked against a copy of the plan and the chart; returns
    (entry id, observation, notes) for the GUI thread to add to the live plan."""
    from planner.app.observe import build_observation

    index, observation, notes = build_observation(plan, estimate, chart=chart)
    return plan.entries[index].id, observation, notes


class PlanEstimatesMixin:
    """Estimates of the plan's entries and their charts (part of ``PlanDock``)."""

    def current_entry(self) -> tuple[int, PlanEntry] | None:
        """(row, entry) of the entry with the table's focus, or None."""
        index = self.table.selectionModel().currentIndex()
        row = index.row() if index.isValid() else -1
        return (row, self.plan.entries[row]) if 0 <= row < len(self.plan.entries) else None

    def select_entry(self, row: int) -> None:
        self.table.selectRow(row)
        self.table.setCurrentIndex(self.model.index(row, 0))

    def _on_current_entry(self) -> None:
        current = self.current_entry()
        entry = current[1] if current else None
        self.estimate_box.set_entry(entry, self.plan.site.tz)
        if self._state is not None:
            self._state.set_plan_selection(entry.id if entry is not None else None)
        if entry is not None:
            self.entry_chart_runner.submit(_kept_chart, entry.name, entry.chart_id)
        else:
            self.entry_chart_runner.cancel()

    def _on_entry_chart(self, _generation: int, value) -> None:
        name, chart = value
        current = self.current_entry()
        if current is not None and current[1].name == name:
            self.estimate_box.set_chart(chart)

    def _on_add_estimate(self, estimate) -> None:
        """Check the estimate (with the airmass) in a worker; ``_on_estimate_checked`` adds it."""
        self.estimate_box.show_message("Checking…")
        self.estimate_runner.submit(_check_estimate, copy.deepcopy(self.plan), estimate, self.estimate_box._chart)

    def _on_estimate_checked(self, _generation: int, result) -> None:
        from planner.app.observe import add_observation

        entry_id, observation, notes = result
        try:
            row = self.plan.index_of(entry_id)
        except KeyError:
            self.estimate_box.show_message("The entry was removed from the plan meanwhile; nothing was added.",
                                           error=True)
            return
        entry = add_observation(self.plan, row, observation)
        value = ("<" if observation.fainter_than else "") + f"{observation.magnitude:g}"
        airmass = f", airmass {observation.airmass:.2f}" if observation.airmass is not None else ""
        self.estimate_box.refresh_list(entry)
        self.estimate_box.added(f"Added {observation.band} {value} of {entry.name}{airmass}. " + " ".join(notes))
        self._say(f"Added an estimate of {entry.name} ({len(entry.observations)} now); save the plan to keep it.")

    def _on_estimate_failed(self, _generation: int, exc) -> None:
        from planner.errors import PlannerError

        text = str(exc) if isinstance(exc, PlannerError) else f"The estimate could not be checked ({exc})."
        self.estimate_box.show_message(text[:1].upper() + text[1:] + ("" if text.endswith(".") else "."), error=True)

    def _on_remove_estimate(self, position: int) -> None:
        from planner.app.observe import remove_observation

        current = self.current_entry()
        if current is None or not 0 <= position < len(current[1].observations):
            return
        entry = remove_observation(self.plan, current[0], position)
        self.estimate_box.refresh_list(entry)
        self.estimate_box.show_message(f"Removed the estimate; {len(entry.observations)} left.")

    def _on_comparison_picked(self, star: str, label: str) -> None:
        """A star of ``star``'s chart double-clicked in the Chart tab: the estimate of that
        star's entry takes it as a comparison star."""
        current = self.current_entry()
        if current is None or " ".join(current[1].name.split()).casefold() != " ".join(star.split()).casefold():
            self._say(f"Choose {star}'s entry in the plan to use its comparison star {label}.")
            return
        self.estimate_box.pick_star(label)
        self.estimate_box.show_message(f"Comparison star {label} from the chart.")

    def _on_chart_kept(self, star: str, chart_id: str) -> None:
        """A chart of ``star`` was kept (the Chart tab): entries of the star without one get it."""
        key = " ".join(star.split()).casefold()
        for row, entry in enumerate(self.plan.entries):
            if " ".join(entry.name.split()).casefold() == key and not entry.chart_id:
                self.plan.update(row, chart_id=chart_id)
        current = self.current_entry()
        if current is not None and " ".join(current[1].name.split()).casefold() == key:
            self.entry_chart_runner.submit(_kept_chart, current[1].name, current[1].chart_id)

    def prepare_charts(self) -> bool:
        """Fetch and keep every plan star's chart in a worker (progress and cancel in the dock)."""
        from planner.app.charts import prepare_charts

        if not self.plan.entries:
            self._say("Add targets to the plan first; then prepare their charts.")
            return False
        self._prepare_cancel.clear()
        settings = self._state.settings if self._state is not None else load_settings_or_defaults()
        self.prepare_progress.setRange(0, len(self.plan.entries))
        self.prepare_progress.setValue(0)
        self.prepare_runner.submit(prepare_charts, copy.deepcopy(self.plan), settings,
                                   progress=self._prepare_progress.changed.emit, cancelled=self._prepare_cancel.is_set)
        self._say("Preparing tonight's charts…")
        return True

    def cancel_prepare(self) -> None:
        self._prepare_cancel.set()
        self._say("Stopping after the chart in hand…")

    def _on_prepare_progress(self, done: int, total: int, star: str) -> None:
        self.prepare_progress.setRange(0, total)
        self.prepare_progress.setValue(done)
        if star:
            self._say(f"Preparing charts: {star} ({done + 1} of {total})…")

    def _on_prepared(self, _generation: int, report) -> None:
        from planner.app.charts import apply_chart_ids

        apply_chart_ids(self.plan, report.chart_ids)  # the plan announces each entry it changes
        if self._state is not None:
            for item in {c.star: c for c in report.charts if c.chart_id}.values():
                self._state.announce_chart(item.star, item.chart_id)
        self.last_prepare = report
        self._say(report.summary())
        self.charts_prepared.emit(report)

    def _on_prepare_failed(self, _generation: int, exc) -> None:
        self._say(f"Preparing the charts failed: {exc}")

    def _on_prepare_busy(self, busy: bool) -> None:
        self.prepare_button.setEnabled(not busy)
        self.prepare_progress.setVisible(busy)
        self.prepare_cancel.setVisible(busy)
