"""Arcsecond client against a local server speaking its REST API, including resumable uploads."""

from __future__ import annotations

import json
import socket
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug import Request, Response

from planner.cli import main as cli_main
from planner.services import arcsecond
from planner.services.arcsecond import (
    AUTH_HEADER,
    ArcsecondClient,
    accepted_upload_name,
    service_base_url,
)
from planner.services.errors import (
    BadResponseError,
    ConfigurationError,
    GoneError,
    InvalidRequestError,
    NetworkError,
    NotAuthorisedError,
    NotFoundError,
    OfflineError,
    RateLimitedError,
    ServiceError,
    ServiceUnavailableError,
)
from planner.services.http import ServiceSession
from tests.services.support import slow_server

DATA = Path(__file__).resolve().parents[1] / "data" / "arcsecond"
KEY = "CANARY-ARCSECOND-API-KEY-41d9"
UPLOAD_KEY = "CANARY-ARCSECOND-UPLOAD-KEY-0e2c"
SITE = "3e9a4b1c-2f5d-4a6b-8c7d-9e0f1a2b3c4d"
TELESCOPE = "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e"
DATASET = "2c3d4e5f-6a7b-4c8d-8e9f-0a1b2c3d4e5f"
NEW_DATASET = "4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b"


def canned(name: str):
    return json.loads((DATA / name).read_text("utf-8"))


def fast_policy(**changes):
    return replace(arcsecond.make_policy(), backoff_factor=0.0, retries=1, timeout=(2.0, 0.5), **changes)


@pytest.fixture
def client(httpserver):
    base = httpserver.url_for("/")
    session = ServiceSession(fast_policy(), base)
    yield ArcsecondClient(KEY, UPLOAD_KEY, base, session=session)
    session.close()


def assert_no_secret(text: str) -> None:
    assert KEY not in text and UPLOAD_KEY not in text


def error_text(exc: ServiceError) -> str:
    return " ".join(str(x) for x in (exc, exc.url, exc.what, exc.action, repr(exc.args)))


# ----------------------------------------------------------------------------- pure rules


def test_base_url_cloud_subdomain_or_local_server():
    assert service_base_url("https://api.arcsecond.io", "my-obs") == "https://api.arcsecond.io/my-obs"
    assert service_base_url("https://api.arcsecond.io/", None) == "https://api.arcsecond.io"
    # Arcsecond.local, whichever way its URL is written (its paths are <server>/local/...)
    assert service_base_url("http://arcsecond.local:8000", "my-obs") == "http://arcsecond.local:8000/local"
    assert service_base_url("http://arcsecond.local:8000/local/", None) == "http://arcsecond.local:8000/local"
    assert service_base_url("http://192.168.1.20:8800/local", None) == "http://192.168.1.20:8800/local"
    with pytest.raises(ConfigurationError, match="subdomain"):
        service_base_url("https://api.arcsecond.io", "../admin")
    with pytest.raises(ConfigurationError, match="http"):
        service_base_url("ftp://example.org", None)


@pytest.mark.parametrize(
    "name, ok",
    [
        ("m31_001.fits", True),
        ("M31_001.FIT", True),
        ("flat.fts", True),
        ("spectrum.pha", True),
        ("mosaic.xisf", True),
        ("m31.fits.gz", True),
        ("m31.fit.bz2", True),
        ("m31.xisf.zip", True),
        ("m31.fits.gzip", True),
        ("m31.fits.bzip2", True),
        ("m31.jpg", False),
        ("m31.fits.rar", False),
        ("notes.txt.gz", False),
        ("archive.zip", False),
        ("fits", False),
    ],
)
def test_upload_names(name, ok):
    assert accepted_upload_name(name) is ok


def test_bad_ids_and_files_are_refused_before_sending(client, httpserver, tmp_path):
    for call in (
        lambda: client.telescope("not-a-uuid"),
        lambda: client.dataset("1234"),
        lambda: client.site("3e9a4b1c-2f5d-4a6b-8c7d"),
        lambda: client.datafile("12; drop"),
        lambda: client.upload_files("nope", [tmp_path / "a.fits"]),
    ):
        with pytest.raises(InvalidRequestError):
            call()
    (tmp_path / "photo.jpg").write_bytes(b"jpeg")
    (tmp_path / "ok.fits").write_bytes(b"SIMPLE")
    with pytest.raises(InvalidRequestError) as info:
        client.upload_files(DATASET, [tmp_path / "ok.fits", tmp_path / "photo.jpg", tmp_path / "missing.fits"])
    message = str(info.value)
    assert "photo.jpg is not a FITS or XISF file" in message and "missing.fits does not exist" in message
    assert "nothing was uploaded" in message
    assert httpserver.log == []


