"""The state of the night, in one Qt-free object the window and its docks share.

``NightState`` holds the settings, the site (one validated ``Site``), the chosen night,
the target list, its visibility, the selection, the plan and the last cross-check, and
announces every change with a psygnal ``Signal`` (napari's ``ViewerModel`` works this
way). The window builds one and hands it to every dock in its constructor; a dock
connects to the signals it cares about and never asks the window. Setters emit only when
the value changes. Everything here runs on the GUI thread: workers hand their results
back through the window, which sets them here.
"""

from __future__ import annotations

import datetime as _dt
import time
from datetime import timezone, tzinfo
from typing import Any, Callable, Sequence

from psygnal import Signal

from planner.app.targets import TargetList
from planner.app.tonight import Tonight, night_time, tonight
from planner.config import Settings
from planner.sky.crosscheck import CrossCheckReport
from planner.sky.site import Site, SiteError
from planner.sky.types import Observability


def site_from_settings(settings: Settings) -> tuple[Site, str | None]:
    """The settings' site, validated; the default site and the reason when it is not valid.
    The one place a site is built from settings (the window, its docks and the commands)."""
    try:
        return settings.site(), None
    except SiteError as exc:
        return Settings().site(), f"The site in the settings is not valid ({exc}); using the default site."


class NightState:
    """What the window shows, owned here (see the module docstring).

    Signals: ``settings_changed(Settings)``, ``site_changed(Site)``,
    ``night_changed(date | None)`` (None: tonight), ``targets_changed(TargetList | None)``,
    ``observability_changed(Observability | None)``, ``selection_changed(list[int])``
    (indices into the list's targets), ``plan_changed(Plan)``, ``crosscheck_changed(report)``,
    ``time_zone_changed()`` (UTC or the site's zone; its abbreviation follows the night),
    ``plan_selection_changed(entry id | None)``, ``chart_kept(star, chart id)``,
    ``comparison_picked(star, label)`` (a star of its chart picked for the estimate),
    ``events_changed(NightEvents | None)`` (the night's minima, transits and maxima, row i
    for target i) and ``elements_changed()`` (elements found in VSX for targets lacking them).
    """

    settings_changed = Signal(object)
    site_changed = Signal(object)
    night_changed = Signal(object)
    targets_changed = Signal(object)
    observability_changed = Signal(object)
    selection_changed = Signal(list)
    plan_changed = Signal(object)
    crosscheck_changed = Signal(object)
    events_changed = Signal(object)
    elements_changed = Signal()
    time_zone_changed = Signal()  # the zone times are shown in: read display_tz() and tz_label()
    plan_selection_changed = Signal(object)  # the plan entry chosen in the Plan dock: its id, or None
    chart_kept = Signal(str, str)  # (star, chart id): a comparison chart was fetched and kept
    comparison_picked = Signal(str, str)  # (star, label): a chart star picked for the estimate

    def __init__(self, settings: Settings | None = None, *, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.problems: list[str] = []  # what the user should be told about the state given
        self._settings = settings if settings is not None else Settings()
        self._site, problem = site_from_settings(self._settings)
        if problem:
            self.problems.append(problem)
        self._night_date: _dt.date | None = None
        self._target_list: TargetList | None = None
        self._observability: Observability | None = None
        self._selection: list[int] = []
        self._plan: Any = None
        self._plan_selection: str | None = None
        self._crosscheck: CrossCheckReport | None = None
        self._events: Any = None  # planner.app.events.NightEvents
        self._vsx_elements: dict[str, Any] = {}  # star name -> Elements found in VSX
        self.vsx_note = ""  # why some targets still lack elements (VSX down...), for the details

    # -- settings and site ---------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        return self._settings

    @property
    def site(self) -> Site:
        return self._site

    def apply_settings(self, settings: Settings) -> str | None:
        """New settings (from the dialog or a panel): the site follows when it is valid.
        Returns the reason when the new site is not valid (the previous one is kept)."""
        self._settings = settings
        self.settings_changed.emit(settings)
        try:
            site = settings.site()
        except SiteError as exc:
            return f"The new site is not valid ({exc}); keeping the previous one."
        self.set_site(site)
        return None

    def set_site(self, site: Site) -> None:
        if site != self._site:
            self._site = site
            self.site_changed.emit(site)
            self.time_zone_changed.emit()

    # -- the time zone times are shown in ------------------------------------------------

    @property
    def show_utc(self) -> bool:
        return bool(self._settings.show_utc)

    def set_show_utc(self, on: bool) -> None:
        if bool(on) != self.show_utc:
            self._settings.show_utc = bool(on)
            self.time_zone_changed.emit()

    def display_tz(self) -> tzinfo:
        return timezone.utc if self.show_utc else self._site.tz

    def tz_label(self, short: bool = False) -> str:
        """"UTC", or the site zone's abbreviation at the shown night with its name (the
        name alone, or the abbreviation when it is a real one, with ``short``)."""
        if self.show_utc:
            return "UTC"
        abbreviation = _dt.datetime.fromtimestamp(self.reference_time(), self._site.tz).tzname() or ""
        if short:
            return abbreviation if abbreviation and not abbreviation.startswith(("+", "-")) else self._site.timezone
        return f"{abbreviation} {self._site.timezone}".strip()

    # -- the night -----------------------------------------------------------------------

    def tonight(self) -> Tonight:
        return tonight(self._site, self.clock())

    @property
    def night_date(self) -> _dt.date | None:
        """The chosen night's evening date; None for tonight."""
        return self._night_date

    def shown_date(self) -> _dt.date:
        """The evening date of the night shown (tonight's when none was chosen)."""
        return self._night_date or self.tonight().date

    def set_night_date(self, date: _dt.date | None) -> None:
        """Show the night starting on the evening of ``date`` (None or tonight's date: tonight)."""
        if date is not None and date == self.tonight().date:
            date = None
        if date != self._night_date:
            self._night_date = date
            self.night_changed.emit(date)
            self.time_zone_changed.emit()  # the zone's abbreviation may change (summer time)

    def reference_time(self) -> float:
        """The moment the sky engine computes the shown night for: now for tonight, local
        noon of the chosen date otherwise."""
        return night_time(self._site, self._night_date, self.clock())

    def describe_night(self) -> str:
        """"tonight, in progress", "tonight" or "night of Tue 2026-12-01"."""
        if self._night_date is None:
            return self.tonight().describe()
        return f"night of {self._night_date:%a %Y-%m-%d}"

    # -- targets and what is computed for them -------------------------------------------

    @property
    def target_list(self) -> TargetList | None:
        return self._target_list

    @property
    def targets(self) -> list:
        return list(self._target_list.targets) if self._target_list is not None else []

    def set_target_list(self, target_list: TargetList | None) -> None:
        """A new list: its visibility, selection and cross-check are cleared until computed
        again (a cross-check shown for the old list would describe answers no longer there)."""
        had_crosscheck = self._crosscheck is not None
        self._target_list = target_list
        self._observability = None
        self._events = None
        self._selection = []
        self._crosscheck = None
        self.targets_changed.emit(target_list)
        if had_crosscheck:
            self.crosscheck_changed.emit(None)

    def list_is_stale(self) -> bool:
        """Whether the list's AAVSO answers were asked for another site or other limits than
        the site shown (the site changed since): a refresh asks again."""
        return self._target_list is not None and self._target_list.fetched_for_other_site(self._site)

    @property
    def observability(self) -> Observability | None:
        return self._observability

    def set_observability(self, obs: Observability | None) -> bool:
        """Tonight's visibility of the list (row i is target i); refused (False) when it was
        computed for another list."""
        if obs is not None and len(obs) != len(self.targets):
            return False
        self._observability = obs
        self.observability_changed.emit(obs)
        return True

    @property
    def selection(self) -> list[int]:
        return list(self._selection)

    def set_selection(self, indices: Sequence[int]) -> None:
        indices = [int(i) for i in indices]
        if indices != self._selection:
            self._selection = indices
            self.selection_changed.emit(list(indices))

    def current_target(self):
        """The first selected target, or None."""
        targets = self.targets
        return targets[self._selection[0]] if self._selection and self._selection[0] < len(targets) else None

    # -- the night's events and the elements they come from ------------------------------

    @property
    def events(self):
        """The night's ``NightEvents`` for the list (row i is target i), or None."""
        return self._events

    def set_events(self, events) -> bool:
        """Tonight's events of the list; refused (False) when computed for another list."""
        if events is not None and len(events) != len(self.targets):
            return False
        self._events = events
        self.events_changed.emit(events)
        return True

    @property
    def vsx_elements(self) -> dict[str, Any]:
        return dict(self._vsx_elements)

    def add_vsx_elements(self, found: dict[str, Any], note: str = "") -> None:
        """Elements VSX gave for targets that had none (kept across lists: by star name), and
        ``note``, why others have none (shown with those targets' details)."""
        new = {k: v for k, v in found.items() if self._vsx_elements.get(k) != v}
        self.vsx_note = note
        if new:
            self._vsx_elements.update(new)
            self.elements_changed.emit()

    def event_targets(self) -> list:
        """The list's targets, with VSX's elements for those that carry none of their own."""
        from dataclasses import replace

        vsx = self._vsx_elements
        return [replace(t, elements=vsx[t.star_name]) if t.elements is None and t.star_name in vsx else t
                for t in self.targets]

    # -- plan and cross-check ------------------------------------------------------------

    @property
    def plan(self):
        return self._plan

    def set_plan(self, plan) -> None:
        self._plan = plan
        self.plan_changed.emit(plan)

    @property
    def plan_selection(self) -> str | None:
        """The id of the plan entry chosen in the Plan dock, or None."""
        return self._plan_selection

    def set_plan_selection(self, entry_id: str | None) -> None:
        if entry_id != self._plan_selection:
            self._plan_selection = entry_id
            self.plan_selection_changed.emit(entry_id)

    def current_plan_entry(self):
        """The chosen plan entry (a ``PlanEntry``), or None."""
        if self._plan is None or self._plan_selection is None:
            return None
        return next((e for e in self._plan.entries if e.id == self._plan_selection), None)

    def announce_chart(self, star: str, chart_id: str) -> None:
        """A comparison chart of ``star`` was fetched and kept (the Chart tab, Prepare
        tonight's charts): the Plan dock gives it to the star's entries that have none."""
        self.chart_kept.emit(star, chart_id)

    def pick_comparison(self, star: str, label: str) -> None:
        """A comparison star of ``star``'s chart was picked (the Chart tab's table): the Plan
        dock's Estimate box takes it when that star's entry is the one being estimated."""
        self.comparison_picked.emit(star, label)

    @property
    def crosscheck(self) -> CrossCheckReport | None:
        return self._crosscheck

    def set_crosscheck(self, report: CrossCheckReport | None) -> None:
        self._crosscheck = report
        self.crosscheck_changed.emit(report)
