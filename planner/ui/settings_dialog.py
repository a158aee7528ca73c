"""The Settings dialog: the site and its limits, the services' keys and addresses, the cache.

Every field is checked as it is typed, with the reason shown next to it; OK stays disabled
until everything is valid, and nothing is saved before OK. The site is validated by
``planner.sky.Site`` itself, so the dialog and the rest of the program agree on what a
valid site is. Keys go to the OS keyring (``planner.services.credentials``), never to the
settings file. "Test connection" asks each service with the values typed, in a worker.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from planner.config import Settings, save_settings
from planner.errors import PlannerError
from planner.sky.site import Site, SiteError, timezone_at
from planner.ui.workers import LatestRunner

log = logging.getLogger(__name__)

TZ_DEBOUNCE_MS = 300

# Site fields: (attribute of Settings and Site, label, unit)
SITE_FIELDS = (
    ("latitude", "Latitude", "°"),
    ("longitude", "Longitude", "°"),
    ("elevation", "Elevation", "m"),
    ("target_altitude", "Target altitude", "°"),
    ("sun_altitude", "Sun altitude", "°"),
)
# Values the other fields take while one field is checked on its own.
_NEUTRAL_SITE = dict(latitude=0.0, longitude=0.0, elevation=0.0, target_altitude=20.0, sun_altitude=-5.0)

_SEXAGESIMAL = re.compile(r"^([+-]?)\s*(\d+(?:\.\d+)?)(?:\s+(\d+(?:\.\d+)?))?(?:\s+(\d+(?:\.\d+)?))?\s*([NSEW]?)$")
_ANGLE_MARKS = str.maketrans({"°": " ", "d": " ", "'": " ", "′": " ", '"': " ", "″": " ", ":": " ", "m": " ", "s": " "})


def parse_number(text: str, *, angle: bool = False) -> float | str:
    """A float from a field's text, or the text itself when it is not a number.

    Accepts a decimal comma ("52,5") and, for angles, sexagesimal forms with an optional
    hemisphere ("52:30:00", "52°30'", "4 30 W"). The caller passes a non-number on to
    ``Site`` so that the message is the one the rest of the program uses.
    """
    raw = text.strip()
    candidate = raw.replace(",", ".") if raw.count(",") == 1 and "." not in raw else raw
    try:
        return float(candidate)
    except ValueError:
        pass
    if angle:
        upper = candidate.strip().upper()
        hemisphere = upper[-1] if upper[-1:] in ("N", "S", "E", "W") else ""
        body = upper[:-1] if hemisphere else upper
        m = _SEXAGESIMAL.match(" ".join(body.lower().translate(_ANGLE_MARKS).split()) + hemisphere)
        if m and (m.group(3) or m.group(5) or body != candidate):
            sign, d, mi, s, hemi = m.groups()
            value = float(d) + float(mi or 0) / 60.0 + float(s or 0) / 3600.0
            if (mi and float(mi) >= 60) or (s and float(s) >= 60):
                return raw
            if sign == "-" or hemi.upper() in ("S", "W"):
                value = -value
            return value
    return raw


def describe_offset(tzname: str, when: datetime | None = None) -> str:
    try:
        zone = ZoneInfo(tzname)
    except Exception:  # noqa: BLE001
        return tzname
    now = when or datetime.now(tz=zone)
    offset = now.astimezone(zone).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "−"
    return f"{tzname} (UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d} now)"


# -- connection tests (run in a worker thread; no Qt in here) --------------------------


def check_connection(service: str, base_url: str, secrets: dict[str, str], settings: Settings) -> str:
    """Ask a service one small question with the typed key and address; its answer as text.

    Raises the client's ``ServiceError`` (or another ``PlannerError``) when it fails.
    """
    from planner.services import registry

    return registry.check_connection(service, secrets, base_url, settings)


# -- the dialog ------------------------------------------------------------------------


class _Field:
    """A line edit with the message line under it."""

    def __init__(self, edit: QLineEdit, message: QLabel):
        self.edit = edit
        self.message = message
        self.error: str = ""

    def set_error(self, error: str) -> None:
        self.error = error
        self.message.setText(error)
        self.message.setVisible(bool(error))
        self.edit.setProperty("invalid", bool(error))
        self.edit.setToolTip(error)
        # re-polish so the stylesheet's [invalid="true"] border follows the property
        style = self.edit.style()
        style.unpolish(self.edit)
        style.polish(self.edit)


def _message_label() -> QLabel:
    label = QLabel()
    label.setProperty("role", "error")
    label.setWordWrap(True)
    label.setVisible(False)
    return label


def _with_message(edit: QWidget, message: QLabel) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(1)
    layout.addWidget(edit)
    layout.addWidget(message)
    return box


class SettingsDialog(QDialog):
    """Edit ``settings``; on OK they are saved and ``result_settings()`` returns them."""

    def __init__(self, settings: Settings, parent: QWidget | None = None, *,
                 connection_check: Callable[..., str] = check_connection) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setModal(True)
        self._original = settings
        self._result: Settings | None = None
        self._check_connection = connection_check
        self.fields: dict[str, _Field] = {}
        self.secret_edits: dict[tuple[str, str], _Field] = {}
        self._initial_secrets: dict[tuple[str, str], str] = {}
        self.url_fields: dict[str, _Field] = {}
        self.test_buttons: dict[str, QPushButton] = {}
        self.test_results: dict[str, QLabel] = {}
        self._runners: dict[str, LatestRunner] = {}

        tabs = QTabWidget()
        tabs.addTab(self._site_page(settings), "Site")
        from planner.ui.settings_exports import TITLE as EXPORTS_TITLE, ExportsPage

        self.exports_page = ExportsPage(settings)
        self.exports_page.changed.connect(self.validate)
        tabs.addTab(self.exports_page, EXPORTS_TITLE)
        services = QScrollArea()
        services.setWidgetResizable(True)
        services.setFrameShape(QScrollArea.Shape.NoFrame)
        services.setWidget(self._services_page())  # answers can run to two lines: let the page grow
        tabs.addTab(services, "Services")
        tabs.addTab(self._advanced_page(settings), "Cache && advanced")
        self.tabs = tabs

        self.problems = QLabel()
        self.problems.setProperty("role", "error")
        self.problems.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(tabs, 1)
        layout.addWidget(self.problems)
        layout.addWidget(self.buttons)

        self._tz_runner = LatestRunner("timezone", self)
        self._tz_runner.finished.connect(self._on_timezone)
        self._tz_runner.failed.connect(lambda _g, exc: self.timezone_label.setText(f"unknown ({exc})"))
        self._tz_timer = QTimer(self)
        self._tz_timer.setSingleShot(True)
        self._tz_timer.setInterval(TZ_DEBOUNCE_MS)
        self._tz_timer.timeout.connect(self._lookup_timezone)
        self._last_coordinates: tuple[float, float] | None = None

        self.validate()
        self._lookup_timezone()
        self.resize(640, 640)

    # -- pages -----------------------------------------------------------------------

    def _site_page(self, s: Settings) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.name_edit = QLineEdit(s.site_name)
        self.name_edit.setPlaceholderText("Unnamed: shown by its coordinates (e.g. Backyard, Leiden)")
        form.addRow("Site name", self.name_edit)
        hints = {
            "latitude": "Degrees, north positive: 52.1, 52:06:00 or 52°06' N",
            "longitude": "Degrees, east positive: 4.3, -71:06:35 or 71 06 35 W",
            "elevation": "Metres above sea level",
            "target_altitude": "Lowest altitude your telescope can observe (apparent, degrees)",
            "sun_altitude": "The Sun's altitude that ends dusk and starts dawn (AAVSO's sunaltitude)",
        }
        for key, label, unit in SITE_FIELDS:
            edit = QLineEdit(f"{getattr(s, key):g}")
            edit.setObjectName(key)
            edit.setPlaceholderText(hints[key])
            edit.setToolTip(hints[key])
            field = _Field(edit, _message_label())
            self.fields[key] = field
            edit.textChanged.connect(self.validate)
            if key in ("latitude", "longitude"):
                edit.textChanged.connect(lambda _t: self._tz_timer.start())
            form.addRow(f"{label} ({unit})", _with_message(edit, field.message))
            if key == "elevation":
                self.timezone_label = QLabel("…")
                self.timezone_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                self.timezone_label.setToolTip("Found from the coordinates; times are shown in this zone")
                form.addRow("Time zone", self.timezone_label)
        self.tolerance_spin = QDoubleSpinBox()
        self.tolerance_spin.setRange(1.0, 3600.0)
        self.tolerance_spin.setDecimals(0)
        self.tolerance_spin.setSuffix(" s")
        self.tolerance_spin.setValue(float(s.crosscheck_tolerance_s))
        self.tolerance_spin.setToolTip("Event times that differ from the AAVSO API's by more than this are flagged")
        form.addRow("Cross-check tolerance", self.tolerance_spin)
        return page

    def _services_page(self) -> QWidget:
        from planner.services import credentials
        from planner.services.registry import DECLARATIONS

        page = QWidget()
        layout = QVBoxLayout(page)
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
                field = _Field(edit, _message_label())
                self.secret_edits[(service, name)] = field
                self._initial_secrets[(service, name)] = initial
                edit.textChanged.connect(self.validate)
                form.addRow(label, _with_message(line, field.message))
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
        return page

    def _advanced_page(self, s: Settings) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
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
        self.image_cache_spin = QSpinBox()
        self.image_cache_spin.setRange(10, 100_000)
        self.image_cache_spin.setSuffix(" MB")
        self.image_cache_spin.setValue(int(s.image_cache_mb))
        cache_form.addRow("Reference image cache limit", self.image_cache_spin)
        layout.addWidget(cache_box)
        self._refresh_cache_size()

        urls_box = QGroupBox("Service addresses (advanced)")
        urls_form = QFormLayout(urls_box)
        note = QLabel("Leave empty for the public service. A PLANNER_<SERVICE>_URL environment variable wins over these.")
        note.setProperty("role", "hint")
        note.setWordWrap(True)
        urls_form.addRow(note)
        from planner.services.registry import DECLARATIONS

        for service, declaration in DECLARATIONS.items():
            edit = QLineEdit(s.base_urls.get(service, ""))
            edit.setObjectName(f"url_{service}")
            edit.setPlaceholderText(declaration.default_url)
            from_env = declaration.base_url_from_environment()
            if from_env:
                # The variable wins everywhere, the connection test included: show it.
                edit.setEnabled(False)
                edit.setText("")
                edit.setPlaceholderText(f"{from_env} (set by {declaration.url_env})")
            field = _Field(edit, _message_label())
            self.url_fields[service] = field
            edit.textChanged.connect(self.validate)
            urls_form.addRow(declaration.name, _with_message(edit, field.message))
        layout.addWidget(urls_box)
        layout.addStretch(1)
        return page

    # -- validation ------------------------------------------------------------------

    def _site_values(self) -> dict[str, float | str]:
        return {
            key: parse_number(self.fields[key].edit.text(), angle=key in ("latitude", "longitude"))
            for key, _label, _unit in SITE_FIELDS
        }

    def validate(self) -> bool:
        """Check every field, show each one's message, and enable OK only when all are valid."""
        values = self._site_values()
        for key, label, _unit in SITE_FIELDS:
            value = values[key]
            error = ""
            if isinstance(value, str) and not value:
                error = f"{label} is needed."
            else:
                try:
                    # one field at a time, so that every bad field gets its message at once;
                    # timezone="UTC" skips the (slow) time-zone lookup, done in a worker instead
                    Site(**{**_NEUTRAL_SITE, key: value}, timezone="UTC")
                except SiteError as exc:
                    error = str(exc)
            self.fields[key].set_error(error)
        for (service, name), field in self.secret_edits.items():
            text = field.edit.text().strip()
            error = ""
            if text and re.search(r"\s", text):
                error = "The key contains spaces or line breaks; paste only the key itself."
            field.set_error(error)
        for service, field in self.url_fields.items():
            field.set_error(self._url_error(service, field.edit.text().strip()))
        problems = [f.error for f in self._all_fields() if f.error] + self.exports_page.errors()
        self.problems.setText("" if not problems else "Fix the marked fields to save: " + problems[0]
                              + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
        self.ok_button.setEnabled(not problems)
        return not problems

    def _url_error(self, service: str, url: str) -> str:
        if not url:
            return ""
        from planner.services.errors import ServiceError
        from planner.services.http import check_url
        from planner.services.registry import DECLARATIONS

        if service not in DECLARATIONS:
            return ""
        try:
            check_url(DECLARATIONS[service].policy(), url.rstrip("/"))
        except ServiceError as exc:
            return exc.what[:1].upper() + exc.what[1:] + "."
        return ""

    def _all_fields(self) -> list[_Field]:
        return [*self.fields.values(), *self.secret_edits.values(), *self.url_fields.values()]

    def is_valid(self) -> bool:
        return self.ok_button.isEnabled()

    # -- time zone -------------------------------------------------------------------

    def _coordinates(self) -> tuple[float, float] | None:
        values = self._site_values()
        lat, lon = values["latitude"], values["longitude"]
        if isinstance(lat, float) and isinstance(lon, float) and not self.fields["latitude"].error \
                and not self.fields["longitude"].error:
            return lat, lon
        return None

    def _lookup_timezone(self) -> None:
        where = self._coordinates()
        if where is None:
            self.timezone_label.setText("— (needs a valid latitude and longitude)")
            return
        if self._keeps_timezone_override(where):
            self.timezone_label.setText(describe_offset(self._original.timezone) + " — set in the settings file")
            return
        self.timezone_label.setText("looking up…")
        self._tz_runner.submit(timezone_at, *where)

    def _on_timezone(self, _generation: int, name: str) -> None:
        if self._coordinates() is not None:
            self.timezone_label.setText(describe_offset(name))

    def _keeps_timezone_override(self, where: tuple[float, float]) -> bool:
        o = self._original
        return bool(o.timezone) and math.isclose(where[0], o.latitude) and math.isclose(where[1], o.longitude)

    # -- services --------------------------------------------------------------------

    def typed_secrets(self, service: str) -> dict[str, str]:
        from planner.services.registry import declaration

        out = {}
        for name in (secret.name for secret in declaration(service).secrets):
            field = self.secret_edits[(service, name)]
            text = field.edit.text().strip()
            if not field.edit.isEnabled():  # set by the environment
                from planner.services.credentials import get_secret

                text = get_secret(service, name) or ""
            if text:
                out[name] = text
        return out

    def typed_base_url(self, service: str) -> str:
        """The address the service would be asked at with what is typed: the same resolution as
        every other caller (``PLANNER_<SERVICE>_URL`` wins, then the field, then the default)."""
        from planner.services.registry import base_url

        return base_url(service, self._original, typed=self.url_fields[service].edit.text().strip() or None)

    def test_connection(self, service: str) -> None:
        """Ask the service in a worker; its answer (or the error's message) goes next to the button."""
        result = self.test_results[service]
        url_field = self.url_fields[service]
        if url_field.error:
            self._show_test_result(service, False, url_field.error)
            return
        runner = self._runners.get(service)
        if runner is None:
            runner = LatestRunner(f"test-{service}", self)
            runner.finished.connect(lambda _g, text, svc=service: self._show_test_result(svc, True, text))
            runner.failed.connect(lambda _g, exc, svc=service: self._show_test_result(svc, False, _error_text(exc)))
            runner.busy_changed.connect(lambda busy, svc=service: self.test_buttons[svc].setEnabled(not busy))
            self._runners[service] = runner
        result.setProperty("role", "hint")
        result.setText("Asking…")
        self._repolish(result)
        settings = self._original
        runner.submit(self._check_connection, service, self.typed_base_url(service),
                      self.typed_secrets(service), settings)

    def _show_test_result(self, service: str, ok: bool, text: str) -> None:
        label = self.test_results[service]
        label.setProperty("role", "ok" if ok else "error")
        label.setText(text)
        self._repolish(label)

    @staticmethod
    def _repolish(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    # -- cache -----------------------------------------------------------------------

    def _refresh_cache_size(self) -> None:
        try:
            from planner.services.http import cache_path, cache_size_bytes

            size = cache_size_bytes()
            self.cache_label.setText(f"{_human_size(size)} in {cache_path().parent}")
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

    # -- result ----------------------------------------------------------------------

    def build_settings(self) -> Settings:
        """The settings as typed (call only when ``validate()`` is True)."""
        values = self._site_values()
        o = self._original
        where = (float(values["latitude"]), float(values["longitude"]))
        base_urls = dict(o.base_urls)
        from planner.services.registry import declaration

        for service, field in self.url_fields.items():
            if not field.edit.isEnabled():  # set by the environment: the stored one stays
                continue
            url = field.edit.text().strip().rstrip("/")
            if url and url != declaration(service).default_url:
                base_urls[service] = url
            else:
                base_urls.pop(service, None)
        return self.exports_page.apply(dataclasses.replace(
            o,
            site_name=self.name_edit.text().strip(),
            latitude=where[0],
            longitude=where[1],
            elevation=float(values["elevation"]),
            target_altitude=float(values["target_altitude"]),
            sun_altitude=float(values["sun_altitude"]),
            timezone=o.timezone if self._keeps_timezone_override(where) else "",
            crosscheck_tolerance_s=float(self.tolerance_spin.value()),
            image_cache_mb=int(self.image_cache_spin.value()),
            base_urls=base_urls,
        ))

    def accept(self) -> None:
        """Save the settings, then the keys; a key that cannot go to the OS keyring never
        stops the rest from being saved: it is kept for this session and the user is told
        where keys can be kept instead."""
        if not self.validate():
            return
        from planner.services import credentials

        settings = self.build_settings()
        try:
            save_settings(settings)
        except (PlannerError, OSError) as exc:
            self._tell("warning", "Settings not saved", f"{_error_text(exc)}\n\nYour entries are kept; "
                       "fix the problem and press OK again.")
            return
        self._result = settings
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
                        label = self._secret_label(service, name)
                        self.key_notes.append(f"{label}: {credentials.where_keys_can_go(service, name)}.")
                else:
                    credentials.forget_secret(service, name)
            except PlannerError as exc:
                failed.append(_error_text(exc))
                continue
            self._initial_secrets[(service, name)] = new
        if failed:
            self._tell("warning", "Key not saved", "The other settings are saved. " + " ".join(failed)
                       + "\n\nFix the key and press OK again.")
            return
        if self.key_notes:
            self._tell("information", "Keys kept until you quit", "The settings are saved.\n\n"
                       + "\n\n".join(self.key_notes))
        super().accept()

    def _secret_label(self, service: str, name: str) -> str:
        from planner.services.registry import declaration

        d = declaration(service)
        return f"{d.name} {d.secret(name).label}"

    def _tell(self, kind: str, title: str, text: str) -> None:
        """A message box (``kind``: information or warning); tests replace it."""
        getattr(QMessageBox, kind)(self, title, text)

    def result_settings(self) -> Settings | None:
        """The settings saved by OK; None when the dialog was cancelled."""
        return self._result

    def done(self, result: int) -> None:
        for runner in (*self._runners.values(), self._tz_runner):
            runner.cancel()
        super().done(result)


def _error_text(exc: BaseException) -> str:
    from planner.services.credentials import redact_text

    return redact_text(str(exc) or exc.__class__.__name__)


def _human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "kB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"
