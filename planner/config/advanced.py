"""Settings section "advanced": the reference-image cache's limit and the services'
addresses (Settings > Cache & advanced). The address's own rules beyond http(s) (https
off this computer) are the HTTP layer's (``planner.services.http.check_url``), which sits
above the settings; the page asks both."""

from __future__ import annotations

from typing import Any

from planner.config.section import Section, Setting, SettingsError, ranged, shown


def _base_urls(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise SettingsError(f"{shown(value)} is not an object of service addresses")
    for service, url in value.items():  # service keys are the registry's (planner.services)
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise SettingsError(f"the address of {service} ({shown(url)}) is not an http(s) address")
    return dict(value)


ADVANCED = Section("advanced", "Cache & advanced", (
    Setting("image_cache_mb", 500, label="Reference image cache limit", unit="MB", low=10, high=100_000,
            check=ranged(10, 100_000, "megabytes", integer=True)),
    # the addresses the user set, by service key; empty: the public service
    Setting("base_urls", default_factory=dict, label="Service addresses", check=_base_urls),
), shown_in="advanced")
