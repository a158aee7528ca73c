"""One time formatter for the window and the commands (nearest minute), one RA/Dec formatter."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from planner.commands.common import fmt_local
from planner.formatting import dec_dms, format_clock, moon_phase_name, parse_decimal, ra_hms

T = datetime(2026, 12, 1, 16, 12, 40, tzinfo=timezone.utc).timestamp()


def test_clock_times_round_to_the_nearest_minute_everywhere():
    assert format_clock(T) == "16:13"
    assert format_clock(T - 20) == "16:12"
    assert fmt_local(T, timezone.utc) == "16:13"  # the CLI's tables
    assert format_clock(T, ZoneInfo("Asia/Kolkata"), date=True, zone=True) == "2026-12-01 21:43 IST"
    assert format_clock(None) == "-" and format_clock(float("nan"), missing="") == ""


def test_ra_dec():
    assert ra_hms(83.8221, decimals=0) == "05:35:17"
    assert ra_hms(359.99999) == "00:00:00.00"
    assert dec_dms(-5.391111) == "-05:23:28.0"
    assert dec_dms(-0.0001, decimals=0) == "-00:00:00"


def test_moon_phase_names_are_one_definition():
    assert moon_phase_name(0.5, True) == "First quarter"
    assert moon_phase_name(0.46, True) == "Waxing crescent"
    assert moon_phase_name(0.99, False) == "Full Moon"


def test_typed_numbers_are_read_one_way_in_every_field():
    # the Estimate box and the Telescope page both read numbers through parse_decimal
    assert parse_decimal("") is None and parse_decimal("   ") is None
    assert parse_decimal(" 11.6 ") == 11.6
    assert parse_decimal("11,6") == 11.6  # a decimal comma as many observers type it
    assert parse_decimal("1,234.5") == "1,234.5"  # not a decimal comma: handed back to be named
    assert parse_decimal("eleven") == "eleven"
