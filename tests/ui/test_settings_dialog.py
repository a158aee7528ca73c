"""Settings dialog: refuses invalid values next to the field, saves only valid settings,
keeps keys in the keyring and tests connections against a local server."""

from __future__ import annotations

import base64
import json

import pytest
from werkzeug import Response

from planner.config import Settings, load_settings, settings_path
from planner.services import credentials
from planner.ui.settings.dialog import SettingsDialog
from planner.ui.settings.site import parse_number


@pytest.fixture
def dialog(qtbot):
    dlg = SettingsDialog(Settings(latitude=52.0, longitude=4.0, elevation=0.0, site_name="Leiden"))
    qtbot.addWidget(dlg)
    return dlg


def test_starts_valid_with_the_settings_shown(dialog):
    assert dialog.is_valid()
    assert dialog.page("site").fields["latitude"].edit.text() == "52"
    assert dialog.page("site").name_edit.text() == "Leiden"


def test_invalid_latitude_is_refused_with_a_message_and_ok_disabled(dialog):
    dialog.page("site").fields["latitude"].edit.setText("95")
    field = dialog.page("site").fields["latitude"]
    assert not dialog.ok_button.isEnabled()
    assert field.message.isVisibleTo(dialog)
    assert "Latitude 95" in field.message.text() and "[-90, 90]" in field.message.text()
    assert field.edit.property("invalid") is True
    assert "Latitude" in dialog.problems.text()
    dialog.page("site").fields["latitude"].edit.setText("north")
    assert "must be a number" in field.message.text()
    dialog.page("site").fields["latitude"].edit.setText("")
    assert field.message.text() == "Latitude is needed."
    dialog.page("site").fields["latitude"].edit.setText("51.5")
    assert dialog.ok_button.isEnabled()
    assert field.message.text() == ""


def test_every_bad_field_gets_its_own_message(dialog):
    dialog.page("site").fields["longitude"].edit.setText("200")
    dialog.page("site").fields["target_altitude"].edit.setText("95")
    dialog.page("site").fields["sun_altitude"].edit.setText("10")
    dialog.page("site").fields["elevation"].edit.setText("high")
    for key in ("longitude", "target_altitude", "sun_altitude", "elevation"):
        assert dialog.page("site").fields[key].message.text(), key
    assert dialog.page("site").fields["latitude"].message.text() == ""
    assert "and 3 more" in dialog.problems.text()


def test_ok_with_invalid_values_saves_nothing(dialog):
    dialog.page("site").fields["latitude"].edit.setText("-91")
    dialog.accept()  # e.g. Enter pressed; must not save
    assert not settings_path().exists()
    assert dialog.result_settings() is None
    assert dialog.result() == 0


def test_valid_settings_are_saved_on_ok(dialog, qtbot):
    dialog.page("site").name_edit.setText("Backyard")
    dialog.page("site").fields["latitude"].edit.setText("-33:52:00")  # sexagesimal, south
    dialog.page("site").fields["longitude"].edit.setText("151,2")  # decimal comma
    dialog.page("site").fields["elevation"].edit.setText("58")
    dialog.page("site").fields["target_altitude"].edit.setText("25")
    dialog.page("site").fields["sun_altitude"].edit.setText("-12")
    dialog.page("site").tolerance_spin.setValue(60)
    dialog.page("advanced").url_fields["nasa"].edit.setText("http://127.0.0.1:9999/nasa/")
    dialog.accept()
    saved = load_settings()
    assert saved.site_name == "Backyard"
    assert saved.latitude == pytest.approx(-33 - 52 / 60)
    assert saved.longitude == pytest.approx(151.2)
    assert (saved.elevation, saved.target_altitude, saved.sun_altitude) == (58, 25, -12)
    assert saved.crosscheck_tolerance_s == 60
    assert saved.base_urls == {"nasa": "http://127.0.0.1:9999/nasa"}
    assert dialog.result_settings() == saved
    assert saved.site().timezone == "Australia/Sydney"


