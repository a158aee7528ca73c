"""API keys and secrets: environment variables first, then the OS keyring (service "planner").

Secrets never go into settings files, logs, exceptions, cache keys or output. Every value
this module hands out (and every key a client is given directly) is registered so that
``redact_text`` and the HTTP layer's log filter can blank it wherever it might leak.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from planner.errors import PlannerError
from planner.services.http.redaction import known_secrets, redact_text, register_secret

KEYRING_SERVICE = "planner"

# (service key, secret name) -> environment variable. The names are the keyring user names.
SECRETS: dict[tuple[str, str], str] = {
    ("aavso", "key"): "PLANNER_AAVSO_KEY",
    ("astrobin", "key"): "PLANNER_ASTROBIN_KEY",
    ("astrobin", "secret"): "PLANNER_ASTROBIN_SECRET",
    ("astrometry", "key"): "PLANNER_ASTROMETRY_KEY",
    ("arcsecond", "key"): "PLANNER_ARCSECOND_KEY",
    ("arcsecond", "upload_key"): "PLANNER_ARCSECOND_UPLOAD_KEY",
}

SERVICE_LABELS = {
    "aavso": "AAVSO Target Tool",
    "astrobin": "AstroBin",
    "astrometry": "nova.astrometry.net",
    "arcsecond": "Arcsecond",
}


class CredentialError(PlannerError):
    """A secret could not be stored, read or deleted; the message says what to do instead."""


def _check(service: str, name: str) -> str:
    try:
        return SECRETS[(service, name)]
    except KeyError:
        valid = ", ".join(f"{s}/{n}" for s, n in SECRETS)
        raise CredentialError(f"unknown secret '{service}/{name}'; known secrets are {valid}") from None


def env_var(service: str, name: str = "key") -> str:
    """The environment variable that overrides a secret."""
    return _check(service, name)


def _username(service: str, name: str) -> str:
    return f"{service}_{name}"


def _keyring_error(action: str, service: str, name: str, exc: Exception) -> CredentialError:
    return CredentialError(
        f"the OS keyring could not {action} the {SERVICE_LABELS.get(service, service)} {name} "
        f"({exc.__class__.__name__}); set the environment variable {_check(service, name)} instead"
    )


def get_secret(service: str, name: str = "key") -> str | None:
    """The secret from its environment variable, else the keyring, else None.

    A keyring that does not work counts as empty (the program keeps running without the key).
    """
    value = os.environ.get(_check(service, name), "").strip()
    if value:
        register_secret(value)
        return value
    try:
        import keyring

        value = keyring.get_password(KEYRING_SERVICE, _username(service, name))
    except Exception:  # noqa: BLE001 - any keyring backend failure means "not available"
        return None
    if value:
        register_secret(value)
        return value
    return None


def set_secret(service: str, value: str, name: str = "key") -> None:
    """Store a secret in the OS keyring; raises ``CredentialError`` with advice when it cannot."""
    _check(service, name)
    value = (value or "").strip()
    if not value:
        raise CredentialError("an empty secret cannot be stored; use 'planner keys delete' to remove one")
    if any(ch in value for ch in "\r\n\t"):
        raise CredentialError("the secret contains a line break or tab; paste only the key itself")
    register_secret(value)
    try:
        import keyring

        keyring.set_password(KEYRING_SERVICE, _username(service, name), value)
    except Exception as exc:  # noqa: BLE001
        raise _keyring_error("store", service, name, exc) from None
    _forget_answers(service)


def _forget_answers(service: str) -> None:
    """A changed key may belong to another account: its service's cached answers go."""
    from planner.services.http.cache import forget_service

    forget_service(service)


def delete_secret(service: str, name: str = "key") -> bool:
    """Remove a secret from the keyring; True when there was one. The env var is untouched."""
    _check(service, name)
    try:
        import keyring
        from keyring.errors import PasswordDeleteError

        try:
            keyring.delete_password(KEYRING_SERVICE, _username(service, name))
        except PasswordDeleteError:
            return False
        _forget_answers(service)
        return True
    except CredentialError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise _keyring_error("delete", service, name, exc) from None


@dataclass(frozen=True)
class SecretStatus:
    service: str
    name: str
    env_var: str
    source: str | None  # "env", "keyring" or None (not set); never the value

    @property
    def is_set(self) -> bool:
        return self.source is not None

    def to_json(self) -> dict:
        return {
            "service": self.service,
            "name": self.name,
            "env_var": self.env_var,
            "set": self.is_set,
            "source": self.source,
        }


def secret_status(service: str | None = None) -> list[SecretStatus]:
    """Which secrets are set and where (``env`` wins over ``keyring``), never the values."""
    result = []
    for (svc, name), var in SECRETS.items():
        if service is not None and svc != service:
            continue
        source = None
        if os.environ.get(var, "").strip():
            source = "env"
        else:
            try:
                import keyring

                if keyring.get_password(KEYRING_SERVICE, _username(svc, name)):
                    source = "keyring"
            except Exception:  # noqa: BLE001
                source = None
        result.append(SecretStatus(svc, name, var, source))
    return result


def keyring_works() -> tuple[bool, str]:
    """Whether a usable keyring backend is present, and its name or the reason it is not."""
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring):
            return False, "no OS keyring backend is available; use the PLANNER_* environment variables"
        return True, backend.__class__.__name__
    except Exception as exc:  # noqa: BLE001
        return False, f"the keyring does not work ({exc.__class__.__name__})"


__all__ = [
    "KEYRING_SERVICE",
    "SECRETS",
    "CredentialError",
    "SecretStatus",
    "delete_secret",
    "env_var",
    "get_secret",
    "keyring_works",
    "known_secrets",
    "redact_text",
    "register_secret",
    "secret_status",
    "set_secret",
]