def test_missing_keys_are_configuration_errors(httpserver):
    base = httpserver.url_for("/")
    no_keys = ArcsecondClient(None, None, base, session=ServiceSession(fast_policy(), base))
    with pytest.raises(ConfigurationError, match="PLANNER_ARCSECOND_KEY"):
        no_keys.sites()
    assert httpserver.log == []


def test_an_upload_key_alone_can_upload(httpserver, tmp_path):
    """Before: 'no API key is set' (the resume listing asked for the API key only)."""
    dataset = FakeDataset()
    serve(httpserver, dataset)
    base = httpserver.url_for("/")
    upload_only = ArcsecondClient(None, UPLOAD_KEY, base, session=ServiceSession(fast_policy(), base))
    (path,) = make_files(tmp_path, [("m31_002.fits", 2_000)])
    report = upload_only.upload_files(DATASET, [path])
    assert report.ok and report.uploaded == [str(path)]
    assert dataset.get_keys == [f"Key {UPLOAD_KEY}"] and dataset.post_keys == [f"Key {UPLOAD_KEY}"]


def test_with_both_keys_uploads_use_the_upload_key_and_the_rest_the_api_key(client, httpserver, tmp_path):
    dataset = FakeDataset()
    serve(httpserver, dataset)
    (path,) = make_files(tmp_path, [("m31_003.fits", 2_000)])
    client.upload_files(DATASET, [path])
    assert dataset.get_keys == [f"Key {UPLOAD_KEY}"] and dataset.post_keys == [f"Key {UPLOAD_KEY}"]
    client.datafiles(DATASET, fresh=True)
    assert dataset.get_keys[-1] == f"Key {KEY}"


def test_policy_declares_the_auth_header_secret():
    assert AUTH_HEADER in arcsecond.make_policy().secret_headers


# ----------------------------------------------------------------------------- resources


def auth(key=KEY):
    return {AUTH_HEADER: f"Key {key}"}


def test_lists_and_details(client, httpserver):
    httpserver.expect_request("/local/observingsites/", headers=auth()).respond_with_json(canned("observingsites.json"))
    httpserver.expect_request("/local/telescopes/", headers=auth()).respond_with_json(canned("telescopes.json"))
    httpserver.expect_request(f"/local/telescopes/{TELESCOPE}/", headers=auth()).respond_with_json(canned("telescope_detail.json"))
    httpserver.expect_request("/local/nightlogs/", headers=auth()).respond_with_json(canned("nightlogs.json"))
    httpserver.expect_request("/local/datapackages/", headers=auth()).respond_with_json(canned("datapackages.json"))
    httpserver.expect_request("/local/datasets/", headers=auth()).respond_with_json(canned("datasets.json"))

    (site,) = client.sites()
    assert site.uuid == SITE and site.latitude == pytest.approx(46.2) and len(site.telescopes) == 2
    telescopes = client.telescopes()
    assert [t.name for t in telescopes] == ["C11 EdgeHD", "FSQ-106"] and telescopes[0].observing_site == SITE
    assert client.telescope(TELESCOPE.upper()).optical_design == "Schmidt-Cassegrain"  # UUIDs normalised
    (log,) = client.nightlogs()
    assert log.date == "2024-03-01" and log.telescope == TELESCOPE
    (package,) = client.datapackages()
    assert package.name == "March variables" and package.dataset == DATASET
    datasets = client.datasets()
    assert [d.uuid for d in datasets] == [DATASET, NEW_DATASET] and datasets[0].telescope == TELESCOPE


