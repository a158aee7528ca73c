"""The main window's background jobs and what it does with their answers: the start-up
sequence after the first paint, loading the list, its visibility (in the helper process),
the AAVSO refresh, the cross-check with the AAVSO API, sending the site to AAVSO and the
request budget. Each job runs in a ``LatestRunner`` made by the window, so a newer request
supersedes an older one; the answers go into ``NightState``. A mixin of
``planner.ui.main_window.MainWindow``.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from planner import timeline
from planner.app import targets as target_lists
from planner.app.crosscheck import crosscheck_answered, push_site
from planner.app.helper import start_helper_process
from planner.app.targets import TargetList
from planner.app.visibility import compute_visibility_in_helper
from planner.app.warmup import warm_up


class WindowJobs:
    """Submits the window's jobs and shows their answers (mixed into MainWindow)."""

    def _connect_runners(self) -> None:
        self.load_runner.finished.connect(lambda _g, result: self._on_list(result))
        self.load_runner.failed.connect(lambda _g, exc: self._on_load_failed(exc))
        self.sky_runner.finished.connect(lambda _g, obs: self._on_observability(obs))
        self.sky_runner.failed.connect(lambda _g, exc: self._on_sky_failed(exc))
        self.sky_runner.busy_changed.connect(self._update_activity)
        self.refresh_runner.finished.connect(lambda _g, result: self._on_refreshed(result))
        self.refresh_runner.failed.connect(lambda _g, exc: self._on_refresh_failed(exc))
        self.refresh_runner.busy_changed.connect(self._update_activity)
        self.refresh_runner.busy_changed.connect(lambda busy: self.refresh_action.setEnabled(not busy))
        self.crosscheck_runner.finished.connect(lambda _g, report: self._on_crosscheck(report))
        self.crosscheck_runner.failed.connect(lambda _g, exc: self._on_crosscheck_failed(exc))
        self.crosscheck_runner.busy_changed.connect(self._update_activity)
        self.night_events.runner.busy_changed.connect(self._update_activity)
        self.night_events.vsx_runner.busy_changed.connect(self._update_activity)
        self.push_runner.finished.connect(lambda _g, _r: self._on_site_pushed())
        self.push_runner.failed.connect(
            lambda _g, exc: self.show_message(f"Could not store the site at AAVSO: {self._error_text(exc)}",
                                              error=True, key="push-site"))
        self.key_runner.finished.connect(lambda _g, key: key and self._refresh_quietly())
        self.budget_runner.finished.connect(
            lambda _g, budget: self.budget_label.setText(target_lists.describe_budget(budget)))
        self.warmup_runner.finished.connect(lambda _g, _failed: timeline.mark("modules for later imported"))


    # == start-up and data =====================================================================

    def start(self) -> None:
        """What follows the first paint: the helper process starts (and warms up), the last
        list (or the sample) loads in a worker, and a refresh follows when a key is set (the
        keyring is read in a worker too). Runs once."""
        if self._started:
            return
        self._started = True
        for message in self._messages:
            self.show_message(message)
        self._messages.clear()
        self.load_runner.submit(target_lists.load_startup_list)
        start_helper_process()
        self.chart.release()

    def _on_list(self, target_list: TargetList) -> None:
        self.set_target_list(target_list)
        self.key_runner.submit(target_lists.aavso_key)

    def _refresh_quietly(self) -> None:
        self.refresh_runner.submit(target_lists.fetch_live, self.settings, self.site)

    def _on_load_failed(self, exc: BaseException) -> None:
        self.source_label.setText("no targets")
        self.show_message(f"The target list could not be loaded: {self._error_text(exc)}", error=True, key="load")
        self._mark_ready()

    def set_target_list(self, target_list: TargetList) -> None:
        """Show a new list at once; its visibility follows from a worker. The stars selected
        before stay selected when the new list has them (by name): a refresh keeps the
        selection, the chart's curves and the images found for it."""
        self.messages.clear("load")
        self.load_runner.cancel()  # a start-up list still loading is older than this one: never shown
        kept = [self.night_state.targets[i].star_name for i in self.night_state.selection
                if i < len(self.night_state.targets)]
        self.night_state.set_target_list(target_list)
        if kept:
            where = {t.star_name: i for i, t in enumerate(target_list.targets)}
            self.table.select_target_indices([where[name] for name in kept if name in where])

    def _on_targets_changed(self, target_list: TargetList | None) -> None:
        if target_list is not None and timeline.first("table populated") is None:
            timeline.mark("table populated")
        self._update_source_label()
        self._update_count()
        if target_list is not None and target_list.problems:
            shown = target_list.problems[:3]
            more = len(target_list.problems) - len(shown)
            self.show_message("; ".join(shown) + (f" (and {more} more)" if more > 0 else ""))
        self.recompute()
        if self._crosscheck_follows and self._has_api_answers(target_list):
            self.run_crosscheck()  # once run, the cross-check follows every new list

    def reference_time(self) -> float:
        """The ``time`` of the selected night: now for tonight, local noon of the chosen date otherwise."""
        return self.night_state.reference_time()

    def recompute(self) -> None:
        """Compute visibility of every target for the selected night and site, in a worker."""
        targets = self.night_state.targets
        if not targets:
            self.sky_runner.cancel()
            if self.target_list is not None:  # an empty list is loaded: nothing to wait for
                self._mark_ready()
            return
        self._moon_used = self.settings.moon()
        self.sky_runner.submit(compute_visibility_in_helper, targets, self.site, self.reference_time(),
                               moon=self._moon_used)

    def _on_observability(self, obs) -> None:
        # refused when computed for a list that has since been replaced: a newer job is on its way
        if self.night_state.set_observability(obs):
            if timeline.first("visibility shown") is None:
                timeline.mark("visibility shown")
            self.messages.clear("visibility")
            self._mark_ready()

    def _on_sky_failed(self, exc: BaseException) -> None:
        self.show_message(f"Visibility could not be computed: {self._error_text(exc)}", error=True, key="visibility")
        self._mark_ready()

    def _mark_ready(self) -> None:
        if not self._is_ready:
            self._is_ready = True
            self.ready.emit()
            # what a first request, thumbnail or comparison chart imports, now rather than then
            self.warmup_runner.submit(warm_up)

    # -- AAVSO ---------------------------------------------------------------------------------

    def refresh_from_aavso(self, quiet: bool = False) -> None:
        """Fetch the current list in a worker; without a key, say how to set one."""
        if not target_lists.aavso_key():
            if not quiet:
                QMessageBox.information(
                    self, "AAVSO key needed",
                    "Refreshing from the AAVSO Target Tool needs your API key.\n\n"
                    "Open Tools > Settings and enter it under AAVSO (or set PLANNER_AAVSO_KEY). "
                    "You find the key on your AAVSO Target Tool account page.")
            return
        self.refresh_runner.submit(target_lists.fetch_live, self.settings, self.site)

    def _on_refreshed(self, target_list: TargetList) -> None:
        self._refresh_failed = False
        self.set_target_list(target_list)
        self._update_budget()
        if target_list.origin == target_lists.OFFLINE:
            when = target_list.describe(self.display_tz())
            self.show_message(f"AAVSO could not be reached; showing the last list it sent ({when}).",
                              error=True, key="aavso-refresh")
        else:
            self.messages.clear("aavso-refresh")
            self.show_message(f"{len(target_list.targets)} targets fetched from AAVSO.")

    def _on_refresh_failed(self, exc: BaseException) -> None:
        """The list on screen stays; the source label says it is the cached one and the error
        stays in the message area until a refresh works."""
        self._update_budget()
        self._refresh_failed = True
        self._update_source_label()
        self.show_message(f"Refresh from AAVSO failed: {self._error_text(exc)}", error=True, key="aavso-refresh")

    def _update_budget(self) -> None:
        """The AAVSO budget in the status bar, read in a worker (it reads a shared file under
        a lock, and its first call loads the HTTP layer)."""
        self.budget_runner.submit(target_lists.rate_budget)

    @staticmethod
    def _has_api_answers(target_list: TargetList | None) -> bool:
        return (target_list is not None and target_list.fetched_at is not None
                and any(t.observability_times is not None for t in target_list.targets))

    def run_crosscheck(self) -> None:
        """Compare local visibility with the API's answers carried by the list (cached or
        live). Once run, it runs again for every new list (``_on_targets_changed``)."""
        target_list = self.target_list
        if not self._has_api_answers(target_list):
            QMessageBox.information(
                self, "Cross-check",
                "The cross-check compares the local visibility with the AAVSO API's answers, and the "
                "current list carries none (the bundled sample has no API answers).\n\n"
                "Set your AAVSO key in Tools > Settings and refresh from AAVSO first.")
            return
        self._crosscheck_follows = True
        self.crosscheck_runner.submit(crosscheck_answered, list(target_list.targets), target_list.fetched_at,
                                      self.site, self.settings, tolerance_s=float(self.settings.crosscheck_tolerance_s),
                                      with_key=bool(target_lists.aavso_key()), fetched_for=target_list.fetched_for)

    def _on_crosscheck(self, report) -> None:
        self.messages.clear("crosscheck")
        self.night_state.set_crosscheck(report)
        if report.differ_count:
            self._show_dock(self.crosscheck_dock)

    def _on_crosscheck_failed(self, exc: BaseException) -> None:
        self.show_message(f"Cross-check failed: {self._error_text(exc)}", error=True, key="crosscheck")

    def _on_site_pushed(self) -> None:
        self.messages.clear("push-site")
        self.show_message("Site stored at AAVSO; refresh to get matching times.")

    def push_site_to_aavso(self, *args) -> None:
        """Store the local site and limits in the AAVSO account (the API's ``telescope``)."""
        if not target_lists.aavso_key():
            self.refresh_from_aavso()  # explains how to set the key
            return
        answer = QMessageBox.question(
            self, "Send site to AAVSO",
            f"Store this site in your AAVSO Target Tool account?\n\n{self.site.describe()}\n"
            f"target altitude {self.site.target_altitude:g}°, sun altitude {self.site.sun_altitude:g}°")
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.push_runner.submit(push_site, self.settings, self.site)

