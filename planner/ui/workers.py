"""Background work for the window: run a function off the GUI thread and deliver only the newest answer.

Built on superqt's ``create_worker`` (a ``QRunnable`` in the global ``QThreadPool``). A
``LatestRunner`` numbers its requests; when a newer request is submitted the older worker
is asked to quit and, should it still finish, its result is dropped. That is what keeps a
fast-clicking user (next night, next night, next night) from seeing an old night's answer
land on top of the new one.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QObject, Signal
from superqt.utils import create_worker

log = logging.getLogger(__name__)


class LatestRunner(QObject):
    """Runs one kind of job at a time; a newer ``submit`` supersedes the running one.

    ``finished(generation, result)`` and ``failed(generation, exception)`` are emitted on the
    GUI thread only for the newest generation; ``busy_changed(bool)`` follows whether a
    job of the newest generation is still running.
    """

    finished = Signal(int, object)
    failed = Signal(int, object)
    busy_changed = Signal(bool)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._generation = 0
        self._workers: dict[int, Any] = {}
        self._busy = False

    @property
    def generation(self) -> int:
        return self._generation

    @property
    def busy(self) -> bool:
        return self._busy

    def submit(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> int:
        """Start ``func(*args, **kwargs)`` in the thread pool; returns its generation number."""
        self._generation += 1
        generation = self._generation
        for old in self._workers.values():
            old.quit()  # a polite request; a plain function cannot be interrupted, its result is dropped
        worker = create_worker(func, *args, _start_thread=False, _ignore_errors=True, **kwargs)
        worker.returned.connect(lambda result, g=generation: self._on_returned(g, result))
        worker.errored.connect(lambda exc, g=generation: self._on_errored(g, exc))
        worker.finished.connect(lambda g=generation: self._on_finished(g))
        self._workers[generation] = worker
        self._set_busy(True)
        worker.start()
        return generation

    def cancel(self) -> None:
        """Forget every running job: none of their results will be delivered."""
        self._generation += 1
        for old in self._workers.values():
            old.quit()
        self._set_busy(False)

    # The worker's signals reach these through lambdas, which Qt cannot disconnect when the
    # runner's owner (a dialog, a panel) is deleted while a job still runs; a job that ends
    # after that must be dropped quietly, not emitted from a deleted object.

    def _on_returned(self, generation: int, result: Any) -> None:
        if not shiboken6.isValid(self):
            return
        if generation == self._generation:
            self.finished.emit(generation, result)
        else:
            log.debug("%s: dropped the result of superseded job %d", self.name, generation)

    def _on_errored(self, generation: int, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        if generation == self._generation:
            log.debug("%s job %d failed:\n%s", self.name, generation, "".join(traceback.format_exception(exc)))
            self.failed.emit(generation, exc)

    def _on_finished(self, generation: int) -> None:
        if not shiboken6.isValid(self):
            return
        self._workers.pop(generation, None)
        if generation == self._generation:
            self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)
