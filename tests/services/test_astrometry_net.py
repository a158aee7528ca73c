"""nova.astrometry.net client against a local server speaking the API page's protocol."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from werkzeug import Response

from planner.services.astrometry_net import (
    AstrometryNetClient,
    Calibration,
    UploadOptions,
)
from planner.services.errors import (
    BadResponseError,
    ConfigurationError,
    GoneError,
    InvalidRequestError,
    NetworkError,
    NotAuthorisedError,
    NotFoundError,
    RateLimitedError,
    ServiceUnavailableError,
)
from planner.services.http import POLICIES, ServiceSession
from planner.sky.field import angular_separation_deg

from .conftest import fast

DATA = Path(__file__).parent.parent / "data" / "astrometry"
KEY = "test-astrometry-key-42"
SUBID, JOB = 16714, 1493115
HTML_500 = "<!DOCTYPE html><html><body><h1>Server Error (500)</h1></body></html>"


def fixture(name):
    return json.loads((DATA / name).read_text())


def ok(payload):
    return Response(json.dumps(payload), content_type="application/json")


class FakeNova:
    """Login, uploads, submission and job status with a scripted progression."""

    def __init__(self, server):
        self.server = server
        self.sessions: set[str] = set()
        self.logins = 0
        self.uploads: list[dict] = []
        self.raw_uploads: list[bytes] = []
        self.submission_steps = [
            {"processing_started": "None", "jobs": [], "job_calibrations": [], "user_images": []},
            {"processing_started": "2016-03-29 11:02:11", "jobs": [None], "job_calibrations": [], "user_images": [1051223]},
            fixture("submission_solved.json"),
        ]
        self.job_steps = ["solving", "success"]
        server.expect_request("/api/login", method="POST").respond_with_handler(self.login)
        server.expect_request("/api/url_upload", method="POST").respond_with_handler(self.url_upload)
        server.expect_request("/api/upload", method="POST").respond_with_handler(self.file_upload)
        server.expect_request(f"/api/submissions/{SUBID}").respond_with_handler(self.submission)
        server.expect_request(f"/api/jobs/{JOB}").respond_with_handler(self.job)
        for name, file in [
            ("calibration", "calibration.json"), ("annotations", "annotations.json"), ("info", "info.json"),
        ]:
            server.expect_request(f"/api/jobs/{JOB}/{name}/").respond_with_json(fixture(file))
        server.expect_request(f"/api/jobs/{JOB}/tags/").respond_with_json({"tags": ["M 66", "my tag"]})
        server.expect_request(f"/api/jobs/{JOB}/machine_tags/").respond_with_json({"tags": ["NGC 3628", "M 66"]})
        server.expect_request(f"/api/jobs/{JOB}/objects_in_field/").respond_with_json(
            {"objects_in_field": ["NGC 3628", "M 66", "NGC 3627"]}
        )

    def login(self, request):
        payload = json.loads(request.form["request-json"])
        if payload.get("apikey") != KEY:
            return ok({"status": "error", "errormessage": "bad apikey"})
        self.logins += 1
        session = f"session-{self.logins:04d}-abcdef"
        self.sessions.add(session)
        return ok({"status": "success", "message": "authenticated user: ", "session": session})

    def _session_ok(self, payload):
        return payload.get("session") in self.sessions

    def url_upload(self, request):
        payload = json.loads(request.form["request-json"])
        if not self._session_ok(payload):
            return ok({"status": "error", "errormessage": "no session with key \"%s\"" % payload.get("session")})
        self.uploads.append(payload)
        return ok(fixture("upload.json"))

    def file_upload(self, request):
        raw = request.get_data(cache=True)
        self.raw_uploads.append(raw)
        if "request-json" not in request.form or "file" not in request.files:
            return Response("multipart with request-json and file expected", status=400)
        payload = json.loads(request.form["request-json"])
        if not self._session_ok(payload):
            return ok({"status": "error", "errormessage": "invalid session"})
        upload = request.files["file"]
        self.uploads.append({**payload, "_filename": upload.filename, "_type": upload.content_type, "_bytes": upload.read()})
        return ok(fixture("upload.json"))

    def submission(self, request):
        step = self.submission_steps.pop(0) if len(self.submission_steps) > 1 else self.submission_steps[0]
        return ok(step)

    def job(self, request):
        status = self.job_steps.pop(0) if len(self.job_steps) > 1 else self.job_steps[0]
        return ok({"status": status})


@pytest.fixture
def nova(httpserver):
    return FakeNova(httpserver)


def client_for(server, key=KEY, **policy_changes):
    policy = fast(POLICIES["astrometry"], **policy_changes)
    return AstrometryNetClient(key, session=ServiceSession(policy, server.url_for("/api")))


def test_login_and_url_upload(nova, httpserver):
    client = client_for(httpserver)
    options = UploadOptions(scale_units="arcsecperpix", scale_lower=1.0, scale_upper=1.2, center_ra=170.0,
                            center_dec=13.2, radius=2.0, publicly_visible="n", parity=2, downsample_factor=2)
    submission = client.upload_url("https://example.org/leo-triplet.jpg", options)
    assert submission.subid == SUBID and submission.hash.startswith("6024b45a")
    sent = nova.uploads[0]
    assert sent["url"] == "https://example.org/leo-triplet.jpg"
    assert sent["scale_type"] == "ul" and sent["scale_lower"] == 1.0 and sent["scale_upper"] == 1.2
    assert sent["center_ra"] == 170.0 and sent["radius"] == 2.0 and sent["publicly_visible"] == "n"
    assert sent["session"] == "session-0001-abcdef"
    login_request = httpserver.log[0][0]
    assert login_request.form["request-json"] == json.dumps({"apikey": KEY})


def test_file_upload_is_multipart_as_documented(nova, httpserver, tmp_path):
    image = tmp_path / "m66.fits"
    image.write_bytes(b"SIMPLE  =                    T" + bytes(range(256)))
    client = client_for(httpserver)
    submission = client.upload_file(image, UploadOptions(allow_commercial_use="n", allow_modifications="sa"))
    assert submission.subid == SUBID
    sent = nova.uploads[0]
    assert sent["_filename"] == "m66.fits" and sent["_type"] == "application/octet-stream"
    assert sent["_bytes"] == image.read_bytes()
    assert sent["allow_commercial_use"] == "n" and sent["allow_modifications"] == "sa"
    raw = nova.raw_uploads[0]
    head, _, rest = raw.partition(b'name="request-json"')
    assert rest.lstrip(b"\r\n").startswith(b"Content-Type: text/plain")
    assert b'name="file"; filename="m66.fits"\r\nContent-Type: application/octet-stream' in raw


def test_relogin_when_session_expires(nova, httpserver):
    client = client_for(httpserver)
    client.upload_url("https://example.org/a.jpg")
    nova.sessions.clear()  # the server forgets every session
    client.upload_url("https://example.org/b.jpg")
    assert nova.logins == 2 and len(nova.uploads) == 2
    assert nova.uploads[1]["session"] == "session-0002-abcdef"


def test_bad_api_key(nova, httpserver):
    with pytest.raises(NotAuthorisedError) as info:
        client_for(httpserver, key="wrong-key-123456").login()
    assert "nova.astrometry.net" in str(info.value) and "PLANNER_ASTROMETRY_KEY" in str(info.value)
    assert "wrong-key-123456" not in str(info.value)


def test_missing_key():
    with pytest.raises(ConfigurationError):
        AstrometryNetClient("")


def test_other_api_error_is_invalid_request(httpserver):
    httpserver.expect_request("/api/login").respond_with_json({"status": "success", "session": "s-123456"})
    httpserver.expect_request("/api/url_upload").respond_with_json({"status": "error", "errormessage": "url is not an image"})
    with pytest.raises(InvalidRequestError) as info:
        client_for(httpserver).upload_url("https://example.org/x.html")
    assert "url is not an image" in str(info.value)


def test_status_and_results(nova, httpserver):
    client = client_for(httpserver)
    status = client.submission_status(SUBID)
    assert status.jobs == () and not status.solved
    status = client.submission_status(SUBID)
    assert status.jobs == ()  # [null] while the job is being created
    status = client.submission_status(SUBID)
    assert status.jobs == (JOB,) and status.job_calibrations == ((JOB, 785516),) and status.solved
    assert client.job_status(JOB).status == "solving"
    cal = client.calibration(JOB)
    assert cal == Calibration(169.96633791366915, 13.221011585315143, 0.8106715896625917, 1.0906710701159739, 105.74942079091929, 1.0)
    notes = client.annotations(JOB)
    assert notes[0].names == ("IC 2728",) and notes[0].type == "ic" and notes[0].pixelx == pytest.approx(1604.17, abs=0.01)
    assert client.tags(JOB) == ("M 66", "my tag")
    assert client.machine_tags(JOB) == ("NGC 3628", "M 66")
    assert client.objects_in_field(JOB) == ("NGC 3628", "M 66", "NGC 3627")
    info = client.job_info(JOB)
    assert info.status == "success" and info.calibration == cal and info.original_filename == "Leo Triplet-1.jpg"
    urls = client.result_urls(JOB)
    root = httpserver.url_for("").rstrip("/")
    assert urls["wcs"] == f"{root}/wcs_file/{JOB}"
    assert urls["new_fits"] == f"{root}/new_fits_file/{JOB}"
    assert urls["annotated"] == f"{root}/annotated_display/{JOB}"


def test_status_is_not_cached(nova, httpserver):
    client = client_for(httpserver)
    client.job_status(JOB)
    assert client.job_status(JOB).status == "success"


def test_solve_generator_to_solution(nova, httpserver, tmp_path):
    image = tmp_path / "frame.jpg"
    image.write_bytes(b"\xff\xd8\xff" + b"0" * 100)
    client = client_for(httpserver)
    steps = list(client.solve(image, poll_interval=0.01))
    stages = [s.stage for s in steps]
    assert stages[0] == "uploading" and stages[-1] == "solved"
    assert "queued" in stages and "solving" in stages
    final = steps[-1]
    assert final.done and final.subid == SUBID and final.job_id == JOB
    assert final.calibration.ra == pytest.approx(169.9663379)
    assert all(b.elapsed >= a.elapsed for a, b in zip(steps, steps[1:]))


def test_wait_reports_failure(nova, httpserver):
    nova.submission_steps = [fixture("submission_solved.json")]
    nova.job_steps = ["failure"]
    steps = list(client_for(httpserver).wait_for_solution(SUBID, poll_interval=0.01))
    assert steps[-1].stage == "failed" and "could not" in steps[-1].message


def test_wait_can_be_cancelled(nova, httpserver):
    nova.submission_steps = [{"jobs": [], "job_calibrations": []}]  # queued for ever
    cancel = threading.Event()
    steps = []
    for step in client_for(httpserver).wait_for_solution(SUBID, poll_interval=0.01, cancel=cancel):
        steps.append(step)
        if len(steps) == 2:
            cancel.set()
    assert steps[-1].stage == "cancelled" and len(steps) == 3


def test_cancel_wakes_a_long_poll(nova, httpserver):
    nova.submission_steps = [{"jobs": [], "job_calibrations": []}]
    cancel = threading.Event()
    generator = client_for(httpserver).wait_for_solution(SUBID, poll_interval=3600, cancel=cancel)
    assert next(generator).stage == "queued"
    threading.Timer(0.05, cancel.set).start()
    assert next(generator).stage == "cancelled"  # did not sleep an hour


def test_wait_gives_up_after_timeout(nova, httpserver):
    nova.submission_steps = [{"jobs": [], "job_calibrations": []}]
    steps = list(client_for(httpserver).wait_for_solution(SUBID, poll_interval=0.01, timeout=0.05))
    assert steps[-1].stage == "failed" and "/status/16714" in steps[-1].message


def test_wait_rides_out_brief_outage(httpserver):
    answers = iter([Response(HTML_500, status=503, content_type="text/html"), ok(fixture("submission_solved.json"))])
    httpserver.expect_request(f"/api/submissions/{SUBID}").respond_with_handler(lambda r: next(answers))
    httpserver.expect_request(f"/api/jobs/{JOB}").respond_with_json({"status": "success"})
    httpserver.expect_request(f"/api/jobs/{JOB}/calibration/").respond_with_json(fixture("calibration.json"))
    steps = list(client_for(httpserver, retries=0).wait_for_solution(SUBID, poll_interval=0.01))
    assert "retrying" in steps[0].message and steps[-1].stage == "solved"


@pytest.mark.parametrize(
    "options",
    [
        {"scale_units": "furlongs", "scale_lower": 1, "scale_upper": 2},
        {"scale_lower": 2, "scale_upper": 1},
        {"scale_lower": 1},
        {"scale_lower": 1, "scale_upper": 2, "scale_est": 1.5, "scale_err": 10},
        {"scale_type": "ev", "scale_lower": 1, "scale_upper": 2},
        {"scale_est": 1.5, "scale_err": 150},
        {"scale_type": "ul"},
        {"center_ra": 10, "center_dec": 20},
        {"center_ra": 400, "center_dec": 20, "radius": 1},
        {"center_ra": 10, "center_dec": -91, "radius": 1},
        {"center_ra": 10, "center_dec": 20, "radius": 0},
        {"downsample_factor": 0.5},
        {"tweak_order": 2.5},
        {"tweak_order": 99},
        {"use_sextractor": "yes"},
        {"crpix_center": 1},
        {"parity": 3},
        {"image_width": 100},
        {"image_width": -1, "image_height": 10},
        {"positional_error": 0},
        {"allow_commercial_use": "maybe"},
        {"allow_modifications": "x"},
        {"publicly_visible": "yes"},
        {"center_ra": float("nan"), "center_dec": 0, "radius": 1},
    ],
)
def test_options_refused_before_sending(httpserver, options, tmp_path):
    with pytest.raises(InvalidRequestError):
        client_for(httpserver).upload_url("https://example.org/a.jpg", UploadOptions(**options))
    assert httpserver.log == []


def test_good_options_pass_validation():
    fields = UploadOptions(
        scale_units="degwidth", scale_type="ev", scale_est=0.5, scale_err=20, tweak_order=3, use_sextractor=True,
        crpix_center=False, parity=0, image_width=4096, image_height=2048, positional_error=1.5,
    ).to_request()
    assert fields == {
        "scale_units": "degwidth", "scale_type": "ev", "scale_est": 0.5, "scale_err": 20.0, "tweak_order": 3,
        "use_sextractor": True, "crpix_center": False, "parity": 0, "image_width": 4096, "image_height": 2048,
        "positional_error": 1.5,
    }
    with pytest.raises(InvalidRequestError):
        UploadOptions.from_mapping({"bogus": 1})


def test_upload_file_problems(httpserver, tmp_path):
    client = client_for(httpserver)
    with pytest.raises(InvalidRequestError):
        client.upload_file(tmp_path / "missing.fits")
    with pytest.raises(InvalidRequestError):
        client.upload_file(tmp_path)
    empty = tmp_path / "empty.fits"
    empty.write_bytes(b"")
    with pytest.raises(InvalidRequestError):
        client.upload_file(empty)
    with pytest.raises(InvalidRequestError):
        client.upload_url("ftp://example.org/a.fits")
    assert httpserver.log == []


@pytest.mark.parametrize(
    "status, body, ctype, headers, error",
    [
        (401, "Unauthorized", "text/plain", {}, NotAuthorisedError),
        (404, "<html><body>Not Found</body></html>", "text/html", {}, NotFoundError),
        (410, "Gone", "text/plain", {}, GoneError),
        (429, "slow down", "text/plain", {"Retry-After": "120"}, RateLimitedError),
        (500, HTML_500, "text/html", {}, ServiceUnavailableError),
        (503, "maintenance", "text/plain", {}, ServiceUnavailableError),
        (200, "{not json", "application/json", {}, BadResponseError),
        (200, '{"status": 5}', "application/json", {}, BadResponseError),
    ],
)
def test_http_failures(httpserver, status, body, ctype, headers, error):
    httpserver.expect_request(f"/api/jobs/{JOB}").respond_with_data(body, status=status, content_type=ctype, headers=headers)
    with pytest.raises(error) as info:
        client_for(httpserver).job_status(JOB)
    message = str(info.value)
    assert message.startswith("nova.astrometry.net: ") and "<" not in message
    if error is RateLimitedError:
        assert info.value.retry_at == pytest.approx(time.time() + 120, abs=10)


def test_login_failures(httpserver):
    httpserver.expect_request("/api/login").respond_with_data(HTML_500, status=500, content_type="text/html")
    with pytest.raises(ServiceUnavailableError):
        client_for(httpserver).login()
    assert len(httpserver.log) == 1  # POSTs are never retried


def test_timeout_refused_truncated(httpserver, closed_port_url):
    def slow(request):
        time.sleep(0.8)
        return ok({"status": "success"})

    httpserver.expect_request(f"/api/jobs/{JOB}").respond_with_handler(slow)
    with pytest.raises(NetworkError):
        client_for(httpserver, retries=0, timeout=(1.0, 0.2)).job_status(JOB)

    refused = AstrometryNetClient(KEY, session=ServiceSession(fast(POLICIES["astrometry"]), closed_port_url + "/api"))
    with pytest.raises(NetworkError):
        refused.login()

    def truncated(request):
        response = Response(b'{"parity": 1.0, "orient', content_type="application/json")
        response.headers["Content-Length"] = "900"
        return response

    httpserver.expect_request(f"/api/jobs/{JOB}/calibration/").respond_with_handler(truncated)
    with pytest.raises(BadResponseError):
        client_for(httpserver, retries=0).calibration(JOB)


def test_cached_calibration_offline(httpserver):
    httpserver.expect_request(f"/api/jobs/{JOB}/calibration/").respond_with_json(fixture("calibration.json"))
    client = client_for(httpserver)
    first = client.calibration(JOB)
    httpserver.stop()
    try:
        again = client.calibration(JOB)  # a finished job's results never change: served from cache
    finally:
        httpserver.start()
    assert again == first


def test_angular_separation():
    assert angular_separation_deg(10, 20, 10, 20) == pytest.approx(0)
    assert angular_separation_deg(0, 0, 180, 0) == pytest.approx(180)
    assert angular_separation_deg(0, 89, 180, 89) == pytest.approx(2)
    assert angular_separation_deg(359.5, 0, 0.5, 0) == pytest.approx(1)


# -- the headless command ------------------------------------------------------------------


@pytest.fixture
def cli_env(httpserver, monkeypatch, fast_policies):
    monkeypatch.setenv("PLANNER_ASTROMETRY_URL", httpserver.url_for("/api"))
    monkeypatch.setenv("PLANNER_ASTROMETRY_KEY", KEY)
    return httpserver


def test_cli_solve_wait_with_target(cli_env, nova, capsys, tmp_path):
    from planner.cli import main

    image = tmp_path / "leo.jpg"
    image.write_bytes(b"\xff\xd8\xff" + b"1" * 64)
    code = main([
        "solve", str(image), "--center-ra", "11:19:52", "--center-dec", "13.2", "--radius", "2", "--wait",
        "--poll-interval", "0.01", "--target-ra", "170.0", "--target-dec", "13.0",
    ])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["solved"] and report["stage"] == "solved" and report["job_id"] == JOB
    assert report["calibration"]["pixscale"] == pytest.approx(1.09067107)
    assert report["result_urls"]["wcs"].endswith(f"/wcs_file/{JOB}")
    target = report["target"]
    assert target["separation_deg"] == pytest.approx(angular_separation_deg(169.96633791366915, 13.221011585315143, 170.0, 13.0), abs=1e-4)
    assert target["within_field_radius"] is True
    assert nova.uploads[0]["center_ra"] == pytest.approx(169.9666667)


def test_cli_solve_without_wait(cli_env, nova, capsys):
    from planner.cli import main

    assert main(["solve", "https://example.org/leo.jpg", "--private"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["subid"] == SUBID and out["status_url"].endswith("/status/16714")
    assert nova.uploads[0]["publicly_visible"] == "n"


def test_cli_solve_failures(cli_env, nova, capsys, tmp_path):
    from planner.cli import main

    assert main(["solve", str(tmp_path / "nope.fits")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["solve", "https://example.org/a.jpg", "--scale-lower", "3", "--scale-upper", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "scale_lower" in err
    assert nova.logins == 0  # refused before logging in
    nova.submission_steps = [fixture("submission_solved.json")]
    nova.job_steps = ["failure"]
    assert main(["solve", "https://example.org/a.jpg", "--wait", "--poll-interval", "0.01"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["stage"] == "failed" and "not solved" in captured.err


# ----------------------------------------------------------------------------- as the real server does
# (dstndstn/astrometry.net net/api.py: submission_status, calibration, annotations_in_field)


def test_a_submission_the_server_cannot_process_fails_at_once(nova, httpserver):
    """Before: 'queued' for the whole timeout (600 s), though the server had given up."""
    nova.submission_steps = [fixture("submission_failed.json")]
    steps = list(client_for(httpserver).wait_for_solution(SUBID, poll_interval=0.01, timeout=30))
    assert [s.stage for s in steps] == ["failed"]
    assert "could not process it: Failed to download the file" in steps[-1].message
    assert client_for(httpserver).submission_status(SUBID).error_message.startswith("Failed to download")


def test_no_calibration_yet_is_explained_and_not_cached(httpserver):
    answers = [{"error": f"no calibration data available for job {JOB}"}, fixture("calibration_with_size.json")]
    httpserver.expect_request(f"/api/jobs/{JOB}/calibration/").respond_with_handler(
        lambda _r: Response(json.dumps(answers.pop(0) if len(answers) > 1 else answers[0]), content_type="text/plain")
    )
    client = client_for(httpserver)
    with pytest.raises(NotFoundError) as info:
        client.calibration(JOB)
    message = str(info.value)
    assert "has no calibration for job" in message and "not solved the image (yet), or it failed" in message
    assert "unexpected shape" not in message
    assert client.calibration(JOB).ra == pytest.approx(169.9663379)  # asked again, not the cached refusal


def test_annotations_without_calibration_are_explained(httpserver):
    httpserver.expect_request(f"/api/jobs/{JOB}/annotations/").respond_with_json(
        {"error": f"no calibration data available for job {JOB}"}
    )
    with pytest.raises(NotFoundError, match="has no calibration for job"):
        client_for(httpserver).annotations(JOB)


def test_the_calibration_keeps_the_field_size_for_the_verdict(httpserver):
    httpserver.expect_request(f"/api/jobs/{JOB}/calibration/").respond_with_json(fixture("calibration_with_size.json"))
    cal = client_for(httpserver).calibration(JOB)
    assert cal.width_arcsec == pytest.approx(2617.61, abs=0.01) and cal.height_arcsec == pytest.approx(1745.07, abs=0.01)
    assert cal.width_px == pytest.approx(2400, abs=0.5) and cal.height_px == pytest.approx(1600, abs=0.5)
    from planner.sky.field import field_verdict

    verdict = field_verdict(cal.ra, cal.dec, cal.radius, cal.ra, cal.dec + 0.3, orientation_deg=cal.orientation,
                            pixscale_arcsec=cal.pixscale, width_px=cal.width_px, height_px=cal.height_px)
    assert verdict.method == "rectangle"
