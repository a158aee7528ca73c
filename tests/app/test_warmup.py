"""The modules the window needs only after its start-up (``planner.app.warmup``): each is
imported by ``warm_up`` in a fresh interpreter, and a part that fails is named, not raised."""

from __future__ import annotations

import gc
import json
import subprocess
import sys

from planner.app import warmup

LATER = ["requests_cache", "requests_cache.policy.expiration", "cattrs", "yaml", "url_normalize", "sqlite3",
         "netrc", "PIL.JpegImagePlugin", "PIL.PngImagePlugin", "PIL.GifImagePlugin", "planner.app.charts"]

PROBE = f"""
import json, sys
from planner.app.warmup import warm_up
wanted = {LATER!r}
before = [m for m in wanted if m in sys.modules]
failed = warm_up()
import gc
print(json.dumps({{"before": before, "after": [m for m in wanted if m in sys.modules], "failed": failed,
                  "frozen": gc.get_freeze_count()}}))
"""


def test_warm_up_imports_what_a_first_request_thumbnail_and_chart_need_in_a_fresh_interpreter():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True)
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen["before"] == []  # importing planner.app.warmup itself loads none of them
    assert seen["after"] == LATER
    assert seen["failed"] == []
    assert seen["frozen"] > 10_000  # the interpreter's and the imports' objects, out of the collector's view


def test_nothing_is_frozen_when_freeze_is_off(monkeypatch):
    monkeypatch.setattr(warmup, "PARTS", ())
    frozen = gc.get_freeze_count()
    assert warmup.warm_up() == []
    assert gc.get_freeze_count() == frozen  # the suite's fixture turned it off


def test_a_part_that_fails_is_named_and_the_others_still_run(monkeypatch):
    ran = []

    def broken():
        raise ImportError("No module named 'requests_cache'")

    monkeypatch.setattr(warmup, "PARTS", (("the answer cache", broken), ("image readers", lambda: ran.append(1))))
    assert warmup.warm_up() == ["the answer cache"]
    assert ran == [1]
