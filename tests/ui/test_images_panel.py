"""The reference-images dock against local AstroBin and NASA Images servers: progressive
thumbnails, paging, the disk cache when the server is gone, broken and oversized images,
cancelling on a new selection, service errors, image of the day, albums and the detail view."""

from __future__ import annotations

import threading

import pytest
from werkzeug import Response

from planner.catalog.target import Target
from planner.config import Settings
from planner.services.astrobin import AstrobinClient
from planner.services.image_cache import ImageCache, ImageFetcher
from planner.services.nasa_images import NasaImagesClient
from planner.ui.images_panel import MAX_DOWNLOADS, ReferenceImagesDock
from planner.ui.thumbnails import BROKEN, LOADING, READY
from tests.image_services import KEY, SECRET, FakeAstrobin, FakeNasa, png, server  # noqa: F401 (server: a fixture)

SS_CYG = Target(star_name="SS Cyg", ra=325.6791, dec=43.5861, constellation="Cyg")
R_LEO = Target(star_name="R Leo", ra=146.8895, dec=11.4286, constellation="Leo")


def make_dock(qtbot, server, *, page_size=12, key=True, **kw) -> ReferenceImagesDock:
    settings = Settings()

    def astrobin(_settings):
        return AstrobinClient(KEY if key else None, SECRET if key else None, server.url_for("/api/v1"), min_interval=0)

    def nasa(_settings):
        return NasaImagesClient(server.url_for(""))

    dock = ReferenceImagesDock(settings=settings, astrobin_factory=astrobin, nasa_factory=nasa, page_size=page_size, **kw)
    qtbot.addWidget(dock)
    dock.resize(700, 800)
    dock.show()
    return dock


def wait_settled(qtbot, tab, count=None, timeout=60_000):
    def settled():
        assert tab.page is not None
        if count is not None:
            assert tab.model.rowCount() == count
        assert not tab.model.loading_rows()

    qtbot.waitUntil(settled, timeout=timeout)


def test_thumbnails_appear_progressively_and_the_query_follows_the_target(qtbot, server):
    astrobin = FakeAstrobin(server)
    gate = astrobin.gates["SS Cyg"] = threading.Event()
    dock = make_dock(qtbot, server)
    tab = dock.astrobin
    dock.set_target(SS_CYG)
    assert tab.query_edit.currentText() == "SS Cyg"
    assert [tab.query_edit.itemText(i) for i in range(tab.query_edit.count())][:2] == ["SS Cyg", "V* SS Cyg"]
    qtbot.waitUntil(lambda: tab.model.rowCount() == 12, timeout=60_000)
    # The grid is there with placeholders before any image has arrived.
    assert {item.state for item in tab.model.items} == {LOADING}
    assert tab._spin_timer.isActive()
    assert astrobin.api_requests[-1]["subject"] == "SS Cyg"
    gate.set()
    wait_settled(qtbot, tab, 12)
    assert {item.state for item in tab.model.items} == {READY}
    assert all(item.pixmap is not None and item.pixmap.width() <= dock.thumb_size for item in tab.model.items)
    assert tab.page_label.text() == "Page 1 · 1–12 of 30"


def test_tiles_fill_one_by_one(qtbot, server):
    astrobin = FakeAstrobin(server, total=6)
    gate = threading.Event()
    # Hold back only the odd-numbered thumbnails: the even ones show while the others still spin.
    astrobin.gate_of = lambda ident: gate if int(ident[-3:]) % 2 else None
    dock = make_dock(qtbot, server, page_size=6)
    dock.set_target(SS_CYG)
    tab = dock.astrobin
    qtbot.waitUntil(lambda: tab.model.count(READY) == 3, timeout=60_000)
    assert tab.model.count(LOADING) == 3
    assert [item.state for item in tab.model.items] == [READY, LOADING] * 3
    gate.set()
    wait_settled(qtbot, tab, 6)
    assert tab.model.count(READY) == 6


