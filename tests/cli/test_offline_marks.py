"""Every answer a command serves from the cache because the service failed says so the same
way: ``from_cache``, ``offline`` and ``fetched_at`` in the JSON and one note on stderr."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from werkzeug import Response

from planner.cli import main
from planner.services.http import POLICIES, reset_limiters
from tests.services.conftest import fast

DATA = Path(__file__).resolve().parents[1] / "data"
SITE = "3e9a4b1c-2f5d-4a6b-8c7d-9e0f1a2b3c4d"


def canned(service: str, name: str) -> str:
    return (DATA / service / name).read_text("utf-8")


# (argv, env prefix, {path: canned answer})
CASES = {
    "aavso targets": (["aavso", "targets"], "aavso", "/TargetTool/api/v1", {"/TargetTool/api/v1/targets": ("aavso", "targets.json")}),
    "aavso nighttime": (["aavso", "nighttime", "--lat", "52", "--lon", "4"], "aavso", "/TargetTool/api/v1",
                        {"/TargetTool/api/v1/nighttime": ("aavso", "nighttime.json")}),
    "aavso telescope": (["aavso", "telescope"], "aavso", "/TargetTool/api/v1", {"/TargetTool/api/v1/telescope": ("aavso", "telescope.json")}),
    "astrobin search": (["images", "astrobin", "M31"], "astrobin", "/api/v1", {"/api/v1/image/": ("astrobin", "image_search_m31.json")}),
    "astrobin --id": (["images", "astrobin", "--id", "1234"], "astrobin", "/api/v1", {"/api/v1/image/1234/": ("astrobin", "image_1234.json")}),
    "nasa search": (["images", "nasa", "apollo 11"], "nasa", "", {"/search": ("nasa", "search_apollo11.json")}),
    "nasa --asset": (["images", "nasa", "--asset", "as11-40-5874"], "nasa", "", {"/asset/as11-40-5874": ("nasa", "asset_as11-40-5874.json")}),
    "nasa --captions": (["images", "nasa", "--captions", "as11-40-5874"], "nasa", "",
                        {"/captions/as11-40-5874": ("nasa", "captions_location.json")}),
    "arcsecond sites": (["arcsecond", "sites"], "arcsecond", "/local", {"/local/observingsites/": ("arcsecond", "observingsites.json")}),
}


@pytest.fixture
def aged_cache(monkeypatch):
    """Answers are stale at once, so the second run asks the (then failing) service."""
    reset_limiters()
    for key, policy in list(POLICIES.items()):
        monkeypatch.setitem(POLICIES, key, fast(policy, expire_after=0.001))
    for var, value in (
        ("PLANNER_AAVSO_KEY", "CANARY-aavso-offline-1"),
        ("PLANNER_ASTROBIN_KEY", "CANARY-astrobin-offline-1"),
        ("PLANNER_ASTROBIN_SECRET", "CANARY-astrobin-secret-1"),
        ("PLANNER_ARCSECOND_KEY", "CANARY-arcsecond-offline-1"),
    ):
        monkeypatch.setenv(var, value)


@pytest.mark.parametrize("case", CASES)
def test_offline_answer_is_marked_in_json_and_on_stderr(case, aged_cache, httpserver, monkeypatch, capsys):
    argv, service, prefix, answers = CASES[case]
    state = {"down": False}

    def handler_for(service_dir, name):
        def handler(_request):
            if state["down"]:
                return Response("<html><body>Service Unavailable</body></html>", status=503, content_type="text/html")
            return Response(canned(service_dir, name), content_type="application/json")

        return handler

    for path, (service_dir, name) in answers.items():
        httpserver.expect_request(path).respond_with_handler(handler_for(service_dir, name))
    monkeypatch.setenv(f"PLANNER_{service.upper()}_URL", httpserver.url_for(prefix))

    assert main(argv) == 0
    live = json.loads(capsys.readouterr().out)
    assert live["offline"] is False and live["from_cache"] is False
    fetched = live["fetched_at"]
    assert fetched is not None and abs(fetched - time.time()) < 600

    state["down"] = True
    assert main(argv) == 0
    out, err = capsys.readouterr()
    stale = json.loads(out)
    assert stale["offline"] is True and stale["from_cache"] is True
    assert stale["fetched_at"] == pytest.approx(fetched, abs=2)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "could not be reached: showing the answer saved at" in lines[0]
