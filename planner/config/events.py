"""Settings section "events": the margins a minimum, transit or maximum gets when it is added
to the plan (Settings > Events): its fixed block starts this long before the event's window
and ends this long after it (``planner.app.events.plan_entry_for``, docs/events.md)."""

from __future__ import annotations

from planner.config.section import Section, Setting, ranged

MAX_MARGIN_MIN = 12 * 60.0  # a margin longer than a night is a typing error

EVENTS = Section("events", "Events", (
    Setting("event_margin_before_min", 30.0, label="Start the block before the event by", unit="min",
            low=0, high=MAX_MARGIN_MIN, hint="time to slew, centre and take a few frames before the window opens",
            check=ranged(0, MAX_MARGIN_MIN, "minutes")),
    Setting("event_margin_after_min", 30.0, label="End the block after the event by", unit="min",
            low=0, high=MAX_MARGIN_MIN, hint="time after the window closes, for the out-of-eclipse baseline",
            check=ranged(0, MAX_MARGIN_MIN, "minutes")),
), shown_in="events")
