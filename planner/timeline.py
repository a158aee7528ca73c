"""The start-up timeline: named moments since the process started, printed by ``planner --debug``.

``mark("window shown")`` records a moment (seconds since the interpreter started, read from
the operating system where it says, else since this module was first imported); with
``enable()`` each mark is also printed on stderr as it happens, and ``summary()`` lists
them. Qt-free and import-free (the bottom layer), so the entry point can mark its very
first moments, before Qt, numpy or astropy load.
"""

from __future__ import annotations

import os
import sys
import threading
import time

__all__ = ["Mark", "enable", "enabled", "first", "mark", "marks", "process_age", "since_start", "summary"]


def process_age() -> float | None:
    """Seconds since this process started, from the operating system (Linux: /proc), or None."""
    try:
        with open("/proc/self/stat", "rb") as handle:
            stat = handle.read().decode("ascii", "replace")
        with open("/proc/uptime", "rb") as handle:
            uptime = float(handle.read().split()[0])
        # field 22 (starttime, clock ticks after boot), counted after the ")" that ends the name
        started = int(stat.rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None
    return max(0.0, uptime - started)


# The timeline's zero: the process start where the system tells it, else this import.
_age = process_age()
_ZERO = time.monotonic() - (_age if _age is not None else 0.0)
_lock = threading.Lock()
_marks: list["Mark"] = []
_enabled = False


class Mark(tuple):
    """(seconds since start, label)."""

    __slots__ = ()

    def __new__(cls, seconds: float, label: str):
        return super().__new__(cls, (float(seconds), str(label)))

    @property
    def seconds(self) -> float:
        return self[0]

    @property
    def label(self) -> str:
        return self[1]

    def line(self) -> str:
        return f"startup {self.seconds:7.3f} s  {self.label}"


def since_start() -> float:
    return time.monotonic() - _ZERO


def mark(label: str) -> Mark:
    """Record a moment of the start (and print it when enabled)."""
    entry = Mark(since_start(), label)
    with _lock:
        _marks.append(entry)
    if _enabled:
        print(entry.line(), file=sys.stderr, flush=True)
    return entry


def enable(on: bool = True) -> None:
    """Print marks on stderr from now on (the ones already made first)."""
    global _enabled
    with _lock:
        earlier = list(_marks) if on and not _enabled else []
        _enabled = bool(on)
    for entry in earlier:
        print(entry.line(), file=sys.stderr, flush=True)


def enabled() -> bool:
    return _enabled


def marks() -> list[Mark]:
    with _lock:
        return list(_marks)


def first(label: str) -> Mark | None:
    """The first mark with this label, or None."""
    return next((m for m in marks() if m.label == label), None)


def summary() -> str:
    return "\n".join(m.line() for m in marks())