def test_create_dataset_posts_json(client, httpserver):
    httpserver.expect_request(
        "/local/datasets/", method="POST", json={"name": "Flats", "telescope": TELESCOPE}, headers=auth()
    ).respond_with_json(canned("dataset_created.json"), status=201)
    dataset = client.create_dataset("  Flats ", telescope=TELESCOPE)
    assert dataset.uuid == NEW_DATASET and dataset.name == "Flats"
    with pytest.raises(InvalidRequestError):
        client.create_dataset("   ")


def test_night_log_find_create_and_update(client, httpserver):
    log_id = "7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a"
    httpserver.expect_ordered_request(
        "/local/nightlogs/", method="GET", query_string="date=2026-11-23", headers=auth()
    ).respond_with_json([])
    httpserver.expect_ordered_request(
        "/local/nightlogs/", method="POST", json={"date": "2026-11-23", "observing_site": SITE, "telescope": TELESCOPE},
        headers=auth(),
    ).respond_with_json({"uuid": log_id, "date": "2026-11-23", "observing_site": SITE, "telescope": TELESCOPE})
    httpserver.expect_ordered_request(
        f"/local/nightlogs/{log_id}/", method="PATCH", json={"notes": "R Leo 21:00"}, headers=auth()
    ).respond_with_json({"uuid": log_id, "date": "2026-11-23", "notes": "R Leo 21:00"})
    assert client.nightlogs(date="2026-11-23", fresh=True) == []
    created = client.create_nightlog("2026-11-23", observing_site=SITE, telescope=TELESCOPE)
    assert (created.uuid, created.date, created.telescope) == (log_id, "2026-11-23", TELESCOPE)
    assert client.update_nightlog(log_id, notes="R Leo 21:00").notes == "R Leo 21:00"
    # Refused before sending: a bad date, a bad id, nothing to change.
    with pytest.raises(InvalidRequestError, match="not a date"):
        client.create_nightlog("23/11/2026")
    with pytest.raises(InvalidRequestError):
        client.create_nightlog("2026-11-23", telescope="not-a-uuid")
    with pytest.raises(InvalidRequestError):
        client.update_nightlog(log_id)
    assert len(httpserver.log) == 3


def test_update_datapackage_patches(client, httpserver):
    package = "1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e"
    answer = dict(canned("datapackages.json")[0], name="Renamed")
    httpserver.expect_request(
        f"/local/datapackages/{package}/", method="PATCH", json={"name": "Renamed"}, headers=auth()
    ).respond_with_json(answer)
    assert client.update_datapackage(package, name="Renamed").name == "Renamed"
    with pytest.raises(InvalidRequestError):
        client.update_datapackage(package)
    with pytest.raises(InvalidRequestError):
        client.update_datapackage(package, name=["a"])


def test_dataset_files_follow_every_page(client, httpserver):
    page2 = "https://elsewhere.example/local/datafiles/page2"  # the key must not follow it off the server
    first = canned("datafiles_page1.json")
    first["next"] = page2
    httpserver.expect_request("/local/datafiles/", query_string={"dataset": DATASET}).respond_with_json(first)
    httpserver.expect_request("/local/datafiles/page2").respond_with_json(canned("datafiles_page2.json"))
    files = client.datafiles(DATASET)
    assert [(f.id, f.name, f.size) for f in files] == [(101, "sscyg_001.fits", 2880), (102, "sscyg_002.fits.gz", 1000)]
    assert [r.path for r, _ in httpserver.log] == ["/local/datafiles/", "/local/datafiles/page2"]


# ----------------------------------------------------------------------------- failures


@pytest.mark.parametrize(
    "status, body, error, fragment",
    [
        (401, '{"detail": "Invalid key."}', NotAuthorisedError, "Arcsecond API key"),
        (403, '{"detail": "You do not have permission."}', NotAuthorisedError, "403"),
        (404, '{"detail": "Not found."}', NotFoundError, "404"),
        (410, "", GoneError, "410"),
        (429, '{"detail": "Request was throttled."}', RateLimitedError, "429"),
        (500, "<!DOCTYPE html><html><body><h1>Server Error (500)</h1></body></html>", ServiceUnavailableError, "500"),
        (503, "<html><body>Bad gateway</body></html>", ServiceUnavailableError, "503"),
        (200, "[{", BadResponseError, "JSON"),
        (200, '{"results": {"uuid": 1}}', BadResponseError, "no list"),
        (200, '[{"name": "no uuid"}]', BadResponseError, "UUID"),
    ],
)
def test_http_failures_become_service_errors(client, httpserver, status, body, error, fragment):
    httpserver.expect_request("/local/datasets/").respond_with_data(body, status=status, content_type="application/json")
    with pytest.raises(error) as info:
        client.datasets()
    assert fragment in str(info.value) and "Arcsecond" in str(info.value)
    assert "<html" not in str(info.value).lower()
    assert_no_secret(error_text(info.value))


