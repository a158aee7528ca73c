"""Every web service planner uses, in the order Settings, ``planner keys`` and the docs list
them: each one's declaration (``planner.services.declaration``), its client class, its base
URL as every caller resolves it, and the connection test Settings runs."""

from __future__ import annotations

from typing import Any, Mapping

from planner.services import aavso, arcsecond, astrobin, astrometry_net, nasa_images, vsp, vsx
from planner.services.declaration import ServiceDeclaration

_CLIENTS = {
    "aavso": aavso.AavsoClient,
    "astrobin": astrobin.AstrobinClient,
    "nasa": nasa_images.NasaImagesClient,
    "astrometry": astrometry_net.AstrometryNetClient,
    "arcsecond": arcsecond.ArcsecondClient,
    "vsp": vsp.VspClient,
    "vsx": vsx.VsxClient,
}
DECLARATIONS: dict[str, ServiceDeclaration] = {key: cls.SERVICE for key, cls in _CLIENTS.items()}
SERVICE_KEYS: tuple[str, ...] = tuple(DECLARATIONS)


def declaration(key: str) -> ServiceDeclaration:
    try:
        return DECLARATIONS[key]
    except KeyError:
        raise KeyError(f"unknown service {key!r}; known: {', '.join(SERVICE_KEYS)}") from None


def client_class(key: str):
    declaration(key)
    return _CLIENTS[key]


def base_url(key: str, settings=None, *, typed: str | None = None) -> str:
    """The address a service is asked at: its environment variable wins, then ``typed``
    (Settings' field while it is being edited), then the settings, then the default."""
    stored = typed if typed is not None and typed.strip() else None
    if stored is None and settings is not None:
        stored = (getattr(settings, "base_urls", None) or {}).get(key)
    return declaration(key).base_url(stored)


def secrets_table() -> dict[tuple[str, str], str]:
    """(service, secret name) -> environment variable, for every secret of every service."""
    return {(d.key, s.name): s.env_var for d in DECLARATIONS.values() for s in d.secrets}


def make_client(key: str, secrets: Mapping[str, str] | None = None, *, base: str | None = None, settings=None, **kw: Any):
    """A client built the one way every caller builds one: the secrets in the declared order,
    the resolved address, and what the service takes from the settings."""
    cls = client_class(key)
    values = [(secrets or {}).get(s.name) for s in declaration(key).secrets]
    return cls(*values, base_url=base or base_url(key, settings), **cls.settings_options(settings), **kw)


def check_connection(key: str, secrets: Mapping[str, str], base: str, settings=None) -> str:
    """Ask a service its small question with these secrets at this address (Settings)."""
    return make_client(key, secrets, base=base, settings=settings).check_connection()


__all__ = [
    "DECLARATIONS",
    "SERVICE_KEYS",
    "base_url",
    "check_connection",
    "client_class",
    "declaration",
    "make_client",
    "secrets_table",
]
