"""Background work for the window: run a function off the GUI thread and deliver only the newest answer.

A ``LatestRunner`` numbers its requests and runs each as a ``QRunnable`` in the global
``QThreadPool``; when a newer request is submitted the older one is forgotten and, should
it still finish, its result is dropped. That is what keeps a fast-clicking user (next
night, next night, next night) from seeing an old night's answer land on top of the new one.

Not superqt's ``create_worker`` (used here before): importing ``superqt.utils`` imports the
whole of superqt (every widget, qtpy, QtOpenGL), which cost more than the window's own
modules before the first paint, and a plain function needs none of its generator machinery.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class _Signals(QObject):
    """The job's way back to the GUI thread (queued: emitted from the pool's thread)."""

    returned = Signal(object)
    errored = Signal(object)
    finished = Signal()


class _Job(QRunnable):
    """``func(*args, **kwargs)`` in a pool thread; its answer, or its exception, comes back
    through ``signals``. ``quit()`` only marks it: a plain function cannot be interrupted."""

    def __init__(self, func: Callable[..., Any], args: tuple, kwargs: dict) -> None:
        super().__init__()
        self.setAutoDelete(False)  # kept by its runner until ``finished`` is handled
        self.signals = _Signals()
        self._call = (func, args, kwargs)
        self.abandoned = False

    def quit(self) -> None:
        self.abandoned = True

    def run(self) -> None:  # the pool thread
        func, args, kwargs = self._call
        self._call = None
        try:
            result = func(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - every failure goes to ``failed``
            self._emit(self.signals.errored, exc)
        else:
            self._emit(self.signals.returned, result)
        finally:
            self._emit(self.signals.finished)

    @staticmethod
    def _emit(signal, *args) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:  # the window that asked was closed meanwhile: nobody to tell
            log.debug("a job ended after its receiver was deleted")


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

    @property
    def running(self) -> int:
        """Jobs still running, superseded ones included (their answers will be dropped)."""
        return len(self._workers)

    def submit(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> int:
        """Start ``func(*args, **kwargs)`` in the thread pool; returns its generation number."""
        self._generation += 1
        generation = self._generation
        for old in self._workers.values():
            old.quit()  # a polite request; a plain function cannot be interrupted, its result is dropped
        worker = _Job(func, args, kwargs)
        worker.signals.returned.connect(lambda result, g=generation: self._on_returned(g, result))
        worker.signals.errored.connect(lambda exc, g=generation: self._on_errored(g, exc))
        worker.signals.finished.connect(lambda g=generation: self._on_finished(g))
        self._workers[generation] = worker
        self._set_busy(True)
        QThreadPool.globalInstance().start(worker)
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
