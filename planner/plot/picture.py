"""What one picture of the night chart depends on and what comes back, without matplotlib:
``ChartState`` (the window makes one per change), ``Picture`` (the pixels, the hover
snapshot and the curves as drawn) and ``CurveInfo``.

The window's process imports this module, never matplotlib; ``planner.plot.render`` turns
states into pictures in the helper process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timezone, tzinfo

import numpy as np

from planner.plot.hover import HoverSnapshot
from planner.plot.palette import Theme
from planner.plot.palette import theme as get_theme
from planner.sky.types import Observability

KEEP = "same night as before"  # sent instead of an unchanged Observability
NEED_NIGHT = "send the night again"  # the answer to KEEP from a helper that holds no night for the chart


@dataclass(frozen=True, eq=False)
class ChartState:
    """Everything one picture of the chart depends on; the GUI thread makes a new one per change."""

    obs: Observability | None = None
    names: tuple[str, ...] = ()
    selection: tuple[int, ...] = ()
    theme: Theme = field(default_factory=lambda: get_theme("light"))
    tz: tzinfo = timezone.utc
    tz_label: str = "UTC"
    now: float | None = None
    plan_blocks: tuple[tuple[float, float, str], ...] = ()
    flips: tuple[tuple[float, str], ...] = ()  # (unix, label): meridian flips inside the plan's blocks
    events: tuple[tuple[int, float, float, float, str], ...] = ()  # planner.plot.night.EventMark
    width: int = 800  # logical pixels
    height: int = 360
    dpr: float = 1.0  # device pixels per logical pixel

    def same(self, other: "ChartState | None", *names: str) -> bool:
        """Whether ``other`` has the same ``names`` fields (all when none given); the night by identity."""
        if other is None:
            return False
        for name in names or ("obs", "names", "selection", "theme", "tz", "tz_label", "now",
                              "plan_blocks", "flips", "events", "width", "height",
                              "dpr"):
            a, b = getattr(self, name), getattr(other, name)
            if not (a is b if name == "obs" else a == b):
                return False
        return True


@dataclass(frozen=True)
class CurveInfo:
    """One target curve as drawn: enough to check what the picture shows."""

    label: str
    gid: str
    color: str
    linestyle: object
    xdata: np.ndarray
    ydata: np.ndarray


@dataclass
class Picture:
    """What the drawing process returns for one ChartState."""

    width: int
    height: int
    rgba: bytes
    snapshot: HoverSnapshot
    curves: tuple[CurveInfo, ...]
    pid: int
    seconds: float


# -- what the window sends to the helper's draw lane (``planner.app.helper``) -----------------
# Module-level functions of this matplotlib-free module, so that the window can name them in a
# call (pickle sends a function by its module and name) without loading matplotlib itself.


def draw_in_helper(client: str, state: ChartState, night) -> "Picture | str":
    """``planner.plot.render.render_for``, in the helper."""
    from planner.plot.render import render_for

    return render_for(client, state, night)


def forget_in_helper(client: str) -> bool:
    from planner.plot.render import forget

    return forget(client)


def charts_in_helper() -> list[str]:
    """The charts the helper holds a figure for."""
    from planner.plot.render import client_names

    return client_names()