def test_keys_go_to_the_keyring_never_to_the_settings_file(dialog, memory_keyring):
    dialog.page("services").secret_edits[("aavso", "key")].edit.setText("aavso-secret-1234")
    dialog.page("services").secret_edits[("astrobin", "secret")].edit.setText("astrobin-secret-5678")
    dialog.accept()
    assert credentials.get_secret("aavso") == "aavso-secret-1234"
    assert credentials.get_secret("astrobin", "secret") == "astrobin-secret-5678"
    assert ("planner", "aavso_key") in memory_keyring.store
    text = settings_path().read_text("utf-8")
    assert "aavso-secret-1234" not in text and "astrobin-secret-5678" not in text
    json.loads(text)  # and the file is still valid JSON


def test_stored_key_is_shown_masked_and_clearing_it_deletes_it(qtbot, memory_keyring):
    credentials.set_secret("aavso", "stored-key-999")
    dlg = SettingsDialog(Settings())
    qtbot.addWidget(dlg)
    edit = dlg.page("services").secret_edits[("aavso", "key")].edit
    assert edit.text() == "stored-key-999"
    assert edit.echoMode() == edit.EchoMode.Password
    edit.clear()
    dlg.accept()
    assert credentials.get_secret("aavso") is None


def test_key_from_the_environment_is_not_editable(qtbot, monkeypatch):
    monkeypatch.setenv("PLANNER_AAVSO_KEY", "from-env-0000")
    dlg = SettingsDialog(Settings())
    qtbot.addWidget(dlg)
    edit = dlg.page("services").secret_edits[("aavso", "key")].edit
    assert not edit.isEnabled()
    assert "PLANNER_AAVSO_KEY" in edit.placeholderText()
    assert edit.text() == ""


def test_key_with_a_line_break_is_refused(dialog):
    dialog.page("services").secret_edits[("arcsecond", "key")].edit.setText("abc def")
    assert not dialog.ok_button.isEnabled()
    assert "spaces or line breaks" in dialog.page("services").secret_edits[("arcsecond", "key")].message.text()


def test_bad_base_url_is_refused(dialog):
    field = dialog.page("advanced").url_fields["aavso"]
    field.edit.setText("ftp://example.org")
    assert "not a usable http(s) URL" in field.message.text()
    field.edit.setText("http://example.org/api")
    assert "only https" in field.message.text()
    assert not dialog.ok_button.isEnabled()
    field.edit.setText("")
    assert dialog.ok_button.isEnabled()


def test_time_zone_is_found_live_from_the_coordinates(dialog, qtbot):
    qtbot.waitUntil(lambda: dialog.page("site").timezone_label.text().startswith("Europe/Amsterdam"), timeout=60_000)
    dialog.page("site").fields["latitude"].edit.setText("40.7")
    dialog.page("site").fields["longitude"].edit.setText("-74.0")
    qtbot.waitUntil(lambda: dialog.page("site").timezone_label.text().startswith("America/New_York"), timeout=60_000)
    dialog.page("site").fields["longitude"].edit.setText("-400")
    qtbot.waitUntil(lambda: "needs a valid" in dialog.page("site").timezone_label.text(), timeout=60_000)


def test_cancel_saves_nothing(dialog, memory_keyring):
    dialog.page("services").secret_edits[("aavso", "key")].edit.setText("never-saved-key")
    dialog.reject()
    assert not settings_path().exists()
    assert memory_keyring.store == {}
    assert dialog.result_settings() is None


def test_connection_reports_the_services_answer(dialog, qtbot, httpserver):
    token = base64.b64encode(b"typed-key-4321:api_token").decode()
    httpserver.expect_request("/api/v1/telescope", headers={"Authorization": f"Basic {token}"}).respond_with_json(
        {"latitude": 52.0, "longitude": 4.0, "targetaltitude": 20, "sunaltitude": -5}
    )
    dialog.page("services").secret_edits[("aavso", "key")].edit.setText("typed-key-4321")
    dialog.page("advanced").url_fields["aavso"].edit.setText(httpserver.url_for("/api/v1"))
    dialog.page("services").test_connection("aavso")
    result = dialog.page("services").test_results["aavso"]
    qtbot.waitUntil(lambda: result.text().startswith("OK"), timeout=60_000)
    assert result.text() == "OK: your AAVSO telescope is at 52.0000, 4.0000, target altitude 20°, sun altitude -5°"
    assert result.property("role") == "ok"
    assert not settings_path().exists()  # testing saves nothing