def test_truncated_timeout_and_refused(client, httpserver):
    full = json.dumps(canned("datasets.json")).encode()
    httpserver.expect_request("/local/datasets/").respond_with_response(
        Response(full[:40], headers={"Content-Length": str(len(full))}, content_type="application/json")
    )
    with pytest.raises(BadResponseError):
        client.datasets()

    with slow_server("/local/telescopes/", "/") as base:
        slow = ArcsecondClient(KEY, None, base, session=ServiceSession(fast_policy(), base))
        with pytest.raises((NetworkError, OfflineError), match="did not answer within") as info:
            slow.telescopes()
    assert_no_secret(error_text(info.value))

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    with pytest.raises((NetworkError, OfflineError)) as info:
        ArcsecondClient(KEY, None, base, session=ServiceSession(fast_policy(), base)).sites()
    assert_no_secret(error_text(info.value))


def test_cache_never_stores_the_key(httpserver, tmp_path):
    base = httpserver.url_for("/")
    cache = tmp_path / "arc.sqlite"
    httpserver.expect_request("/local/observingsites/").respond_with_json(canned("observingsites.json"))
    session = ServiceSession(fast_policy(), base, cache_path=cache)
    client = ArcsecondClient(KEY, UPLOAD_KEY, base, session=session)
    client.sites()
    again = client.sites()
    assert again[0].uuid == SITE and len(httpserver.log) == 1  # the second came from the cache
    session.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("arc.sqlite*"))
    assert KEY.encode() not in raw and UPLOAD_KEY.encode() not in raw


# ----------------------------------------------------------------------------- uploads


class FakeDataset:
    """A dataset on the fake server: GET datafiles lists it, POST datafiles adds to it."""

    def __init__(self, fail_on: set[str] | None = None):
        self.files: list[dict] = []
        self.posts: list[str] = []
        self.fail_on = set(fail_on or ())
        self.post_keys: list[str] = []
        self.get_keys: list[str] = []
        self.content_lengths: list[int | None] = []

    def listing(self, request: Request) -> Response:
        self.get_keys.append(request.headers.get(AUTH_HEADER, ""))
        if request.args.get("dataset") != DATASET:
            return Response("[]", content_type="application/json")
        return Response(json.dumps({"count": len(self.files), "next": None, "previous": None, "results": self.files}), content_type="application/json")

    def upload(self, request: Request) -> Response:
        self.post_keys.append(request.headers.get(AUTH_HEADER, ""))
        self.content_lengths.append(request.content_length)
        upload = request.files.get("file")
        if upload is None or request.form.get("dataset") != DATASET:
            return Response('{"detail": "file and dataset are required"}', status=400, content_type="application/json")
        self.posts.append(upload.filename)
        if upload.filename in self.fail_on:
            self.fail_on.discard(upload.filename)  # fails once, like a server hiccup
            return Response("<html><body>Server Error (500)</body></html>", status=500, content_type="text/html")
        content = upload.read()
        record = {"pk": len(self.files) + 1, "file": f"https://files.example/{upload.filename}", "size": len(content), "dataset": DATASET}
        self.files.append(record)
        return Response(json.dumps(record), status=201, content_type="application/json")


def serve(httpserver, dataset: FakeDataset) -> None:
    httpserver.expect_request("/local/datafiles/", method="GET").respond_with_handler(dataset.listing)
    httpserver.expect_request("/local/datafiles/", method="POST").respond_with_handler(dataset.upload)


def make_files(folder: Path, names_sizes) -> list[Path]:
    paths = []
    for name, size in names_sizes:
        path = folder / name
        path.write_bytes(b"SIMPLE  =                    T" + bytes(size - 30) if size > 30 else b"S" * size)
        paths.append(path)
    return paths


