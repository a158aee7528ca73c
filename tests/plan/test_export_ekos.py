"""The Ekos export loaded by a reader that follows KStars' own loader (tests/plan/readers.py):
every job must find its capture sequence and run with the entry's filters, exposure and
count, and loading must not overwrite the user's Ekos settings."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone

import pytest

from planner.plan.export import ExportOptions, export_plan
from planner.plan.filters import FilterNames
from tests.plan.helpers import SITE, T0, filter_plan
from tests.plan.readers import load_ekos_schedule, qurl_from_user_input_local_file

OPTIONS = ExportOptions(filters=FilterNames.from_settings({"V": "V-Johnson", "CV": "L"}))
WHEEL = ["L", "V-Johnson", "B", "R"]  # the filter wheel's slots as Ekos lists them


def local(t):
    return datetime.fromtimestamp(t, tz=timezone.utc).astimezone(SITE.tz).replace(tzinfo=None)


@pytest.fixture
def exported(tmp_path):
    return export_plan(filter_plan(), "esl", tmp_path / "night.esl", OPTIONS)


def test_every_job_loads_its_sequence_with_the_entrys_filters_exposure_and_count(exported):
    schedule = load_ekos_schedule(exported.path, WHEEL)
    jobs = {j.name: j for j in schedule.jobs}
    assert list(jobs) == ["SS Cyg", "omi Cet", "Z Cam", "T CrB"]  # R Leo is visual only, chi Cyg observed
    for job in schedule.jobs:
        assert job.sequence is not None, f"{job.name}: Ekos cannot load {job.sequence_url!r}"
        for step in job.sequence:
            assert step.filter_name in WHEEL  # else Ekos would silently use slot 1
            assert step.frame_type == "Light" and step.delay_ms == 0
            assert step.directory.startswith(str(exported.path.parent)) and step.placeholder
    ss = jobs["SS Cyg"].sequence
    assert [(s.filter_slot, s.count, s.exposure) for s in ss] == [(2, 10, 30.0), (3, 10, 30.0), (4, 10, 30.0)]
    assert [(s.filter_name, s.count, s.exposure) for s in jobs["omi Cet"].sequence] == [("V-Johnson", 3, 60.0)]
    assert [(s.filter_name, s.count, s.exposure) for s in jobs["Z Cam"].sequence] == [("L", 20, 45.0)]
    assert [(s.filter_name, s.count) for s in jobs["T CrB"].sequence] == [("V-Johnson", 10)]


def test_times_limits_and_steps_as_the_plan_says(exported):
    jobs = {j.name: j for j in load_ekos_schedule(exported.path, WHEEL).jobs}
    ss = jobs["SS Cyg"]
    assert ss.ra_hours == pytest.approx(325.6785 / 15, abs=1e-6) and ss.dec == pytest.approx(43.5861, abs=1e-6)
    assert (ss.startup, ss.startup_time) == ("At", local(T0 + 6000))
    assert (ss.completion, ss.completion_time) == ("At", local(T0 + 7800))
    assert ss.startup_time.tzinfo is None  # Ekos reads it in its location's local time
    assert ss.min_altitude == 25.0 and ss.moon_separation == 20.0 and ss.twilight
    assert ss.steps == ["Track", "Focus", "Align", "Guide"]
    tcrb = jobs["T CrB"]
    assert (tcrb.startup, tcrb.completion) == ("ASAP", "Sequence")


def test_loading_changes_none_of_the_users_ekos_settings(exported):
    schedule = load_ekos_schedule(exported.path, WHEEL)
    assert schedule.overrides == []  # no Profile, error handling, startup or shutdown procedure
    assert all(j.sequence_overrides == [] for j in schedule.jobs)  # no guiding/focus options


def test_one_sequence_file_per_distinct_set_beside_the_list(tmp_path):
    plan = filter_plan()
    plan.entries[1] = plan.entries[1].__class__(**{**plan.entries[1].__dict__, "filters": ("V", "B", "R"),
                                                   "exposure": 30.0, "count": 10})
    folder = tmp_path / "plans"
    result = export_plan(plan, "esl", folder / "night.esl", OPTIONS)
    sequences = sorted(p.name for p in result.files if p.suffix == ".esq")
    assert result.files[0] == folder / "night.esl"
    assert len(sequences) == 3  # V,B,R 10x30 (twice); L 20x45; V 10x30
    assert sorted(p.name for p in folder.iterdir()) == sorted(["night.esl"] + sequences)
    jobs = {j.name: j for j in load_ekos_schedule(result.path, WHEEL).jobs}
    assert jobs["SS Cyg"].sequence_path == jobs["omi Cet"].sequence_path
    assert "Left out R Leo: visual only" in " ".join(result.notes)


def test_sequences_can_be_named_where_they_will_be_on_the_observatory_computer(tmp_path):
    remote = tmp_path / "astro" / "plans"
    options = ExportOptions(filters=OPTIONS.filters, sequence_dir=str(remote), image_dir="/data/frames")
    result = export_plan(filter_plan(), "esl", tmp_path / "out" / "night.esl", options)
    schedule = load_ekos_schedule(result.path, WHEEL)
    assert all(j.sequence_path.startswith(str(remote)) and j.sequence is None for j in schedule.jobs)  # not copied yet
    remote.mkdir(parents=True)
    for path in result.files:
        shutil.copy(path, remote / path.name)
    schedule = load_ekos_schedule(remote / "night.esl", WHEEL)
    assert all(j.sequence is not None for j in schedule.jobs)
    assert {s.directory for j in schedule.jobs for s in j.sequence} == {"/data/frames"}


def test_the_reader_refuses_what_the_first_export_wrote(tmp_path):
    old = tmp_path / "old.esl"
    old.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<SchedulerList version="1.4"><Profile>Default</Profile>
<Job><Name>SS Cyg</Name><Coordinates><J2000RA>21.7</J2000RA><J2000DE>43.5</J2000DE></Coordinates>
<Sequence /><StartupCondition><Condition>ASAP</Condition></StartupCondition></Job>
<ErrorHandlingStrategy value="1"><delay>0</delay></ErrorHandlingStrategy>
<StartupProcedure /><ShutdownProcedure /></SchedulerList>""", "utf-8")
    schedule = load_ekos_schedule(old, WHEEL)
    assert schedule.jobs[0].sequence is None
    assert schedule.overrides == ["Profile", "ErrorHandlingStrategy", "StartupProcedure", "ShutdownProcedure"]
    # and a sequence named relative to the list is not found either: Qt takes it for a web address
    assert qurl_from_user_input_local_file("night-V-10x30s.esq") == ""
    assert qurl_from_user_input_local_file("/home/astro/night.esq") == "/home/astro/night.esq"
    assert qurl_from_user_input_local_file("file:///home/astro/my%20night.esq") == "/home/astro/my night.esq"
