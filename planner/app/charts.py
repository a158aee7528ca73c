"""Comparison-star charts, once for the window and the commands: what a star's chart is
asked with (the telescope's field and the star's faintest magnitude, ``chart_request``),
the charts kept on disk for the field (``ChartStore``), getting one (``get_chart``: kept
copy first, else AAVSO VSP, else the last kept copy with its date), and preparing every
chart of a plan before going out (``prepare_charts``: progress, cancel, each entry
remembers its chart id).

Charts live in ``data_dir()/charts`` (user data, not the HTTP cache that Settings can
clear): ``<chartid>.json`` (VSP's answer as it came), ``<chartid>.png`` and an index of
what each was asked with. A chart opened from there needs no network. Qt-free.
"""

from __future__ import annotations

import json
import math
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from planner.app.telescope import chart_defaults
from planner.config import atomic_write_bytes, atomic_write_text, data_dir
from planner.errors import PlannerError

STORE_DIR = "charts"
INDEX_FILE = "index.json"
INDEX_FORMAT = "planner-charts"
INDEX_VERSION = 1
KEEP_PER_STAR = 3  # older charts of a star are removed (a plan entry's chart is kept)
_SAFE_ID = re.compile(r"^[A-Za-z0-9]{1,24}$")


class ChartError(PlannerError):
    """A chart that cannot be had; the message says why and what to do."""


def _star_key(name: str) -> str:
    return " ".join(str(name).split()).casefold()


@dataclass(frozen=True)
class ChartRequest:
    """What a star's chart is asked for: ``fov`` arcminutes, ``maglimit``, orientation, and
    ``words`` saying where the numbers came from."""

    star: str
    fov: float
    maglimit: float
    north: str = ""
    east: str = ""
    words: str = ""

    def matches(self, entry: dict) -> bool:
        return (_star_key(entry.get("star", "")) == _star_key(self.star)
                and math.isclose(float(entry.get("fov") or 0), self.fov, abs_tol=1e-6)
                and math.isclose(float(entry.get("maglimit") or 0), self.maglimit, abs_tol=1e-6)
                and (entry.get("north") or "") == self.north and (entry.get("east") or "") == self.east)

    def params(self) -> dict[str, Any]:
        """Keyword arguments of ``VspClient.chart``."""
        return {"fov": self.fov, "maglimit": self.maglimit, "north": self.north or None, "east": self.east or None}


def chart_request(target: Any, settings, *, fov: float | None = None, maglimit: float | None = None,
                  scale: str | None = None, faintest: float | None = None) -> ChartRequest:
    """The chart of ``target`` (a catalog ``Target``, a ``PlanTarget``, or a star name with
    its ``faintest`` magnitude) as the telescope in ``settings`` wants it;
    ``fov``/``maglimit``/``scale`` override."""
    if isinstance(target, str):
        name = target
    else:
        name = getattr(target, "name", None) or getattr(target, "star_name", "")
        faintest = getattr(target, "min_mag", None)
    defaults = chart_defaults(settings, faintest, scale=scale)
    words = defaults.words
    if fov is not None:
        words = f"{fov:g}′ as asked; " + words.split("; ", 1)[-1]
    if maglimit is not None:
        words = words.split("; ", 1)[0] + f"; limit {maglimit:g} as asked"
    return ChartRequest(star=" ".join(str(name).split()), fov=float(fov if fov is not None else defaults.fov),
                        maglimit=float(maglimit if maglimit is not None else defaults.maglimit),
                        north=defaults.north, east=defaults.east, words=words)


def find_target(name: str):
    """The target called ``name`` in the list the window starts with (the last AAVSO list,
    else the bundled sample), for its faintest magnitude; None when it is not there."""
    from planner.app.targets import load_startup_list

    key = _star_key(name)
    try:
        targets = load_startup_list().targets
    except (OSError, ValueError):
        return None
    return next((t for t in targets if _star_key(t.star_name) == key), None)


@dataclass
class StoredChart:
    """A chart kept on disk: the parsed chart, its picture (None if it could not be had)
    and when it was fetched."""

    chart: Any  # planner.services.vsp.VspChart
    image: bytes | None
    fetched_at: float
    request: dict = field(default_factory=dict)

    @property
    def chart_id(self) -> str:
        return self.chart.chart_id

    def fetched_text(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(self.fetched_at))


