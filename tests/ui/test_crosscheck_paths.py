"""One cross-check path: the window's Cross-check and ``planner crosscheck`` give the same
report for the same inputs (the same AAVSO answers, site, limits, moment and tolerance).

The window gets the saved API answer as its list (as after a refresh) and asks a local
server speaking the Target Tool API for the nighttime; the command reads the same answer
and the same nighttime from files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.app.targets import CACHED, TargetList
from planner.catalog import parse_targets
from planner.cli import main
from planner.config import Settings
from planner.ui.main_window import MainWindow

DATA = Path(__file__).resolve().parents[1] / "data" / "crosscheck"
API_FILE = DATA / "api_targets.json"
NIGHT_FILE = DATA / "api_nighttime.json"


@pytest.mark.parametrize("latitude", [52.0, 40.0])  # the same site (agrees) and another (wholesale)
def test_window_and_command_give_the_same_report(qtbot, httpserver, monkeypatch, capsys, latitude):
    payload = json.loads(API_FILE.read_text("utf-8"))
    fetched = payload["meta"]["fetched_utc"]
    httpserver.expect_request("/nighttime").respond_with_json(json.loads(NIGHT_FILE.read_text("utf-8")))
    monkeypatch.setenv("PLANNER_AAVSO_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("PLANNER_AAVSO_KEY", "test-key-1234")
    settings = Settings(latitude=latitude, longitude=4.0, target_altitude=20.0, sun_altitude=-5.0, elevation=0.0,
                        site_name="", crosscheck_tolerance_s=120.0)

    window = MainWindow(settings, auto_start=False, clock=lambda: fetched)
    try:
        window.set_target_list(TargetList(parse_targets(payload).targets, CACHED, fetched))
        qtbot.waitUntil(lambda: window.observability is not None, timeout=60_000)
        window.crosscheck_action.trigger()
        qtbot.waitUntil(lambda: window.night_state.crosscheck is not None, timeout=60_000)
        from_window = window.night_state.crosscheck.to_json()
    finally:
        window.close()
        window.deleteLater()

    code = main(["crosscheck", "--api-file", str(API_FILE), "--nighttime-file", str(NIGHT_FILE),
                 "--lat", str(latitude), "--lon", "4", "--target-altitude", "20", "--sun-altitude", "-5",
                 "--tolerance", "120", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    from_command = json.loads(out)
    from_command.pop("source")
    assert from_window == from_command
    assert from_window["nighttime"]["compared"]  # the window asked the server for it
    assert from_window["wholesale"] is (latitude != 52.0)
