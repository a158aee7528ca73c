"""Reference images without Qt (planner.app.images): what the dock asks AstroBin and NASA
Images, read from local servers that answer as theirs do, and what it shows of a hit."""

from __future__ import annotations

from planner.app.images import ALBUM, ASTROBIN, IMAGE_OF_THE_DAY, NASA, error_text, target_designations
from planner.catalog.target import Target
from planner.services.astrobin import AstrobinClient
from planner.services.errors import ServiceError
from planner.services.nasa_images import NasaImagesClient
from tests.image_services import KEY, SECRET, FakeAstrobin, FakeNasa, server  # noqa: F401 (server: a fixture)


def astrobin_client(server):
    return AstrobinClient(KEY, SECRET, server.url_for("/api/v1"), min_interval=0)


def test_designations_follow_the_target():
    names = target_designations(Target(star_name="SS  Cyg", ra=1, dec=2, extra={"aliases": ["HD 206697"]}))
    assert names[0] == "SS  Cyg" and "HD 206697" in names and "SS Cyg" in names and "V* SS Cyg" in names
    assert target_designations(None) == []
    assert ASTROBIN.query_names(Target(star_name="R Leo", ra=1, dec=2))[:2] == ["R Leo", "V* R Leo"]
    assert NASA.query_names(Target(star_name="R Leo", ra=1, dec=2)) == ["R Leo"]


def test_an_astrobin_page_is_asked_by_subject_or_title_with_its_offset(server):
    fake = FakeAstrobin(server, total=30)
    client = astrobin_client(server)
    page = ASTROBIN.page(client, "search", "SS Cyg", 1, 12)
    assert fake.api_requests[-1]["subject"] == "SS Cyg"
    assert (fake.api_requests[-1]["limit"], fake.api_requests[-1]["offset"]) == ("12", "12")
    assert (len(page.hits), page.total, page.first, page.has_next, page.has_previous) == (12, 30, 12, True, True)
    hit = page.hits[0]
    assert (hit.title, hit.subtitle) == ("SS Cyg #12", "by astro12")
    assert hit.thumb_url.endswith("/cdn/SS Cyg/sscyg012_thumb.png") and hit.record.id == "sscyg012"
    last = ASTROBIN.page(client, "search", "Veil", 2, 12, field="title")
    assert fake.api_requests[-1].get("title__icontains") == "Veil" and "subject" not in fake.api_requests[-1]
    assert (len(last.hits), last.has_next) == (6, False)
    assert ASTROBIN.large_url(client, hit.record).endswith("/cdn/SS Cyg/sscyg012_regular.png")


def test_astrobins_image_of_the_day_is_one_hit_with_its_date(server):
    FakeAstrobin(server)
    page = ASTROBIN.page(astrobin_client(server), IMAGE_OF_THE_DAY, "", 0, 12)
    assert [h.title for h in page.hits] == ["Image of the day: Veil"]
    assert (page.title, page.total, page.has_next, page.has_previous) == ("Image of the day, 2024-03-01", 1,
                                                                           False, False)


def test_an_astrobin_images_facts_leave_out_what_it_does_not_say(server):
    FakeAstrobin(server)
    image = ASTROBIN.page(astrobin_client(server), "search", "SS Cyg", 0, 1).hits[0].record
    details = ASTROBIN.details(image)
    rows = dict(details.rows)
    assert details.heading == "SS Cyg #0" and details.description == "SS Cyg in Ha, frame 0"
    assert rows["Telescope"] == "Takahashi FSQ-106" and rows["Pixel scale"] == '1.5"/px'
    assert rows["Field"] == "1.25 × 0.83 degrees" and rows["Plate-solved"] == "yes"
    assert rows["Centre"] == "RA 325.6800°, Dec +43.5900°"
    bare = ASTROBIN.details(type(image)(id="x1", title=""))
    assert bare.heading == "Untitled" and "Telescope" not in dict(bare.rows) and bare.description == ""


def test_nasa_search_and_album_pages(server):
    FakeNasa(server, total=5)
    client = NasaImagesClient(server.url_for(""))
    page = NASA.page(client, "search", "Crab", 0, 2)
    assert [h.title for h in page.hits] == ["Crab field 0", "Crab field 1"] and page.title == ""
    assert (page.total, page.first, page.has_next, page.has_previous) == (5, 0, True, False)
    assert page.hits[0].subtitle == "2019-05-04" and page.hits[0].thumb_url.endswith("hubble-0~thumb.jpg")
    album = NASA.page(client, ALBUM, "apollo", 1, 24)
    assert album.title == "Album 'apollo' · page 2 · 6 items" and album.first == 2
    assert [h.record.nasa_id for h in album.hits] == ["apollo-2-0", "apollo-2-1"]
    item = page.hits[0].record
    assert NASA.large_url(client, item).endswith("/assets/hubble-0/hubble-0~medium.jpg")
    assert NASA.page_url(item) == "https://images.nasa.gov/details/hubble-0"
    rows = dict(NASA.details(item).rows)
    assert rows["Photographer"] == "NASA/ESA Hubble" and rows["Keywords"] == "Hubble, nebula" and "Location" not in rows


def test_without_the_asset_manifest_the_preview_is_the_larger_image(server):
    FakeNasa(server, total=1)
    client = NasaImagesClient(server.url_for(""))
    item = NASA.page(client, "search", "Crab", 0, 1).hits[0].record
    server.clear()  # the manifest request now fails (500 from the local server)
    assert NASA.large_url(client, item) == item.preview_url


def test_a_failure_is_one_line_naming_the_service():
    assert error_text("AstroBin", ServiceError("AstroBin", "the key was refused")).startswith("AstroBin")
    assert error_text("NASA Images", KeyError("x")) == "NASA Images: something went wrong (KeyError); try again"
