from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.errors import PlannerError
from planner.plan import store
from planner.plan.model import Plan, PlanEntry, PlanLimits, PlanTarget
from planner.plan.store import (
    PlanFileError,
    autosave,
    clear_recovery,
    find_recovery,
    load_plan,
    recovery_path,
    save_plan,
)
from planner.sky.site import Site
from tests.plan.helpers import sample_plan

# -- strategies ---------------------------------------------------------------------------

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
unix = st.floats(min_value=0, max_value=4e9, allow_nan=False)
mags = st.none() | st.floats(min_value=-2, max_value=25, allow_nan=False)

targets = st.builds(
    PlanTarget,
    name=text.filter(lambda s: s.strip() != ""),
    ra=st.floats(min_value=0, max_value=360, exclude_max=True, allow_nan=False),
    dec=st.floats(min_value=-90, max_value=90, allow_nan=False),
    constellation=text,
    var_type=text,
    min_mag=mags,
    min_mag_band=text,
    max_mag=mags,
    period=st.none() | st.floats(min_value=0, max_value=1e5, allow_nan=False),
    obs_cadence=st.none() | st.floats(min_value=0, max_value=1e3, allow_nan=False),
    filter=text,
    priority=st.booleans(),
    last_data_point=st.none() | unix,
    sections=st.lists(text, max_size=3).map(tuple),
)


@st.composite
def entries(draw):
    timed = draw(st.booleans())
    start = draw(unix) if timed else None
    end = (start + draw(st.floats(min_value=1.0, max_value=1e5, allow_nan=False))) if timed else None
    return PlanEntry(
        target=draw(targets),
        duration=draw(st.floats(min_value=1, max_value=1e5, allow_nan=False)),
        start=start,
        end=end,
        filters=tuple(draw(st.lists(st.text("UBVRIgri", min_size=1, max_size=3), max_size=4))),
        exposure=draw(st.floats(min_value=0.001, max_value=1e4, allow_nan=False)),
        count=draw(st.integers(min_value=1, max_value=10000)),
        notes=draw(text),
        status=draw(st.sampled_from(["planned", "observed", "skipped"])),
        windows=tuple(draw(st.lists(st.tuples(unix, unix), max_size=3))),
    )


sites = st.builds(
    Site,
    latitude=st.floats(min_value=-90, max_value=90, allow_nan=False),
    longitude=st.floats(min_value=-180, max_value=180, allow_nan=False),
    elevation=st.floats(min_value=-500, max_value=9000, allow_nan=False),
    target_altitude=st.floats(min_value=-5, max_value=89, allow_nan=False),
    sun_altitude=st.floats(min_value=-30, max_value=5, allow_nan=False),
    timezone=st.sampled_from(["UTC", "Europe/Amsterdam", "America/New_York", "Australia/Sydney", "Asia/Kathmandu"]),
    name=text,
)

plans = st.builds(
    Plan,
    site=sites,
    night_start=st.none() | unix,
    night_end=st.none() | unix,
    date=text,
    limits=st.builds(PlanLimits, min_altitude=st.floats(-5, 89), twilight=st.sampled_from(["astronomical", "nautical", "civil", "site"]),
                     moon_separation=st.none() | st.floats(0, 180), gap=st.floats(0, 3600)),
    entries=st.lists(entries(), max_size=6),
    title=text,
    notes=text,
    created=unix,
    modified=unix,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=plans)
def test_any_plan_survives_save_and_open_unchanged(plan, tmp_path):
    path = tmp_path / "night.plan.json"
    save_plan(plan, path)
    assert load_plan(path) == plan


def test_file_carries_format_and_version(tmp_path):
    path = save_plan(sample_plan(), tmp_path / "p.json")
    doc = json.loads(path.read_text("utf-8"))
    assert doc["format"] == "planner-plan" and doc["version"] == store.VERSION == 2
    assert doc["plan"]["entries"][0]["target"]["name"] == "SS Cyg"


