"""One declaration per service: the HTTP policy, credentials, error hints, Settings and
`planner keys` all read the same facts, and every caller resolves a base URL the same way."""

from __future__ import annotations

import inspect

import pytest

from planner.config import Settings
from planner.services import credentials, registry
from planner.services.client import ServiceClient
from planner.services.errors import NotAuthorisedError
from planner.services.http import POLICIES


def test_every_service_in_order_each_declared_in_its_own_module():
    assert registry.SERVICE_KEYS == ("aavso", "astrobin", "nasa", "astrometry", "arcsecond", "vsp", "vsx")
    for key, declaration in registry.DECLARATIONS.items():
        cls = registry.client_class(key)
        assert cls.SERVICE is declaration
        assert inspect.getmodule(cls).SERVICE is declaration  # declared beside its client
        assert issubclass(cls, ServiceClient)


def test_the_http_policy_is_the_declaration():
    for key, declaration in registry.DECLARATIONS.items():
        policy = POLICIES[key]
        assert (policy.name, policy.expire_after, policy.hourly_budget, policy.min_interval) == (
            declaration.name, declaration.expire_after, declaration.hourly_budget, declaration.min_interval)
    assert "X-Arcsecond-API-Authorization" in POLICIES["arcsecond"].secret_headers


def test_credentials_and_error_hints_come_from_the_declarations():
    assert credentials.secrets_table() == {
        ("aavso", "key"): "PLANNER_AAVSO_KEY",
        ("astrobin", "key"): "PLANNER_ASTROBIN_KEY",
        ("astrobin", "secret"): "PLANNER_ASTROBIN_SECRET",
        ("astrometry", "key"): "PLANNER_ASTROMETRY_KEY",
        ("arcsecond", "key"): "PLANNER_ARCSECOND_KEY",
        ("arcsecond", "upload_key"): "PLANNER_ARCSECOND_UPLOAD_KEY",
    }
    hint = str(NotAuthorisedError("AstroBin", "refused the API key (HTTP 401)", service_key="astrobin"))
    assert "in Settings" in hint and "PLANNER_ASTROBIN_SECRET" in hint


def test_the_clients_mirror_each_other():
    """One constructor shape: the declared secrets in order, then base_url, then session."""
    for key, declaration in registry.DECLARATIONS.items():
        params = list(inspect.signature(registry.client_class(key).__init__).parameters)[1:]
        secrets = len(declaration.secrets)
        assert params[secrets:secrets + 2] == ["base_url", "session"], key
        assert all(
            p.kind is p.KEYWORD_ONLY
            for p in list(inspect.signature(registry.client_class(key).__init__).parameters.values())[secrets + 3:]
        ), key


def test_base_url_precedence(monkeypatch):
    settings = Settings(base_urls={"aavso": "https://example.invalid/api/"})
    assert registry.base_url("aavso", settings) == "https://example.invalid/api"  # settings, slash dropped
    assert registry.base_url("nasa", settings) == "https://images-api.nasa.gov"
    assert registry.base_url("aavso", settings, typed="https://typed.invalid/x") == "https://typed.invalid/x"
    monkeypatch.setenv("PLANNER_AAVSO_URL", "http://127.0.0.1:8000/v1")
    assert registry.base_url("aavso", settings) == "http://127.0.0.1:8000/v1"  # the environment wins
    assert registry.base_url("aavso", settings, typed="https://typed.invalid/x") == "http://127.0.0.1:8000/v1"


def test_from_settings_uses_the_one_resolution(monkeypatch, httpserver):
    monkeypatch.setenv("PLANNER_NASA_URL", httpserver.url_for("/nasa"))
    assert registry.client_class("nasa").from_settings(Settings()).session.base_url == httpserver.url_for("/nasa")


def test_unknown_service():
    with pytest.raises(KeyError, match="unknown service"):
        registry.declaration("flickr")
