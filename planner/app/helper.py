"""The sky helper process: astronomy runs in a process of its own so the window never waits.

Qt-free (it is plain ``concurrent.futures``), so the window, the plan dock's scheduler and
any use case that runs for the window share it.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable

log = logging.getLogger(__name__)

# -- astronomy in a helper process -----------------------------------------------------------
#
# The sky engine's first call loads astropy's IERS tables and runs long stretches of Python
# and C that hold the GIL; in a thread of the GUI process that starved the event loop for up
# to 1.5 s (measured with the stall probe in tests/benchmarks/test_ui_table.py). A helper
# process has its own interpreter, so the GUI thread never waits for it. If the process
# cannot be started (a locked-down system), the work runs in the calling worker thread.

_executor = None
_executor_lock = threading.Lock()


HELPER_NICENESS = 5


def _lower_priority() -> None:
    """Helper-process start: yield the CPU to the window. Its warm-up (importing astropy,
    loading the IERS tables) is seconds of CPU on a 2-core laptop; the GUI thread must win."""
    try:
        os.nice(HELPER_NICENESS)
    except (AttributeError, OSError):  # no nice() on Windows
        pass


def _process_pool():
    global _executor
    with _executor_lock:
        if _executor is None:
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
    from planner.sky import Site, compute_observability  # in the helper process only

    compute_observability([0.0], [0.0], Site(0.0, 0.0, 0.0, timezone="UTC"), time.time())
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