class ChartStore:
    """The charts kept for the field (see the module docstring). Safe for the window and a
    command writing at once: the index is changed under a file lock."""

    def __init__(self, folder: str | Path | None = None):
        self.folder = Path(folder) if folder is not None else data_dir() / STORE_DIR

    def _index_path(self) -> Path:
        return self.folder / INDEX_FILE

    def _lock(self):
        from filelock import FileLock

        self.folder.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.folder / (INDEX_FILE + ".lock")), timeout=30)

    def _read_index(self) -> dict[str, dict]:
        try:
            data = json.loads(self._index_path().read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        charts = data.get("charts") if isinstance(data, dict) else None
        return {k: v for k, v in charts.items() if isinstance(v, dict) and _SAFE_ID.match(k)} if isinstance(charts, dict) else {}

    def _write_index(self, charts: dict[str, dict]) -> None:
        atomic_write_text(self._index_path(), json.dumps(
            {"format": INDEX_FORMAT, "version": INDEX_VERSION, "charts": charts}, indent=1, sort_keys=True))

    def entries(self) -> dict[str, dict]:
        """Chart id -> what it was asked with and when it was fetched."""
        return self._read_index()

    def save(self, chart, image: bytes | None, request: ChartRequest | None = None,
             *, keep: Iterable[str] = ()) -> StoredChart:
        """Keep ``chart`` (and its picture); older charts of the star beyond
        ``KEEP_PER_STAR`` go, except the ids in ``keep`` (charts plan entries use)."""
        if not _SAFE_ID.match(chart.chart_id):
            raise ChartError(f"chart id {chart.chart_id!r} cannot be kept (letters and digits only)")
        fetched = chart.fetched_at or time.time()
        raw = dict(chart.raw) if chart.raw else chart.to_json()
        with self._lock():
            atomic_write_bytes(self.folder / f"{chart.chart_id}.json",
                               json.dumps(raw, indent=1).encode("utf-8"))
            if image is not None:
                atomic_write_bytes(self.folder / f"{chart.chart_id}.png", image)
            charts = self._read_index()
            entry = {"star": request.star if request else chart.star, "fetched_at": fetched,
                     "fov": request.fov if request else chart.fov, "maglimit": request.maglimit if request else chart.maglimit,
                     "north": request.north if request else "", "east": request.east if request else "",
                     "image": image is not None or bool(charts.get(chart.chart_id, {}).get("image"))}
            charts[chart.chart_id] = entry
            self._prune(charts, _star_key(entry["star"] or ""), set(keep) | {chart.chart_id})
            self._write_index(charts)
        return StoredChart(chart, image if image is not None else self._image(chart.chart_id), fetched, entry)

    def _prune(self, charts: dict[str, dict], star: str, keep: set[str]) -> None:
        mine = sorted((cid for cid, e in charts.items() if _star_key(e.get("star", "")) == star),
                      key=lambda cid: charts[cid].get("fetched_at") or 0, reverse=True)
        for cid in mine[KEEP_PER_STAR:]:
            if cid in keep:
                continue
            charts.pop(cid, None)
            for suffix in (".json", ".png"):
                try:
                    (self.folder / f"{cid}{suffix}").unlink()
                except OSError:
                    pass

    def _image(self, chart_id: str) -> bytes | None:
        try:
            return (self.folder / f"{chart_id}.png").read_bytes()
        except OSError:
            return None

    def load(self, chart_id: str) -> StoredChart | None:
        """The kept chart with this id, or None (unknown, or its file unreadable)."""
        from planner.services.errors import ServiceError
        from planner.services.vsp import parse_chart

        ident = str(chart_id or "").strip()
        if not _SAFE_ID.match(ident):
            return None
        try:
            raw = json.loads((self.folder / f"{ident}.json").read_text("utf-8"))
            chart = parse_chart(raw)
        except (OSError, ValueError, ServiceError):
            return None
        entry = self._read_index().get(ident, {})
        fetched = entry.get("fetched_at")
        if not isinstance(fetched, (int, float)):
            try:
                fetched = (self.folder / f"{ident}.json").stat().st_mtime
            except OSError:
                fetched = time.time()
        return StoredChart(chart, self._image(ident), float(fetched), entry)

    def find(self, request: ChartRequest) -> StoredChart | None:
        """The newest kept chart asked exactly as ``request``."""
        charts = self._read_index()
        for cid in sorted(charts, key=lambda c: charts[c].get("fetched_at") or 0, reverse=True):
            if request.matches(charts[cid]):
                stored = self.load(cid)
                if stored is not None and stored.image is not None:
                    return stored
        return None

    def latest_for(self, star: str) -> StoredChart | None:
        """The newest kept chart of ``star``, whatever it was asked with."""
        charts = self._read_index()
        key = _star_key(star)
        for cid in sorted(charts, key=lambda c: charts[c].get("fetched_at") or 0, reverse=True):
            if _star_key(charts[cid].get("star", "")) == key:
                stored = self.load(cid)
                if stored is not None:
                    return stored
        return None


@dataclass
class ChartResult:
    """A chart to show: ``source`` is "store" (kept copy, no network), "service" (just
    fetched) or "stale" (VSP failed: the last kept copy, ``message`` says why and its date)."""

    stored: StoredChart
    source: str
    message: str = ""

    @property
    def chart(self):
        return self.stored.chart


def _client(client, settings):
    if client is not None:
        return client
    from planner.services.vsp import VspClient

    return VspClient.from_settings(settings)


def fetch_and_keep(request: ChartRequest, client, store: ChartStore, *, refresh: bool = False,
                   keep: Iterable[str] = ()) -> StoredChart:
    """Ask VSP for the chart and its picture, and keep both."""
    chart = client.chart(request.star, refresh=refresh, **request.params())
    image = client.image(chart)
    return store.save(chart, image, request, keep=keep)


def get_chart(request: ChartRequest, *, settings=None, client=None, store: ChartStore | None = None,
              refresh: bool = False, keep: Iterable[str] = ()) -> ChartResult:
    """The chart for ``request``: the kept copy (no network) unless ``refresh``, else VSP's;
    when VSP fails, the last kept chart of the star with its date. Raises the service's
    error when there is nothing kept to fall back on."""
    from planner.services.errors import ServiceError

    store = store or ChartStore()
    if not refresh:
        kept = store.find(request)
        if kept is not None:
            return ChartResult(kept, "store")
    try:
        return ChartResult(fetch_and_keep(request, _client(client, settings), store, refresh=refresh, keep=keep),
                           "service")
    except ServiceError as exc:
        last = store.latest_for(request.star)
        if last is None:
            raise
        return ChartResult(last, "stale", f"{exc} Showing chart {last.chart_id} kept from {last.fetched_text()}.")


def open_chart(chart_id: str, *, settings=None, client=None, store: ChartStore | None = None) -> ChartResult:
    """The chart with this id: kept copy first (no network), else VSP's (then kept)."""
    from planner.services.vsp import check_chart_id

    store = store or ChartStore()
    ident = check_chart_id(chart_id)
    kept = store.load(ident)
    if kept is not None and kept.image is not None:
        return ChartResult(kept, "store")
    client = _client(client, settings)
    chart = client.chart_by_id(ident)
    image = client.image(chart)
    return ChartResult(store.save(chart, image, None), "service")


# -- the picture for the eye --------------------------------------------------------------

LOOKS = ("normal", "inverted", "red")


def look_for_theme(theme_name: str) -> str:
    """How a chart is drawn in a theme: as VSP drew it (light), inverted (dark), red on
    black (night: a white chart at the eyepiece ruins dark adaptation)."""
    return {"night": "red", "dark": "inverted"}.get(theme_name, "normal")


def chart_pixels(png: bytes, look: str = "normal") -> tuple[int, int, bytes]:
    """The chart picture as (width, height, RGB bytes, 3 per pixel) in ``look``: "normal",
    "inverted" (black sky, white stars) or "red" (the inverted picture in red only).
    Raises ``ChartError`` for bytes that are not a picture."""
    import io

    import numpy as np
    from PIL import Image, UnidentifiedImageError

    if look not in LOOKS:
        raise ValueError(f"look must be one of {', '.join(LOOKS)}, not {look!r}")
    try:
        with Image.open(io.BytesIO(png)) as image:
            rgb = np.asarray(image.convert("RGB"), dtype=np.uint8)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ChartError(f"the chart's picture cannot be drawn ({exc.__class__.__name__})") from None
    if look != "normal":
        # Luminance (Rec. 601), inverted: the white page becomes the night sky.
        grey = 255 - (rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114).round().astype(np.uint8)
        rgb = np.stack([grey] * 3, axis=-1) if look == "inverted" else np.stack(
            [grey, np.zeros_like(grey), np.zeros_like(grey)], axis=-1)
    height, width = rgb.shape[:2]
    return width, height, np.ascontiguousarray(rgb).tobytes()


# -- a plan's charts ----------------------------------------------------------------------


@dataclass
class PreparedChart:
    entry_id: str
    star: str
    chart_id: str = ""
    source: str = ""  # store | service | stale | failed
    message: str = ""


@dataclass
class PrepareReport:
    charts: list[PreparedChart] = field(default_factory=list)
    cancelled: bool = False

    @property
    def chart_ids(self) -> dict[str, str]:
        """Entry id -> chart id, for every entry that has a chart now."""
        return {c.entry_id: c.chart_id for c in self.charts if c.chart_id}

    @property
    def failed(self) -> list[PreparedChart]:
        return [c for c in self.charts if c.source == "failed"]

    def summary(self) -> str:
        got = [c for c in self.charts if c.chart_id]
        fetched = sum(1 for c in got if c.source == "service")
        text = f"{len(got)} of {len(self.charts)} charts ready for the field ({fetched} fetched now"
        text += f", {len(got) - fetched} already kept)"
        stale = [c for c in got if c.source == "stale"]
        if stale:
            text += f"; {len(stale)} are older copies (VSP failed)"
        if self.failed:
            text += "; not ready: " + "; ".join(f"{c.star} ({c.message})" for c in self.failed)
        if self.cancelled:
            text += "; cancelled before the end"
        return text + "."


def prepare_charts(plan, settings, *, client=None, store: ChartStore | None = None, refresh: bool = False,
                   progress: Callable[[int, int, str], None] | None = None,
                   cancelled: Callable[[], bool] | None = None) -> PrepareReport:
    """Fetch and keep the chart and photometry of every entry of ``plan`` (one per star),
    so the night needs no network; an entry that already names a kept chart keeps it.
    ``progress(done, total, star)`` follows; ``cancelled()`` stops between stars. The plan
    is not changed: apply ``report.chart_ids`` with ``apply_chart_ids``."""
    from planner.services.errors import ServiceError

    store = store or ChartStore()
    report = PrepareReport()
    entries = list(plan.entries)
    keep = {e.chart_id for e in entries if getattr(e, "chart_id", "")}
    by_star: dict[str, PreparedChart] = {}
    total = len(entries)
    lazy_client = None
    for done, entry in enumerate(entries):
        if cancelled is not None and cancelled():
            report.cancelled = True
            break
        if progress is not None:
            progress(done, total, entry.name)
        key = _star_key(entry.name)
        if key in by_star:  # the same star twice: one chart
            first = by_star[key]
            report.charts.append(PreparedChart(entry.id, entry.name, first.chart_id, first.source, first.message))
            continue
        item = PreparedChart(entry.id, entry.name)
        existing = getattr(entry, "chart_id", "")
        kept = store.load(existing) if existing and not refresh else None
        try:
            if kept is not None and kept.image is not None:
                item.chart_id, item.source = kept.chart_id, "store"
            else:
                if lazy_client is None:
                    lazy_client = _client(client, settings)
                result = get_chart(chart_request(entry.target, settings), client=lazy_client, store=store,
                                   refresh=refresh, keep=keep)
                item.chart_id, item.source, item.message = result.stored.chart_id, result.source, result.message
                keep.add(item.chart_id)
        except (ServiceError, ChartError, ValueError, OSError) as exc:
            item.source, item.message = "failed", str(exc)
        by_star[key] = item
        report.charts.append(item)
    if progress is not None and not report.cancelled:
        progress(total, total, "")
    return report


def apply_chart_ids(plan, chart_ids: dict[str, str]) -> int:
    """Give each entry of ``plan`` named in ``chart_ids`` its chart id; how many changed."""
    changed = 0
    for index, entry in enumerate(plan.entries):
        new = chart_ids.get(entry.id)
        if new and new != getattr(entry, "chart_id", ""):
            plan.update(index, chart_id=new)
            changed += 1
    return changed


__all__ = [
    "ChartError",
    "ChartRequest",
    "ChartResult",
    "ChartStore",
    "PrepareReport",
    "PreparedChart",
    "StoredChart",
    "LOOKS",
    "apply_chart_ids",
    "chart_pixels",
    "chart_request",
    "fetch_and_keep",
    "find_target",
    "get_chart",
    "look_for_theme",
    "open_chart",
    "prepare_charts",
]
