"""Cached answers belong to the credential that fetched them, and whatever changes what the
server would answer (a telescope POST, a key change) invalidates them."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from werkzeug import Response

from planner.services import credentials
from planner.services.aavso import AavsoClient
from planner.services.arcsecond import AUTH_HEADER, ArcsecondClient
from planner.services.astrobin import AstrobinClient
from planner.services.errors import NotAuthorisedError
from planner.services.http import POLICIES, ServiceSession, cache_path

from .conftest import fast

GOOD = "CANARY-good-key-6a5b4c3d"
WRONG = "CANARY-wrong-key-9f8e7d6c"
BASE = "/TargetTool/api/v1"
DATA = Path(__file__).parent.parent / "data"
SITE = "3e9a4b1c-2f5d-4a6b-8c7d-9e0f1a2b3c4d"


def basic(key: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:api_token".encode()).decode()


def aavso_server(httpserver):
    def targets(request):
        if request.headers.get("Authorization") != basic(GOOD):
            return Response("Invalid API key, or API key not provided.", status=401, content_type="text/plain")
        return Response(json.dumps({"targets": []}), content_type="application/json")

    httpserver.expect_request(f"{BASE}/targets").respond_with_handler(targets)
    return httpserver.url_for(BASE)


def astrobin_server(httpserver):
    def search(request):
        if request.args.get("api_key") != GOOD:
            return Response('{"error": "invalid key"}', status=401, content_type="application/json")
        return Response(json.dumps({"meta": {"total_count": 0}, "objects": []}), content_type="application/json")

    httpserver.expect_request("/api/v1/image/").respond_with_handler(search)
    return httpserver.url_for("/api/v1")


def arcsecond_server(httpserver):
    def sites(request):
        if request.headers.get(AUTH_HEADER) != f"Key {GOOD}":
            return Response('{"detail": "Invalid key."}', status=401, content_type="application/json")
        return Response(json.dumps([{"uuid": SITE, "name": "Home"}]), content_type="application/json")

    httpserver.expect_request("/local/observingsites/").respond_with_handler(sites)
    return httpserver.url_for("/local")


SERVICES = {
    "aavso": (aavso_server, lambda key, url: AavsoClient(key, session=ServiceSession(fast(POLICIES["aavso"]), url)),
              lambda client: client.targets()),
    "astrobin": (astrobin_server,
                 lambda key, url: AstrobinClient(key, "secret-0001", url, session=ServiceSession(fast(POLICIES["astrobin"]), url)),
                 lambda client: client.search(subject="M31")),
    "arcsecond": (arcsecond_server,
                  lambda key, url: ArcsecondClient(key, None, url, session=ServiceSession(fast(POLICIES["arcsecond"]), url)),
                  lambda client: client.sites()),
}


@pytest.mark.parametrize("service", SERVICES)
def test_a_wrong_key_is_refused_even_with_a_good_keys_answer_cached(httpserver, service):
    """Before: exit 0 with the good key's data, the 401 hidden (AAVSO, AstroBin, Arcsecond)."""
    serve, make, call = SERVICES[service]
    url = serve(httpserver)
    call(make(GOOD, url))
    with pytest.raises(NotAuthorisedError):
        call(make(WRONG, url))
    assert len(httpserver.log) == 2  # the wrong key's request reached the service


@pytest.mark.parametrize("service", SERVICES)
def test_the_same_key_still_gets_its_cached_answer(httpserver, service):
    serve, make, call = SERVICES[service]
    url = serve(httpserver)
    first = call(make(GOOD, url))
    second = call(make(GOOD, url))
    assert not first.from_cache and second.from_cache
    assert len(httpserver.log) == 1


def test_the_cache_file_holds_a_keyed_digest_not_the_key(httpserver):
    url = aavso_server(httpserver)
    client = AavsoClient(GOOD, session=ServiceSession(fast(POLICIES["aavso"]), url))
    client.targets()
    client.session.close()
    blob = b"".join(p.read_bytes() for p in cache_path().parent.glob(cache_path().name + "*"))
    for form in (GOOD, basic(GOOD).split()[1]):
        assert form.encode() not in blob


def test_a_telescope_post_invalidates_the_accounts_cached_answers(httpserver):
    """Before: after 'planner aavso telescope --set' to another site, 'planner aavso targets'
    answered from the cache for the old site until --refresh."""
    site = {"latitude": 52.0, "longitude": 4.0}

    def targets(_request):
        return Response(json.dumps({"targets": [{"star_name": f"at {site['latitude']:g}", "ra": 1.0, "dec": 2.0}]}),
                        content_type="application/json")

    def telescope(request):
        site["latitude"] = float(request.form["latitude"])
        site["longitude"] = float(request.form["longitude"])
        return Response(json.dumps(site), content_type="application/json")

    httpserver.expect_request(f"{BASE}/targets").respond_with_handler(targets)
    httpserver.expect_request(f"{BASE}/telescope", method="POST").respond_with_handler(telescope)
    client = AavsoClient(GOOD, session=ServiceSession(fast(POLICIES["aavso"]), httpserver.url_for(BASE)))
    assert client.targets().targets[0].star_name == "at 52"
    assert client.targets().from_cache
    client.set_telescope(-33.9, 18.4)
    after = client.targets()
    assert not after.from_cache and after.targets[0].star_name == "at -33.9"


def test_a_post_of_another_key_leaves_this_keys_answers(httpserver):
    url = aavso_server(httpserver)
    httpserver.expect_request(f"{BASE}/telescope", method="POST").respond_with_json({"latitude": 1.0, "longitude": 2.0})
    good = AavsoClient(GOOD, session=ServiceSession(fast(POLICIES["aavso"]), url))
    good.targets()
    AavsoClient("CANARY-other-key-1234", session=ServiceSession(fast(POLICIES["aavso"]), url)).set_telescope(1, 2)
    assert good.targets().from_cache


def test_changing_a_key_forgets_that_services_cached_answers(httpserver):
    url = aavso_server(httpserver)
    client = AavsoClient(GOOD, session=ServiceSession(fast(POLICIES["aavso"]), url))
    client.targets()
    credentials.set_secret("aavso", "CANARY-new-key-5555")
    again = AavsoClient(GOOD, session=ServiceSession(fast(POLICIES["aavso"]), url)).targets()
    assert not again.from_cache
