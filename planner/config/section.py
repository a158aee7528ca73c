"""What a settings section is: the settings of one part of the program, each declared once
with its default, its label and unit for the user, its range and its check.

A ``Setting``'s ``check(value)`` returns the value to keep or raises ``SettingsError``
(``ValueError`` from a shared rule such as ``planner.limits`` counts too); ``problem(value)``
is the same check as one sentence naming the field ('' when the value is fine). The settings
loader (``planner.config.Settings.from_json``), the Settings dialog's pages and the commands
all ask these, so a value is judged the same way everywhere. ``Setting.field()`` is the
dataclass field ``planner.config.Settings`` declares with the setting's default.

Qt-free and light: no astropy, no Qt; the sections load with the settings.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from planner.errors import PlannerError


class SettingsError(PlannerError, ValueError):
    """A settings file or value that cannot be used; the message says what to do."""


_UNSET = object()


@dataclass(frozen=True)
class Setting:
    """One settings field: ``name`` (the key in settings.json and the ``Settings`` attribute),
    its ``default`` (or ``default_factory`` for a dict), ``label``/``unit``/``hint`` as the
    user reads them, ``low``/``high`` for a number, and ``check`` (value -> kept value, or
    raises). Without a check, a value must be of its default's kind. ``fallback`` replaces
    an unusable value when the default would mean something else (the default site's name
    is not "no name"): (value, how the warning says it)."""

    name: str
    default: Any = None
    label: str = ""
    unit: str = ""
    hint: str = ""
    low: float | None = None
    high: float | None = None
    check: Callable[[Any], Any] | None = None
    default_factory: Callable[[], Any] | None = None
    fallback: tuple[Any, str] | None = None

    def default_value(self) -> Any:
        return self.default_factory() if self.default_factory is not None else self.default

    def field(self) -> Any:
        """The ``dataclasses.field`` of ``Settings`` for this setting (its default)."""
        if self.default_factory is not None:
            return dataclasses.field(default_factory=self.default_factory)
        return dataclasses.field(default=self.default)

    def checked(self, value: Any) -> Any:
        """The value to keep, or ``SettingsError``/``ValueError`` saying why not."""
        if self.check is not None:
            return self.check(value)
        default = self.default_value()
        kinds = (type(default),) if default is not None else (int, float, type(None))
        if isinstance(value, bool) != isinstance(default, bool) or not isinstance(value, kinds):
            raise SettingsError(f"{shown(value)} is not of the right kind ({type(default).__name__})")
        return value

    def problem(self, value: Any) -> str:
        """'' when ``value`` can be kept, else one sentence that names the field."""
        try:
            self.checked(value)
        except ValueError as exc:
            text = sentence(exc)
            label = self.label or self.name
            return text if label.lower() in text.lower() else f"{label}: {text}"
        return ""


@dataclass(frozen=True)
class Section:
    """The settings of one part of the program. ``key`` names it; ``shown_in`` says where the
    user changes them (a Settings page's ``KEY``, or e.g. "view menu")."""

    key: str
    title: str
    settings: tuple[Setting, ...]
    shown_in: str = ""

    def __getitem__(self, name: str) -> Setting:
        for setting in self.settings:
            if setting.name == name:
                return setting
        raise KeyError(f"{name!r} is not a setting of the {self.key} section")

    def __iter__(self) -> Iterator[Setting]:
        return iter(self.settings)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.settings)

    def defaults(self) -> dict[str, Any]:
        return {s.name: s.default_value() for s in self.settings}

    def problems(self, values: dict[str, Any]) -> dict[str, str]:
        """One sentence per value of this section that cannot be kept, by setting name."""
        out = {}
        for name, value in values.items():
            text = self[name].problem(value)
            if text:
                out[name] = text
        return out


# -- the checks the sections share --------------------------------------------------------


def sentence(exc: BaseException) -> str:
    text = str(exc).strip()
    return text if text.endswith(".") else text + "."


def shown(value: Any) -> str:
    """A value as the settings file spells it (so a warning quotes what the user wrote)."""
    if isinstance(value, float):
        return f"{value:g}"
    try:
        return repr(value) if isinstance(value, str) else json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def number(value: Any, what: str, low: float, high: float, *, integer: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SettingsError(f"{shown(value)} is not {what}")
    if not math.isfinite(value) or not low <= value <= high:
        raise SettingsError(f"{value!r} is outside {low:g} to {high:g} ({what})")
    if integer and value != int(value):
        raise SettingsError(f"{value!r} is not a whole number ({what})")
    return int(value) if integer else float(value)


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise SettingsError(f"{shown(value)} is not text")
    return value


def flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise SettingsError(f"{shown(value)} is not true or false")
    return value


def choice(options: tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in options:
            # quoted when one of them is '' (else it would not show)
            listed = ", ".join(repr(o) for o in options) if "" in options else ", ".join(options)
            raise SettingsError(f"{shown(value)} is not one of {listed}")
        return value

    return check


def text_table(what: str) -> Callable[[Any], dict[str, str]]:
    """An object of text keys and text values (e.g. filter codes and wheel names)."""

    def check(value: Any) -> dict[str, str]:
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise SettingsError(f"{shown(value)} is not an object of {what} (text)")
        return dict(value)

    return check


def ranged(low: float, high: float, what: str, *, integer: bool = False) -> Callable[[Any], float]:
    return lambda value: number(value, what, low, high, integer=integer)
