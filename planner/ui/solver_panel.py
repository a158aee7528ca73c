"""The plate-solving dock: solve an image on nova.astrometry.net and say whether the target is in it.

``PlateSolveDock`` solves a local file (FITS, JPEG, PNG), an image URL, or a reference image
the images dock hands over (``solve_url``). Hints come from the selected target (centre
RA/Dec and a search radius) and from the telescope in Settings (focal length and pixel size
give the arcsec/pixel bounds); every documented upload option sits in the collapsible
"Advanced" section (the form: ``planner.ui.solve_form``; what the dock shows:
``planner.ui.solve_display``). The solve runs in a worker
(``planner.ui.solve_job``) that follows the client's ``solve`` / ``wait_for_solution``
generator (cancel sets its ``threading.Event``); each stage, the elapsed time and the
submission and job ids are shown, and the ids are remembered in
``data_dir()/plate_solves.json`` (``planner.app.solve``) so that a solve can be resumed
after a restart.

The result shows the calibration, the image with the annotations drawn at their pixel
positions (and the target's own position when the WCS places it), the objects in the field,
and the verdict (``planner.app.solve.target_verdict``): how far the target is from the field
centre and whether it lies inside the field. The verdict belongs to the target the solve was
submitted for (``solved_for``: name and coordinates, remembered with the submission so a
resumed solve keeps it); selecting another target afterwards does not change it ("Solved
for SS Cyg: ..."). A field far from that target (``planner.sky.field.far_limit_deg``) is
reported as not that target's field, without telescope offsets.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from planner.app.solve import load_solves, remember_solve, unfinished_solve
from planner.config import load_settings_or_defaults
from planner.errors import PlannerError
from planner.services.image_cache import ImageCache, ImageFetcher
from planner.ui.listen import listen
from planner.ui.solve_display import SolveDisplay
from planner.ui.solve_form import SolveForm
from planner.ui.night_filter import mark_image_widget
from planner.ui.solve_job import SolveJob, SolveResult, SolveSignals

def _target_record(target) -> dict:
    """What a solve remembers of its target: name and coordinates (degrees)."""
    return {"name": target.star_name or "", "ra": float(target.ra), "dec": float(target.dec)}


def _valid_record(record) -> dict | None:
    if not isinstance(record, dict):
        return None
    try:
        return {"name": str(record.get("name") or ""), "ra": float(record["ra"]), "dec": float(record["dec"])}
    except (KeyError, TypeError, ValueError):
        return None


def _default_client(settings):
    # The client module (requests, requests-cache) loads on the first solve (start-up time).
    from planner.services.astrometry_net import AstrometryNetClient

    return AstrometryNetClient.from_settings(settings)


class PlateSolveDock(SolveDisplay, QDockWidget):
    """Plate solving with nova.astrometry.net (see the module docstring)."""

    message = Signal(str)
    stage_changed = Signal(str)
    solved = Signal(object)  # SolveResult
    finished = Signal(str)  # final stage: solved | failed | cancelled | error

    def __init__(self, parent: QWidget | None = None, *, settings=None,
                 client_factory: Callable[[Any], Any] | None = None, poll_interval: float = 5.0,
                 timeout: float = 600.0, fetcher=None, state=None):
        super().__init__("Plate solving", parent)
        self.setObjectName("plateSolveDock")
        if state is not None:
            settings = state.settings
        if settings is None:
            settings = load_settings_or_defaults()
        self.settings = settings
        self.client_factory = client_factory or _default_client
        self.poll_interval, self.timeout = poll_interval, timeout
        self.fetcher = fetcher if fetcher is not None else ImageFetcher(ImageCache.from_settings(settings))
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self._signals = SolveSignals(self)
        self._signals.progress.connect(self._on_progress)
        self._signals.done.connect(self._on_done)
        self._signals.failed.connect(self._on_failed)
        self.generation = 0
        self._cancel = threading.Event()
        self._running = False
        self._started = 0.0
        self._entry: dict = {}
        self._target = None
        self.solved_for: dict | None = None  # {"name", "ra", "dec"} of the target the solve was submitted for
        self.result: SolveResult | None = None
        self.verdict = None
        self.stages_seen: list[str] = []
        self._elapsed_timer = QTimer(self)
        self._elapsed_timer.setInterval(250)
        self._elapsed_timer.timeout.connect(self._tick)
        self._build()
        self.set_settings(settings)
        self._offer_resume()
        app = QCoreApplication.instance()
        if app is not None:  # quitting mid-solve must not wait for the poll to time out
            app.aboutToQuit.connect(lambda: self.shutdown(0))  # quitting never waits for them
        if state is not None:  # the window's night: hints follow its selection and telescope
            listen(self, state.selection_changed, lambda _rows: self.set_target(state.current_target()))
            listen(self, state.settings_changed, self.set_settings)

    # -- layout

    def _build(self) -> None:
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)

        source_row = QHBoxLayout()
        self.source_edit = QLineEdit(body)
        self.source_edit.setPlaceholderText("image file (FITS, JPEG, PNG) or https:// address")
        self.browse_button = QPushButton("Browse…", body)
        self.browse_button.clicked.connect(self._browse)
        source_row.addWidget(self.source_edit, 1)
        source_row.addWidget(self.browse_button)
        layout.addLayout(source_row)

        self.form = SolveForm(body)
        layout.addWidget(self.form)

        actions = QHBoxLayout()
        self.solve_button = QPushButton("Solve", body)
        self.solve_button.clicked.connect(lambda: self.solve())
        self.cancel_button = QPushButton("Cancel", body)
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.resume_button = QPushButton("Resume", body)
        self.resume_button.setVisible(False)
        self.resume_button.clicked.connect(lambda: self.resume())
        actions.addWidget(self.solve_button)
        actions.addWidget(self.cancel_button)
        actions.addWidget(self.resume_button)
        actions.addStretch(1)
        layout.addLayout(actions)

        self.stage_label = QLabel(body)
        self.stage_label.setTextFormat(Qt.TextFormat.RichText)
        self.progress = QProgressBar(body)
        self.progress.setRange(0, 0)
        self.progress.setVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.setTextVisible(False)
        self.ids_label = QLabel(body)
        self.ids_label.setOpenExternalLinks(True)
        self.ids_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.message_label = QLabel(body)
        self.message_label.setWordWrap(True)
        layout.addWidget(self.stage_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.ids_label)
        layout.addWidget(self.message_label)

        self.verdict_label = QLabel(body)
        self.verdict_label.setWordWrap(True)
        font = self.verdict_label.font()
        font.setBold(True)
        self.verdict_label.setFont(font)
        self.calibration_label = QLabel(body)
        self.calibration_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.image_label = mark_image_widget(QLabel(body))  # night mode draws it in red
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_label.setMinimumHeight(200)
        # The pixmap follows the panel's width, never the other way round.
        self.image_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.objects_list = QListWidget(body)
        self.objects_list.setMaximumHeight(110)
        layout.addWidget(self.verdict_label)
        layout.addWidget(self.calibration_label)
        layout.addWidget(self.image_label, 1)
        layout.addWidget(QLabel("Objects in the field:", body))
        layout.addWidget(self.objects_list)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        self._scroll = scroll
        self.setWidget(scroll)
        self._show_stage(None)

    # -- inputs

    def set_target(self, target) -> None:
        """Hints follow the selected target. A solve's verdict does not: it is judged against
        the target the solve was submitted for (``solved_for``). Only a solve submitted with
        nothing selected takes the first target selected after it."""
        self._target = target
        self.form.set_target(target)
        if self.result is not None and self.solved_for is None and target is not None:
            self.solved_for = _target_record(target)
            self._update_verdict()

    def set_settings(self, settings) -> None:
        self.settings = settings
        self.form.set_settings(settings)

    def options(self):
        """The upload options the form describes (validated when the solve starts)."""
        return self.form.options()

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Image to plate-solve", "",
                                              "Images (*.fits *.fit *.fts *.jpg *.jpeg *.png);;All files (*)")
        if path:
            self.source_edit.setText(path)

    # -- solving

    def solve_url(self, url: str, title: str = "") -> None:
        """Solve an image at an address (the images dock's "Solve this image")."""
        self.source_edit.setText(url)
        self.solve(url, title=title)
        self.show()
        self.raise_()

    def solve_file(self, path: str) -> None:
        self.source_edit.setText(str(path))
        self.solve(str(path))

    def solve(self, source: str | None = None, *, title: str = "") -> bool:
        source = (self.source_edit.text() if source is None else source).strip()
        if not source:
            self._message("Choose an image file or paste an image address first.", error=True)
            return False
        if "://" not in source:
            path = Path(source).expanduser()
            if not path.is_file():
                self._message(f"{source} is not a file; choose an image file (FITS, JPEG or PNG).", error=True)
                return False
            source = str(path)
        try:
            options = self.options()
            options.to_request()
        except PlannerError as exc:
            self._message(str(exc), error=True)
            return False
        self._start(source, title or Path(source).name, options, None)
        return True

    def resume(self, subid: int | None = None) -> bool:
        """Follow a submission started earlier (by default the last unfinished one remembered)."""
        entry = None
        if subid is None:
            entry = unfinished_solve()
            if entry is None:
                self._message("There is no unfinished solve to resume.")
                return False
            subid = int(entry["subid"])
        entry = entry or next((e for e in load_solves() if e.get("subid") == subid), {"subid": subid})
        self._start(entry.get("source", ""), entry.get("title", ""), None, int(subid), entry)
        return True

    def _start(self, source: str, title: str, options, resume_subid: int | None, entry: dict | None = None) -> None:
        self._cancel.set()
        self._cancel = threading.Event()
        self.generation += 1
        self.result, self.verdict = None, None
        self.stages_seen = []
        self._entry = dict(entry or {"source": source, "title": title, "started": time.time()})
        self._entry.update(source=source, title=title)
        # The target this solve is for: remembered with the submission (a resumed one keeps its own).
        remembered = _valid_record(self._entry.get("target"))
        self.solved_for = remembered or (_target_record(self._target) if self._target is not None else None)
        if self.solved_for is not None:
            self._entry["target"] = dict(self.solved_for)
        else:
            self._entry.pop("target", None)
        if resume_subid is not None:
            self._entry["subid"] = resume_subid
        self._clear_result()
        self._running = True
        self._started = time.monotonic()
        self._elapsed_timer.start()
        self.solve_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.resume_button.setVisible(False)
        self.progress.setVisible(True)
        self._message(f"Resuming submission {resume_subid}…" if resume_subid is not None else f"Solving {title or source}…")
        self._show_stage("queued" if resume_subid is not None else "uploading")
        self._show_ids()
        self.pool.start(SolveJob(self, self.generation, source, title, options, self._cancel, resume_subid))

    def cancel(self) -> None:
        """Stop waiting (the service may still finish the job; it can be resumed later)."""
        if not self._running:
            return
        self._cancel.set()
        self._message("Cancelling…")

    @property
    def running(self) -> bool:
        return self._running

    def _on_progress(self, generation: int, status) -> None:
        if generation != self.generation:
            return
        if not self.stages_seen or self.stages_seen[-1] != status.stage:
            self.stages_seen.append(status.stage)
        changed = False
        if status.subid is not None and self._entry.get("subid") != status.subid:
            self._entry["subid"] = status.subid
            changed = True
        if status.job_id is not None and self._entry.get("job_id") != status.job_id:
            self._entry["job_id"] = status.job_id
            changed = True
        if self._entry.get("stage") != status.stage:
            self._entry["stage"] = status.stage
            changed = True
        if changed and self._entry.get("subid") is not None:
            remember_solve(dict(self._entry))
        self._show_stage(status.stage)
        self._show_ids()
        if status.message:
            self._message(status.message, error=status.stage == "failed")
        self.stage_changed.emit(status.stage)

    def _on_done(self, generation: int, final, result) -> None:
        if generation != self.generation:
            return
        self._stop()
        stage = final.stage if final is not None else "failed"
        if self._entry.get("subid") is not None:
            self._entry["stage"] = stage
            remember_solve(dict(self._entry))
        self._show_stage(stage)
        if result is not None:
            self.result = result
            self._show_result(result)
            self.solved.emit(result)
            self.message.emit(f"Plate solved: {self.verdict_label.text()}")
        elif stage == "cancelled":
            self._message("Cancelled. The service may still finish the job: Resume picks it up again.")
            self.resume_button.setVisible(self._entry.get("subid") is not None)
        self.finished.emit(stage)

    def _on_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self.generation:
            return
        self._stop()
        text = str(exc) if isinstance(exc, PlannerError) else f"the solve stopped unexpectedly ({exc.__class__.__name__}); try again"
        self._message(text, error=True)
        self._show_stage("failed")
        self.resume_button.setVisible(self._entry.get("subid") is not None)
        self.message.emit(text)
        self.finished.emit("error")

    def _stop(self) -> None:
        self._running = False
        self._elapsed_timer.stop()
        self._tick()
        self.progress.setVisible(False)
        self.solve_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def shutdown(self, timeout_ms: int = 3000) -> None:
        """Stop waiting (the submission stays remembered for Resume) and let the worker end."""
        self._cancel.set()
        self.generation += 1
        self.pool.clear()
        self.pool.waitForDone(timeout_ms)

    def _offer_resume(self) -> None:
        entry = unfinished_solve()
        if entry is not None:
            self._entry = dict(entry)
            self.resume_button.setVisible(True)
            self.resume_button.setText(f"Resume submission {entry['subid']}")
            self._message(f"A solve started earlier ({entry.get('title') or entry.get('source') or 'image'}, "
                          f"submission {entry['subid']}) did not finish here: Resume follows it again.")
            self._show_ids()


__all__ = ["PlateSolveDock"]
