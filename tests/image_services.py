"""Local AstroBin (API v1 and its CDN) and NASA Image Library servers for the reference-image
tests, speaking the services' protocols as their servers do, with switches for the failures
(held-back thumbnails, HTML instead of an image, truncated and oversized images)."""

from __future__ import annotations

import io
import json
import os
import re
import threading
from urllib.parse import parse_qs

import pytest
from PIL import Image
from pytest_httpserver import HTTPServer
from werkzeug import Response

from planner.services.http import reset_limiters

KEY, SECRET = "astrobin-test-key", "astrobin-test-secret"


def png(colour=(200, 40, 40), size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def noisy_png(nbytes: int) -> bytes:
    """A valid PNG at least ``nbytes`` long (random pixels do not compress)."""
    side = int((nbytes / 3) ** 0.5) + 8
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def server():
    reset_limiters()
    srv = HTTPServer(host="127.0.0.1", threaded=True)
    srv.start()
    yield srv
    srv.clear()
    if srv.is_running():
        srv.stop()
    reset_limiters()


class FakeAstrobin:
    """AstroBin API v1 (image search with subject/title, paging, image by id, image of the day)
    and a CDN serving thumbnails, with gates to hold thumbnails back and bad-image switches."""

    def __init__(self, server: HTTPServer, total: int = 30):
        self.server = server
        self.total = total
        self.api_requests: list[dict] = []
        self.thumb_requests: list[str] = []
        self.gates: dict[str, threading.Event] = {}  # subject -> gate its thumbnails wait on
        self.bad: dict[str, str] = {}  # image id -> "html" | "truncated" | "big"
        self.gate_of = None  # image id -> gate, for finer control than per subject
        server.expect_request(re.compile(r"^/api/v1/image/$")).respond_with_handler(self.search)
        server.expect_request(re.compile(r"^/api/v1/image/[A-Za-z0-9_-]+/$")).respond_with_handler(self.detail)
        server.expect_request("/api/v1/imageoftheday/").respond_with_handler(self.iotd)
        server.expect_request(re.compile(r"^/cdn/.*")).respond_with_handler(self.cdn)

    def image(self, subject: str, i: int) -> dict:
        ident = f"{subject.replace(' ', '').lower()}{i:03d}"
        return {
            "id": ident, "title": f"{subject} #{i}", "user": f"astro{i}", "description": f"{subject} in Ha, frame {i}",
            "subjects": [subject], "uploaded": "2024-02-01T21:00:00", "is_solved": True, "ra": "325.68",
            "dec": "43.59", "pixscale": "1.5", "w": 3000, "h": 2000, "fieldw": 1.25, "fieldh": 0.83,
            "fieldunits": "degrees", "imaging_telescopes": ["Takahashi FSQ-106"], "imaging_cameras": ["ASI2600MM"],
            "url_thumb": self.server.url_for(f"/cdn/{subject}/{ident}_thumb.png"),
            "url_regular": self.server.url_for(f"/cdn/{subject}/{ident}_regular.png"),
            "link": f"https://www.astrobin.com/{ident}/",
        }

    def search(self, request):
        args = {k: v[0] for k, v in parse_qs(request.query_string.decode()).items()}
        self.api_requests.append(args)
        if args.get("api_key") != KEY or args.get("api_secret") != SECRET:
            return Response(json.dumps({"error": "bad key"}), status=401, content_type="application/json")
        subject = args.get("subject") or args.get("title__icontains") or ""
        limit, offset = int(args["limit"]), int(args["offset"])
        count = self.total if subject != "Nothing" else 0
        objects = [self.image(subject, i) for i in range(offset, min(offset + limit, count))]
        nxt = f"/api/v1/image/?subject={subject}&limit={limit}&offset={offset + limit}" if offset + limit < count else None
        prev = f"/api/v1/image/?subject={subject}&limit={limit}&offset={max(offset - limit, 0)}" if offset else None
        body = {"meta": {"limit": limit, "offset": offset, "next": nxt, "previous": prev, "total_count": count},
                "objects": objects}
        return Response(json.dumps(body), content_type="application/json")

    def detail(self, request):
        ident = request.path.rstrip("/").rsplit("/", 1)[-1]
        return Response(json.dumps(self.image("IOTD", 7) | {"id": ident, "title": "Image of the day: Veil"}),
                        content_type="application/json")

    def iotd(self, request):
        body = {"meta": {"limit": 1, "offset": 0, "next": None, "previous": None, "total_count": 1},
                "objects": [{"date": "2024-03-01", "image": "/api/v1/image/veil001/"}]}
        return Response(json.dumps(body), content_type="application/json")

    def cdn(self, request):
        path = request.path
        self.thumb_requests.append(path)
        subject = path.split("/")[2]
        ident = path.rsplit("/", 1)[-1].split("_")[0]
        gate = self.gate_of(ident) if self.gate_of else self.gates.get(subject)
        if gate is not None:
            gate.wait(10)
        kind = self.bad.get(ident)
        if kind == "html":
            return Response("<html><body>Not found</body></html>", content_type="text/html")
        if kind == "truncated":
            return Response(noisy_png(20_000)[:5_000], content_type="image/png")
        if kind == "big":
            return Response(noisy_png(120_000), content_type="image/png")
        number = int(re.sub(r"\D", "", ident[-3:]) or 0)
        size = (400, 300) if path.endswith("_regular.png") else (64, 48)
        return Response(png((number * 7 % 255, 80, 160), size), content_type="image/png")


class FakeNasa:
    def __init__(self, server: HTTPServer, total: int = 5):
        self.server = server
        self.total = total
        server.expect_request("/search").respond_with_handler(self.search)
        server.expect_request(re.compile(r"^/album/.+")).respond_with_handler(self.album)
        server.expect_request(re.compile(r"^/asset/.+")).respond_with_handler(self.asset)
        server.expect_request(re.compile(r"^/assets/.*")).respond_with_handler(
            lambda r: Response(png((10, 200, 90), (300, 200)), content_type="image/jpeg"))

    def item(self, nasa_id: str, title: str) -> dict:
        return {
            "data": [{"nasa_id": nasa_id, "title": title, "media_type": "image", "center": "GSFC",
                      "date_created": "2019-05-04T00:00:00Z", "photographer": "NASA/ESA Hubble",
                      "keywords": ["Hubble", "nebula"], "description": f"{title}, seen by Hubble."}],
            "href": self.server.url_for(f"/assets/{nasa_id}/collection.json"),
            "links": [{"href": self.server.url_for(f"/assets/{nasa_id}/{nasa_id}~thumb.jpg"), "rel": "preview",
                       "render": "image"}],
        }

    def collection(self, items, total, page, base):
        links = []
        if page * 2 < total:
            links.append({"href": f"http://images-api.nasa.gov/{base}page={page + 1}", "rel": "next", "prompt": "Next"})
        if page > 1:
            links.append({"href": f"http://images-api.nasa.gov/{base}page={page - 1}", "rel": "prev", "prompt": "Previous"})
        return {"collection": {"version": "1.0", "href": "x", "items": items, "links": links,
                               "metadata": {"total_hits": total}}}

    def search(self, request):
        args = {k: v[0] for k, v in parse_qs(request.query_string.decode()).items()}
        page, size = int(args.get("page", 1)), int(args.get("page_size", 100))
        items = [self.item(f"hubble-{i}", f"{args['q']} field {i}") for i in range((page - 1) * size, min(page * size, self.total))]
        return Response(json.dumps(self.collection(items, self.total, page, f"search?q={args['q']}&")),
                        content_type="application/json")

    def album(self, request):
        name = request.path.rsplit("/", 1)[-1]
        page = int(parse_qs(request.query_string.decode()).get("page", ["1"])[0])
        items = [self.item(f"{name}-{page}-{i}", f"{name} picture {page}.{i}") for i in range(2)]
        return Response(json.dumps(self.collection(items, 6, page, f"album/{name}?")), content_type="application/json")

    def asset(self, request):
        nasa_id = request.path.rsplit("/", 1)[-1]
        urls = [self.server.url_for(f"/assets/{nasa_id}/{nasa_id}~{size}.jpg") for size in ("orig", "medium", "thumb")]
        body = {"collection": {"href": "x", "items": [{"href": u} for u in urls]}}
        return Response(json.dumps(body), content_type="application/json")
