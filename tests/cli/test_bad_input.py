"""Bad input, as a user types it: every case is refused before any work with one line that
says what is wrong (the range, the file, the missing option), never a traceback.

Each test here failed before the shared argument types (planner.commands._args), the one
JSON reader (planner.files) and the top-level guard in planner.cli.
"""

from __future__ import annotations

import errno
import json
import tempfile
from pathlib import Path

import pytest

from planner.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"
API_FILE = DATA / "sky" / "aavso_reference_subset.json"
SITE = ["--lat", "52", "--lon", "4"]
WHEN = ["--time", "2026-11-23T18:00:00Z"]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err.strip()


@pytest.fixture
def plan_file(tmp_path, capsys) -> Path:
    path = tmp_path / "night.plan.json"
    code, _, err = run(capsys, "plan", "--date", "2026-11-23", *SITE, "--max", "2", "-o", str(path))
    assert code == 0, err
    return path


# -- files ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["targets", "--targets-file", "{file}"],
        ["tonight", "--targets-file", "{file}", *SITE],
        ["plan", "--targets-file", "{file}", *SITE, "-o", "{out}"],
        ["export", "{file}", "-f", "csv", "-o", "{out}"],
        ["crosscheck", "--api-file", "{file}", *SITE, *WHEN],
        ["crosscheck", "--api-file", str(API_FILE), "--nighttime-file", "{file}", *SITE, *WHEN],
    ],
    ids=["targets", "tonight", "plan", "export", "crosscheck", "crosscheck-nighttime"],
)
@pytest.mark.parametrize(
    "content, words",
    [(b"[" * 100_000, "nested far too deeply"), (bytes(range(256)) * 4, "not a UTF-8 JSON file")],
    ids=["nested", "random-bytes"],
)
def test_every_file_reading_command_refuses_nested_and_binary_files(capsys, tmp_path, command, content, words):
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    out_file = tmp_path / "out.file"
    argv = [a.replace("{file}", str(bad)).replace("{out}", str(out_file)) for a in command]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert words in one_line(err) and str(bad) in err
    assert not out_file.exists()


def test_nested_settings_file_is_one_line_too(capsys):
    from planner.config import settings_path

    settings_path().write_text("[" * 100_000)
    code, _, err = run(capsys, "tonight", *SITE)
    assert code == 2 and "nested far too deeply" in one_line(err) and "fix or delete the file" in err


def test_a_targets_file_of_only_bad_records_is_an_error(capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"targets": [{"star_name": "No RA", "dec": 10}, {"ra": 1}, 42]}))
    for command in (["targets"], ["tonight", *SITE], ["plan", *SITE, "-o", str(tmp_path / "p.json")]):
        code, out, err = run(capsys, *command, "--targets-file", str(bad))
        assert code == 2 and out == "", command
        assert "none of its 3 records is a usable target" in one_line(err)


def test_a_read_only_folder_is_named_as_such(capsys, tmp_path, monkeypatch, plan_file):
    """As root a chmod cannot make a folder read-only, so the kernel's refusal is raised where
    the atomic writer first meets it (its temporary file)."""

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    folder = tmp_path / "read-only"
    for argv in (["plan", "--date", "2026-11-23", *SITE, "-o", str(folder / "p.plan.json")],
                 ["export", str(plan_file), "-f", "csv", "-o", str(folder / "p.csv")],
                 ["site", "set", *SITE]):
        code, _, err = run(capsys, *argv)
        assert code == 2, argv
        line = one_line(err)
        assert "is read-only" in line and "space" not in line and "disk" not in line, line


def test_solve_looks_for_the_file_before_the_key(capsys, tmp_path):
    code, _, err = run(capsys, "solve", str(tmp_path / "m31.fits"))  # no astrometry key is set
    assert code == 2 and "does not exist" in one_line(err) and "key" not in err


def test_crosscheck_without_a_key_mentions_the_offline_way(capsys):
    code, _, err = run(capsys, "crosscheck", *SITE)
    line = one_line(err)
    assert code == 2 and "no API key" in line and "--api-file" in line


# -- numbers, dates and ranges ------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv, words",
    [
        (["tonight", *SITE, "--limit", "-5"], "--limit: -5 must be 1 or more"),
        (["tonight", *SITE, "--limit", "0"], "--limit: 0 must be 1 or more"),
        (["plan", *SITE, "--moon-separation", "500"], "--moon-separation: 500 must be from 0 to 180"),
        (["plan", *SITE, "--moon-separation", "-5"], "--moon-separation: -5 must be from 0 to 180"),
        (["plan", *SITE, "--duration", "0"], "--duration: 0 must be more than 0"),
        (["plan", *SITE, "--gap", "-1"], "--gap: -1 must be from 0"),
        (["plan", *SITE, "--max", "2.5"], "'2.5' is not a whole number"),
        (["night", *SITE, "--time", "1e20"], "is outside 1900-01-03 to 2099-12-29"),
        (["night", *SITE, "--time", "nan"], "not a finite number"),
        (["night", *SITE, "--time", "-1e12"], "is outside 1900-01-03 to 2099-12-29"),
        (["tonight", *SITE, "--time", "1850-06-01T00:00:00Z"], "is outside 1900-01-03 to 2099-12-29"),
        (["plan", *SITE, "--date", "1800-01-01"], "1800-01-01 is outside 1900-01-03 to 2099-12-29"),
        (["plan", *SITE, "--date", "9999-12-31"], "9999-12-31 is outside 1900-01-03 to 2099-12-29"),
        (["plan", *SITE, "--date", "next friday"], "is not a date like 2026-11-23"),
        (["night", "--lat", "95", "--lon", "0"], "95 must be from -90 to 90"),
        (["tonight", *SITE, "--sun-altitude", "40"], "40 must be from -30 to 5"),
        (["crosscheck", *SITE, "--tolerance", "-3"], "--tolerance: -3 must be from 0"),
    ],
)
def test_out_of_range_values_are_refused_before_any_work(capsys, tmp_path, argv, words):
    out_file = tmp_path / "never.plan.json"
    if argv[0] == "plan":
        argv = [*argv, "-o", str(out_file)]
    with _no_warnings():
        code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    line = one_line(err)
    assert words in line and "ERFA function" not in line and f"planner {argv[0]}" in line
    assert not out_file.exists()  # 9999-12-31 used to fail after writing the plan


