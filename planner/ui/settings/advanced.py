"""Settings > Cache & advanced: the web cache (its size, Clear), the reference-image cache's
limit, and each service's address (empty: the public service; a ``PLANNER_<SERVICE>_URL``
environment variable wins, and the field then shows it and is not editable). An address is
checked by the HTTP layer's own rules (``check_url``: http(s), https only off this computer).
"""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from planner.config import Settings
from planner.config.advanced import ADVANCED
from planner.ui.settings.page import Field, SettingsPage

# The service modules (requests, requests-cache) are imported inside the methods that use
# them, so the window shows before they load (start-up time).


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "kB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


class AdvancedPage(SettingsPage):
    KEY = "advanced"
    TITLE = "Cache && advanced"

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(settings, parent)
        from planner.services.registry import DECLARATIONS

        self.url_fields: dict[str, Field] = {}
        layout = QVBoxLayout(self)
        cache_box = QGroupBox("Web cache")
        cache_form = QFormLayout(cache_box)
        self.cache_label = QLabel()
        self.cache_label.setWordWrap(True)
        self.clear_cache_button = QPushButton("Clear")
        self.clear_cache_button.setToolTip("Delete every saved web answer; offline use then has nothing to fall back on")
        self.clear_cache_button.clicked.connect(self.clear_cache)
        row = QHBoxLayout()
        row.addWidget(self.cache_label, 1)
        row.addWidget(self.clear_cache_button)
        cache_form.addRow("HTTP cache", row)
        limit = ADVANCED["image_cache_mb"]  # range and label: the "advanced" settings section's
        self.image_cache_spin = QSpinBox()
        self.image_cache_spin.setRange(int(limit.low), int(limit.high))
        self.image_cache_spin.setSuffix(f" {limit.unit}")
        self.image_cache_spin.setValue(int(settings.image_cache_mb))
        cache_form.addRow(limit.label, self.image_cache_spin)
        layout.addWidget(cache_box)
        self._refresh_cache_size()

        urls_box = QGroupBox("Service addresses (advanced)")
        urls_form = QFormLayout(urls_box)
        note = QLabel("Leave empty for the public service. A PLANNER_<SERVICE>_URL environment variable wins over these.")
        note.setProperty("role", "hint")
        note.setWordWrap(True)
        urls_form.addRow(note)
        for service, declaration in DECLARATIONS.items():
            edit = QLineEdit(settings.base_urls.get(service, ""))
            edit.setObjectName(f"url_{service}")
            edit.setPlaceholderText(declaration.default_url)
            from_env = declaration.base_url_from_environment()
            if from_env:
                # The variable wins everywhere, the connection test included: show it.
                edit.setEnabled(False)
                edit.setText("")
                edit.setPlaceholderText(f"{from_env} (set by {declaration.url_env})")
            field = Field(edit)
            self.url_fields[service] = field
            edit.textChanged.connect(lambda _t: self.changed.emit())
            urls_form.addRow(declaration.name, field.with_message())
        layout.addWidget(urls_box)
        layout.addStretch(1)

    # -- addresses -----------------------------------------------------------------------

    def errors(self) -> list[str]:
        for service, field in self.url_fields.items():
            field.set_error(self.url_error(service))
        return [f.error for f in self.url_fields.values() if f.error]

    def url_error(self, service: str) -> str:
        """Why the address typed for ``service`` cannot be used ('' when it can, or is empty)."""
        from planner.services.errors import ServiceError
        from planner.services.http import check_url
        from planner.services.registry import DECLARATIONS

        url = self.url_fields[service].edit.text().strip() if service in self.url_fields else ""
        if not url or service not in DECLARATIONS:
            return ""
        try:
            check_url(DECLARATIONS[service].policy(), url.rstrip("/"))
        except ServiceError as exc:
            return exc.what[:1].upper() + exc.what[1:] + "."
        return ""

    def typed_base_url(self, service: str) -> str:
        """The address the service would be asked at with what is typed: the same resolution as
        every other caller (``PLANNER_<SERVICE>_URL`` wins, then the field, then the default)."""
        from planner.services.registry import base_url

        return base_url(service, self.original, typed=self.url_fields[service].edit.text().strip() or None)

    def apply(self, settings: Settings) -> Settings:
        from planner.services.registry import declaration

        base_urls = dict(settings.base_urls)
        for service, field in self.url_fields.items():
            if not field.edit.isEnabled():  # set by the environment: the stored one stays
                continue
            url = field.edit.text().strip().rstrip("/")
            if url and url != declaration(service).default_url:
                base_urls[service] = url
            else:
                base_urls.pop(service, None)
        return dataclasses.replace(settings, image_cache_mb=int(self.image_cache_spin.value()), base_urls=base_urls)

    # -- cache ---------------------------------------------------------------------------

    def _refresh_cache_size(self) -> None:
        try:
            from planner.services.http import cache_path, cache_size_bytes

            size = cache_size_bytes()
            self.cache_label.setText(f"{human_size(size)} in {cache_path().parent}")
            self.clear_cache_button.setEnabled(size > 0)
        except Exception as exc:  # noqa: BLE001 - the dialog must open even if the cache is odd
            self.cache_label.setText(f"size unknown ({exc.__class__.__name__})")

    def clear_cache(self) -> None:
        from planner.services.http import clear_cache

        try:
            clear_cache()
        except OSError as exc:
            QMessageBox.warning(self, "Clear cache", f"The cache could not be cleared: {exc}. Close other "
                                "planner windows and try again.")
        self._refresh_cache_size()