def test_connection_failure_says_what_to_do(dialog, qtbot, httpserver):
    httpserver.expect_request("/api/v1/telescope").respond_with_response(Response("Unauthorized", status=401))
    dialog.page("services").secret_edits[("aavso", "key")].edit.setText("wrong-key-0000")
    dialog.page("advanced").url_fields["aavso"].edit.setText(httpserver.url_for("/api/v1"))
    dialog.page("services").test_connection("aavso")
    result = dialog.page("services").test_results["aavso"]
    qtbot.waitUntil(lambda: result.property("role") == "error", timeout=60_000)
    assert "AAVSO" in result.text() and "key" in result.text()
    assert "wrong-key-0000" not in result.text()


def test_connection_without_a_key_says_so(dialog, qtbot):
    dialog.page("services").test_connection("aavso")
    result = dialog.page("services").test_results["aavso"]
    qtbot.waitUntil(lambda: result.property("role") == "error", timeout=60_000)
    assert "no API key" in result.text()


def test_nasa_connection_against_a_local_server(dialog, qtbot, httpserver):
    httpserver.expect_request("/search").respond_with_json(
        {"collection": {"version": "1.0", "href": httpserver.url_for("/search"), "items": [],
                        "metadata": {"total_hits": 42}, "links": []}}
    )
    dialog.page("advanced").url_fields["nasa"].edit.setText(httpserver.url_for("/"))
    dialog.page("services").test_connection("nasa")
    result = dialog.page("services").test_results["nasa"]
    qtbot.waitUntil(lambda: result.property("role") in ("ok", "error"), timeout=60_000)
    assert result.text() == "OK: NASA Images has 42 results for 'Andromeda'"


def test_astrometry_connection_logs_in_with_the_typed_key(dialog, qtbot, httpserver):
    httpserver.expect_request("/api/login", method="POST").respond_with_json(
        {"status": "success", "message": "authenticated user: x", "session": "s3ss10nkey"}
    )
    dialog.page("services").secret_edits[("astrometry", "key")].edit.setText("astro-key-777")
    dialog.page("advanced").url_fields["astrometry"].edit.setText(httpserver.url_for("/api"))
    dialog.page("services").test_connection("astrometry")
    result = dialog.page("services").test_results["astrometry"]
    qtbot.waitUntil(lambda: result.property("role") in ("ok", "error"), timeout=60_000)
    assert result.text() == "OK: nova.astrometry.net accepted the key and opened a session"
    request = httpserver.log[0][0]
    assert json.loads(request.form["request-json"]) == {"apikey": "astro-key-777"}


def test_cache_size_and_clear(qtbot):
    from planner.services.http import cache_path

    path = cache_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    import requests_cache

    store = requests_cache.SQLiteCache(str(path))
    store.responses["x"] = "y" * 50_000
    store.close()
    dlg = SettingsDialog(Settings())
    qtbot.addWidget(dlg)
    assert "kB" in dlg.page("advanced").cache_label.text() or "MB" in dlg.page("advanced").cache_label.text()
    assert dlg.page("advanced").clear_cache_button.isEnabled()
    dlg.page("advanced").clear_cache()
    from planner.services.http import cache_size_bytes

    store = requests_cache.SQLiteCache(str(path))
    assert len(store.responses) == 0
    store.close()
    from planner.ui.settings.advanced import human_size

    assert dlg.page("advanced").cache_label.text().startswith(human_size(cache_size_bytes()))


