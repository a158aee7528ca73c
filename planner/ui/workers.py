"""Background work for the window: run a function off the GUI thread and deliver only the newest answer.

Built on superqt's ``create_worker`` (a ``QRunnable`` in the global ``QThreadPool``). A
``LatestRunner`` numbers its requests; when a newer request is submitted the older worker
is asked to quit and, should it still finish, its result is dropped. That is what keeps a
fast-clicking user (next night, next night, next night) from seeing an old night's answer
land on top of the new one.
"""

from __future__ import annotations

import atexit
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


# -- astronomy in a helper process -----------------------------------------------------------
#
# The sky engine's first call loads astropy's IERS tables and runs long stretches of Python
# and C that hold the GIL; in a thread of the GUI process that starved the event loop for up
# to 1.5 s (measured with the stall probe in tests/benchmarks/test_ui_table.py). A helper
# process has its own interpreter, so the GUI thread never waits for it. If the process
# cannot be started (a locked-down system), the work runs in the calling worker thread.

_executor = None
_executor_lock = __import__("threading").Lock()


HELPER_NICENESS = 5


def _lower_priority() -> None:
    """Helper-process start: yield the CPU to the window. Its warm-up (importing astropy,
    loading the IERS tables) is seconds of CPU on a 2-core laptop; the GUI thread must win."""
    import os

    try:
        os.nice(HELPER_NICENESS)
    except (AttributeError, OSError):  # no nice() on Windows
        pass


def _process_pool():
    global _executor
    with _executor_lock:
        if _executor is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # spawn: a fork of a process running Qt threads is not safe
            _executor = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_lower_priority
            )
            # Stopped before the interpreter tears its modules down (otherwise its manager
            # thread complains at exit when nobody called shutdown_process_pool).
            atexit.register(shutdown_process_pool)
        return _executor


def run_in_process(func: Callable[..., Any], *args: Any) -> Any:
    """Call ``func(*args)`` (picklable, module-level) in the helper process and wait for it.

    Meant to be the body of a ``LatestRunner`` job: the waiting happens in a worker thread,
    which releases the GIL while it waits.
    """
    global _executor
    from concurrent.futures.process import BrokenProcessPool

    try:
        future = _process_pool().submit(func, *args)
        return future.result()
    except (BrokenProcessPool, OSError, RuntimeError) as exc:
        log.warning("helper process unavailable (%s); computing in a thread instead", exc)
        with _executor_lock:
            broken, _executor = _executor, None
        if broken is not None:
            broken.shutdown(wait=False, cancel_futures=True)
        return func(*args)


def shutdown_process_pool() -> None:
    """Stop the helper process (at exit); running work is abandoned."""
    global _executor
    with _executor_lock:
        pool, _executor = _executor, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def _warm_sky() -> bool:
    """Helper-process body: import the sky engine and load its tables once."""
    import time as _t

    from planner.sky import Site, compute_observability

    compute_observability([0.0], [0.0], Site(0.0, 0.0, 0.0, timezone="UTC"), _t.time())
    return True


def start_helper_process() -> None:
    """Start the helper process and let it load the sky engine, without waiting.

    Called when the window is built: starting a process later, from a big process, costs a
    ~100 ms fork that holds the GIL; the first sky computation then also skips the engine's
    ~1.5 s warm-up.
    """
    try:
        _process_pool().submit(_warm_sky)
    except (OSError, RuntimeError) as exc:  # e.g. no process support: threads will do
        log.warning("helper process could not start (%s)", exc)
