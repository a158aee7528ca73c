"""Plan's change notifications (planner.plan.events), without Qt: every edit announces
itself, the 'before' events come before the list changes, a listener that replays the
events keeps an exact mirror of the plan, and the events never travel with the plan's data
(pickling to the sky helper process, deep copies)."""

from __future__ import annotations

import copy
import pickle
import random
import threading
from dataclasses import replace

import pytest

from planner.plan.model import Plan, PlanEntry, PlanValueError
from tests.plan.helpers import SITE, T0, sample_plan, target


class Recorder:
    """Every event of a plan as (name, args), with the entry names seen at that moment."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.calls: list[tuple[str, tuple]] = []
        self.seen: list[tuple[str, list[str]]] = []
        plan.events.all.connect(self._on_any)

    def _on_any(self, info) -> None:
        self.calls.append((info.signal.name, tuple(info.args)))
        self.seen.append((info.signal.name, [e.name for e in self.plan.entries]))

    def names(self) -> list[str]:
        return [name for name, _args in self.calls]


def entry(name: str, **kw) -> PlanEntry:
    return PlanEntry(target=target(name), duration=600, **kw)


def test_insert_is_announced_before_and_after_the_list_changes():
    plan = sample_plan()
    rec = Recorder(plan)
    before = [e.name for e in plan.entries]
    new = [entry("U Gem"), entry("Z Cam")]
    plan.insert(1, new)
    assert rec.calls == [("inserting", (1, 2)), ("inserted", (1, tuple(new)))]
    assert rec.seen[0][1] == before  # "inserting" heard while the rows are not there yet
    assert rec.seen[1][1] == [before[0], "U Gem", "Z Cam", *before[1:]]


def test_add_clamps_its_index_like_list_insert_and_reports_the_real_one():
    plan = sample_plan()
    rec = Recorder(plan)
    plan.add(entry("U Gem"), 99)
    assert rec.calls[0] == ("inserting", (4, 1)) and plan.entries[4].name == "U Gem"
    plan.add(entry("Z Cam"), -1)  # before the last, as list.insert(-1, ...) puts it
    assert rec.calls[2] == ("inserting", (4, 1)) and [e.name for e in plan.entries[4:]] == ["Z Cam", "U Gem"]


def test_a_refused_insert_announces_nothing():
    plan = sample_plan()
    rec = Recorder(plan)
    with pytest.raises(PlanValueError, match="already has an entry"):
        plan.insert(0, [entry("U Gem"), plan.entries[2]])
    twice = entry("U Gem")
    with pytest.raises(PlanValueError):
        plan.insert(0, [twice, twice])
    assert rec.calls == [] and len(plan.entries) == 4
    plan.insert(0, [])
    assert rec.calls == []


def test_remove_is_announced_with_the_entry_still_there_then_gone():
    plan = sample_plan()
    rec = Recorder(plan)
    third = plan.entries[2]
    assert plan.remove(-2) is third
    assert rec.calls == [("removing", (2,)), ("removed", (2, third))]
    assert third.name in rec.seen[0][1] and third.name not in rec.seen[1][1]
    with pytest.raises(IndexError):
        plan.remove(10)
    assert len(rec.calls) == 2


def test_move_announces_source_and_final_index_and_a_no_op_says_nothing():
    plan = sample_plan()
    names = [e.name for e in plan.entries]
    rec = Recorder(plan)
    plan.move(0, 2)
    assert rec.calls == [("moving", (0, 2)), ("moved", (0, 2, plan.entries[2]))]
    assert [e.name for e in plan.entries] == [names[1], names[2], names[0], names[3]]
    plan.move(1, 1)
    assert len(rec.calls) == 2


def test_move_before_keeps_the_dragged_rows_in_their_order():
    plan = sample_plan()  # SS Cyg, omi Cet, T CrB, chi Cyg
    plan.move_before([0, 2], 4)
    assert [e.name for e in plan.entries] == ["omi Cet", "chi Cyg", "SS Cyg", "T CrB"]
    plan.move_before([3], 0)
    assert [e.name for e in plan.entries] == ["T CrB", "omi Cet", "chi Cyg", "SS Cyg"]
    rec = Recorder(plan)
    plan.move_before([7, -1], 0)  # no such rows
    plan.move_before([1], 2)  # already just before row 2
    assert rec.calls == []


def test_edits_announce_the_new_version_and_refused_ones_nothing():
    plan = sample_plan()
    rec = Recorder(plan)
    new = plan.update(0, notes="faint")
    moved = plan.set_times(1, T0 + 20000)
    assert rec.calls == [("changed", (0, new)), ("changed", (1, moved))]
    assert plan.entries[0] is new and new.notes == "faint"
    with pytest.raises(PlanValueError):
        plan.update(0, count=0)
    with pytest.raises(PlanValueError):
        plan.set_times(0, T0 + 9000, T0 + 8000)
    assert len(rec.calls) == 2


def test_limits_changes_are_announced_once_and_bad_ones_refused():
    plan = sample_plan()
    rec = Recorder(plan)
    plan.set_limits(twilight="nautical")
    plan.set_limits(twilight="nautical")  # no change: no event
    assert rec.names() == ["details_changed"] and plan.limits.twilight == "nautical"
    with pytest.raises(PlanValueError):
        plan.set_limits(twilight="dusk-ish")
    assert plan.limits.twilight == "nautical" and rec.names() == ["details_changed"]


def test_a_listener_replaying_the_events_mirrors_the_plan_through_random_edits():
    """The index rules, checked the way a view uses them: a mirror list changed only from
    the events' arguments stays equal to the plan after every one of 400 random edits."""
    plan = sample_plan()
    mirror = list(plan.entries)
    pending: list[tuple] = []

    def on_inserting(index, count):
        pending.append(("insert", index, count))

    def on_inserted(index, entries):
        assert pending.pop() == ("insert", index, len(entries))
        mirror[index:index] = entries

    def on_removing(index):
        pending.append(("remove", index))

    def on_removed(index, removed):
        assert pending.pop() == ("remove", index)
        assert mirror.pop(index) is removed

    def on_moving(source, destination):
        pending.append(("move", source, destination))

    def on_moved(source, destination, moved):
        assert pending.pop() == ("move", source, destination)
        item = mirror.pop(source)
        assert item is moved
        mirror.insert(destination, item)

    def on_changed(index, new):
        mirror[index] = new

    for signal, slot in ((plan.events.inserting, on_inserting), (plan.events.inserted, on_inserted),
                         (plan.events.removing, on_removing), (plan.events.removed, on_removed),
                         (plan.events.moving, on_moving), (plan.events.moved, on_moved),
                         (plan.events.changed, on_changed)):
        signal.connect(slot)
    rng = random.Random(9)
    for step in range(400):
        n = len(plan.entries)
        op = rng.choice(["insert", "remove", "move", "update", "drag"] if n else ["insert"])
        if op == "insert":
            plan.insert(rng.randint(-2, n + 2), [entry(f"star {step}.{k}") for k in range(rng.randint(1, 3))])
        elif op == "remove":
            plan.remove(rng.randrange(n))
        elif op == "move":
            plan.move(rng.randrange(n), rng.randrange(n))
        elif op == "update":
            plan.update(rng.randrange(n), notes=f"step {step}")
        else:
            plan.move_before(rng.sample(range(n), rng.randint(1, n)), rng.randint(0, n))
        assert mirror == plan.entries and [e.id for e in mirror] == [e.id for e in plan.entries]
        assert not pending


