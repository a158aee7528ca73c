"""Settings, folders and atomic writes (planner.config)."""

from __future__ import annotations

import json
import os
import re
import stat

import pytest

from planner import config
from planner.config import (
    Settings,
    SettingsError,
    atomic_write_text,
    load_settings,
    save_settings,
    settings_path,
)


def test_first_start_has_defaults_and_a_valid_site():
    settings = load_settings()
    assert settings == Settings()
    site = settings.site()
    assert site.target_altitude == 20.0 and site.sun_altitude == -5.0 and site.timezone == "America/New_York"


def test_round_trip_keeps_every_field(tmp_path):
    settings = Settings(site_name="Backyard", latitude=52.0, longitude=4.0, elevation=3.0, theme="night",
                        show_utc=True, base_urls={"nasa": "http://127.0.0.1:9/nasa"}, crosscheck_tolerance_s=60.0)
    path = save_settings(settings)
    assert path == settings_path() and path.parent == config.config_dir()
    data = json.loads(path.read_text())
    assert data["format"] == "planner-settings" and data["version"] == config.SETTINGS_VERSION
    assert load_settings() == settings


def write_settings(data) -> None:
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(json.dumps(data))


def test_bad_values_fall_back_to_defaults_and_the_rest_is_kept():
    write_settings({"site_name": "Backyard", "latitude": 52.0, "longitude": 4.0, "show_utc": "yes",
                    "theme": "dark", "sun_altitude": 12})
    settings = load_settings()
    assert (settings.site_name, settings.latitude, settings.longitude, settings.theme) == ("Backyard", 52.0, 4.0, "dark")
    assert settings.show_utc is False and settings.sun_altitude == -5.0
    assert len(settings.warnings) == 2
    show_utc, sun = settings.warnings
    assert show_utc.startswith('"show_utc"') and "'yes' is not true or false" in show_utc and "default, false" in show_utc
    assert sun.startswith('"sun_altitude"') and "outside [-30, 5]" in sun and "default, -5" in sun


@pytest.mark.parametrize(
    "place, words",
    [
        ({"latitude": "abc", "longitude": 4.0}, "'abc' is not a number of degrees"),
        ({"latitude": 52.0, "longitude": 400}, "Longitude 400 degrees is outside [-180, 180]"),
        ({"latitude": True, "longitude": 4.0}, "true is not a number of degrees"),
        ({"latitude": None, "longitude": 4.0}, "null is not a number of degrees"),
        ({"latitude": 52.0}, '"latitude" is set but "longitude" is not'),
    ],
)
def test_a_bad_place_gives_the_whole_default_site_not_a_made_up_one(place, words):
    """The latitude of one place with the longitude of another is nowhere: a bad latitude or
    longitude sends the place (and its name, elevation and time zone) back to the default."""
    write_settings({"site_name": "Backyard", "elevation": 3.0, "timezone": "Europe/Amsterdam",
                    "target_altitude": 25.0, **place})
    settings = load_settings()
    default = Settings()
    assert (settings.latitude, settings.longitude, settings.elevation, settings.site_name, settings.timezone) == (
        default.latitude, default.longitude, default.elevation, default.site_name, default.timezone)
    assert settings.target_altitude == 25.0  # a limit is not part of the place
    (warning,) = settings.warnings
    assert words in warning and "default site" in warning and "planner site set" in warning
    assert settings.site().describe().startswith("42.3736°N 71.1097°W")


@pytest.mark.parametrize(
    "key, value, words, kept",
    [
        ("elevation", 20000, "outside [-500, 9000]", 10.0),
        ("target_altitude", "low", "not a number of degrees", 20.0),
        ("timezone", "Mars/Olympus", "not a known IANA time zone", ""),
        ("site_name", 7, "7 is not text", ""),
        ("theme", "pink", "not one of light, dark, night", "light"),
        ("crosscheck_tolerance_s", -1, "outside 0 to 3600", 120.0),
        ("image_cache_mb", 2.5, "outside 10 to 100000", 500),
        ("telescope_focal_length_mm", 0, "outside 10–100000 mm", None),
        ("base_urls", {"aavso": "ftp://example.org"}, "not an http(s) address", {}),
        ("extra", [], "is not an object", {}),
    ],
)
def test_each_unusable_field_is_named_and_replaced(key, value, words, kept):
    write_settings({"latitude": 52.0, "longitude": 4.0, key: value})
    settings = load_settings()
    assert getattr(settings, key) == kept
    assert (settings.latitude, settings.longitude) == (52.0, 4.0)
    (warning,) = settings.warnings
    assert warning.startswith(f'"{key}"') and words in warning and "Using" in warning


