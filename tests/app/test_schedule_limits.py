"""A plan's limits take the observer's own from the settings: the mount, and the width that
makes a Moon distance follow the Moon's age while Moon avoidance is on."""

from __future__ import annotations

from planner.app.schedule import default_moon_separation, with_observer_limits
from planner.config import Settings
from planner.plan.model import PlanLimits
from planner.sky.moon import MoonAvoidance
from planner.sky.mount import Mount


def test_defaults_follow_the_target_schedulers_lorentzian():
    settings = Settings()
    assert default_moon_separation(settings) == 60.0
    limits = with_observer_limits(PlanLimits(moon_separation=60.0), settings)
    assert limits.moon_width == 7.0 and limits.mount is None
    assert "full Moon" in limits.describe_moon()


def test_avoidance_off_plans_a_flat_distance_or_none():
    settings = Settings(moon_avoidance=MoonAvoidance(enabled=False).to_json())
    assert default_moon_separation(settings) is None
    assert with_observer_limits(PlanLimits(moon_separation=30.0), settings).moon_width is None
    assert with_observer_limits(PlanLimits(), settings).describe_moon() == "no Moon limit"


def test_the_mount_in_the_settings_applies():
    settings = Settings(mount=Mount(german=True, flip_minutes=15.0, flip_policy="mark").to_json())
    limits = with_observer_limits(PlanLimits(), settings)
    assert limits.mount == Mount(german=True, flip_minutes=15.0, flip_policy="mark")
    reach_only = Settings(mount=Mount(east_limit_hours=-4.0).to_json())
    assert with_observer_limits(PlanLimits(), reach_only).mount.limits_hour_angle