def test_upload_streams_the_file_reports_progress_and_uses_the_upload_key(client, httpserver, tmp_path):
    dataset = FakeDataset()
    serve(httpserver, dataset)
    (path,) = make_files(tmp_path, [("m31_001.fits", 300_000)])
    calls = []
    result = client.upload_file(DATASET, path, lambda sent, total: calls.append((sent, total)))
    assert result is not None and result.name == "m31_001.fits" and result.size == 300_000
    assert dataset.files[0]["size"] == 300_000  # every byte arrived
    assert dataset.post_keys == [f"Key {UPLOAD_KEY}"]  # the upload key, for uploads only
    assert dataset.content_lengths[0] and dataset.content_lengths[0] > 300_000
    assert len(calls) > 2 and calls[-1] == (300_000, 300_000)
    assert all(total == 300_000 for _sent, total in calls)
    assert [s for s, _t in calls] == sorted(s for s, _t in calls)


def test_upload_falls_back_to_the_api_key(httpserver, tmp_path):
    dataset = FakeDataset()
    serve(httpserver, dataset)
    base = httpserver.url_for("/")
    client = ArcsecondClient(KEY, None, base, session=ServiceSession(fast_policy(), base))
    (path,) = make_files(tmp_path, [("a.xisf", 100)])
    client.upload_file(DATASET, path)
    assert dataset.post_keys == [f"Key {KEY}"]


def test_failure_half_way_then_rerun_uploads_only_the_rest(client, httpserver, tmp_path):
    dataset = FakeDataset(fail_on={"c.fits.gz"})
    dataset.files.append({"pk": 1, "file": "https://files.example/a.fits", "size": 1000, "dataset": DATASET})
    serve(httpserver, dataset)
    paths = make_files(tmp_path, [("a.fits", 1000), ("b.fits", 2000), ("c.fits.gz", 3000), ("d.xisf", 4000)])

    first = client.upload_files(DATASET, paths)
    assert not first.ok
    assert first.skipped == [str(paths[0])]
    assert first.uploaded == [str(paths[1])]
    assert [f for f, _e in first.failed] == [str(paths[2])]
    assert "500" in first.failed[0][1]
    assert first.remaining == [str(paths[3])]
    assert dataset.posts == ["b.fits", "c.fits.gz"]

    second = client.upload_files(DATASET, paths)
    assert second.ok
    assert second.skipped == [str(paths[0]), str(paths[1])]
    assert second.uploaded == [str(paths[2]), str(paths[3])]
    assert dataset.posts == ["b.fits", "c.fits.gz", "c.fits.gz", "d.xisf"]
    assert sorted(f["file"].rsplit("/", 1)[-1] for f in dataset.files) == ["a.fits", "b.fits", "c.fits.gz", "d.xisf"]

    third = client.upload_files(DATASET, paths)
    assert third.ok and third.uploaded == [] and len(third.skipped) == 4
    assert len(dataset.posts) == 4  # nothing is ever uploaded twice
    assert set(dataset.get_keys) == {f"Key {UPLOAD_KEY}"}  # the resume listing goes with the upload


def test_same_name_different_size_is_uploaded(client, httpserver, tmp_path):
    dataset = FakeDataset()
    dataset.files.append({"pk": 1, "file_name": "a.fits", "size": 10, "dataset": DATASET})
    serve(httpserver, dataset)
    paths = make_files(tmp_path, [("a.fits", 1000)])
    report = client.upload_files(DATASET, paths)
    assert report.uploaded == [str(paths[0])]


# ----------------------------------------------------------------------------- property tests

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=15) | st.uuids().map(str),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=12,
)
record = st.dictionaries(
    st.sampled_from(["uuid", "name", "coordinates", "latitude", "telescopes", "observing_site", "pk", "file", "file_name", "size", "dataset", "date"]),
    json_values,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=json_values | record | st.lists(record, max_size=3) | st.builds(lambda r: {"results": r, "next": None}, st.lists(record, max_size=3) | json_values))