class _no_warnings:
    """No ERFA warning flood (1800-01-01 printed dozens): warnings become errors here."""

    def __enter__(self):
        import warnings

        self._catch = warnings.catch_warnings()
        self._catch.__enter__()
        warnings.simplefilter("error")

    def __exit__(self, *exc):
        self._catch.__exit__(*exc)


def test_negative_values_need_no_equals_sign(capsys):
    code, out, err = run(capsys, "night", "--lat", "-33.9", "--lon", "-71", "--time", "-1e12")
    assert code == 2 and "is outside 1900-01-03" in err and "expected one argument" not in err
    code, out, err = run(capsys, "night", "--lat", "-33.9", "--lon", "-70.7", "--time", "1795456800")
    assert code == 0, err
    code, out, err = run(capsys, "tonight", "--lat", "-33.9", "--lon", "-70.7", "--sun-alt", "-12",
                         "--time", "2026-06-21T23:00:00-04:00", "--limit", "1")
    assert code == 0 and "America/Santiago" in out, err


# -- the site options, the same everywhere ---------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [["tonight"], ["night"], ["targets"], ["crosscheck", "--api-file", str(API_FILE), *WHEN],
     ["plan", "-o", "never.plan.json"], ["aavso", "targets"], ["aavso", "nighttime"]],
    ids=lambda c: c[0] + ("-" + c[1] if c[0] == "aavso" else ""),
)
@pytest.mark.parametrize("half", [["--lat", "52"], ["--lon", "-71"]], ids=["lat-only", "lon-only"])
def test_half_a_place_is_refused_everywhere(capsys, command, half):
    code, out, err = run(capsys, *command, *half)
    assert code == 2 and out == ""
    assert "give both --lat and --lon, or neither" in one_line(err)


@pytest.mark.parametrize("target, sun", [("--target-alt", "--sun-alt"), ("--target-altitude", "--sun-altitude")])
def test_both_spellings_of_the_limits_everywhere(capsys, tmp_path, target, sun):
    limits = [target, "30", sun, "-12"]
    code, out, err = run(capsys, "tonight", *SITE, *WHEN, *limits, "--limit", "1")
    assert code == 0 and "limit 30 deg" in out and "below -12 deg" in out, err
    code, out, err = run(capsys, "targets", *SITE, *WHEN, *limits, "--observable")
    assert code == 0, err
    path = tmp_path / "p.plan.json"
    code, out, err = run(capsys, "plan", *SITE, "--date", "2026-11-23", *limits, "-o", str(path))
    assert code == 0, err
    from planner.plan import load_plan

    plan = load_plan(path)
    assert plan.site.target_altitude == 30 and plan.site.sun_altitude == -12
    code, out, err = run(capsys, "crosscheck", "--api-file", str(API_FILE), *SITE, *limits, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["site"]["target_altitude"] == 30


# -- the last guard -------------------------------------------------------------------------------


def test_an_unexpected_error_is_one_line_and_the_details_are_kept(capsys, monkeypatch):
    import planner.commands.night as night_command
    from planner.config import cache_dir

    def broken(args):
        raise RuntimeError("a bug nobody foresaw")

    monkeypatch.setattr(night_command, "cmd_night", broken)
    code, out, err = run(capsys, "night", *SITE)
    line = one_line(err)
    assert code == 70 and out == ""
    assert "unexpected error (RuntimeError: a bug nobody foresaw)" in line and "please report it" in line
    details = cache_dir() / "last-error.txt"
    assert str(details) in line and "Traceback" in details.read_text() and "a bug nobody foresaw" in details.read_text()


def test_a_refused_argument_is_one_line_not_the_usage_block(capsys):
    code, out, err = run(capsys, "tonight", "--no-such-option")
    assert code == 2 and out == ""
    assert "unrecognized arguments: --no-such-option" in one_line(err) and "--help`" in err


def test_settings_problems_are_said_once_per_run(capsys):
    from planner.config import settings_path

    settings_path().write_text(json.dumps({"latitude": "abc", "longitude": 4.0}))
    code, out, err = run(capsys, "tonight", *WHEN, "--limit", "1")
    assert code == 0
    assert err.count("\n") == 1 and '"latitude"' in err and "default site" in err
    assert out.startswith("Site: 42.3736°N 71.1097°W")  # the default place, not its latitude at 4° E