def test_paging_next_previous_and_total(qtbot, server):
    astrobin = FakeAstrobin(server, total=30)
    dock = make_dock(qtbot, server, page_size=12)
    tab = dock.astrobin
    dock.set_target(SS_CYG)
    wait_settled(qtbot, tab, 12)
    assert not tab.prev_button.isEnabled() and tab.next_button.isEnabled()
    tab.next_button.click()
    wait_settled(qtbot, tab, 12)
    assert astrobin.api_requests[-1]["offset"] == "12"
    assert tab.page_label.text() == "Page 2 · 13–24 of 30"
    assert tab.model.items[0].title == "SS Cyg #12"
    tab.next_button.click()
    wait_settled(qtbot, tab, 6)
    assert tab.page_label.text() == "Page 3 · 25–30 of 30"
    assert not tab.next_button.isEnabled() and tab.prev_button.isEnabled()
    sent = len(astrobin.api_requests)
    tab.prev_button.click()
    wait_settled(qtbot, tab, 12)
    assert tab.page_label.text() == "Page 2 · 13–24 of 30"
    assert tab.model.items[0].title == "SS Cyg #12"
    assert len(astrobin.api_requests) == sent  # a page seen minutes ago comes from the HTTP cache


def test_cached_images_show_when_the_server_is_gone(qtbot, server):
    FakeAstrobin(server, total=5)
    dock = make_dock(qtbot, server)
    dock.set_target(SS_CYG)
    wait_settled(qtbot, dock.astrobin, 5)
    assert not any(item.from_cache for item in dock.astrobin.model.items)
    dock.shutdown()
    server.stop()  # the dark site: no network at all

    dock2 = make_dock(qtbot, server)
    dock2.set_target(SS_CYG)
    tab = dock2.astrobin
    wait_settled(qtbot, tab, 5)
    assert tab.model.count(READY) == 5
    assert all(item.from_cache for item in tab.model.items)
    assert tab.page.from_cache  # the search answer too, from the HTTP cache
    assert not tab.message_label.property("error")
    # an answer kept past its freshness (the service failed, offline) says when it was fetched,
    # with the zone (the computer's, without a window)
    import dataclasses

    assert tab.page.fetched_at is not None
    tab._on_page(0, dataclasses.replace(tab.page, offline=True))
    when = tab.page.origin.when(None)
    assert when[:4].isdigit() and when.split()[-1].isalpha()
    assert tab.message_label.text() == f"No network: showing AstroBin's answer saved at {when}."


def test_broken_truncated_and_oversized_images_get_a_broken_tile(qtbot, server):
    astrobin = FakeAstrobin(server, total=6)
    astrobin.bad = {"sscyg001": "html", "sscyg002": "truncated", "sscyg003": "big"}
    dock = make_dock(qtbot, server, page_size=6, thumb_max_bytes=60_000)
    dock.set_target(SS_CYG)
    tab = dock.astrobin
    wait_settled(qtbot, tab, 6)
    states = [item.state for item in tab.model.items]
    assert states == [READY, BROKEN, BROKEN, BROKEN, READY, READY]
    errors = {item.record.id: item.error for item in tab.model.items if item.state == BROKEN}
    assert "not an image" in errors["sscyg001"]
    assert "not an image" in errors["sscyg002"]  # a cut-off PNG does not decode
    assert "allowed" in errors["sscyg003"]
    assert "3 images could not be shown" in tab.message_label.text()
    tooltip = tab.model.data(tab.model.index(3), 3)  # ToolTipRole
    assert "allowed" in tooltip
    # Nothing bad was kept in the cache.
    cache = dock.fetcher.cache
    assert all(cache.get(item.thumb_url) is None for item in tab.model.items if item.state == BROKEN)
    assert all(cache.get(item.thumb_url) is not None for item in tab.model.items if item.state == READY)


def test_a_new_selection_cancels_the_old_downloads(qtbot, server):
    astrobin = FakeAstrobin(server, total=24)
    astrobin.gates["SS Cyg"] = gate = threading.Event()
    dock = make_dock(qtbot, server, page_size=24)
    dock.set_target(SS_CYG)
    tab = dock.astrobin
    qtbot.waitUntil(lambda: len(astrobin.thumb_requests) >= 6, timeout=60_000)
    old_generation = tab.generation
    dock.set_target(R_LEO)
    assert tab.query_edit.currentText() == "R Leo"
    gate.set()  # the old target's images now arrive, late
    wait_settled(qtbot, tab, 24)
    assert tab.generation > old_generation
    assert all(item.title.startswith("R Leo") for item in tab.model.items)
    assert tab.model.count(READY) == 24
    dock.shutdown()
    old = [p for p in astrobin.thumb_requests if "/SS Cyg/" in p or "/SS%20Cyg/" in p]
    # Only those already running (one pool's worth) reached the server; the queued rest were dropped.
    assert len(old) <= MAX_DOWNLOADS + 1
    assert dock.stale_results <= len(old)


