"""A local AAVSO VSP for the chart tests (the commands' and the window's): charts by star
and by id as the API answers them (tests/data/vsp), their picture at ``image_uri``, and VSP's
own error answer for the stars it does not know."""

from __future__ import annotations

import io
import json
from pathlib import Path

from PIL import Image
from werkzeug import Response

from planner.services.http import POLICIES, reset_limiters
from tests.services.conftest import fast

DATA = Path(__file__).resolve().parent / "data" / "vsp"
CHART_ID = "X28471AB"


def png(width: int = 80, height: int = 60, mode: str = "RGB") -> bytes:
    """A white chart with one black star (so inverted and red renderings can be told apart)."""
    page = Image.new(mode, (width, height), 255 if mode == "L" else (255, 255, 255))
    page.putpixel((10, 10), 0 if mode == "L" else (0, 0, 0))
    buffer = io.BytesIO()
    page.save(buffer, "PNG")
    return buffer.getvalue()


def serve_vsp(httpserver, monkeypatch, *, unknown: tuple[str, ...] = (), picture: bytes | None = None,
              chart_ids: dict[str, str] | None = None) -> list[dict]:
    """Point planner at ``httpserver`` as VSP (no waits between requests); returns the list the
    chart-by-star queries are appended to as they arrive. ``chart_ids`` (fov asked -> id):
    VSP makes a new chart, with its own id, for each field asked; by default every answer
    is chart X28471AB."""
    reset_limiters()
    from planner.services import vsp as module

    monkeypatch.setitem(POLICIES, module.SERVICE_KEY, fast(module.policy()))
    monkeypatch.setenv("PLANNER_VSP_URL", httpserver.url_for("/vsp/api"))
    answer = json.loads((DATA / "chart_ss_cyg.json").read_text())
    answer["image_uri"] = httpserver.url_for(f"/vsp/chart/{CHART_ID}.png")
    refused = {name.casefold() for name in unknown}
    asked: list[dict] = []

    def chart(request):
        asked.append(dict(request.args))
        star = request.args.get("star", "")
        if star.casefold() in refused:  # VSP's answer for a star it does not know
            return Response(json.dumps({"errors": [f"{star}: star not found"]}), status=400,
                            content_type="application/json")
        chart_id = (chart_ids or {}).get(request.args.get("fov", ""), CHART_ID)
        return Response(json.dumps({**answer, "chartid": chart_id}), content_type="application/json")

    httpserver.expect_request("/vsp/api/chart/").respond_with_handler(chart)
    httpserver.expect_request(f"/vsp/api/chart/{CHART_ID}/").respond_with_json(answer)
    httpserver.expect_request(f"/vsp/chart/{CHART_ID}.png").respond_with_data(
        picture if picture is not None else png(), content_type="image/png")
    return asked
