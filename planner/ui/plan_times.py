"""The Plan dock's typed times: what the dock says after a Start or End is typed, the check
of the typed block against the sky (``planner.app.plan_edit.check_times``, in the sky helper
process: its air mass, and windows for an entry never scheduled), and Unpin.

``PlanTimesMixin`` is a part of ``planner.ui.plan_dock.PlanDock`` (it uses the dock's plan,
model, check runner and status line).
"""

from __future__ import annotations

import copy

from planner.app.plan_edit import apply_checked, check_times


class PlanTimesMixin:
    """Typed Start/End times of the plan's entries (part of ``PlanDock``)."""

    def unpin_selected(self) -> None:
        """Release the selected entries' typed times: the next Schedule places them again."""
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        released = [self.plan.set_times(r, self.plan.entries[r].start, self.plan.entries[r].end, pinned=False).name
                    for r in rows if self.plan.entries[r].pinned]
        if released:
            self._say(f"Unpinned {', '.join(released)}; Schedule places {'it' if len(released) == 1 else 'them'} again.")

    def _on_times_edited(self, edit) -> None:
        """A Start or End typed in the table: say where it went and what it breaks, then
        check the block against the sky in the helper (its air mass; its windows when it
        was never scheduled)."""
        self._say(edit.summary(self.model.tz))
        time = self._night_reference_time()
        if time is not None and edit.entry.start is not None:
            self._typed.add(edit.entry.id)
            self.check_runner.submit(check_times, copy.deepcopy(self.plan), time, sorted(self._typed), in_helper=True)

    def _night_reference_time(self) -> float | None:
        """A time before the plan's night (what the sky computation is asked for): the
        plan's own night, else the night the window shows."""
        if self.plan.night_start is not None:
            return self.plan.night_start - 3 * 3600.0
        return self._night_time

    def _on_times_checked(self, _generation: int, checked) -> None:
        self._typed.difference_update(checked)
        self.model.merge_airmass({ident: (c.start, c.end, c.airmass) for ident, c in checked.items()})
        apply_checked(self.plan, checked)  # the row's warnings follow the windows found
        names = {e.id: e.name for e in self.plan.entries}
        never_up = [names[i] for i, c in checked.items() if not c.windows and i in names]
        if never_up:
            self._say(f"{', '.join(never_up)} never rises above the altitude limit in the dark time; "
                      "kept as typed.")