def test_apply_schedule_takes_the_layout_by_moves_and_changes_only():
    plan = sample_plan()
    scheduled = copy.deepcopy(plan)
    # The scheduler's answer: placed entries in time order, the unplaced one last.
    e = scheduled.entries
    scheduled.entries = [replace(e[3], start=T0 + 5400, end=T0 + 6000), replace(e[0], windows=()), e[1],
                         replace(e[2], notes="not placed")]
    scheduled.night_start, scheduled.night_end = T0 + 5000, T0 + 40000
    scheduled.date = "2026-11-24"
    scheduled.limits = replace(scheduled.limits, min_altitude=30.0)
    rec = Recorder(plan)
    kept = plan.events
    plan.apply_schedule(scheduled)
    assert plan.entries == scheduled.entries
    assert (plan.night_start, plan.night_end, plan.date, plan.limits) == (T0 + 5000, T0 + 40000, "2026-11-24",
                                                                          scheduled.limits)
    assert plan.limits is not scheduled.limits
    assert set(rec.names()) <= {"moving", "moved", "changed", "details_changed"}
    assert rec.names().count("changed") == 3  # omi Cet is unchanged
    assert rec.names()[-1] == "details_changed" and plan.events is kept


def test_apply_schedule_refuses_another_plans_entries_and_changes_nothing():
    plan = sample_plan()
    other = copy.deepcopy(plan)
    other.entries = other.entries[:3]
    before = copy.deepcopy(plan)
    rec = Recorder(plan)
    with pytest.raises(PlanValueError, match="does not hold this plan's entries"):
        plan.apply_schedule(other)
    assert plan == before and rec.calls == []


def test_the_events_stay_behind_when_the_plan_is_pickled_or_copied():
    plan = sample_plan()
    lock = threading.Lock()  # a listener holding something that cannot be pickled
    heard = []
    plan.events.changed.connect(lambda index, new: heard.append((index, lock)))
    for clone in (pickle.loads(pickle.dumps(plan)), copy.deepcopy(plan)):
        assert clone == plan and "_events" not in clone.__getstate__()
        clone.update(0, notes="edited in the copy")
        assert heard == []  # the copy has listeners of its own, none
        assert plan.entries[0].notes == "outburst?"
    plan.update(0, notes="edited here")
    assert len(heard) == 1


def test_a_plan_without_listeners_is_plain_data():
    plan = Plan(site=SITE)
    assert "_events" not in plan.__dict__  # made on first use only
    assert pickle.loads(pickle.dumps(plan)) == plan