@pytest.mark.parametrize("where", ["replace", "write"])
def test_a_save_interrupted_by_an_error_leaves_the_old_file_intact(tmp_path, monkeypatch, where):
    path = tmp_path / "plans" / "p.json"
    old = sample_plan()
    save_plan(old, path)
    before = path.read_bytes()
    changed = sample_plan()
    changed.title = "changed"
    if where == "replace":
        def boom(*a, **k):
            raise OSError(28, "No space left on device")
        monkeypatch.setattr(os, "replace", boom)
    else:
        real_fdopen = os.fdopen

        def failing_fdopen(fd, *a, **k):
            handle = real_fdopen(fd, *a, **k)

            class Half:
                def __enter__(self):
                    return self

                def __exit__(self, *exc):
                    handle.close()

                def write(self, data):
                    handle.write(data[: len(data) // 2])
                    raise OSError(28, "No space left on device")

            return Half()
        monkeypatch.setattr(os, "fdopen", failing_fdopen)
    with pytest.raises(PlanFileError, match="previous version is unchanged"):
        save_plan(changed, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert load_plan(path) == old
    assert [p.name for p in path.parent.iterdir()] == ["p.json"]  # no temporary file left


def test_a_crash_mid_save_leaves_the_old_file_intact(tmp_path, monkeypatch):
    """KeyboardInterrupt (or any BaseException) during the write is not swallowed and the old file stays."""
    path = tmp_path / "p.json"
    save_plan(sample_plan(), path)
    before = path.read_bytes()

    def interrupted(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_plan(Plan(site=sample_plan().site), path)
    monkeypatch.undo()
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"format": "planner-plan", "version": 1, "plan": {"site": ', "not valid JSON"),
        ("", "not valid JSON"),
        ('{"format": "planner-plan", "version": 3, "plan": {}}', "newer planner"),
        ('{"format": "planner-settings", "version": 1}', "not a planner plan"),
        ('{"targets": []}', "not a planner plan"),
        ("[1, 2, 3]", "not a planner plan"),
        ('{"format": "planner-plan", "version": "one", "plan": {}}', "no valid plan version"),
        ('{"format": "planner-plan", "version": 1, "plan": {"entries": []}}', "damaged: the plan has no 'site'"),
        ('{"format": "planner-plan", "version": 1, "plan": {"site": {"latitude": 95, "longitude": 0}}}', "Latitude"),
    ],
)
def test_bad_files_are_refused_cleanly_and_left_alone(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, "utf-8")
    with pytest.raises(PlanFileError, match=message) as info:
        load_plan(path)
    assert isinstance(info.value, PlannerError)
    assert str(path) in str(info.value)
    assert path.read_text("utf-8") == content


def test_damaged_entry_is_named(tmp_path):
    doc = json.loads(store.dumps_plan(sample_plan()))
    doc["plan"]["entries"][1]["target"]["ra"] = "not a number"
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(PlanFileError, match="entry 2: ra must be a number"):
        load_plan(path)


def _write_doc(tmp_path, doc):
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc), "utf-8")
    return path


def test_an_entry_that_ends_before_it_starts_is_refused_on_load_and_named(tmp_path):
    doc = json.loads(store.dumps_plan(sample_plan()))
    entry = doc["plan"]["entries"][1]  # omi Cet
    entry["end"] = entry["start"] - 600
    path = _write_doc(tmp_path, doc)
    with pytest.raises(PlanFileError, match=r"damaged: entry 2: 'omi Cet' ends before it starts \(end .* UTC is not after start"):
        load_plan(path)
    entry["end"] = entry["start"]  # a block of no length is no block either
    with pytest.raises(PlanFileError, match="entry 2: 'omi Cet' ends before it starts"):
        load_plan(_write_doc(tmp_path, doc))


def test_duplicate_entry_ids_are_refused_on_load_and_both_entries_named(tmp_path):
    doc = json.loads(store.dumps_plan(sample_plan()))
    doc["plan"]["entries"][3]["id"] = doc["plan"]["entries"][0]["id"]
    with pytest.raises(PlanFileError, match=r"entry 4 \(chi Cyg\) has the same id '[0-9a-f]+' as entry 1 \(SS Cyg\)"):
        load_plan(_write_doc(tmp_path, doc))


def test_missing_binary_and_folder_paths_are_refused(tmp_path):
    with pytest.raises(PlanFileError, match="no such file"):
        load_plan(tmp_path / "nope.json")
    with pytest.raises(PlanFileError, match="folder"):
        load_plan(tmp_path)
    binary = tmp_path / "img.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00")
    with pytest.raises(PlanFileError):
        load_plan(binary)


def test_autosave_recovery_round_trip_and_clear(tmp_path):
    assert find_recovery() is None
    plan = sample_plan()
    path = autosave(plan, source=tmp_path / "night.plan.json")
    assert path == recovery_path() and path.parent == store.data_dir()
    found = find_recovery()
    assert found is not None and found.plan == plan
    assert found.source == str(tmp_path / "night.plan.json")
    clear_recovery()
    assert find_recovery() is None and not recovery_path().exists()
    clear_recovery()  # nothing to clear is fine


def test_damaged_recovery_is_set_aside_not_offered_forever():
    recovery_path().parent.mkdir(parents=True, exist_ok=True)
    recovery_path().write_text('{"format": "planner-plan-recovery", "document": {', "utf-8")
    assert find_recovery() is None
    assert not recovery_path().exists()
    assert recovery_path().with_name(recovery_path().name + ".damaged").exists()
    assert find_recovery() is None