def test_missing_key_is_a_message_in_the_panel(qtbot, server, monkeypatch):
    FakeAstrobin(server)
    monkeypatch.setenv("PLANNER_ASTROBIN_URL", server.url_for("/api/v1"))
    dock = ReferenceImagesDock(settings=Settings(), page_size=6)  # the real factory, no key anywhere
    qtbot.addWidget(dock)
    dock.show()
    dock.set_target(SS_CYG)
    tab = dock.astrobin
    qtbot.waitUntil(lambda: "API key" in tab.message_label.text(), timeout=60_000)
    assert "AstroBin" in tab.message_label.text() and "planner keys set astrobin" in tab.message_label.text()
    assert tab.model.rowCount() == 0
    assert tab.message_label.property("error") is True


def test_a_lasting_failure_reaches_the_window_once(qtbot, server, monkeypatch):
    """The panel shows the missing key every time; the window's status bar hears it once."""
    FakeAstrobin(server)
    monkeypatch.setenv("PLANNER_ASTROBIN_URL", server.url_for("/api/v1"))
    dock = ReferenceImagesDock(settings=Settings(), page_size=6)
    qtbot.addWidget(dock)
    dock.show()  # a hidden dock defers its searches
    heard: list[str] = []
    dock.message.connect(lambda text: heard.append(text) if "AstroBin" in text else None)
    tab = dock.astrobin
    for target in (SS_CYG, R_LEO, SS_CYG):
        dock.set_target(target)
        generation = tab.generation
        qtbot.waitUntil(lambda: "API key" in tab.message_label.text() and not tab.page_runner.busy, timeout=60_000)
        assert tab.generation == generation
    assert len(heard) == 1 and "API key" in heard[0]


def test_wrong_key_and_no_results(qtbot, server):
    FakeAstrobin(server)
    dock = make_dock(qtbot, server, key=True)
    tab = dock.astrobin
    dock.set_target(Target(star_name="Nothing", ra=1, dec=1))
    qtbot.waitUntil(lambda: "no images" in tab.message_label.text(), timeout=60_000)
    assert tab.page_label.text() == "no results"

    def bad(_settings):
        return AstrobinClient("wrong", "wrong", server.url_for("/api/v1"), min_interval=0)

    dock.astrobin_factory = bad
    tab.reset_client()
    tab.search("SS Cyg")
    qtbot.waitUntil(lambda: "HTTP 401" in tab.message_label.text(), timeout=60_000)


def test_image_of_the_day_and_the_detail_view(qtbot, server):
    FakeAstrobin(server)
    dock = make_dock(qtbot, server)
    tab = dock.astrobin
    with qtbot.waitSignal(dock.page_filled, timeout=60_000):
        tab.iotd_button.click()
    assert tab.page_label.text() == "Image of the day, 2024-03-01"
    assert tab.model.rowCount() == 1
    item = tab.current_item()
    assert item is not None and item.title == "Image of the day: Veil"
    html = tab.detail_text.toPlainText()
    for text in ("astro7", "Takahashi FSQ-106", "ASI2600MM", "1.25 × 0.83 degrees", "2024-02-01", '1.5"/px'):
        assert text in html
    qtbot.waitUntil(lambda: tab.solve_button.isEnabled(), timeout=60_000)
    qtbot.waitUntil(lambda: not tab.detail_image.pixmap().isNull(), timeout=60_000)
    assert tab.open_button.isEnabled()
    with qtbot.waitSignal(dock.solve_requested, timeout=60_000) as blocker:
        tab.solve_button.click()
    url, title = blocker.args
    assert url.endswith("_regular.png") and title == "Image of the day: Veil"