@pytest.mark.parametrize(
    "text, angle, expected",
    [("52.5", False, 52.5), ("52,5", False, 52.5), ("52:30:00", True, 52.5), ("-71:06:36", True, -71.11),
     ("71 06 36 W", True, -71.11), ("33°52' S", True, -33.8667), ("52:75", True, "52:75"), ("abc", True, "abc")],
)
def test_parse_number(text, angle, expected):
    value = parse_number(text, angle=angle)
    if isinstance(expected, str):
        assert value == expected
    else:
        assert value == pytest.approx(expected, abs=1e-3)


# -- issue 17 item 6: one resolution of base URLs for every caller ---------------------------


def test_connection_test_honours_the_url_environment_variable(qtbot, httpserver, monkeypatch):
    """Before: the dialog said the variable wins but Test connection asked the public host."""
    monkeypatch.setenv("PLANNER_NASA_URL", httpserver.url_for("/env-nasa"))
    httpserver.expect_request("/env-nasa/search").respond_with_json(
        {"collection": {"items": [], "metadata": {"total_hits": 7}, "links": []}}
    )
    dlg = SettingsDialog(Settings(base_urls={"nasa": "https://stored.invalid"}))
    qtbot.addWidget(dlg)
    field = dlg.page("advanced").url_fields["nasa"].edit
    assert not field.isEnabled() and "PLANNER_NASA_URL" in field.placeholderText()
    dlg.page("services").test_connection("nasa")
    result = dlg.page("services").test_results["nasa"]
    qtbot.waitUntil(lambda: result.property("role") in ("ok", "error"), timeout=60_000)
    assert result.text() == "OK: NASA Images has 7 results for 'Andromeda'"
    assert dlg.page("advanced").typed_base_url("nasa") == httpserver.url_for("/env-nasa")


def test_an_address_set_by_the_environment_keeps_the_stored_one(qtbot, monkeypatch):
    monkeypatch.setenv("PLANNER_AAVSO_URL", "http://127.0.0.1:9/v1")
    dlg = SettingsDialog(Settings(base_urls={"aavso": "https://stored.invalid/api"}))
    qtbot.addWidget(dlg)
    assert dlg.build_settings().base_urls == {"aavso": "https://stored.invalid/api"}


# -- issue 17 item 8: without an OS keyring, Settings still saves everything else ------------


@pytest.fixture
def no_keyring():
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_without_a_keyring_the_rest_is_saved_and_the_key_kept_for_the_session(qtbot, no_keyring):
    """Before: 'Settings not saved' and the whole dialog refused to save."""
    dlg = SettingsDialog(Settings(latitude=52.0, longitude=4.0))
    qtbot.addWidget(dlg)
    told = []
    dlg._tell = lambda kind, title, text: told.append((kind, title, text))
    assert not dlg.page("services").keyring_note.isHidden() and "No OS keyring" in dlg.page("services").keyring_note.text()
    assert "PLANNER_AAVSO_KEY" in dlg.page("services").secret_edits[("aavso", "key")].edit.placeholderText()
    dlg.page("site").fields["latitude"].edit.setText("48.5")
    dlg.page("services").secret_edits[("aavso", "key")].edit.setText("session-key-2468")
    dlg.accept()
    assert dlg.result() == dlg.DialogCode.Accepted
    assert load_settings().latitude == 48.5  # everything else is saved
    assert credentials.get_secret("aavso") == "session-key-2468"  # used until the program ends
    assert [s.source for s in credentials.secret_status("aavso")] == ["session"]
    ((kind, _title, text),) = told
    assert kind == "information"
    assert "PLANNER_AAVSO_KEY" in text and "keyring service" in text and "until you quit" in text
    assert "planner keys" not in text  # a window user is never sent to the command line alone
    assert "session-key-2468" not in settings_path().read_text()


def test_a_missing_key_message_offers_the_window_way(httpserver):
    from planner.services.astrobin import AstrobinClient
    from planner.services.errors import ConfigurationError

    with pytest.raises(ConfigurationError) as info:
        AstrobinClient(None, None, httpserver.url_for("/api/v1"))
    assert "Settings > Services" in str(info.value) and "planner keys set astrobin" in str(info.value)
