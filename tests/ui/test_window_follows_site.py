"""The window follows the site and its problems (issue 17, items 1 and 2), against a local
stand-in of the AAVSO Target Tool that computes its answers with astropy (tests/ui/aavso_standin.py).

(1) a site change refetches the AAVSO list for the new site (or marks it stale without a
key), the cross-check runs again on every new list, and its diagnosis names a list fetched
for another site before it blames the AAVSO account; (2) a service error stays in the
message area until the condition clears, the source label says the list is the cached
one, and a 429's retry time is in the window's zone with its label.
"""

from __future__ import annotations

import dataclasses
import time

import pytest

from planner.app import targets as data_source
from planner.formatting import format_clock
from planner.sky.crosscheck import LIKELY_CAUSE_OTHER_SITE, LIKELY_CAUSE_SAME_SITE
from tests.ui import aavso_standin
from tests.ui.test_main_window import close_windows, open_window  # noqa: F401 - the fixture closes them

WAIT = 180_000  # a condition is waited for; generous for a loaded machine


def _moved(settings, latitude=48.1, longitude=11.6):
    return dataclasses.replace(settings, latitude=latitude, longitude=longitude, site_name="Munich")


def _report_for(window, latitude):
    report = window.night_state.crosscheck
    return report if report is not None and report.site.get("latitude") == pytest.approx(latitude) else None


def test_a_site_change_fetches_the_list_again_and_the_crosscheck_follows(qtbot, httpserver, monkeypatch):
    standin = aavso_standin.serve(httpserver, monkeypatch)
    window = open_window(qtbot)
    qtbot.waitUntil(lambda: window.target_list.origin == data_source.LIVE, timeout=WAIT)
    first_lat = window.site.latitude
    window.run_crosscheck()
    qtbot.waitUntil(lambda: _report_for(window, first_lat) is not None, timeout=WAIT)
    assert _report_for(window, first_lat).differ_count == 0  # astropy's answers agree with the engine's

    window.apply_settings(_moved(window.settings))
    # the list is asked for again, for the new site and limits
    qtbot.waitUntil(lambda: any(float(a["latitude"]) == pytest.approx(48.1)
                                for a in standin.requests_to("targets")), timeout=WAIT)
    # and the cross-check follows the new list by itself, for the new site
    qtbot.waitUntil(lambda: _report_for(window, 48.1) is not None, timeout=WAIT)
    report = _report_for(window, 48.1)
    assert report.differ_count == 0 and not report.wholesale and not report.site_changes
    assert window.target_list.fetched_for["latitude"] == pytest.approx(48.1)
    assert "for another site" not in window.source_label.text()


def test_without_a_key_a_list_for_another_site_is_marked_stale_and_named_as_the_cause(qtbot, monkeypatch):
    """The list kept from the last start was asked for the old site: the cross-check says
    so (refresh) instead of blaming the account's telescope settings (push)."""
    monkeypatch.delenv("PLANNER_AAVSO_KEY", raising=False)
    when = time.time()
    from planner.config import load_settings

    old = load_settings().site()
    _, records = aavso_standin.answers(old.latitude, old.longitude, old.target_altitude, old.sun_altitude, when)
    from planner.catalog import parse_targets

    data_source.save_last_list(parse_targets({"targets": records}).targets, when,
                               fetched_for=data_source.site_request(old))
    window = open_window(qtbot)
    assert window.target_list.origin == data_source.CACHED
    assert "for another site" not in window.source_label.text()

    window.apply_settings(_moved(window.settings, latitude=-33.9, longitude=18.4))  # Cape Town
    qtbot.waitUntil(lambda: "for another site" in window.source_label.text(), timeout=WAIT)
    assert "Refresh" in window.source_label.toolTip()
    window.run_crosscheck()
    qtbot.waitUntil(lambda: _report_for(window, -33.9) is not None, timeout=WAIT)
    report = _report_for(window, -33.9)
    assert report.wholesale and report.suggest_refresh and not report.suggest_push_site
    assert report.likely_cause.startswith(LIKELY_CAUSE_OTHER_SITE.split("{")[0])
    assert any(change.startswith("latitude") for change in report.site_changes)
    panel = window.crosscheck_panel
    assert panel.refresh_button.isVisibleTo(panel) and not panel.push_button.isVisibleTo(panel)
    assert "another site" in window.crosscheck_badge.text()


