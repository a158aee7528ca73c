"""Headless sub-commands, one module each, all registered in ``COMMANDS``.

Each module defines ``register(subparsers)``, which adds its parser and sets ``func``;
``planner.cli`` registers them in the order of ``COMMANDS`` (the order ``planner --help``
lists them). A new command is a new module here plus one entry in ``COMMANDS``. Handlers
call the Qt-free ``planner.app`` layer and below, never ``planner.ui``, and keep heavy
imports (astropy, requests) inside the handlers so ``planner --help`` stays fast.
"""

from planner.commands import (
    aavso,
    arcsecond,
    crosscheck,
    events,
    export,
    images,
    keys,
    night,
    observe,
    outlook,
    plan,
    site,
    solve,
    targets,
    tonight,
    vsp,
    vsx,
)
from planner.commands.common import (
    CommandError,
    join_dash_values,
    value_may_start_with_dash,
)

# The everyday commands first, then the rest alphabetically.
COMMANDS = (tonight, night, targets, outlook, events, site, aavso, arcsecond, crosscheck, export, images, keys,
            observe, plan, solve, vsp, vsx)

__all__ = ["COMMANDS", "CommandError", "join_dash_values", "value_may_start_with_dash"]
