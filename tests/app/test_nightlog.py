"""The plan in the Arcsecond night log (planner.app.nightlog): each entry's line, its
estimates under it, and the count of entries the dock reports."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from planner.app.nightlog import estimate_line, plan_lines, push_plan_to_night_log
from planner.plan.model import Observation, Plan, PlanEntry, PlanTarget
from planner.sky.site import Site

PARIS = ZoneInfo("Europe/Paris")
T = datetime(2026, 11, 23, 20, 30, tzinfo=timezone.utc).timestamp()


def _plan() -> Plan:
    plan = Plan(site=Site(latitude=48.8, longitude=2.3, timezone="Europe/Paris"))
    plan.add(PlanEntry(target=PlanTarget(name="SS Cyg", ra=325.6787, dec=43.5861), status="observed",
                       observations=(Observation(time=T, magnitude=11.6, comparison=("104", "117"), chart_id="X28471AB",
                                                 airmass=1.234, comment_codes="B", uncertain=True),
                                     Observation(time=T + 600, magnitude=11.53, band="V", error=0.02, check="117"))))
    plan.add(PlanEntry(target=PlanTarget(name="R Leo", ra=146.8899, dec=11.4289)))
    return plan


def test_estimates_are_listed_under_their_entry():
    lines = plan_lines(_plan(), PARIS)
    assert lines[0].startswith("unscheduled  SS Cyg") and "observed" in lines[0]
    assert lines[1] == "    21:30  Vis. 11.6:  comp 104, 117  chart X28471AB  X 1.23  codes B"
    assert lines[2] == "    21:40  V 11.53 ± 0.02  check 117"
    assert lines[3].startswith("unscheduled  R Leo")
    assert estimate_line(Observation(time=T, magnitude=13.0, fainter_than=True), PARIS) == "21:30  Vis. <13"


class FakeArcsecond:
    def __init__(self):
        self.notes = None

    def nightlogs(self, date=None, fresh=False):
        return []

    def create_nightlog(self, date, observing_site=None, telescope=None):
        return type("Log", (), {"uuid": "u1", "date": date})()

    def update_nightlog(self, uuid, notes):
        self.notes = notes
        return type("Log", (), {"notes": notes})()


def test_the_pushed_log_counts_entries_not_estimate_lines():
    client = FakeArcsecond()
    summary = push_plan_to_night_log(client, datetime(2026, 11, 23).date(), plan_lines(_plan(), PARIS))
    assert summary["entries"] == 2 and "comp 104, 117" in client.notes
