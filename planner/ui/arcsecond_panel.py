"""The Arcsecond dock: import the observing site and telescope, push tonight's plan to the
night log, and upload the night's FITS/XISF files to a dataset.

Works with the Arcsecond cloud (``https://api.arcsecond.io`` plus an observatory subdomain)
or an Arcsecond.local server (its own base URL). Every request runs in a worker; errors
become one line in the panel. The upload uses the client's resumable ``upload_files``: files
the dataset already holds (same name and size) are skipped, so after a failure the same
button sends only the rest and never a file twice.

A night log runs from local noon to the next local noon (Arcsecond's rule), so the night of
an observation at 01:30 local time is the *previous* calendar date: ``night_log_date``.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterable
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDockWidget,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from planner.app.nightlog import _entries, _field, night_log_date, plan_lines, push_plan_to_night_log
from planner.ui.listen import listen
from planner.ui.workers import LatestRunner

CLOUD_URL = "https://api.arcsecond.io"


# ----------------------------------------------------------------------------- pure helpers


def _default_client(settings):
    from planner.services.arcsecond import ArcsecondClient

    return ArcsecondClient.from_settings(settings)


# ----------------------------------------------------------------------------- dock


class ArcsecondDock(QDockWidget):
    """Arcsecond: site/telescope import, night-log push, dataset upload (see the module docstring)."""

    settings_changed = Signal(object)  # the saved Settings after an import
    message = Signal(str)
    upload_progress = Signal(str, int, int)  # file name, bytes sent, file size (GUI thread)
    upload_finished = Signal(object)  # UploadReport
    pushed = Signal(object)  # night-log summary dict

    def __init__(self, parent: QWidget | None = None, *, settings=None,
                 client_factory: Callable[[Any], Any] | None = None,
                 save: Callable[[Any], Any] | None = None, now: Callable[[], float] | None = None,
                 state=None):
        super().__init__("Arcsecond", parent)
        self.setObjectName("arcsecondDock")
        self._state = state
        if state is not None:
            settings = state.settings
        if settings is None:
            from planner.config import load_settings_or_defaults

            settings = load_settings_or_defaults()
        from planner.config import save_settings

        self.settings = settings
        self.client_factory = client_factory or _default_client
        self.save = save or save_settings
        self.now = now or (lambda: _dt.datetime.now(_dt.timezone.utc).timestamp())
        self.plan = None
        self.sites: list = []
        self.telescopes: list = []
        self.datasets: list = []
        self.last_report = None
        self._progress_relay = _Relay()
        self._progress_relay.progress.connect(self._on_file_progress)
        self.runner = LatestRunner("arcsecond", self)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.runner.busy_changed.connect(self._on_busy)
        self._pending = ""
        self._build()
        self.set_settings(settings)
        if state is not None:  # the window's night: its settings and the plan to push
            listen(self, state.settings_changed, self.set_settings)
            listen(self, state.plan_changed, self.set_plan)

    # -- layout

    def _build(self) -> None:
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)

        server = QGroupBox("Server", body)
        form = QFormLayout(server)
        self.server_combo = QComboBox(server)
        self.server_combo.addItem("Arcsecond cloud", "cloud")
        self.server_combo.addItem("Arcsecond.local", "local")
        self.server_combo.currentIndexChanged.connect(self._on_server_kind)
        self.url_edit = QLineEdit(server)
        self.url_edit.setPlaceholderText("http://arcsecond.local:8000")
        self.observatory_edit = QLineEdit(server)
        self.observatory_edit.setPlaceholderText("observatory subdomain")
        form.addRow("Server", self.server_combo)
        form.addRow("Base URL", self.url_edit)
        form.addRow("Observatory", self.observatory_edit)
        self.load_button = QPushButton("Load sites, telescopes and datasets", server)
        self.load_button.clicked.connect(self.load)
        form.addRow(self.load_button)
        layout.addWidget(server)

        site_box = QGroupBox("Site and telescope", body)
        site_form = QFormLayout(site_box)
        self.site_combo = QComboBox(site_box)
        self.site_combo.currentIndexChanged.connect(self._on_site)
        self.telescope_combo = QComboBox(site_box)
        self.site_info = QLabel(site_box)
        self.site_info.setWordWrap(True)
        self.import_button = QPushButton("Import into Settings", site_box)
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.import_selected)
        site_form.addRow("Site", self.site_combo)
        site_form.addRow("Telescope", self.telescope_combo)
        site_form.addRow(self.site_info)
        site_form.addRow(self.import_button)
        layout.addWidget(site_box)

        log_box = QGroupBox("Night log", body)
        log_form = QFormLayout(log_box)
        self.date_edit = QDateEdit(log_box)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.plan_label = QLabel("No plan yet.", log_box)
        self.plan_label.setWordWrap(True)
        self.push_button = QPushButton("Push the plan to this night log", log_box)
        self.push_button.clicked.connect(self.push_plan)
        log_form.addRow("Night of", self.date_edit)
        log_form.addRow(self.plan_label)
        log_form.addRow(self.push_button)
        layout.addWidget(log_box)

        upload_box = QGroupBox("Upload the night's files", body)
        upload_layout = QVBoxLayout(upload_box)
        row = QHBoxLayout()
        self.dataset_combo = QComboBox(upload_box)
        self.dataset_combo.setEditable(True)
        self.dataset_combo.lineEdit().setPlaceholderText("dataset (choose, or type a name to create one)")
        row.addWidget(self.dataset_combo, 1)
        upload_layout.addLayout(row)
        self.files_list = QListWidget(upload_box)
        self.files_list.setMaximumHeight(120)
        files_row = QHBoxLayout()
        self.add_files_button = QPushButton("Add files…", upload_box)
        self.add_files_button.clicked.connect(self._browse_files)
        self.clear_files_button = QPushButton("Clear", upload_box)
        self.clear_files_button.clicked.connect(self.files_list.clear)
        self.upload_button = QPushButton("Upload", upload_box)
        self.upload_button.clicked.connect(self.upload)
        files_row.addWidget(self.add_files_button)
        files_row.addWidget(self.clear_files_button)
        files_row.addStretch(1)
        files_row.addWidget(self.upload_button)
        self.file_label = QLabel(upload_box)
        self.progress = QProgressBar(upload_box)
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        upload_layout.addWidget(self.files_list)
        upload_layout.addLayout(files_row)
        upload_layout.addWidget(self.file_label)
        upload_layout.addWidget(self.progress)
        layout.addWidget(upload_box)

        self.message_label = QLabel(body)
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message_label)
        layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.setWidget(scroll)

    # -- inputs

    def set_settings(self, settings) -> None:
        self.settings = settings
        local = settings.base_urls.get("arcsecond", "") if isinstance(settings.base_urls, dict) else ""
        is_local = bool(local) and "api.arcsecond.io" not in local
        self.server_combo.setCurrentIndex(1 if is_local else 0)
        self.url_edit.setText(local if is_local else CLOUD_URL)
        self.observatory_edit.setText(settings.arcsecond_observatory or "")
        self._on_server_kind()
        self.date_edit.setDate(_qdate(self.tonight()))

    def set_plan(self, plan) -> None:
        """The plan to push (a ``planner.plan.Plan`` or a list of entries); its date picks the night."""
        self.plan = plan
        count = len(_entries(plan))
        self.plan_label.setText(f"{count} plan entr{'y' if count == 1 else 'ies'} to push." if count else "The plan is empty.")
        date = getattr(plan, "date", "")
        if isinstance(date, str) and date:
            try:
                self.date_edit.setDate(_qdate(_dt.date.fromisoformat(date)))
                return
            except ValueError:
                pass
        starts = [s for s in (_field(e, "start") for e in _entries(plan)) if isinstance(s, (int, float))]
        if starts:
            self.date_edit.setDate(_qdate(night_log_date(min(starts), self.timezone())))

    def set_target(self, _target) -> None:
        """Part of the panels' common interface; the Arcsecond panel does not follow the target."""

    def timezone(self) -> ZoneInfo:
        """The plan's site's time zone when a plan is set, else the settings' site's."""
        plan_tz = getattr(getattr(self.plan, "site", None), "tz", None)
        if plan_tz is not None:
            return plan_tz
        try:
            return self.settings.site().tz
        except Exception:  # noqa: BLE001 - an invalid site still has UTC
            return ZoneInfo("UTC")

    def tonight(self) -> _dt.date:
        return night_log_date(self.now(), self.timezone())

    def add_files(self, paths: Iterable[str | Path]) -> None:
        present = {self.files_list.item(i).text() for i in range(self.files_list.count())}
        for path in paths:
            text = str(path)
            if text not in present:
                self.files_list.addItem(text)
                present.add(text)

    def files(self) -> list[str]:
        return [self.files_list.item(i).text() for i in range(self.files_list.count())]

    def _browse_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Files to upload", "",
            "FITS/XISF (*.fits *.fit *.fts *.xisf *.fits.gz *.fit.gz *.xisf.gz *.fits.bz2 *.zip);;All files (*)")
        self.add_files(paths)

    def _on_server_kind(self, *_args) -> None:
        cloud = self.server_combo.currentData() == "cloud"
        self.url_edit.setEnabled(not cloud)
        self.observatory_edit.setEnabled(cloud)
        if cloud:
            self.url_edit.setText(CLOUD_URL)
        elif self.url_edit.text() == CLOUD_URL:
            self.url_edit.setText("")

    def _server_settings(self):
        """Settings with the server chosen in the panel (not saved until an import)."""
        cloud = self.server_combo.currentData() == "cloud"
        base_urls = dict(self.settings.base_urls or {})
        if cloud:
            base_urls.pop("arcsecond", None)
        elif self.url_edit.text().strip():
            base_urls["arcsecond"] = self.url_edit.text().strip().rstrip("/")
        return replace(self.settings, base_urls=base_urls,
                       arcsecond_observatory=self.observatory_edit.text().strip() if cloud else "")

    def _client(self):
        return self.client_factory(self._server_settings())

    # -- actions (each runs in the worker)

    def _run(self, what: str, func, *args) -> None:
        self._pending = what
        self._message(f"{what}…")
        self.runner.submit(func, *args)

    def load(self) -> None:
        self._run("Loading from Arcsecond", self._load_job)

    def _load_job(self):
        client = self._client()
        return "load", (client.sites(), client.telescopes(), client.datasets())

    def import_selected(self) -> None:
        index = self.site_combo.currentIndex()
        if not 0 <= index < len(self.sites):
            self._message("Load the sites first, then choose one.", error=True)
            return
        site = self.sites[index]
        telescope = self.telescope_combo.currentData()
        problems = []
        if site.latitude is None or site.longitude is None:
            problems.append("it has no coordinates")
        if problems:
            self._message(f"The site {site.name!r} cannot be imported: {', '.join(problems)}. Add them on Arcsecond.", error=True)
            return
        longitude = site.longitude if -180.0 <= site.longitude <= 180.0 else ((site.longitude + 180.0) % 360.0) - 180.0
        chosen = self._server_settings()
        extra = dict(chosen.extra or {})
        tel = next((t for t in self.telescopes if t.uuid == telescope), None)
        extra["arcsecond"] = {"site_uuid": site.uuid, "site_name": site.name,
                              "telescope_uuid": tel.uuid if tel else None, "telescope_name": tel.name if tel else ""}
        new = replace(chosen, site_name=site.name or chosen.site_name, latitude=float(site.latitude),
                      longitude=float(longitude), elevation=float(site.height if site.height is not None else chosen.elevation),
                      timezone="", extra=extra)
        try:
            new.site()  # validates, and finds the time zone from the coordinates
        except Exception as exc:  # noqa: BLE001 - SiteError names the field
            self._message(f"The site {site.name!r} cannot be used: {exc}", error=True)
            return
        try:
            self.save(new)
        except Exception as exc:  # noqa: BLE001 - a read-only config folder is a message, not a crash
            self._message(f"The settings could not be saved: {exc}", error=True)
            return
        self.settings = new
        what = f"Imported {site.name}" + (f" and {tel.name}" if tel else "") + " into Settings."
        self._message(what)
        self.settings_changed.emit(new)
        if self._state is not None:
            self._state.apply_settings(new)  # the window's site follows the imported one
        self.message.emit(what)
        self.date_edit.setDate(_qdate(self.tonight()))

    def push_plan(self) -> None:
        lines = plan_lines(self.plan, self.timezone())
        if not lines:
            self._message("The plan is empty: add targets to the plan first.", error=True)
            return
        arc = (self.settings.extra or {}).get("arcsecond", {}) if isinstance(self.settings.extra, dict) else {}
        qdate = self.date_edit.date()
        date = _dt.date(qdate.year(), qdate.month(), qdate.day())
        self._run(f"Pushing the plan to the night log of {date}", self._push_job, date, lines,
                  arc.get("site_uuid"), arc.get("telescope_uuid"))

    def _push_job(self, date, lines, site, telescope):
        return "push", push_plan_to_night_log(self._client(), date, lines, site=site, telescope=telescope)

    def upload(self) -> None:
        files = self.files()
        if not files:
            self._message("Add the night's FITS or XISF files first.", error=True)
            return
        choice = self.dataset_combo.currentText().strip()
        index = self.dataset_combo.currentIndex()
        dataset = self.dataset_combo.itemData(index) if index >= 0 and self.dataset_combo.itemText(index) == choice else None
        if not choice:
            self._message("Choose a dataset, or type a name for a new one.", error=True)
            return
        self.progress.setValue(0)
        self._upload_names = [Path(f).name for f in files]
        self._run(f"Uploading {len(files)} file(s)", self._upload_job, dataset, choice, files)

    def _upload_job(self, dataset_uuid, name, files):
        client = self._client()
        created = None
        if dataset_uuid is None:
            arc = (self.settings.extra or {}).get("arcsecond", {}) if isinstance(self.settings.extra, dict) else {}
            created = client.create_dataset(name, telescope=arc.get("telescope_uuid"))
            dataset_uuid = created.uuid
        relay = self._progress_relay
        report = client.upload_files(dataset_uuid, files, lambda f, sent, total: relay.progress.emit(f, sent, total))
        return "upload", (report, created, len(files))

    # -- results

    def _on_busy(self, busy: bool) -> None:
        for button in (self.load_button, self.import_button, self.push_button, self.upload_button):
            button.setEnabled(not busy and (button is not self.import_button or bool(self.sites)))

    def _on_finished(self, _generation: int, result) -> None:
        kind, value = result
        if kind == "load":
            self.sites, self.telescopes, self.datasets = value
            self.site_combo.blockSignals(True)
            self.site_combo.clear()
            for site in self.sites:
                self.site_combo.addItem(site.name or site.uuid, site.uuid)
            self.site_combo.blockSignals(False)
            self._on_site()
            current = self.dataset_combo.currentText()
            self.dataset_combo.clear()
            for dataset in self.datasets:
                self.dataset_combo.addItem(dataset.name or dataset.uuid, dataset.uuid)
            if current and not self.datasets:
                self.dataset_combo.setEditText(current)
            self.import_button.setEnabled(bool(self.sites))
            self._message(f"{len(self.sites)} site(s), {len(self.telescopes)} telescope(s), {len(self.datasets)} dataset(s).")
        elif kind == "push":
            verb = "Created" if value["created"] else "Updated"
            self._message(f"{verb} the night log of {value['date']} with {value['entries']} plan entr"
                          f"{'y' if value['entries'] == 1 else 'ies'}.")
            self.pushed.emit(value)
        elif kind == "upload":
            report, created, count = value
            self.last_report = report
            if created is not None:
                self.dataset_combo.addItem(created.name, created.uuid)
                self.dataset_combo.setCurrentIndex(self.dataset_combo.count() - 1)
                self.datasets.append(created)
            done = f"{len(report.uploaded)} uploaded, {len(report.skipped)} already there"
            if report.ok:
                self.progress.setValue(100)
                self._message(f"Upload complete: {done}.")
            else:
                name, error = report.failed[0] if report.failed else ("?", "stopped")
                left = len(report.failed) + len(report.remaining)
                settled = len(report.uploaded) + len(report.skipped)
                self.progress.setValue(int(100 * settled / max(settled + left, 1)))
                self.file_label.setText(f"{Path(name).name}: not accepted; {settled} of {settled + left} files are on Arcsecond")
                self._message(f"Upload stopped at {Path(name).name}: {error} ({done}). "
                              f"Press Upload again to send the {left} file(s) not yet sent.", error=True)
            self.upload_finished.emit(report)

    def _on_failed(self, _generation: int, exc: BaseException) -> None:
        from planner.errors import PlannerError

        text = str(exc) if isinstance(exc, PlannerError) else f"{self._pending} failed ({exc.__class__.__name__}); try again"
        self._message(text, error=True)
        self.message.emit(text)

    def _on_site(self, *_args) -> None:
        index = self.site_combo.currentIndex()
        self.telescope_combo.clear()
        if not 0 <= index < len(self.sites):
            self.site_info.setText("")
            return
        site = self.sites[index]
        own = [t for t in self.telescopes if t.uuid in site.telescopes or t.observing_site == site.uuid]
        self.telescope_combo.addItem("(none)", None)
        for tel in own:
            self.telescope_combo.addItem(f"{tel.name} ({tel.optical_design})" if tel.optical_design else tel.name, tel.uuid)
        if own:
            self.telescope_combo.setCurrentIndex(1)
        where = "no coordinates" if site.latitude is None or site.longitude is None else (
            f"{site.latitude:.4f}°, {site.longitude:.4f}°" + (f", {site.height:.0f} m" if site.height is not None else ""))
        self.site_info.setText(f"{site.name}: {where}" + (f" ({site.country})" if site.country else ""))

    def _on_file_progress(self, name: str, sent: int, total: int) -> None:
        percent = 100 if total <= 0 else int(100 * sent / total)
        names = getattr(self, "_upload_names", []) or [name]
        index = names.index(name) if name in names else 0
        # The bar shows the whole upload; the line above it the file being sent.
        self.progress.setValue(int(100 * (index + percent / 100) / len(names)))
        self.file_label.setText(f"{name}: {percent}% of {total:,} bytes sent (file {index + 1} of {len(names)})")
        self.upload_progress.emit(name, sent, total)

    def _message(self, text: str, *, error: bool = False) -> None:
        self.message_label.setText(("⚠ " + text) if error and text else text)
        self.message_label.setProperty("error", error)


class _Relay(QObject):
    """Carries upload progress from the worker thread to the GUI thread."""

    progress = Signal(str, int, int)


def _qdate(date: _dt.date) -> QDate:
    return QDate(date.year, date.month, date.day)


__all__ = ["ArcsecondDock", "night_log_date", "plan_lines", "push_plan_to_night_log"]
