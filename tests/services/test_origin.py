"""Where an answer came from (planner.services.origin): every client record inherits the
three origin fields from ``Fetched``, so equality, construction and the window's and the
commands' words about the origin are the same for all of them."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from planner.services.arcsecond.records import DataFile, ObservingSite
from planner.services.astrobin.records import ImageOfTheDay
from planner.services.nasa_images import NasaAsset, NasaResults
from planner.services.origin import ORIGIN_KEYS, Fetched, Origin, origin_of, record_json, with_origin

RECORDS = [DataFile(7, "a.fits"), ImageOfTheDay("2026-12-01", "abc"), NasaAsset("PIA1", ("u",)),
           NasaResults((), 0)]


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_every_record_carries_the_origin_fields_keyword_only_and_out_of_equality(record):
    assert isinstance(record, Fetched)
    parameters = list(inspect.signature(type(record)).parameters.values())
    assert [p.name for p in parameters[-3:]] == list(ORIGIN_KEYS)  # after the record's own fields
    assert all(p.kind is p.KEYWORD_ONLY for p in parameters[-3:])
    cached = dataclasses.replace(record, from_cache=True, offline=True, fetched_at=1.0e9)
    assert cached == record  # the same data fetched at another time is the same data
    assert cached.origin == Origin(True, True, 1.0e9) and record.origin == Origin()
    assert origin_of(cached) == cached.origin
    assert not set(ORIGIN_KEYS) & set(record_json(cached))


def test_a_record_cannot_take_an_origin_field_by_position():
    with pytest.raises(TypeError):
        DataFile(7, "a.fits", 12, "ds", "done", True)  # type: ignore[misc]


def test_with_origin_marks_a_record_with_its_oldest_and_worst_reply():
    class Reply:
        def __init__(self, from_cache, offline, fetched_at):
            self.from_cache, self.offline, self.fetched_at = from_cache, offline, fetched_at

    site = with_origin(ObservingSite("uuid-1", "Home"), Reply(False, False, 200.0), Reply(True, True, 100.0))
    assert (site.from_cache, site.offline, site.fetched_at) == (True, True, 100.0)
    assert "offline" in site.origin.describe() and site.origin.note("Arcsecond") is not None
    assert with_origin(site).origin == Origin()  # no replies: live
