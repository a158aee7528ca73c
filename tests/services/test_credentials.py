"""Secrets: env vars override the keyring, status never shows values, a broken keyring is handled."""

from __future__ import annotations

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError

from planner.services import credentials as C


class BrokenKeyring(KeyringBackend):
    priority = 1

    def get_password(self, service, username):
        raise KeyringError("locked")

    def set_password(self, service, username, password):
        raise KeyringError("locked")

    def delete_password(self, service, username):
        raise KeyringError("locked")


def test_keyring_round_trip(memory_keyring):
    assert C.get_secret("aavso") is None
    C.set_secret("aavso", "  abc123key  ")
    assert C.get_secret("aavso") == "abc123key"
    assert memory_keyring.store[("planner", "aavso_key")] == "abc123key"
    assert C.delete_secret("aavso") is True
    assert C.delete_secret("aavso") is False
    assert C.get_secret("aavso") is None


def test_env_overrides_keyring(monkeypatch):
    C.set_secret("astrobin", "from-keyring", name="secret")
    monkeypatch.setenv("PLANNER_ASTROBIN_SECRET", "from-env-var")
    assert C.get_secret("astrobin", "secret") == "from-env-var"
    status = {(s.service, s.name): s for s in C.secret_status()}
    assert status[("astrobin", "secret")].source == "env"
    assert status[("astrobin", "key")].source is None
    monkeypatch.delenv("PLANNER_ASTROBIN_SECRET")
    assert C.get_secret("astrobin", "secret") == "from-keyring"
    assert {s.source for s in C.secret_status("astrobin")} == {None, "keyring"}


def test_every_documented_env_var():
    assert set(C.secrets_table().values()) == {
        "PLANNER_AAVSO_KEY", "PLANNER_ASTROBIN_KEY", "PLANNER_ASTROBIN_SECRET", "PLANNER_ASTROMETRY_KEY",
        "PLANNER_ARCSECOND_KEY", "PLANNER_ARCSECOND_UPLOAD_KEY",
    }


def test_status_never_holds_values(monkeypatch):
    monkeypatch.setenv("PLANNER_AAVSO_KEY", "secret-value-123")
    assert "secret-value-123" not in repr(C.secret_status()) + str([s.to_json() for s in C.secret_status()])


def test_unknown_secret():
    with pytest.raises(C.CredentialError):
        C.get_secret("nope")


def test_broken_keyring(monkeypatch):
    keyring.set_keyring(BrokenKeyring())
    assert C.get_secret("aavso") is None  # the program runs on without the key
    with pytest.raises(C.CredentialError) as info:
        C.set_secret("aavso", "abcd1234")
    assert "PLANNER_AAVSO_KEY" in str(info.value) and "abcd1234" not in str(info.value)
    with pytest.raises(C.CredentialError):
        C.delete_secret("aavso")
    monkeypatch.setenv("PLANNER_AAVSO_KEY", "env-key-1")
    assert C.get_secret("aavso") == "env-key-1"


def test_fail_keyring_reported():
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    ok, reason = C.keyring_works()
    assert not ok and "environment" in reason


def test_set_rejects_empty_and_multiline():
    with pytest.raises(C.CredentialError):
        C.set_secret("aavso", "   ")
    with pytest.raises(C.CredentialError):
        C.set_secret("aavso", "abc\ndef")


def test_redact_text():
    C.register_secret("zz-topsecret-zz")
    assert C.redact_text("url?k=zz-topsecret-zz&x") == "url?k=***&x"


# -- planner keys --------------------------------------------------------------------------


def test_cli_keys_set_status_delete(monkeypatch, capsys, memory_keyring):
    import io
    import json

    from planner.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO("piped-secret-value-1\n"))
    assert main(["keys", "set", "astrobin", "--name", "secret"]) == 0
    captured = capsys.readouterr()
    assert "piped-secret-value-1" not in captured.out + captured.err
    assert json.loads(captured.out)["source"] == "keyring"
    assert memory_keyring.store[("planner", "astrobin_secret")] == "piped-secret-value-1"

    assert main(["keys", "status", "astrobin"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert {(s["name"], s["source"]) for s in status["secrets"]} == {("key", None), ("secret", "keyring")}

    assert main(["keys", "delete", "astrobin", "--name", "secret"]) == 0
    assert json.loads(capsys.readouterr().out)["deleted"] is True
    assert ("planner", "astrobin_secret") not in memory_keyring.store


def test_cli_keys_errors(monkeypatch, capsys):
    import io

    from planner.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["keys", "set", "aavso"]) == 2
    assert "no key was given" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("x1234567\n"))
    assert main(["keys", "set", "aavso", "--name", "secret"]) == 2
    assert "--name key" in capsys.readouterr().err


def test_cli_keys_set_warns_when_env_overrides(monkeypatch, capsys):
    import io

    from planner.cli import main

    monkeypatch.setenv("PLANNER_AAVSO_KEY", "env-key-55555")
    monkeypatch.setattr("sys.stdin", io.StringIO("stored-key-66666\n"))
    assert main(["keys", "set", "aavso"]) == 0
    captured = capsys.readouterr()
    assert "PLANNER_AAVSO_KEY" in captured.err and "env-key-55555" not in captured.out + captured.err
