"""A stand-in for the AAVSO Target Tool API for window tests: it answers ``/targets`` and
``/nighttime`` for whatever site, limits and time it is asked (as the real service does,
per its API page: "If not provided, the user's settings are assumed"), computing the
answers with astropy's own AltAz frame on a five-minute grid (not with planner's engine), and
can be switched to fail: HTTP 500, HTTP 429 with the rate-limit headers, or an answer
computed for a fixed site whatever is asked (an account's telescope settings).

The rise and set times found on that grid and refined by linear interpolation are
within a few seconds of the engine's, far inside the cross-check's 120 s tolerance.
"""

from __future__ import annotations

import json
import threading
import time as _time
from dataclasses import dataclass, field

import numpy as np
from werkzeug import Request, Response

SAMPLE = (  # star_name, ra, dec, var_type, section: bright, well-known variables
    ("R Leo", 146.8895, 11.4289, "M", "Long Period Variables"),
    ("chi Cyg", 297.6414, 32.9142, "M", "Long Period Variables"),
    ("SS Cyg", 325.6785, 43.5861, "UGSS", "Cataclysmic Variables"),
    ("R CrB", 237.5579, 28.1568, "RCB", "Alerts & Campaigns"),
    ("T Cep", 317.2066, 68.4895, "M", "Long Period Variables"),
    ("omi Cet", 34.8366, -2.9776, "M", "Long Period Variables"),
)
EARTH_DAY = 86400.0


def _astropy_altitudes(ra, dec, lat, lon, times):
    """Apparent altitudes (deg), targets x times, from astropy's AltAz (standard refraction)."""
    import warnings

    from astropy import units as u
    from astropy.coordinates import AltAz, EarthLocation, SkyCoord, get_sun
    from astropy.time import Time

    from planner.sky._offline import configure_astropy_offline

    configure_astropy_offline()  # as planner runs astropy: bundled IERS tables, no download
    location = EarthLocation.from_geodetic(lon * u.deg, lat * u.deg, 0 * u.m)
    when = Time(times, format="unix")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stars = SkyCoord(np.asarray(ra)[:, None] * u.deg, np.asarray(dec)[:, None] * u.deg)
        alt = stars.transform_to(AltAz(obstime=when[None, :], location=location, pressure=1013.25 * u.hPa,
                                       temperature=10 * u.deg_C, relative_humidity=0.0, obswl=0.55 * u.um)).alt.deg
        # the Sun's centre, geometric (no refraction): AAVSO's sunaltitude applies the 0.833 deg itself
        sun = get_sun(when).transform_to(AltAz(obstime=when, location=location)).alt.deg
    return np.asarray(alt), np.asarray(sun)


def _crossings(times, values, level):
    """(time, rising?) where ``values`` cross ``level``, linearly interpolated."""
    d = values - level
    idx = np.nonzero(np.sign(d[:-1]) * np.sign(d[1:]) < 0)[0]
    out = []
    for i in idx:
        frac = d[i] / (d[i] - d[i + 1])
        out.append((float(times[i] + frac * (times[i + 1] - times[i])), bool(d[i + 1] > d[i])))
    return out


def answers(lat, lon, target_alt, sun_alt, when, sample=None):
    """(nighttime, targets) as the Target Tool API gives them for this site and moment
    (for the stars of ``sample``, the module's SAMPLE when None: read at each request)."""
    sample = SAMPLE if sample is None else sample
    times = when + 300.0 * np.arange(0, int(EARTH_DAY / 300) + 1)
    alt, sun = _astropy_altitudes([s[1] for s in sample], [s[2] for s in sample], lat, lon, times)
    level = sun_alt - 0.833
    sun_x = _crossings(times, sun, level)
    if sun[0] > level:
        sunset = next((t for t, rising in sun_x if not rising), None)
        sunrise = next((t for t, rising in sun_x if rising and sunset is not None and t > sunset), None)
        night = {"status": "SUN_IS_UP", "sunset": int(round(sunset)), "sunrise": int(round(sunrise))}
        start, end = sunset, sunrise
    else:
        sunrise = next(t for t, rising in sun_x if rising)
        night = {"status": "SUN_IS_DOWN", "sunrise": int(round(sunrise))}
        start, end = when, sunrise
    inside = (times >= start) & (times <= end)
    targets = []
    for k, (name, ra, dec, var_type, section) in enumerate(sample):
        t_in, a_in = times[inside], alt[k][inside]
        events = []
        if np.all(a_in > target_alt):
            events = [["TARGET_IS_ALWAYS_UP", None]]
        elif np.all(a_in <= target_alt):
            events = [["TARGET_IS_ALWAYS_DOWN", None]]
        else:
            for t, rising in _crossings(t_in, a_in, target_alt):
                events.append(["TARGET_RISES" if rising else "TARGET_SETS", int(round(t))])
        targets.append({
            "star_name": name, "ra": ra, "dec": dec, "var_type": var_type, "constellation": "",
            "min_mag": 12.0, "min_mag_band": "V", "max_mag": 6.0, "max_mag_band": "V", "period": 300.0,
            "obs_cadence": 7, "obs_mode": "All", "obs_section": [section], "filter": "V", "other_info": "",
            "priority": False, "last_data_point": when - 10 * EARTH_DAY, "observability_times": events,
            "solar_conjunction": False,
        })
    return night, targets


@dataclass
class StandIn:
    """The service's state: what to do with the next requests, and what it was asked."""

    fault: str | None = None  # None, "500", "429", or "fixed-site"
    fixed_site: tuple[float, float, float, float] = (52.0, 4.0, 20.0, -12.0)
    retry_after_s: int = 1800
    asked: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handler(self, request: Request) -> Response:
        args = {k: request.args.getlist(k) if k == "obs_section" else request.args[k] for k in request.args}
        path = request.path.rstrip("/").rsplit("/", 1)[-1]
        with self.lock:
            self.asked.append({"path": path, **args})
            fault = self.fault
        headers = {"X-Rate-Limit-Limit": "1000", "X-Rate-Limit-Remaining": "990",
                   "X-Rate-Limit-Reset": str(self.retry_after_s)}
        if fault == "500":
            return Response("<html><body>Internal Server Error</body></html>", status=500, content_type="text/html")
        if fault == "429":
            headers["X-Rate-Limit-Remaining"] = "0"
            headers["Retry-After"] = str(self.retry_after_s)
            return Response(json.dumps({"error": "Too many requests"}), status=429, headers=headers,
                            content_type="application/json")
        if fault == "fixed-site":
            lat, lon, target_alt, sun_alt = self.fixed_site
        else:
            lat, lon = float(args["latitude"]), float(args["longitude"])
            target_alt = float(args.get("targetaltitude", 20.0))
            sun_alt = float(args.get("sunaltitude", -12.0))
        when = float(args.get("time", _time.time()))
        night, targets = answers(lat, lon, target_alt, sun_alt, when)
        body = night if path == "nighttime" else {"targets": targets}
        return Response(json.dumps(body), status=200, headers=headers, content_type="application/json")

    def requests_to(self, path: str) -> list[dict]:
        with self.lock:
            return [a for a in self.asked if a["path"] == path]


def serve(httpserver, monkeypatch) -> StandIn:
    """Route the AAVSO client to a stand-in on ``httpserver`` with a key set."""
    standin = StandIn()
    httpserver.expect_request("/targets").respond_with_handler(standin.handler)
    httpserver.expect_request("/nighttime").respond_with_handler(standin.handler)
    monkeypatch.setenv("PLANNER_AAVSO_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("PLANNER_AAVSO_KEY", "test-key-1234")
    return standin
