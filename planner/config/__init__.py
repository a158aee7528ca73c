"""User settings (site, limits, service base URLs, display) and the program's folders.

Each setting is declared once, in its section (``planner.config.site``, ``.display``,
``.telescope``, ``.arcsecond``, ``.advanced``, ``.exports``; the shape in
``planner.config.section``): its default, label, range and check, read by the loader here,
the Settings dialog's pages and the commands alike. Settings are a versioned JSON file in the
platformdirs config folder, written atomically; secrets never go here (see
``planner.services.credentials``). ``PLANNER_CONFIG_DIR``, ``PLANNER_CACHE_DIR`` and
``PLANNER_DATA_DIR`` redirect the folders (tests use them).
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

try:  # POSIX: a temporary file being written is held under an advisory lock
    import fcntl
except ImportError:  # Windows: an open file cannot be deleted, which protects it as well
    fcntl = None  # type: ignore[assignment]

from planner import APP_NAME
from planner.config.advanced import ADVANCED
from planner.config.arcsecond import ARCSECOND
from planner.config.display import DISPLAY, THEMES  # noqa: F401 (THEMES: re-exported)
from planner.config.events import EVENTS, MAX_MARGIN_MIN
from planner.config.exports import EXPORTS
from planner.config.section import Section, Setting, SettingsError, sentence, shown
from planner.config.site import FIX_HINT, PLACE_FIELDS, PLACE_TRIGGERS, SITE
from planner.config.sky import SKY
from planner.config.telescope import TELESCOPE

SETTINGS_VERSION = 1
SETTINGS_FILE = "settings.json"

def config_dir() -> Path:
    return Path(os.environ.get("PLANNER_CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME))


def cache_dir() -> Path:
    return Path(os.environ.get("PLANNER_CACHE_DIR") or platformdirs.user_cache_dir(APP_NAME))


def data_dir() -> Path:
    return Path(os.environ.get("PLANNER_DATA_DIR") or platformdirs.user_data_dir(APP_NAME))


TIME_ZONES_FILE = "time-zones.json"


def remembered_time_zone(latitude: Any, longitude: Any) -> str:
    """The time zone at the coordinates, remembered in the cache folder: looking it up loads
    timezonefinder and its data (about half a second), which the window would otherwise pay
    before its first paint at every start. '' for coordinates that are not a place (the
    site's own check then says what is wrong)."""
    from planner.sky.site import timezone_at

    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        return ""
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return ""
    key = f"{lat:.6f},{lon:.6f}"
    path = cache_dir() / TIME_ZONES_FILE
    try:
        from planner.files import parse_json

        known = parse_json(path.read_text(encoding="utf-8"), str(path), error=ValueError)
        if not isinstance(known, dict):
            known = {}
    except (OSError, ValueError):
        known = {}
    zone = known.get(key)
    if isinstance(zone, str) and zone:
        return zone
    zone = timezone_at(lat, lon)
    known = {k: v for k, v in known.items() if isinstance(v, str)}
    known[key] = zone
    try:
        atomic_write_text(path, json.dumps(dict(list(known.items())[-64:]), indent=0))
    except OSError:
        pass  # a read-only cache folder: found again next time
    return zone


# Each section declares its settings once (default, label, range, check); the dialog's pages
# and the commands read the same declarations. A new setting: one Setting in its section's
# module and one line below (tests/test_config_sections.py fails if either is missing).
SECTIONS: tuple[Section, ...] = (SITE, SKY, DISPLAY, TELESCOPE, ARCSECOND, ADVANCED, EXPORTS, EVENTS)


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SettingsError(f"{shown(value)} is not an object")
    return value


# Values of no section: kept for whoever wrote them (another planner version, a plug-in).
EXTRA = Setting("extra", default_factory=dict, label="Extra values", check=_object)
SETTINGS: dict[str, Setting] = {s.name: s for section in SECTIONS for s in section} | {"extra": EXTRA}


def setting(name: str) -> Setting:
    """The declaration of the settings field ``name`` (``KeyError`` for an unknown one)."""
    return SETTINGS[name]


@dataclass
class Settings:
    """Everything the user sets, with the defaults a first start uses (each declared in its
    section: ``planner.config.site``, ``.display``, ``.telescope``, ``.arcsecond``,
    ``.advanced``, ``.exports``).

    ``warnings`` is filled by the loader (never saved): one sentence per value in the file
    that could not be used, naming the field and saying which default replaced it.
    """

    site_name: str = SITE["site_name"].field()  # empty: the site is shown by its coordinates (Site.label)
    latitude: float = SITE["latitude"].field()
    longitude: float = SITE["longitude"].field()
    elevation: float = SITE["elevation"].field()
    target_altitude: float = SITE["target_altitude"].field()
    sun_altitude: float = SITE["sun_altitude"].field()
    timezone: str = SITE["timezone"].field()  # empty: found from the coordinates
    base_urls: dict[str, str] = ADVANCED["base_urls"].field()  # addresses the user set, by service key
    crosscheck_tolerance_s: float = SITE["crosscheck_tolerance_s"].field()
    theme: str = DISPLAY["theme"].field()  # one of THEMES
    show_utc: bool = DISPLAY["show_utc"].field()
    # Telescope and camera (Settings > Telescope; planner.app.telescope reads them): the
    # field charts are drawn for, the plate solver's scale hints, the visual limit.
    telescope_aperture_mm: float | None = TELESCOPE["telescope_aperture_mm"].field()
    telescope_focal_length_mm: float | None = TELESCOPE["telescope_focal_length_mm"].field()
    eyepiece_focal_length_mm: float | None = TELESCOPE["eyepiece_focal_length_mm"].field()
    eyepiece_field_deg: float | None = TELESCOPE["eyepiece_field_deg"].field()  # the eyepiece's apparent field
    camera_sensor_width_mm: float | None = TELESCOPE["camera_sensor_width_mm"].field()
    camera_sensor_height_mm: float | None = TELESCOPE["camera_sensor_height_mm"].field()
    camera_pixel_size_um: float | None = TELESCOPE["camera_pixel_size_um"].field()
    observing_mode: str = TELESCOPE["observing_mode"].field()  # visual | imaging: whose field a chart shows
    chart_scale: str = TELESCOPE["chart_scale"].field()  # '' = the field of the telescope; else AAVSO's A-G
    chart_north: str = TELESCOPE["chart_north"].field()  # '' (VSP's default, up) | up | down
    chart_east: str = TELESCOPE["chart_east"].field()  # '' (VSP's default) | left | right
    arcsecond_observatory: str = ARCSECOND["arcsecond_observatory"].field()  # subdomain or portal id
    image_cache_mb: int = ADVANCED["image_cache_mb"].field()
    filter_names: dict[str, str] = EXPORTS["filter_names"].field()  # only where they differ from the defaults
    observer_name: str = EXPORTS["observer_name"].field()  # for the observing log (OAL)
    observer_code: str = EXPORTS["observer_code"].field()  # AAVSO observer code
    ekos_image_dir: str = EXPORTS["ekos_image_dir"].field()  # '' = an images folder beside the .esl
    # The observer's sky (Settings > Horizon, Moon & mount; planner.config.sky)
    horizon: dict[str, Any] = SKY["horizon"].field()
    moon_avoidance: dict[str, Any] = SKY["moon_avoidance"].field()
    mount: dict[str, Any] = SKY["mount"].field()
    outlook_nights: int = SKY["outlook_nights"].field()
    # A minimum, transit or maximum added to the plan: its block starts this long before the
    # event's window and ends this long after it (minutes; planner.app.events.plan_entry_for).
    event_margin_before_min: float = EVENTS["event_margin_before_min"].field()
    event_margin_after_min: float = EVENTS["event_margin_after_min"].field()
    extra: dict[str, Any] = EXTRA.field()
    warnings: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def site(self):
        """The settings' site as a validated ``planner.sky.Site`` (raises ``SiteError``),
        with the horizon mask when one is set. Without a time zone set, the one found from
        the coordinates (remembered on disk). This is the one place settings become a
        ``Site``; settings from ``load_settings`` always give one, since the loader replaced
        every unusable site field already."""
        from planner.sky.site import Site

        return Site(
            latitude=self.latitude,
            longitude=self.longitude,
            elevation=self.elevation,
            target_altitude=self.target_altitude,
            sun_altitude=self.sun_altitude,
            timezone=self.timezone or remembered_time_zone(self.latitude, self.longitude),
            name=self.site_name,
            horizon=self.horizon_mask(),
        )

    @property
    def is_default_site(self) -> bool:
        """True while the place is still the default one (AAVSO HQ), the user's own not set yet."""
        return (self.latitude, self.longitude) == (SITE["latitude"].default, SITE["longitude"].default)

    def horizon_mask(self):
        """The horizon mask (``planner.sky.horizon.HorizonMask``), or None when none is set."""
        from planner.sky.horizon import HorizonMask

        return HorizonMask.from_json(self.horizon, "the horizon in the settings") if self.horizon else None

    def moon(self):
        """The Moon avoidance (``planner.sky.moon.MoonAvoidance``)."""
        from planner.sky.moon import MoonAvoidance

        return MoonAvoidance.from_json(self.moon_avoidance or None)

    def mount_model(self):
        """The mount (``planner.sky.mount.Mount``)."""
        from planner.sky.mount import Mount

        return Mount.from_json(self.mount or None)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("warnings")
        data["format"] = "planner-settings"
        data["version"] = SETTINGS_VERSION
        return data

    @classmethod
    def from_json(cls, data: Any) -> "Settings":
        """Settings from a parsed file. Each value is checked on its own by its section's
        declaration: an unusable one falls back to its default (the whole place, for a bad
        place field) and a sentence in ``warnings`` says so; the rest is kept."""
        if not isinstance(data, dict):
            raise SettingsError("the settings file does not hold a JSON object")
        version = data.get("version", SETTINGS_VERSION)
        if isinstance(version, int) and version > SETTINGS_VERSION:
            raise SettingsError(
                f"the settings file was written by a newer planner (version {version}); "
                "update planner or remove the file"
            )
        warnings: list[str] = []
        kwargs: dict[str, Any] = {}
        place_problem = None
        for key, value in data.items():
            if key in ("format", "version"):
                continue
            declared = SETTINGS.get(key)
            if declared is None:
                warnings.append(f'"{key}" is not a setting planner knows; it is ignored.')
                continue
            try:
                kwargs[key] = declared.checked(value)
            except ValueError as exc:
                if key in PLACE_TRIGGERS:
                    place_problem = place_problem or f'"{key}": {sentence(exc)}'
                elif declared.fallback is not None:
                    kwargs[key], said = declared.fallback
                    warnings.append(f'"{key}": {sentence(exc)} Using {said}.')
                else:
                    warnings.append(f'"{key}": {sentence(exc)} Using the default, {shown(declared.default_value())}.')
        if place_problem is None and ("latitude" in kwargs) != ("longitude" in kwargs):
            given, missing = ("latitude", "longitude") if "latitude" in kwargs else ("longitude", "latitude")
            place_problem = f'"{given}" is set but "{missing}" is not.'
        if place_problem is not None:
            for key in PLACE_FIELDS:
                kwargs.pop(key, None)
            warnings.append(
                f"{place_problem} Using the default site for the place ({SITE['latitude'].default:g}, "
                f"{SITE['longitude'].default:g}, AAVSO HQ); {FIX_HINT}."
            )
        settings = cls(**kwargs)
        settings.warnings = tuple(warnings)
        return settings


def event_margins(settings: Settings | None = None) -> tuple[float, float]:
    """(before, after) in seconds: how long an event's plan block starts before its window
    and ends after it (Settings > Events), each held to 0-12 h; a value that is not a
    number reads as the default 30 min. Read by ``planner.app.events.plan_entry_for`` and
    the settings page."""
    settings = settings if settings is not None else Settings()

    def clamp(name: str) -> float:
        default = float(EVENTS[name].default)
        try:
            number = float(getattr(settings, name))
        except (TypeError, ValueError):
            return 60.0 * default
        return 60.0 * min(max(number, 0.0), MAX_MARGIN_MIN) if math.isfinite(number) else 60.0 * default

    return clamp("event_margin_before_min"), clamp("event_margin_after_min")


def settings_path() -> Path:
    return config_dir() / SETTINGS_FILE


def load_settings(path: Path | None = None) -> Settings:
    """Settings from disk; the defaults when there is no file yet. Raises ``SettingsError``
    for a file that cannot be used at all; single unusable values are listed in the
    result's ``warnings`` and replaced by defaults."""
    from planner.files import read_json

    path = path or settings_path()
    if not os.path.lexists(path):
        return Settings()
    data = read_json(path, "settings", error=SettingsError, hint="fix or delete the file")
    return Settings.from_json(data)


def load_settings_or_defaults() -> Settings:
    """Settings for a panel that cannot report a broken settings file itself (the window
    does, at start-up): the defaults when the file cannot be used."""
    try:
        return load_settings()
    except SettingsError:
        return Settings()


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write the settings atomically; ``SettingsError`` says why a write failed."""
    from planner.files import write_error_text

    path = path or settings_path()
    try:
        atomic_write_text(path, json.dumps(settings.to_json(), indent=2, sort_keys=True))
    except OSError as exc:
        raise SettingsError(f"could not save the settings to {path}: {write_error_text(exc, path)}") from None
    return path


def keep_settings_copy(path: Path | None = None) -> Path | None:
    """Copy the settings file aside (``settings.json.bak``) before a save replaces values
    the loader could not use, so what the user wrote is not lost; None if there is no file."""
    import shutil

    path = path or settings_path()
    if not path.is_file():
        return None
    copy = path.with_name(path.name + ".bak")
    try:
        shutil.copy2(path, copy)
    except OSError as exc:
        from planner.files import write_error_text

        raise SettingsError(f"could not keep a copy of the settings as {copy}: {write_error_text(exc, copy)}") from None
    return copy


def _process_umask() -> int:
    """The process umask, read without changing it (``os.umask`` can only be read by setting
    it, which races with other threads creating files)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


def _mode_for(path: Path) -> int:
    """An existing file keeps its permissions; a new one gets what ``open()`` would give it."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~_process_umask()


# mkstemp names: the prefix we give, eight characters from its alphabet, our suffix.
_TEMP_RANDOM = r"[a-z0-9_]{8}"
TEMP_SUFFIX = ".tmp"


def _temporary_name_pattern(path: Path) -> re.Pattern[str]:
    return re.compile(re.escape(f".{path.name}.") + _TEMP_RANDOM + re.escape(TEMP_SUFFIX))


def _try_lock(fd: int) -> bool:
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def remove_stale_temporaries(path: str | os.PathLike) -> list[Path]:
    """Delete the temporary files an interrupted ``atomic_write_bytes`` of ``path`` left
    behind (a kill or power cut between creating and renaming). Only names of exactly our
    pattern are touched, and never one a live writer still holds: on POSIX writers hold an
    advisory lock for as long as they write, on Windows an open file cannot be deleted."""
    path = Path(path)
    pattern = _temporary_name_pattern(path)
    removed: list[Path] = []
    try:
        names = [n for n in os.listdir(path.parent) if pattern.fullmatch(n)]
    except OSError:
        return removed
    for name in names:
        candidate = path.parent / name
        try:
            info = os.lstat(candidate)
            if not stat.S_ISREG(info.st_mode):
                continue
            fd = os.open(candidate, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            if not _try_lock(fd):
                continue  # another save is writing it right now
            if fcntl is None:
                os.close(fd)
                fd = -1
            os.unlink(candidate)
            removed.append(candidate)
        except OSError:
            pass
        finally:
            if fd >= 0:
                os.close(fd)
    return removed


def _locked_temporary(path: Path) -> tuple[int, str]:
    """A new temporary file beside ``path``, open and locked. A cleaner can only delete a
    temporary before its writer locks it, so the writer checks its name still leads to its
    file once locked and starts over with a new one if not."""
    for _ in range(5):
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
        if _try_lock(fd):
            try:
                if os.path.samestat(os.fstat(fd), os.stat(tmp)):
                    return fd, tmp
            except OSError:
                pass
        os.close(fd)
    raise OSError(f"could not create a temporary file beside {path}")


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write a file so that a crash or a full disk leaves the previous version intact.

    The data goes to a temporary file beside the target, is flushed to disk, and replaces
    the target in one rename. The result has the permissions a plain write would give
    (mkstemp's private 0600 would otherwise leak into the user's plans and exports).
    Temporary files an earlier, killed write of the same file left behind are removed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode_for(path)
    remove_stale_temporaries(path)
    fd, tmp = _locked_temporary(path)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            if fcntl is not None:
                os.replace(tmp, path)  # still locked, so no cleaner can take it first
        if fcntl is None:
            os.replace(tmp, path)  # Windows renames no open file
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))