def test_the_account_is_suspected_only_when_the_request_carried_this_site(qtbot, httpserver, monkeypatch):
    standin = aavso_standin.serve(httpserver, monkeypatch)
    standin.fault = "fixed-site"  # the service answers for its stored settings, whatever it is asked
    standin.fixed_site = (-33.9, 18.4, 20.0, -12.0)
    window = open_window(qtbot)
    qtbot.waitUntil(lambda: window.target_list.origin == data_source.LIVE, timeout=WAIT)
    window.run_crosscheck()
    qtbot.waitUntil(lambda: window.night_state.crosscheck is not None, timeout=WAIT)
    report = window.night_state.crosscheck
    assert report.wholesale and not report.site_changes
    assert report.likely_cause == LIKELY_CAUSE_SAME_SITE and report.suggest_push_site


def test_a_service_error_stays_until_a_refresh_works(qtbot, httpserver, monkeypatch):
    standin = aavso_standin.serve(httpserver, monkeypatch)
    standin.fault = "500"
    window = open_window(qtbot)
    qtbot.waitUntil(lambda: window.messages.has("aavso-refresh"), timeout=WAIT)
    assert window.messages.isVisible()
    text = window.messages.text_of("aavso-refresh")
    assert text.startswith("Refresh from AAVSO failed") and text in window.messages.toolTip()  # whole
    assert window.source_label.text().endswith("(refresh failed)")
    window.statusBar().clearMessage()  # the status bar forgets; the message area does not
    assert window.messages.has("aavso-refresh")

    standin.fault = None
    window.refresh_from_aavso()
    qtbot.waitUntil(lambda: window.target_list.origin == data_source.LIVE, timeout=WAIT)
    assert not window.messages.has("aavso-refresh") and not window.messages.isVisible()
    assert window.source_label.text().startswith("AAVSO live")


def test_a_rate_limit_says_when_to_try_again_in_the_windows_zone(qtbot, httpserver, monkeypatch):
    standin = aavso_standin.serve(httpserver, monkeypatch)
    standin.fault = "429"
    standin.retry_after_s = 1800
    asked = time.time()
    window = open_window(qtbot)
    qtbot.waitUntil(lambda: window.messages.has("aavso-refresh"), timeout=WAIT)
    text = window.messages.text_of("aavso-refresh")
    tz = window.display_tz()
    # the retry time the service gave (now + Retry-After), to the minute, in the window's zone
    candidates = {format_clock(asked + 1800 + d, tz, zone=True) for d in (0, 60, 120)}
    assert any(f"try again after {c}" in text for c in candidates), (text, candidates)


def test_a_refresh_keeps_the_selection_the_curves_and_the_images_by_star_name(qtbot, httpserver, monkeypatch):
    standin = aavso_standin.serve(httpserver, monkeypatch)
    window = open_window(qtbot)
    qtbot.waitUntil(lambda: window.target_list.origin == data_source.LIVE, timeout=WAIT)
    names = [t.star_name for t in window.night_state.targets]
    picked = [names.index("SS Cyg"), names.index("T Cep")]
    images = window.panel("images_dock")
    window.table.select_target_indices(picked)
    assert sorted(window.night_state.selection) == sorted(picked)
    searched = images.target
    assert searched is not None and searched.star_name in ("SS Cyg", "T Cep")
    generation = (images.astrobin.generation, images.nasa.generation)
    before = window.target_list

    # the service now lists the stars in another order: the selection follows the names
    standin_sample = aavso_standin.SAMPLE
    monkeypatch.setattr(aavso_standin, "SAMPLE", tuple(reversed(standin_sample)))
    window.refresh_from_aavso()
    qtbot.waitUntil(lambda: window.target_list is not before and window.target_list.origin == data_source.LIVE,
                    timeout=WAIT)
    qtbot.waitUntil(lambda: window.observability is not None and not window.sky_runner.busy, timeout=WAIT)
    selected = sorted(window.night_state.targets[i].star_name for i in window.night_state.selection)
    assert selected == ["SS Cyg", "T Cep"]
    assert sorted(window.night_state.targets[i].star_name for i in window.chart.selection) == ["SS Cyg", "T Cep"]
    qtbot.waitUntil(lambda: len(window.chart.curve_lines()) == 2, timeout=WAIT)
    # the images dock still shows the same star's search: nothing searched again
    assert images.target.star_name == searched.star_name
    assert (images.astrobin.generation, images.nasa.generation) == generation
