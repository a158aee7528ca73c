"""Finite numbers from outside the program: a web service's JSON answer, a file, a setting.

The one reader of "a finite number, or nothing", for every layer (it imports nothing of
planner): a bool is not a number (JSON ``true`` is not 1), NaN and the infinities are not
finite, text that reads as a number ("12.5", " 1e3 ") is one (services send numbers as
strings), and None or empty text is nothing. ``finite_number`` says what is wrong with a
``NumberError`` (its ``reason`` lets a caller word its own message); ``finite_or_none`` is
for answers where an unusable value just means unknown.
"""

from __future__ import annotations

import math
from typing import Any

MISSING = "missing"
NOT_A_NUMBER = "not a number"
NOT_FINITE = "not finite"


class NumberError(ValueError):
    """A value that is not the finite number it should be: "<what> is <reason>", with
    ``reason`` one of ``MISSING``, ``NOT_A_NUMBER``, ``NOT_FINITE``."""

    def __init__(self, what: str, reason: str) -> None:
        super().__init__(f"{what} is {reason}")
        self.what = what
        self.reason = reason


def finite_number(value: Any, what: str = "the value", *, required: bool = False,
                  text: bool = True) -> float | None:
    """``value`` as a finite float, or None for nothing (None, or text that is empty or
    only spaces).

    Raises ``NumberError`` (a ``ValueError``) naming ``what``: ``MISSING`` for nothing when
    ``required``; ``NOT_A_NUMBER`` for a bool, for what ``float()`` cannot read, and for any
    text when ``text`` is False (a JSON field that must be a number, not a string);
    ``NOT_FINITE`` for NaN, an infinity, or an integer too large for a float."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise NumberError(what, MISSING)
        return None
    if isinstance(value, bool) or (not text and isinstance(value, (str, bytes))):
        raise NumberError(what, NOT_A_NUMBER)
    try:
        number = float(value)
    except OverflowError:
        raise NumberError(what, NOT_FINITE) from None
    except (TypeError, ValueError):
        raise NumberError(what, NOT_A_NUMBER) from None
    if not math.isfinite(number):
        raise NumberError(what, NOT_FINITE)
    return number


def finite_or_none(value: Any) -> float | None:
    """``value`` as a finite float, or None for anything else (never raises)."""
    try:
        return finite_number(value)
    except NumberError:
        return None
