from __future__ import annotations

import pytest

from planner.catalog import Target
from planner.plan.model import Plan, PlanEntry, PlanTarget, PlanValueError
from tests.plan.helpers import SITE, T0, sample_plan, target


def test_plan_target_copies_the_catalog_fields_an_export_needs():
    t = Target("SS Cyg", 325.6785, 43.5861, constellation="Cyg", var_type="UGSS", min_mag=12.2, max_mag=7.7,
               min_mag_band="V", period=49.5, obs_cadence=1.0, filter="V,B", priority=True,
               obs_section=("Cataclysmic Variables",))
    pt = PlanTarget.from_target(t)
    assert (pt.name, pt.ra, pt.dec, pt.var_type, pt.min_mag, pt.max_mag, pt.period) == (
        "SS Cyg", 325.6785, 43.5861, "UGSS", 12.2, 7.7, 49.5)
    assert pt.priority and pt.requested_filters == ("V", "B")
    assert pt.sections == ("Cataclysmic Variables",)
    assert pt.magnitude_text() == "7.7–12.2 V"


def test_urgency_orders_priority_and_overdue_targets():
    now = T0
    fresh = target(obs_cadence=10.0, last_data_point=now - 86400)
    overdue = target(obs_cadence=1.0, last_data_point=now - 5 * 86400)
    never = target(obs_cadence=1.0, last_data_point=None)
    prio = target(priority=True, obs_cadence=None)
    assert fresh.urgency(now) == 0
    assert 1 < overdue.urgency(now) <= 2
    assert never.urgency(now) == 2
    assert prio.urgency(now) == 2
    assert target(priority=True, last_data_point=None).urgency(now) == 4


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(ra=360.0), "ra"),
        (dict(dec=-91.0), "dec"),
        (dict(ra=float("nan")), "finite"),
        (dict(name="  "), "name"),
    ],
)
def test_bad_target_values_are_refused_with_the_field_named(kwargs, message):
    with pytest.raises(PlanValueError, match=message):
        target(**kwargs)


def test_bad_entry_values_are_refused():
    with pytest.raises(PlanValueError, match="duration"):
        PlanEntry(target=target(), duration=0)
    with pytest.raises(PlanValueError, match="both a start and an end"):
        PlanEntry(target=target(), start=T0)
    with pytest.raises(PlanValueError, match="status"):
        PlanEntry(target=target(), status="maybe")
    with pytest.raises(PlanValueError, match="count"):
        PlanEntry(target=target(), count=0)
    assert PlanEntry(target=target(), filters="V, B").filters == ("V", "B")


def test_a_clean_plan_has_no_conflicts():
    assert sample_plan().conflicts() == []


def test_moving_an_entry_out_of_its_window_is_a_conflict_not_a_fix():
    plan = sample_plan()
    plan.set_times(0, T0 + 19000)  # window ends at T0 + 20000, block is 30 min
    entry = plan.entries[0]
    assert entry.start == T0 + 19000 and entry.end == T0 + 19000 + 1800  # kept as asked
    kinds = {(c.index, c.kind) for c in plan.conflicts()}
    assert (0, "window") in kinds


def test_overlapping_entries_are_both_marked():
    plan = sample_plan()
    plan.set_times(1, T0 + 7000, T0 + 8000)  # overlaps entry 0 (T0+6000..7800)
    conflicts = [c for c in plan.conflicts() if c.kind == "overlap"]
    assert {c.index for c in conflicts} == {0, 1}
    assert plan.conflicting_ids() >= {plan.entries[0].id, plan.entries[1].id}
    assert any("SS Cyg" in c.message and "omi Cet" in c.message for c in conflicts)


def test_touching_entries_do_not_overlap():
    plan = sample_plan()
    plan.set_times(1, T0 + 7800)
    assert [c for c in plan.conflicts() if c.kind == "overlap"] == []


def test_resizing_past_the_night_is_a_conflict():
    plan = sample_plan()
    i = 3
    plan.update(i, duration=40000.0)
    assert plan.entries[i].end == plan.entries[i].start + 40000.0
    assert any(c.kind == "night" and c.index == i for c in plan.conflicts())


def test_an_entry_that_ends_before_it_starts_is_refused_and_nothing_changes():
    plan = sample_plan()
    before = plan.entries[0]
    with pytest.raises(PlanValueError, match=r"'SS Cyg' ends before it starts \(end 2026-11-23 17:56:40 UTC"):
        plan.set_times(0, T0 + 8000, T0 + 7000)
    with pytest.raises(PlanValueError, match="ends before it starts"):
        plan.set_times(0, T0 + 8000, T0 + 8000)
    assert plan.entries[0] == before


def test_an_entry_id_is_taken_once():
    plan = sample_plan()
    with pytest.raises(PlanValueError, match="already has an entry with id"):
        plan.add(plan.entries[1])
    assert len(plan.entries) == 4


def test_move_add_remove_and_blocks():
    plan = sample_plan()
    names = [e.name for e in plan.entries]
    plan.move(0, 2)
    assert [e.name for e in plan.entries] == [names[1], names[2], names[0], names[3]]
    removed = plan.remove(1)
    assert removed.name == names[2]
    blocks = plan.blocks()
    assert [b[2] for b in blocks] == ["SS Cyg", "omi Cet", "chi Cyg"]
    assert all(b[0] < b[1] for b in blocks)
    added = plan.add_targets([Target("Z Cam", 126.3, 73.1)], duration=600)
    assert plan.entries[-1] is added[0] and added[0].start is None


def test_plan_dict_round_trip_is_exact():
    plan = sample_plan()
    assert Plan.from_dict(plan.to_dict()) == plan


def test_site_survives_without_looking_up_the_timezone_again():
    data = sample_plan().to_dict()
    assert Plan.from_dict(data).site == SITE
