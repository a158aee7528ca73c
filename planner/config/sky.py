"""Settings section "sky": the observer's real sky (Settings > Horizon, Moon & mount; see
docs/horizon-moon-outlook.md): the horizon mask, the Moon avoidance, the mount and how many
nights the outlook covers. Each value is checked by building what it describes
(``planner.sky.horizon.HorizonMask``, ``planner.sky.moon.MoonAvoidance``,
``planner.sky.mount.Mount``), imported only when a value is checked: those modules are light
(numpy, no astropy)."""

from __future__ import annotations

from typing import Any, Callable

from planner.config.section import Section, Setting, SettingsError, ranged, sentence, shown
from planner.limits import OUTLOOK_MAX_NIGHTS


def _built_by(build: Callable[[dict], Any]) -> Callable[[Any], dict]:
    """A check for an object setting ({} = none or the defaults): it must build."""

    def check(value: Any) -> dict:
        if not isinstance(value, dict):
            raise SettingsError(f"{shown(value)} is not an object")
        if value:
            try:
                build(value)
            except ValueError as exc:
                raise SettingsError(sentence(exc).rstrip(".")) from None
        return dict(value)

    return check


def _horizon(value: dict) -> Any:
    from planner.sky.horizon import HorizonMask

    return HorizonMask.from_json(value, "the horizon in the settings")


def _moon(value: dict) -> Any:
    from planner.sky.moon import MoonAvoidance

    return MoonAvoidance.from_json(value)


def _mount(value: dict) -> Any:
    from planner.sky.mount import Mount

    return Mount.from_json(value)


SKY = Section("sky", "Horizon, Moon & mount", (
    # planner.sky.horizon.HorizonMask.to_json() ({} = no mask: the flat altitude limit)
    Setting("horizon", default_factory=dict, label="Horizon mask", check=_built_by(_horizon)),
    # planner.sky.moon.MoonAvoidance.to_json() ({} = the Target Scheduler's defaults)
    Setting("moon_avoidance", default_factory=dict, label="Moon avoidance", check=_built_by(_moon)),
    # planner.sky.mount.Mount.to_json() ({} = no mount limits)
    Setting("mount", default_factory=dict, label="Mount", check=_built_by(_mount)),
    Setting("outlook_nights", 30, label="Outlook nights", unit="nights", low=1, high=OUTLOOK_MAX_NIGHTS,
            check=ranged(1, OUTLOOK_MAX_NIGHTS, "nights", integer=True)),
), shown_in="sky")
