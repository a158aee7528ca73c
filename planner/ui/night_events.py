"""Keeps the night's minima, transits and maxima current in the window's ``NightState``.

``NightEvents`` follows the state: once a list's visibility for a night and site is in
(so the table's own numbers come first from the sky helper process), or elements are
newly found in VSX, the events are recomputed in that helper process
(``planner.app.events``). A new list, unless it is the bundled sample (whose elements
are curated, with their sources, and which must work with no network at all), also asks
VSX in a worker thread for the elements its periodic stars lack (the HTTP layer keeps
the answers four weeks, so a second start asks nothing). While tonight is shown the
events are refreshed every few minutes, so "next event" moves on as the night does.
Nothing here computes astronomy or talks to a service itself.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer

from planner.ui.listen import listen
from planner.ui.workers import LatestRunner

log = logging.getLogger(__name__)

REFRESH_MS = 5 * 60 * 1000  # tonight's "next event" and "phase now" move on this often


class NightEvents(QObject):
    """The window's events worker (see the module docstring)."""

    def __init__(self, state, parent: QObject | None = None, *, lookup_vsx: bool = True) -> None:
        super().__init__(parent)
        self.state = state
        self.lookup_vsx = lookup_vsx
        self.runner = LatestRunner("events", self)
        self.vsx_runner = LatestRunner("vsx elements", self)
        self._closing = False
        self.runner.finished.connect(lambda _g, events: self.state.set_events(events))
        self.runner.failed.connect(lambda _g, exc: log.warning("events could not be computed: %s", exc))
        self.vsx_runner.finished.connect(lambda _g, answer: self.state.add_vsx_elements(*answer))
        self.vsx_runner.failed.connect(lambda _g, exc: log.warning("VSX lookups failed: %s", exc))
        listen(self, state.targets_changed, self._on_targets)
        # a new night or site recomputes the visibility, which then arrives here
        listen(self, state.observability_changed, lambda obs: obs is not None and self.recompute())
        listen(self, state.elements_changed, self.recompute)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    def close(self) -> None:
        """Stop asking VSX (the window is closing); running lookups end at the next star."""
        self._closing = True
        self._timer.stop()
        self.runner.cancel()
        self.vsx_runner.cancel()

    @property
    def busy(self) -> bool:
        return self.runner.busy or self.vsx_runner.busy

    def recompute(self) -> None:
        # planner.app.events loads astropy: imported when the first visibility is in, after
        # the window's first paint (tests/ui/test_startup.py)
        from planner.app.events import events_for_night_in_helper

        state = self.state
        targets = state.event_targets()
        if not targets:
            self.runner.cancel()
            return
        reference = state.clock() if state.night_date is None else None
        self.runner.submit(events_for_night_in_helper, targets, state.site, state.reference_time(),
                           reference=reference)

    def _on_targets(self, target_list) -> None:
        from planner.app.targets import SAMPLE

        self.runner.cancel()  # the old list's events are of no use; the new ones follow its visibility
        if not self.lookup_vsx or self._closing or target_list is None or target_list.origin == SAMPLE:
            return
        from planner.app.events import needs_elements, vsx_elements_for

        known = self.state.vsx_elements
        needing = [t for t in self.state.targets if needs_elements(t, for_phase=True) and t.star_name not in known]
        if needing:
            self.vsx_runner.submit(vsx_elements_for, needing, self.state.settings, cancelled=lambda: self._closing)

    def _tick(self) -> None:
        if self.state.night_date is None and not self.runner.busy:
            self.recompute()
