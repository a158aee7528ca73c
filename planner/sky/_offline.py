"""Configure astropy so it never touches the network at run time.

Called by every module of planner that uses astropy, before it does (the engine before its
first IERS look-up, ``planner.sky.constraints`` before astroplan, ``planner.sky.field`` when
imported): the
IERS tables come from the ``astropy-iers-data`` package, they never expire, and astropy's
downloader is off.
"""

from __future__ import annotations

import warnings

_done = False


def quiet_astropy_config_warnings() -> None:
    """astropy warns on stderr when ``XDG_CONFIG_HOME``/``XDG_CACHE_HOME`` name a folder that
    does not exist yet (a new user's, before any program made it) and then uses ~/.astropy:
    nothing for a user of planner to act on, since planner reads no astropy configuration."""
    for variable in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        warnings.filterwarnings("ignore", message=f"{variable} is set to .*, but no such file or directory",
                                category=UserWarning)


def configure_astropy_offline() -> None:
    global _done
    if _done:
        return
    quiet_astropy_config_warnings()
    from astropy.utils import iers
    from astropy.utils.data import conf as data_conf

    data_conf.allow_internet = False
    iers.conf.auto_download = False
    iers.conf.auto_max_age = None
    # Beyond the bundled table astropy extrapolates UT1-UTC instead of raising;
    # a warning, not an error, is the right outcome for planning a year ahead.
    iers.conf.iers_degraded_accuracy = "warn"
    _done = True
