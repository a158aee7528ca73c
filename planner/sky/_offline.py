"""Configure astropy so it never touches the network at run time.

Called once when :mod:`planner.sky` is imported: the IERS tables come from the
``astropy-iers-data`` package, they never expire, and astropy's downloader is off.
"""

from __future__ import annotations

_done = False


def configure_astropy_offline() -> None:
    global _done
    if _done:
        return
    from astropy.utils import iers
    from astropy.utils.data import conf as data_conf

    data_conf.allow_internet = False
    iers.conf.auto_download = False
    iers.conf.auto_max_age = None
    # Beyond the bundled table astropy extrapolates UT1-UTC instead of raising;
    # a warning, not an error, is the right outcome for planning a year ahead.
    iers.conf.iers_degraded_accuracy = "warn"
    _done = True
