"""``planner plan`` and ``planner export``: what they write, what they print, and clean
one-line errors for bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from planner.cli import main
from planner.plan import load_plan
from planner.plan.export import FORMATS

DATA = Path(__file__).resolve().parents[1] / "data" / "plan"
TARGETS = DATA / "targets.json"
SITE = ["--lat", "52", "--lon", "4"]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_plan_from_a_targets_file(capsys, tmp_path):
    out_file = tmp_path / "night.plan.json"
    code, out, err = run(capsys, "plan", "--date", "2026-11-23", "--targets-file", str(TARGETS), *SITE,
                         "--duration", "45", "--max", "4", "-o", str(out_file))
    assert code == 0, err
    plan = load_plan(out_file)
    assert len(plan.entries) == 4
    assert all(e.duration == 45 * 60 for e in plan.entries)
    assert plan.conflicts() == []
    assert plan.date == "2026-11-23" and plan.site.latitude == 52.0 and plan.site.timezone == "Europe/Amsterdam"
    assert "Planned 4 of 10 targets" in out and str(out_file) in out
    assert "eta Car: below the altitude limit all night" in out
    assert "maximum number of entries (4)" in out
    for e in plan.entries:
        assert e.name in out


def test_plan_uses_settings_site_and_the_bundled_sample(capsys, tmp_path):
    from planner.catalog import load_sample
    from planner.config import Settings, save_settings

    try:
        sample = load_sample()
    except FileNotFoundError:
        pytest.skip("the bundled sample is not in this tree yet")
    save_settings(Settings(site_name="Backyard", latitude=-33.9, longitude=151.2, timezone="Australia/Sydney"))
    out_file = tmp_path / "p.json"
    code, out, err = run(capsys, "plan", "--date", "2026-06-15", "--section", "cv", "-o", str(out_file))
    assert code == 0, err
    plan = load_plan(out_file)
    assert plan.site.name == "Backyard" and plan.site.latitude == -33.9
    cv = {t.star_name for t in sample.targets if "cv" in t.section_codes}
    assert {e.name for e in plan.entries} <= cv
    assert "Backyard" in out and "sections cv" in out


def test_plan_options_reach_the_entries(capsys, tmp_path):
    out_file = tmp_path / "p.json"
    code, _, err = run(capsys, "plan", "--date", "2026-11-23", "--targets-file", str(TARGETS), *SITE,
                       "--filters", "B, V,R", "--exposure", "30", "--count", "5", "--moon-separation", "10",
                       "--twilight", "nautical", "--gap", "2", "--target-altitude", "30", "-o", str(out_file))
    assert code == 0, err
    plan = load_plan(out_file)
    assert plan.limits.twilight == "nautical" and plan.limits.moon_separation == 10 and plan.limits.gap == 120
    assert plan.limits.min_altitude == 30 and plan.site.target_altitude == 30
    assert all(e.filters == ("B", "V", "R") and e.exposure == 30 and e.count == 5 for e in plan.entries)
    timed = plan.scheduled_entries
    assert all(b.start - a.end >= 120 - 1e-6 for a, b in zip(timed, timed[1:]))


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--date", "23/11/2026"], "--date: '23/11/2026' is not a date like 2026-11-23"),
        (["--lat", "52"], "give both --lat and --lon"),
        (["--lat", "95", "--lon", "4"], "Latitude 95"),
        (["--duration", "0"], "--duration: 0 must be more than 0"),
        (["--max", "0"], "--max: 0 must be 1 or more"),
        (["--section", "xyz"], "unknown section 'xyz'"),
        (["--targets-file", "/nonexistent/t.json"], "no such file"),
    ],
)
def test_plan_errors_are_one_clean_line(capsys, tmp_path, argv, message):
    out_file = tmp_path / "p.json"
    extra = [] if any(a in argv for a in ("--section", "--targets-file")) else ["--targets-file", str(TARGETS)]
    if not any(a == "--lat" for a in argv):
        extra += SITE
    code, out, err = run(capsys, "plan", *argv, *extra, "-o", str(out_file))
    assert code == 2
    assert message in err and err.startswith("planner plan: ") and err.count("\n") == 1
    assert "Traceback" not in err and not out_file.exists()


def test_targets_file_that_is_not_json_is_refused(capsys, tmp_path):
    bad = tmp_path / "t.json"
    bad.write_text("{not json", "utf-8")
    code, _, err = run(capsys, "plan", "--targets-file", str(bad), *SITE, "-o", str(tmp_path / "p.json"))
    assert code == 2 and "not valid JSON" in err


@pytest.fixture
def plan_file(capsys, tmp_path):
    path = tmp_path / "night.plan.json"
    assert main(["plan", "--date", "2026-11-23", "--targets-file", str(TARGETS), *SITE, "-o", str(path)]) == 0
    capsys.readouterr()
    return path


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_export_every_format(capsys, plan_file, fmt):
    out_file = plan_file.with_name("out" + FORMATS[fmt].suffix)
    extra = []
    if fmt.startswith("aavso-"):  # the reports write estimates, for an observer code
        from planner.plan import save_plan
        from tests.plan.helpers import with_estimates

        save_plan(with_estimates(load_plan(plan_file)), plan_file)
        extra = ["--obscode", "XYZ"]
    code, out, err = run(capsys, "export", str(plan_file), "--format", fmt, "-o", str(out_file), *extra)
    assert code == 0, err
    assert out_file.exists() and out_file.stat().st_size > 0
    assert f"Wrote {FORMATS[fmt].label}" in out and str(out_file) in out


def test_export_default_output_name_and_content(capsys, plan_file):
    code, out, err = run(capsys, "export", str(plan_file), "-f", "csv")
    assert code == 0, err
    out_file = plan_file.with_name("night.csv")
    rows = list(csv.DictReader(io.StringIO(out_file.read_text("utf-8-sig"))))
    assert [r["name"] for r in rows] == [e.name for e in load_plan(plan_file).scheduled_entries]
    code, _, _ = run(capsys, "export", str(plan_file), "-f", "nina-csv")
    assert code == 0 and plan_file.with_name("night-nina.csv").exists()


def test_export_refuses_bad_plans_cleanly(capsys, tmp_path, plan_file):
    future = tmp_path / "future.json"
    future.write_text(json.dumps({"format": "planner-plan", "version": 99, "plan": {}}), "utf-8")
    code, _, err = run(capsys, "export", str(future), "-f", "csv", "-o", str(tmp_path / "x.csv"))
    assert code == 2 and "newer planner" in err and err.count("\n") == 1
    code, _, err = run(capsys, "export", str(tmp_path / "missing.json"), "-f", "csv")
    assert code == 2 and "no such file" in err
    code, _, err = run(capsys, "export", str(plan_file), "-f", "json", "-o", str(plan_file))
    assert code == 2 and "is the plan itself" in err
    assert load_plan(plan_file)  # untouched


@pytest.mark.parametrize(
    "content, why",
    [
        ('{"format": "planner-plan", "version": 99, "plan": {}}', "newer planner"),
        ('{"format": "planner-plan", "version": 1, "plan": {"site": ', "not valid JSON"),
        ("Observing notes, 2026-11-23: seeing 3/5, SS Cyg in outburst.\n", "not valid JSON"),
        ('{"targets": []}', "not a planner plan"),
    ],
)
def test_plan_never_replaces_a_file_it_cannot_read_without_force(capsys, tmp_path, content, why):
    out_file = tmp_path / "night.plan.json"
    out_file.write_text(content, "utf-8")
    argv = ["plan", "--date", "2026-11-23", "--targets-file", str(TARGETS), *SITE, "-o", str(out_file)]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith(f"planner plan: not replacing {out_file}: ") and why in err and "--force" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert out_file.read_text("utf-8") == content  # untouched
    code, out, err = run(capsys, *argv, "--force")
    assert code == 0, err
    assert len(load_plan(out_file).entries) > 0


def test_plan_replaces_an_older_copy_of_a_plan(capsys, plan_file):
    before = load_plan(plan_file)
    code, _, err = run(capsys, "plan", "--date", "2026-11-24", "--targets-file", str(TARGETS), *SITE,
                       "-o", str(plan_file))
    assert code == 0, err
    assert load_plan(plan_file).date == "2026-11-24" != before.date


def test_export_esl_writes_its_sequences_and_names_them(capsys, plan_file):
    from tests.plan.readers import load_ekos_schedule

    out_file = plan_file.with_name("night.esl")
    code, out, err = run(capsys, "export", str(plan_file), "-f", "esl", "-o", str(out_file))
    assert code == 0, err
    sequences = sorted(plan_file.parent.glob("night-*.esq"))
    assert sequences and all(f"  and {s}" in out for s in sequences)
    schedule = load_ekos_schedule(out_file, ["V", "B", "Clear"])
    assert schedule.jobs and all(j.sequence for j in schedule.jobs) and schedule.overrides == []


def test_export_uses_the_filter_names_from_settings_and_says_what_it_left_out(capsys, tmp_path):
    from planner.config import Settings, save_settings
    from planner.plan import Plan, PlanEntry, save_plan
    from tests.plan.helpers import SITE, target
    from tests.plan.readers import read_acp_plan

    save_settings(Settings(filter_names={"V": "Green", "Vis": ""}))
    plan = Plan(site=SITE)
    plan.add(PlanEntry(target=target("SS Cyg"), filters=("V",)))
    plan.add(PlanEntry(target=target("R Leo"), filters=("Vis",)))
    path = save_plan(plan, tmp_path / "p.plan.json")
    code, out, err = run(capsys, "export", str(path), "-f", "acp", "-o", str(tmp_path / "p.txt"))
    assert code == 0, err
    assert "Left out R Leo: visual only" in out
    acp = read_acp_plan((tmp_path / "p.txt").read_text("utf-8"), {"Green"})
    assert [(t.name, t.filters) for t in acp.targets] == [("SS Cyg", ["Green"])]


def test_export_sequence_dir_must_be_absolute(capsys, plan_file):
    code, _, err = run(capsys, "export", str(plan_file), "-f", "esl", "--sequence-dir", "plans/tonight")
    assert code == 2 and "must be an absolute folder" in err and err.count("\n") == 1