def test_nasa_search_paging_album_and_detail(qtbot, server):
    FakeNasa(server, total=5)
    dock = make_dock(qtbot, server, page_size=2)
    dock.tabs.setCurrentWidget(dock.nasa)
    tab = dock.nasa
    dock.set_target(SS_CYG)
    wait_settled(qtbot, tab, 2)
    assert tab.page_label.text() == "Page 1 · 1–2 of 5"
    assert tab.model.count(READY) == 2
    tab.next_button.click()
    wait_settled(qtbot, tab, 2)
    assert tab.model.items[0].record.nasa_id == "hubble-2"
    assert tab.page_label.text() == "Page 2 · 3–4 of 5"
    tab.view.setCurrentIndex(tab.model.index(0))
    text = tab.detail_text.toPlainText()
    assert "NASA/ESA Hubble" in text and "Hubble, nebula" in text and "2019-05-04" in text
    qtbot.waitUntil(lambda: tab.large_url is not None, timeout=60_000)
    assert tab.large_url.endswith("hubble-2~medium.jpg")
    tab.album_edit.setText("apollo")
    tab.album_button.click()
    wait_settled(qtbot, tab, 2)
    assert tab.page_label.text().startswith("Album 'apollo' · page 1 · 6 items")
    tab.next_button.click()
    wait_settled(qtbot, tab, 2)
    assert tab.model.items[0].record.nasa_id == "apollo-2-0"
    assert tab.page_label.text().startswith("Album 'apollo' · page 2 · 6 items")


def test_the_hidden_tab_searches_when_shown(qtbot, server):
    FakeAstrobin(server, total=3)
    FakeNasa(server, total=3)
    dock = make_dock(qtbot, server, page_size=3)
    dock.set_target(SS_CYG)
    wait_settled(qtbot, dock.astrobin, 3)
    assert dock.nasa.page is None  # not asked yet: it is hidden
    dock.tabs.setCurrentWidget(dock.nasa)
    wait_settled(qtbot, dock.nasa, 3)
    dock.set_target(None)
    assert dock.nasa.model.rowCount() == 0 and "Select a target" in dock.nasa.message_label.text()


def test_cache_is_bounded_with_lru_eviction(tmp_path):
    cache = ImageCache(tmp_path / "images", max_bytes=3000)
    for i in range(3):
        cache.put(f"https://x/{i}", bytes([i]) * 1000)
    import os
    import time

    base = time.time() - 100
    for i in range(3):
        os.utime(cache.path_for(f"https://x/{i}"), (base + i, base + i))
    assert cache.get("https://x/0") is not None  # used again: now the most recent
    cache.put("https://x/3", b"3" * 1000)
    assert cache.get("https://x/1") is None  # the least recently used went
    assert cache.get("https://x/0") is not None and cache.get("https://x/3") is not None
    assert cache.size_bytes() <= 3000


def test_fetcher_reports_a_body_shorter_than_declared(server, tmp_path):
    def short(request):
        return Response(png()[:40], headers={"Content-Length": "4000"}, content_type="image/png")

    server.expect_request("/short.png").respond_with_handler(short)
    fetcher = ImageFetcher(ImageCache(tmp_path / "c"))
    from planner.services.image_cache import ImageFetchError

    with pytest.raises(ImageFetchError) as info:
        fetcher.fetch(server.url_for("/short.png"))
    assert info.value.kind in ("truncated", "not_image")


def test_the_cache_scans_its_folder_only_when_it_may_be_full(tmp_path):
    """A write adds to the size the cache keeps track of; the folder is scanned (every file
    stat'ed) at the first write and then only when that size passes the bound, and the
    bound still holds, with another writer's files found at that scan."""
    cache = ImageCache(tmp_path / "images", max_bytes=10_000)
    for i in range(9):
        cache.put(f"https://x/{i}", b"a" * 1000)
    assert cache.scans == 1  # the first write: the folder's size was not known
    other = ImageCache(tmp_path / "images", max_bytes=10_000)  # another process's writes
    other.put("https://y/0", b"b" * 1000)
    other.put("https://y/1", b"b" * 1000)
    cache.put("https://x/9", b"a" * 1000)  # 10 kB by its own count: still within the bound
    assert cache.scans == 1
    cache.put("https://x/10", b"a" * 1000)  # 11 kB: scanned, and cut back to the bound
    assert cache.scans == 2
    assert cache.size_bytes() <= 10_000
    cache.clear()
    cache.put("https://x/11", b"a" * 1000)
    assert cache.scans == 3 and cache.size_bytes() == 1000  # after a clear the size is read again
