"""Finite numbers from outside the program: a web service's JSON answer, a settings value.

The one reader of "a finite number, or nothing", for every layer (it imports nothing of
planner): a bool is not a number (JSON ``true`` is not 1), NaN and the infinities are not
finite, text that reads as a number ("12.5", " 1e3 ") is one (services send numbers as
strings), and None or empty text is nothing. ``finite_number`` says what is wrong, naming
the value; ``finite_or_none`` is for answers where an unusable value just means unknown.
"""

from __future__ import annotations

import math
from typing import Any


def finite_number(value: Any, what: str = "the value", *, required: bool = False,
                  text: bool = True) -> float | None:
    """``value`` as a finite float, or None for nothing (None, or text that is empty or
    only spaces).

    Raises ``ValueError`` naming ``what``: "... is missing" for nothing when ``required``;
    "... is not a number" for a bool, for what ``float()`` cannot read, and for any text
    when ``text`` is False (a JSON field that must be a number, not a string); "... is not
    finite" for NaN, an infinity, or an integer too large for a float."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValueError(f"{what} is missing")
        return None
    if isinstance(value, bool) or (not text and isinstance(value, (str, bytes))):
        raise ValueError(f"{what} is not a number")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"{what} is not finite") from None
    except (TypeError, ValueError):
        raise ValueError(f"{what} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{what} is not finite")
    return number


def finite_or_none(value: Any) -> float | None:
    """``value`` as a finite float, or None for anything else (never raises)."""
    try:
        return finite_number(value)
    except ValueError:
        return None
