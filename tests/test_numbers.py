"""planner.numbers: the one reader of a finite number from a service's answer or a setting."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest

from planner.numbers import finite_number, finite_or_none


@pytest.mark.parametrize("value, expected", [
    (12.5, 12.5), (3, 3.0), (-0.0, 0.0), ("12.5", 12.5), (" 1e3 ", 1000.0), ("-7", -7.0),
    (np.float64(2.5), 2.5), (np.int32(4), 4.0), (Decimal("0.25"), 0.25), (1.7976931348623157e308, 1.7976931348623157e308),
])
def test_finite_numbers_and_numeric_text_are_read(value, expected):
    assert finite_number(value) == expected
    assert isinstance(finite_number(value), float)
    assert finite_or_none(value) == expected


@pytest.mark.parametrize("value", [None, "", "   ", "\t\n"])
def test_nothing_is_none_unless_required(value):
    assert finite_number(value) is None
    assert finite_or_none(value) is None
    with pytest.raises(ValueError, match="^'mag' is missing$"):
        finite_number(value, "'mag'", required=True)


@pytest.mark.parametrize("value, reason", [
    (True, "not a number"), (False, "not a number"), ("abc", "not a number"), ("12,5", "not a number"),
    ([1.0], "not a number"), ({"v": 1}, "not a number"), (object(), "not a number"),
    (math.nan, "not finite"), (math.inf, "not finite"), (-math.inf, "not finite"), ("nan", "not finite"),
    ("inf", "not finite"), ("-Infinity", "not finite"), ("1e999", "not finite"), (10**400, "not finite"),
    (np.float32("nan"), "not finite"),
])
def test_anything_else_is_refused_with_its_name_or_none(value, reason):
    with pytest.raises(ValueError) as caught:
        finite_number(value, "'latitude'")
    assert str(caught.value) == f"'latitude' is {reason}"
    assert finite_or_none(value) is None


def test_text_can_be_refused_where_the_field_must_be_a_json_number():
    assert finite_number(12.5, "'ra'", text=False) == 12.5
    with pytest.raises(ValueError, match="^'ra' is not a number$"):
        finite_number("12.5", "'ra'", text=False)
    assert finite_number("12.5", "'ra'") == 12.5


def test_the_default_name_says_the_value():
    with pytest.raises(ValueError, match="^the value is not finite$"):
        finite_number(float("nan"))


def test_the_error_carries_its_reason_for_callers_that_word_their_own_message():
    from planner.numbers import MISSING, NOT_A_NUMBER, NOT_FINITE, NumberError

    for value, reason in ((None, MISSING), ("x", NOT_A_NUMBER), (True, NOT_A_NUMBER), ("-inf", NOT_FINITE)):
        with pytest.raises(NumberError) as caught:
            finite_number(value, "epoch", required=True)
        assert caught.value.reason == reason and caught.value.what == "epoch"
        assert isinstance(caught.value, ValueError)


def test_the_service_readers_share_its_rules():
    """Before, AAVSO's request check took ``True`` as latitude 1° and AstroBin's took it as a
    size of 1; every reader now refuses a bool as a number."""
    from planner.services import aavso
    from planner.services.astrobin import query
    from planner.services.errors import InvalidRequestError

    with pytest.raises(InvalidRequestError, match="latitude True is not a number"):
        aavso._site_params(latitude=True, longitude=4.0)
    with pytest.raises(InvalidRequestError, match="latitude inf is outside -90 to 90"):
        aavso._site_params(latitude=math.inf, longitude=4.0)
    assert aavso._site_params(latitude="52.5", longitude=4)["latitude"] == 52.5
    with pytest.raises(InvalidRequestError, match="size True is not a number"):
        query._positive_number(True, "size")
    with pytest.raises(InvalidRequestError, match="must be a positive number, not inf"):
        query._positive_number(math.inf, "size")
