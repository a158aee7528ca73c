"""The modules the window needs only after its start-up, imported once the start-up is over.

The window's first paint and its table come first, so the modules a first service request,
a first thumbnail or a first comparison chart need are not imported before it (start-up
time, ``docs/performance.md``). Imported when first needed instead, they stalled the
window: ``requests_cache`` with attrs, cattrs, url-normalize, PyYAML and SQLite takes about
0.3 s, in a worker thread that holds the GIL while it runs module code, and
``planner.app.charts`` was imported on the GUI thread itself when the comparison chart first
followed a target. ``warm_up`` imports them in a worker once the visibility of the start-up
list is shown, while the user has not yet asked for anything; later imports are then a
look-up in ``sys.modules``.

Then the start-up's objects are collected once and frozen (``gc.freeze``): the modules,
classes and widgets that live as long as the window leave the cyclic collector's view. A
full collection otherwise walked all of them whenever it came, in whichever thread was
allocating; in a worker thread it held the GIL for 167 ms under the stall benchmark's load,
and the GUI thread waited as long. Frozen, a full collection walks only what came after
(a target list, its visibility): no collection in that benchmark took over 7 ms. ``FREEZE``
is off for the test suite, which opens hundreds of windows in one process.

What belongs here is what the window imported after its start-up in the stall benchmark
(``tests/benchmarks/test_responsiveness.py``): the modules new in ``sys.modules`` between
the window's quiet and the end of the scenario. A module that fails to import is left for
its first real use, which says what is wrong in its own words.
"""

from __future__ import annotations

import gc
import logging

FREEZE = True  # the window's start-up objects frozen after the imports (off in the test suite)

log = logging.getLogger(__name__)


def _requests_cache() -> None:
    import requests_cache  # noqa: F401 - attrs, cattrs, url-normalize, PyYAML
    import requests_cache.policy.expiration  # noqa: F401 - read by the answer cache

    from planner.services.http.redaction import install_log_filter

    install_log_filter()  # the first session's: once, here


def _images() -> None:
    from PIL import Image

    Image.preinit()  # the BMP, GIF, JPEG, PPM and PNG readers a first thumbnail loads


def _standard_library() -> None:
    import netrc  # noqa: F401 - requests reads ~/.netrc at a first request
    import sqlite3  # noqa: F401 - the answer cache's store


def _charts() -> None:
    import planner.app.charts  # noqa: F401 - the comparison chart's look, on the GUI thread


PARTS = (("the answer cache", _requests_cache), ("image readers", _images),
         ("standard library", _standard_library), ("comparison charts", _charts))


def warm_up() -> list[str]:
    """Import each part, then collect and freeze what the process holds (``FREEZE``); the
    names of the parts that failed (logged, never raised)."""
    failed = []
    for name, part in PARTS:
        try:
            part()
        except Exception:  # noqa: BLE001 - its first real use reports it
            log.debug("warming up %s failed", name, exc_info=True)
            failed.append(name)
    if FREEZE:
        gc.collect()  # what is garbage now is not frozen with the rest
        gc.freeze()
    return failed


__all__ = ["FREEZE", "PARTS", "warm_up"]