def test_parsers_raise_only_bad_response_on_random_json(payload):
    parsers = (
        arcsecond.parse_site,
        arcsecond.parse_telescope,
        arcsecond.parse_nightlog,
        arcsecond.parse_datapackage,
        arcsecond.parse_dataset,
        arcsecond.parse_datafile,
    )
    for parser in parsers:
        try:
            parser(payload)
        except BadResponseError:
            pass
        try:
            results, _next = arcsecond._results(payload)
            for item in results:
                parser(item)
        except BadResponseError:
            pass


# ----------------------------------------------------------------------------- CLI


@pytest.fixture
def cli_env(httpserver, monkeypatch):
    monkeypatch.setenv("PLANNER_ARCSECOND_URL", httpserver.url_for("/"))
    monkeypatch.setenv("PLANNER_ARCSECOND_KEY", KEY)
    monkeypatch.setenv("PLANNER_ARCSECOND_UPLOAD_KEY", UPLOAD_KEY)


def test_cli_lists(cli_env, httpserver, capsys):
    httpserver.expect_request("/local/observingsites/", headers=auth()).respond_with_json(canned("observingsites.json"))
    httpserver.expect_request("/local/datasets/", headers=auth()).respond_with_json(canned("datasets.json"))
    assert cli_main(["arcsecond", "sites"]) == 0
    assert json.loads(capsys.readouterr().out)["sites"][0]["uuid"] == SITE
    assert cli_main(["arcsecond", "datasets"]) == 0
    out, err = capsys.readouterr()
    assert [d["name"] for d in json.loads(out)["datasets"]] == ["SS Cyg 2024-03-01", "Flats"]
    assert_no_secret(out + err)


def test_cli_create_dataset(cli_env, httpserver, capsys):
    httpserver.expect_request("/local/datasets/", method="POST", json={"name": "Flats"}).respond_with_json(
        canned("dataset_created.json"), status=201
    )
    assert cli_main(["arcsecond", "datasets", "--create", "Flats"]) == 0
    assert json.loads(capsys.readouterr().out)["created"]["uuid"] == NEW_DATASET


def test_cli_upload_resumes_after_a_failure(cli_env, httpserver, capsys, tmp_path):
    dataset = FakeDataset(fail_on={"b.fits"})
    serve(httpserver, dataset)
    paths = [str(p) for p in make_files(tmp_path, [("a.fits", 500), ("b.fits", 600), ("c.fits", 700)])]
    assert cli_main(["arcsecond", "upload", DATASET, *paths]) == 1
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert report["uploaded"] == [paths[0]] and report["remaining"] == [paths[2]] and not report["ok"]
    last = err.strip().splitlines()[-1]
    assert "b.fits" in last and "again" in last
    assert_no_secret(out + err)
    assert cli_main(["arcsecond", "upload", DATASET, *paths]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["skipped"] == [paths[0]] and report["uploaded"] == paths[1:]
    assert dataset.posts == ["a.fits", "b.fits", "b.fits", "c.fits"]


def test_cli_rejects_bad_files_and_ids(cli_env, httpserver, capsys, tmp_path):
    (tmp_path / "x.png").write_bytes(b"png")
    assert cli_main(["arcsecond", "upload", DATASET, str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "x.png is not a FITS or XISF file" in err and len(err.strip().splitlines()) == 1
    assert cli_main(["arcsecond", "telescopes", "12345"]) == 2
    assert "UUID" in capsys.readouterr().err
    assert httpserver.log == []


def test_cli_auth_failure_is_one_line_without_secrets(cli_env, httpserver, capsys):
    httpserver.expect_request("/local/nightlogs/").respond_with_json({"detail": "Invalid key."}, status=401)
    assert cli_main(["arcsecond", "nightlogs"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and "Arcsecond" in err
    assert_no_secret(out + err)


@pytest.mark.parametrize("written", ["", "/", "/local", "/local/"])
def test_arcsecond_local_works_whichever_way_its_url_is_written(httpserver, written):
    """Before: a URL without /local sent requests to the server's root."""
    httpserver.expect_request("/local/observingsites/").respond_with_json(canned("observingsites.json"))
    base = httpserver.url_for("").rstrip("/") + written
    client = ArcsecondClient(KEY, None, base, session=ServiceSession(fast_policy(), service_base_url(base)))
    assert client.sites() and [r.path for r, _ in httpserver.log] == ["/local/observingsites/"]
