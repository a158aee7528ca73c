"""Charts for the field (planner.app.charts): what a star's chart is asked with, the charts
kept on disk, the fallback to the last kept copy when VSP fails, and a plan's charts
prepared with progress and cancel. The VSP client itself is tested against a local
server in tests/services/test_vsp.py; here a stand-in records what it was asked."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from planner.app.charts import (
    KEEP_PER_STAR,
    ChartRequest,
    ChartStore,
    apply_chart_ids,
    chart_request,
    get_chart,
    open_chart,
    prepare_charts,
)
from planner.config import Settings
from planner.plan.model import Plan, PlanEntry, PlanTarget
from planner.services.errors import NetworkError
from planner.services.vsp import parse_chart
from planner.sky.site import Site

RAW = json.loads((Path(__file__).parents[1] / "data" / "vsp" / "chart_ss_cyg.json").read_text())
PNG = b"\x89PNG fake bytes for the store"
SITE = Site(latitude=52.0, longitude=4.0, timezone="Europe/Amsterdam")


class StandIn:
    """A VSP client that answers a new chart id per call, or fails when told."""

    def __init__(self, fail: set[str] = frozenset()):
        self.fail = {f.casefold() for f in fail}
        self.asked: list[tuple[str, dict]] = []
        self.count = 0

    def chart(self, star, *, refresh=False, **params):
        self.asked.append((star, params))
        if star.casefold() in self.fail:
            raise NetworkError("AAVSO VSP", "could not be reached")
        self.count += 1
        return replace(parse_chart({**RAW, "chartid": f"X{self.count}AB", "star": star}), fetched_at=1000.0 + self.count)

    def chart_by_id(self, chart_id):
        self.asked.append((chart_id, {}))
        return replace(parse_chart({**RAW, "chartid": chart_id}), fetched_at=999.0)

    def image(self, chart):
        return PNG


def test_the_request_comes_from_the_telescope_and_the_stars_faintest_magnitude():
    settings = Settings(telescope_aperture_mm=200.0, telescope_focal_length_mm=1200.0, eyepiece_focal_length_mm=25.0,
                        eyepiece_field_deg=52.0, chart_east="right")
    request = chart_request(PlanTarget(name="SS  Cyg", ra=325.6787, dec=43.5861, min_mag=12.2), settings)
    assert (request.star, request.fov, request.maglimit, request.east) == ("SS Cyg", 65.0, 13.5, "right")
    assert "eyepiece" in request.words and "faintest" in request.words
    asked = chart_request("SS Cyg", settings, fov=30, maglimit=15)
    assert (asked.fov, asked.maglimit) == (30.0, 15.0) and "as asked" in asked.words
    assert request.params() == {"fov": 65.0, "maglimit": 13.5, "north": None, "east": "right"}


def test_a_kept_chart_is_found_again_without_asking(tmp_path):
    store = ChartStore(tmp_path)
    client = StandIn()
    request = ChartRequest("SS Cyg", 60.0, 14.5)
    first = get_chart(request, client=client, store=store)
    assert first.source == "service" and first.stored.image == PNG
    again = get_chart(request, client=client, store=store)
    assert again.source == "store" and again.chart.chart_id == first.chart.chart_id and len(client.asked) == 1
    assert store.load(first.chart.chart_id).chart.comparison("85").magnitude("V").mag == 8.524
    # another field is another chart
    assert get_chart(ChartRequest("SS Cyg", 30.0, 14.5), client=client, store=store).source == "service"


def test_when_vsp_fails_the_last_kept_chart_is_shown_with_its_date(tmp_path):
    store = ChartStore(tmp_path)
    kept = get_chart(ChartRequest("SS Cyg", 60.0, 14.5), client=StandIn(), store=store)
    result = get_chart(ChartRequest("SS Cyg", 30.0, 16.0), client=StandIn(fail={"SS Cyg"}), store=store)
    assert result.source == "stale" and result.chart.chart_id == kept.chart.chart_id
    assert "could not be reached" in result.message and "kept from" in result.message
    with pytest.raises(NetworkError):
        get_chart(ChartRequest("R Leo", 60.0, 12.0), client=StandIn(fail={"R Leo"}), store=store)


def test_a_chart_id_opens_from_the_store_first(tmp_path):
    store = ChartStore(tmp_path)
    client = StandIn()
    assert open_chart("X77AB", client=client, store=store).source == "service"
    assert open_chart("X77AB", client=client, store=store).source == "store"
    assert len(client.asked) == 1


def test_old_charts_of_a_star_are_pruned_but_a_plans_are_kept(tmp_path):
    store = ChartStore(tmp_path)
    client = StandIn()
    first = get_chart(ChartRequest("SS Cyg", 10.0, 14.5), client=client, store=store).chart.chart_id
    for fov in range(11, 11 + KEEP_PER_STAR + 2):
        get_chart(ChartRequest("SS Cyg", float(fov), 14.5), client=client, store=store, keep={first})
    ids = set(store.entries())
    assert first in ids and len(ids) == KEEP_PER_STAR + 1
    assert (tmp_path / f"{first}.png").exists()
    assert len(list(tmp_path.glob("*.png"))) == KEEP_PER_STAR + 1


def test_a_damaged_store_file_is_no_chart_not_a_crash(tmp_path):
    store = ChartStore(tmp_path)
    chart_id = get_chart(ChartRequest("SS Cyg", 60.0, 14.5), client=StandIn(), store=store).chart.chart_id
    (tmp_path / f"{chart_id}.json").write_text("{not json")
    assert store.load(chart_id) is None
    (tmp_path / "index.json").write_text("[]")
    assert store.entries() == {} and store.load("../../etc/passwd") is None


def _plan() -> Plan:
    plan = Plan(site=SITE, date="2026-11-23")
    for name in ("SS Cyg", "R Leo", "SS Cyg", "T Cen"):
        plan.add(PlanEntry(target=PlanTarget(name=name, ra=10.0, dec=10.0, min_mag=12.0)))
    return plan


def test_prepare_charts_fetches_one_per_star_with_progress_and_reports_failures(tmp_path):
    plan = _plan()
    client = StandIn(fail={"T Cen"})
    seen = []
    report = prepare_charts(plan, Settings(), client=client, store=ChartStore(tmp_path),
                            progress=lambda done, total, star: seen.append((done, total, star)))
    assert seen == [(0, 4, "SS Cyg"), (1, 4, "R Leo"), (2, 4, "SS Cyg"), (3, 4, "T Cen"), (4, 4, "")]
    assert [star for star, _ in client.asked] == ["SS Cyg", "R Leo", "T Cen"]  # SS Cyg once
    ids = report.chart_ids
    assert ids[plan.entries[0].id] == ids[plan.entries[2].id] and plan.entries[3].id not in ids
    assert report.failed[0].star == "T Cen" and "could not be reached" in report.failed[0].message
    assert "2 of 4 charts ready" not in report.summary() and "3 of 4 charts ready" in report.summary()
    assert all(not e.chart_id for e in plan.entries)  # the plan itself is not changed
    assert apply_chart_ids(plan, ids) == 3
    assert plan.entries[0].chart_id == "X1AB" and plan.entries[1].chart_id == "X2AB"
    # again: every entry that names a kept chart is ready at once, no network
    again = StandIn(fail={"T Cen"})
    second = prepare_charts(plan, Settings(), client=again, store=ChartStore(tmp_path))
    assert [star for star, _ in again.asked] == ["T Cen"]
    assert {c.source for c in second.charts if c.chart_id} == {"store"}


def test_prepare_charts_stops_between_stars_when_cancelled(tmp_path):
    calls = {"n": 0}

    def cancelled():
        calls["n"] += 1
        return calls["n"] > 2

    report = prepare_charts(_plan(), Settings(), client=StandIn(), store=ChartStore(tmp_path), cancelled=cancelled)
    assert report.cancelled and len(report.charts) == 2 and "cancelled" in report.summary()


def test_the_picture_is_drawn_inverted_or_red_for_the_dark_and_night_looks():
    import io

    from PIL import Image

    from planner.app.charts import ChartError, chart_pixels, look_for_theme

    page = Image.new("RGB", (4, 2), (255, 255, 255))
    page.putpixel((1, 0), (0, 0, 0))  # a star: black on the white page
    buffer = io.BytesIO()
    page.save(buffer, "PNG")
    png = buffer.getvalue()
    width, height, normal = chart_pixels(png)
    assert (width, height) == (4, 2) and normal[:6] == bytes([255, 255, 255, 0, 0, 0])
    _, _, red = chart_pixels(png, "red")
    assert red[:6] == bytes([0, 0, 0, 255, 0, 0])  # black sky, a red star, nothing green or blue
    assert all(red[i] == 0 for i in range(len(red)) if i % 3)
    _, _, inverted = chart_pixels(png, "inverted")
    assert inverted[:6] == bytes([0, 0, 0, 255, 255, 255])
    assert (look_for_theme("night"), look_for_theme("dark"), look_for_theme("light")) == ("red", "inverted", "normal")
    with pytest.raises(ChartError, match="cannot be drawn"):
        chart_pixels(b"<html>")
