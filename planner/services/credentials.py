"""API keys and secrets: environment variables first, then the OS keyring (service "planner").

Secrets never go into settings files, logs, exceptions, cache keys or output. Every value
this module hands out (and every key a client is given directly) is registered so that
``redact_text`` and the HTTP layer's log filter can blank it wherever it might leak.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from planner.errors import PlannerError
from planner.services.http.cache import forget_service
from planner.services.http.redaction import known_secrets, redact_text, register_secret

# keyring (about 0.1 s, more with its backends) is imported where a key is read or stored,
# not when the window or a command starts (start-up time); the registry inside the
# functions that read it, since it imports every client and they import this module (a cycle).

KEYRING_SERVICE = "planner"



def secrets_table() -> dict[tuple[str, str], str]:
    """(service, secret name) -> environment variable, from the services' declarations."""
    from planner.services.registry import secrets_table as table

    return table()


def _label(service: str) -> str:
    from planner.services.registry import DECLARATIONS

    declaration = DECLARATIONS.get(service)
    return declaration.name if declaration else service


class CredentialError(PlannerError):
    """A secret could not be stored, read or deleted; the message says what to do instead."""


def _check(service: str, name: str) -> str:
    try:
        return secrets_table()[(service, name)]
    except KeyError:
        valid = ", ".join(f"{s}/{n}" for s, n in secrets_table())
        raise CredentialError(f"unknown secret '{service}/{name}'; known secrets are {valid}") from None


def env_var(service: str, name: str = "key") -> str:
    """The environment variable that overrides a secret."""
    return _check(service, name)


def _username(service: str, name: str) -> str:
    return f"{service}_{name}"


def _keyring_error(action: str, service: str, name: str, exc: Exception) -> CredentialError:
    return CredentialError(
        f"the OS keyring could not {action} the {_label(service)} {name} "
        f"({exc.__class__.__name__}); set the environment variable {_check(service, name)} instead"
    )


# Keys typed in Settings on a computer without a working OS keyring: kept in memory until
# the program ends (they are never written anywhere else).
_session_secrets: dict[tuple[str, str], str] = {}


def get_secret(service: str, name: str = "key") -> str | None:
    """The secret from its environment variable, else this session's memory (no keyring),
    else the keyring, else None.

    A keyring that does not work counts as empty (the program keeps running without the key).
    """
    value = os.environ.get(_check(service, name), "").strip()
    if value:
        register_secret(value)
        return value
    if (service, name) in _session_secrets:
        return _session_secrets[(service, name)]
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
    forget_service(service)


def store_secret(service: str, value: str, name: str = "key") -> str:
    """Store a secret where it can be kept: the OS keyring, or, when there is none that works,
    this session's memory. Returns ``"keyring"`` or ``"session"``; raises ``CredentialError``
    only for a value that cannot be a key."""
    try:
        set_secret(service, value, name)
    except CredentialError:
        if not (value or "").strip() or any(ch in value for ch in "\r\n\t") or keyring_works()[0]:
            raise
        _session_secrets[(service, name)] = value.strip()
        _forget_answers(service)
        return "session"
    _session_secrets.pop((service, name), None)
    return "keyring"


def forget_secret(service: str, name: str = "key") -> None:
    """Remove a secret from this session and, when there is a working keyring, from it."""
    _check(service, name)
    had = _session_secrets.pop((service, name), None) is not None
    if keyring_works()[0]:
        delete_secret(service, name)
    elif had:
        _forget_answers(service)


def where_keys_can_go(service: str, name: str = "key") -> str:
    """Where a key can be kept when the OS keyring does not work, the window way first."""
    return (
        f"no OS keyring works here, so it is kept only until you quit planner. To keep it, set the "
        f"environment variable {_check(service, name)} before starting planner (for example in "
        "~/.profile), or install and unlock a keyring service (GNOME Keyring, KWallet or another "
        "Secret Service) and type the key in Settings again"
    )


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
    source: str | None  # "env", "session" (no keyring: until quit), "keyring" or None; never the value

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
    for (svc, name), var in secrets_table().items():
        if service is not None and svc != service:
            continue
        source = None
        if os.environ.get(var, "").strip():
            source = "env"
        elif (svc, name) in _session_secrets:
            source = "session"
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
    "CredentialError",
    "SecretStatus",
    "delete_secret",
    "forget_secret",
    "env_var",
    "get_secret",
    "keyring_works",
    "known_secrets",
    "redact_text",
    "register_secret",
    "secret_status",
    "secrets_table",
    "set_secret",
    "store_secret",
    "where_keys_can_go",
]