def test_unknown_keys_are_named_and_good_files_have_no_warnings():
    write_settings({"latitude": 52.0, "longitude": 4.0, "lattitude": 3})
    assert load_settings().warnings == ('"lattitude" is not a setting planner knows; it is ignored.',)
    save_settings(Settings(latitude=52.0, longitude=4.0))
    assert load_settings().warnings == ()
    assert "warnings" not in json.loads(settings_path().read_text())  # never saved


@pytest.mark.parametrize(
    "text, words",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "does not hold a JSON object"),
        (json.dumps({"version": 99}), "newer planner"),
        ("[" * 100_000, "nested far too deeply"),
        (b"\x89PNG\r\n\x1a\n\xff\xfe", "not a UTF-8 JSON file"),
    ],
)
def test_unreadable_settings_are_refused_with_a_message(text, words):
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(SettingsError, match=re.escape(words)):
        load_settings()


def test_folders_follow_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path / "d"))
    assert config.cache_dir() == tmp_path / "c" and config.data_dir() == tmp_path / "d"


def test_a_failed_write_leaves_the_old_file_and_no_debris(tmp_path, monkeypatch):
    folder = tmp_path / "plans"
    target = folder / "plan.json"
    atomic_write_text(target, "old")

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError):
        atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in folder.iterdir()] == ["plan.json"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_written_files_get_ordinary_permissions(tmp_path):
    umask = config._process_umask()
    fresh = tmp_path / "fresh.csv"
    atomic_write_text(fresh, "x")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask
    private = tmp_path / "private.json"
    private.write_text("secret-ish")
    private.chmod(0o600)
    atomic_write_text(private, "still private")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600  # an existing file keeps its mode
    assert umask == (lambda m: (os.umask(m), m)[1])(os.umask(0))  # agrees with the OS


def test_panels_fall_back_to_defaults_on_a_broken_file():
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text("{broken")
    assert config.load_settings_or_defaults() == Settings()
    save_settings(Settings(latitude=10.0))
    assert config.load_settings_or_defaults().latitude == 10.0


# -- temporary files a killed save leaves behind ------------------------------------------

_STUCK_WRITER = r"""
import os, sys
from planner import config

def stuck(src, dst):
    print("writing", flush=True)  # the temporary file exists, locked, and is not renamed yet
    sys.stdin.readline()           # until the test says go (or kills us)
    return real_replace(src, dst)

real_replace = os.replace
os.replace = stuck
config.atomic_write_text(sys.argv[1], "from the child")
print("done", flush=True)
"""


def _stuck_writer(target):
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", _STUCK_WRITER, str(target)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    return proc


def _temporaries(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_the_next_save_removes_what_a_killed_save_left(tmp_path):
    target = tmp_path / "night.plan.json"
    atomic_write_text(target, "old")
    proc = _stuck_writer(target)
    proc.kill()  # SIGKILL on POSIX: no cleanup of any kind runs in the child
    proc.wait()
    assert len(_temporaries(tmp_path)) == 1 and target.read_text() == "old"
    atomic_write_text(target, "new")
    assert _temporaries(tmp_path) == [] and target.read_text() == "new"


def test_a_save_in_progress_elsewhere_is_left_alone(tmp_path):
    target = tmp_path / "night.plan.json"
    proc = _stuck_writer(target)
    try:
        atomic_write_text(target, "from the test")
        assert len(_temporaries(tmp_path)) == 1  # the child's, still being written
    finally:
        out, _ = proc.communicate("go\n", timeout=60)
    assert "done" in out and proc.returncode == 0
    assert target.read_text() == "from the child" and _temporaries(tmp_path) == []


def test_only_our_own_temporaries_of_that_file_are_removed(tmp_path):
    import os

    target = tmp_path / "night.plan.json"
    ours = tmp_path / ".night.plan.json.ab_cd9ef.tmp"
    others = [".night.plan.json.notes", "night.plan.json.tmp", ".other.plan.json.abcdefgh.tmp",
              ".night.plan.json.abcdefghi.tmp", ".night.plan.json.ABCDEFGH.tmp"]
    ours.write_text("half a plan")
    for name in others:
        (tmp_path / name).write_text("keep me")
    (tmp_path / ".night.plan.json.folder00.tmp").mkdir()
    os.symlink(tmp_path / "night.plan.json.tmp", tmp_path / ".night.plan.json.link0000.tmp")
    atomic_write_text(target, "plan")
    assert not ours.exists()
    for name in others:
        assert (tmp_path / name).read_text() == "keep me"
    assert (tmp_path / ".night.plan.json.folder00.tmp").is_dir()
    assert (tmp_path / ".night.plan.json.link0000.tmp").is_symlink()
