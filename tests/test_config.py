"""Settings, folders and atomic writes (planner.config)."""

from __future__ import annotations

import json
import os
import stat

import pytest

from planner import config
from planner.config import (
    DEFAULT_BASE_URLS,
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


def test_bad_values_fall_back_to_defaults_and_the_rest_is_kept():
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(json.dumps({"latitude": "north", "longitude": 4.0, "show_utc": "yes", "theme": "dark"}))
    settings = load_settings()
    assert settings.latitude == Settings().latitude  # unusable: default
    assert settings.longitude == 4.0 and settings.theme == "dark"
    assert settings.show_utc is False


@pytest.mark.parametrize(
    "text, words",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "does not hold a JSON object"),
        (json.dumps({"version": 99}), "newer planner"),
    ],
)
def test_unreadable_settings_are_refused_with_a_message(text, words):
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(text)
    with pytest.raises(SettingsError, match=words):
        load_settings()


def test_base_url_precedence(monkeypatch):
    settings = Settings(base_urls={"aavso": "https://example.invalid/api/"})
    assert settings.base_url("aavso") == "https://example.invalid/api"  # settings, trailing slash dropped
    assert settings.base_url("nasa") == DEFAULT_BASE_URLS["nasa"]
    monkeypatch.setenv("PLANNER_AAVSO_URL", "http://127.0.0.1:8000/v1")
    assert settings.base_url("aavso") == "http://127.0.0.1:8000/v1"  # the environment wins


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
