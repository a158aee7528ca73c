"""Settings > Services: each web service's keys, and "Test connection".

Keys go to the OS keyring (``planner.services.credentials``), never to the settings file,
and only once the settings are saved; without a working keyring a typed key is kept for
this session and the user is told where keys can be kept instead. A key set by an
environment variable is shown as such and not editable. "Test connection" asks the service
one small question (its declaration's ``check_connection``) with the key typed here and the
address typed on the Cache & advanced page, in a worker; the answer or the reason goes next
to the button.
"""

from __future__ import annotations

import re
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from planner.config import Settings
from planner.errors import PlannerError
from planner.ui.settings.page import Field, SettingsPage, Tell, error_text, repolish
from planner.ui.workers import LatestRunner

# The service modules (requests, requests-cache, keyring) are imported inside the methods
# that use them, so the window shows before they load (start-up time).


def check_connection(service: str, base_url: str, secrets: dict[str, str], settings: Settings) -> str:
    """Ask a service one small question with the typed key and address; its answer as text.
    Runs in a worker; raises the client's ``ServiceError`` (a ``PlannerError``) when it fails."""
    from planner.services import registry

    return registry.check_connection(service, secrets, base_url, settings)


class Addresses(Protocol):
    """Where a service would be asked with what is typed (the Cache & advanced page)."""

    def typed_base_url(self, service: str) -> str: ...

    def url_error(self, service: str) -> str: ...


