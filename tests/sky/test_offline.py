"""astropy never reaches for the network: the engine runs a year ahead with sockets blocked."""

from __future__ import annotations

import socket
import time

import numpy as np
import pytest


@pytest.fixture
def no_sockets(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the sky engine tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_engine_a_year_ahead_without_network(no_sockets):
    from astropy.utils import iers
    from astropy.utils.data import conf

    from planner.sky import Site, compute_observability

    a_year_ahead = time.time() + 400 * 86400
    obs = compute_observability(np.array([10.0, 200.0]), np.array([40.0, -20.0]), Site(52.0, 4.0), a_year_ahead)
    # configured by the engine before its first IERS look-up
    assert conf.allow_internet is False
    assert iers.conf.auto_max_age is None
    assert iers.conf.auto_download is False
    assert obs.night.status in {"SUN_IS_UP", "SUN_IS_DOWN"}
    assert np.isfinite(obs.altitude).all()