class _SavedAddresses:
    """Without the advanced page: the addresses the settings resolve to."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def typed_base_url(self, service: str) -> str:
        from planner.services.registry import base_url

        return base_url(service, self.settings)

    def url_error(self, service: str) -> str:
        return ""


class ServicesPage(SettingsPage):
    KEY = "services"
    TITLE = "Services"
    SCROLLS = True  # answers can run to two lines: let the page grow

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(settings, parent)
        from planner.services import credentials
        from planner.services.registry import DECLARATIONS

        self.addresses: Addresses = _SavedAddresses(settings)
        self.secret_edits: dict[tuple[str, str], Field] = {}
        self._initial_secrets: dict[tuple[str, str], str] = {}
        self.test_buttons: dict[str, QPushButton] = {}
        self.test_results: dict[str, QLabel] = {}
        self._runners: dict[str, LatestRunner] = {}
        self.key_notes: list[str] = []

        layout = QVBoxLayout(self)
        statuses = {(st.service, st.name): st for st in credentials.secret_status()}
        keyring_ok, _backend = credentials.keyring_works()
        self.keyring_note = QLabel()
        self.keyring_note.setObjectName("keyring_note")
        self.keyring_note.setProperty("role", "hint")
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setVisible(not keyring_ok)
        self.keyring_note.setText(
            "No OS keyring works on this computer: keys typed here are used until you quit planner "
            "and then forgotten. To keep a key, set its environment variable (shown in each field's "
            "tooltip) before starting planner, or install and unlock a keyring service (GNOME "
            "Keyring, KWallet or another Secret Service)."
        )
        layout.addWidget(self.keyring_note)
        for service, declaration in DECLARATIONS.items():
            box = QGroupBox(declaration.name)
            form = QFormLayout(box)
            for secret in declaration.secrets:
                name, label = secret.name, secret.label
                edit = QLineEdit()
                edit.setObjectName(f"{service}_{name}")
                edit.setEchoMode(QLineEdit.EchoMode.Password)
                edit.setToolTip(f"Or set the environment variable {secret.env_var}, which wins")
                status = statuses.get((service, name))
                if status is not None and status.source == "env":
                    edit.setEnabled(False)
                    edit.setPlaceholderText(f"set by the environment variable {status.env_var}")
                    initial = ""
                else:
                    initial = credentials.get_secret(service, name) or ""
                    edit.setText(initial)
                    edit.setPlaceholderText(
                        "not set (stored in the OS keyring when you type one)" if keyring_ok
                        else f"not set (no keyring: kept until you quit, or set {secret.env_var})"
                    )
                reveal = QToolButton()
                reveal.setText("Show")
                reveal.setCheckable(True)
                reveal.setEnabled(edit.isEnabled())
                reveal.setToolTip("Show or hide the key")
                reveal.toggled.connect(
                    lambda on, e=edit: e.setEchoMode(QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password)
                )
                line = QWidget()
                line_layout = QHBoxLayout(line)
                line_layout.setContentsMargins(0, 0, 0, 0)
                line_layout.addWidget(edit, 1)
                line_layout.addWidget(reveal)
                field = Field(edit)
                self.secret_edits[(service, name)] = field
                self._initial_secrets[(service, name)] = initial
                edit.textChanged.connect(lambda _t: self.changed.emit())
                form.addRow(label, field.with_message(line))
            if not declaration.secrets:
                note = QLabel("No key needed.")
                note.setProperty("role", "hint")
                form.addRow(note)
            button = QPushButton("Test connection")
            button.setObjectName(f"test_{service}")
            button.setToolTip(f"Ask {declaration.name} for {declaration.connection_test}, with the key and "
                              "address typed here")
            result = QLabel()
            result.setWordWrap(True)
            result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            button.clicked.connect(lambda _c=False, svc=service: self.test_connection(svc))
            row = QHBoxLayout()
            row.addWidget(button)
            row.addWidget(result, 1)
            form.addRow(row)
            self.test_buttons[service] = button
            self.test_results[service] = result
            layout.addWidget(box)
        layout.addStretch(1)

    # -- checking ------------------------------------------------------------------------

    def errors(self) -> list[str]:
        for field in self.secret_edits.values():
            text = field.edit.text().strip()
            field.set_error("The key contains spaces or line breaks; paste only the key itself."
                            if text and re.search(r"\s", text) else "")
        return [f.error for f in self.secret_edits.values() if f.error]

    def typed_secrets(self, service: str) -> dict[str, str]:
        from planner.services.credentials import get_secret
        from planner.services.registry import declaration

        out = {}
        for name in (secret.name for secret in declaration(service).secrets):
            field = self.secret_edits[(service, name)]
            text = field.edit.text().strip()
            if not field.edit.isEnabled():  # set by the environment
                text = get_secret(service, name) or ""
            if text:
                out[name] = text
        return out

    # -- connection test -----------------------------------------------------------------

    def test_connection(self, service: str) -> None:
        """Ask the service in a worker; its answer (or the error's message) goes next to the button."""
        result = self.test_results[service]
        url_error = self.addresses.url_error(service)
        if url_error:
            self._show_test_result(service, False, url_error)
            return
        runner = self._runners.get(service)
        if runner is None:
            runner = LatestRunner(f"test-{service}", self)
            runner.finished.connect(lambda _g, text, svc=service: self._show_test_result(svc, True, text))
            runner.failed.connect(lambda _g, exc, svc=service: self._show_test_result(svc, False, error_text(exc)))
            runner.busy_changed.connect(lambda busy, svc=service: self.test_buttons[svc].setEnabled(not busy))
            self._runners[service] = runner
        result.setProperty("role", "hint")
        result.setText("Asking…")
        repolish(result)
        runner.submit(check_connection, service, self.addresses.typed_base_url(service),
                      self.typed_secrets(service), self.original)

    def _show_test_result(self, service: str, ok: bool, text: str) -> None:
        label = self.test_results[service]
        label.setProperty("role", "ok" if ok else "error")
        label.setText(text)
        repolish(label)

    # -- saving --------------------------------------------------------------------------

    def after_save(self, tell: Tell) -> bool:
        """The changed keys to the OS keyring; a key that cannot go there never stops the
        rest from being saved: it is kept for this session and the user is told where keys
        can be kept instead."""
        from planner.services import credentials

        self.key_notes = []
        failed = []
        for (service, name), field in self.secret_edits.items():
            if not field.edit.isEnabled():
                continue
            new = field.edit.text().strip()
            if new == self._initial_secrets[(service, name)]:
                continue
            try:
                if new:
                    if credentials.store_secret(service, new, name) == "session":
                        self.key_notes.append(f"{self._secret_label(service, name)}: "
                                              f"{credentials.where_keys_can_go(service, name)}.")
                else:
                    credentials.forget_secret(service, name)
            except PlannerError as exc:
                failed.append(error_text(exc))
                continue
            self._initial_secrets[(service, name)] = new
        if failed:
            tell("warning", "Key not saved", "The other settings are saved. " + " ".join(failed)
                 + "\n\nFix the key and press OK again.")
            return False
        if self.key_notes:
            tell("information", "Keys kept until you quit", "The settings are saved.\n\n" + "\n\n".join(self.key_notes))
        return True

    @staticmethod
    def _secret_label(service: str, name: str) -> str:
        from planner.services.registry import declaration

        d = declaration(service)
        return f"{d.name} {d.secret(name).label}"

    def stop(self) -> None:
        for runner in self._runners.values():
            runner.cancel()
