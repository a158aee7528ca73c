"""The helper process: the window's astronomy and the chart's drawing run in one child
process, so the GUI thread never competes with astropy or matplotlib for the GIL.

One process, not one per job kind: a second interpreter importing numpy, astropy and
matplotlib again cost a second of CPU at every start on a 2-core laptop and ~100 MB of
memory (see tests/benchmarks/test_startup.py). Inside it, each *lane* ("sky", "draw") is a
pipe served by a thread of its own, so a picture never waits behind a long computation;
``call(lane, func, *args)`` sends a picklable module-level function and waits for its
answer (with the GIL released: it is meant for a worker thread).

It ends when the window's process ends, however that ends: it watches a *lifeline* pipe
whose other end only the parent holds, and leaves the moment it closes (a crash, SIGKILL
and a normal exit alike, on every system). It ignores Ctrl+C, which the terminal sends to
the whole process group: the window decides how to quit. It uses pipes only (no
multiprocessing queues or locks), so nothing is left for multiprocessing's resource
tracker to clean up or warn about. ``stop()`` ends it at once, without waiting for a
computation in progress. A helper that died is started again for the next call.

Qt-free (plain ``multiprocessing``): the window, the chart, the plan dock's scheduler and
any use case that runs for the window share it.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import multiprocessing.util  # noqa: F401 - its atexit hook (which kills daemonic children) is registered
import os
import pickle
import signal
import threading
import time
import traceback
from typing import Any, Callable

from planner import timeline

log = logging.getLogger(__name__)

SKY, DRAW = "sky", "draw"
LANES = (SKY, DRAW)
# The helper yields the CPU to the window. On a loaded 2-core machine (two busy loops in the
# window's session, load 6-8) the GUI thread's longest gap was 547-621 ms (99th percentile
# 112-131 ms) with the helper at nice 5, and 211-280 ms (20-44 ms) at nice 15; the price is
# the helper's own pace while the window's session is busy (2,000 targets' first visibility
# 9.6-12.9 s instead of 3.5-3.9 s in those runs). A session of its own (setsid, autogroup
# nice 10) was worse for the window (520 and 267 ms). See docs/performance.md.
HELPER_NICENESS = 15
STOP_WAIT_S = 0.5  # stop(): how long a helper is given to end after SIGTERM before SIGKILL


class HelperUnavailable(RuntimeError):
    """The helper process could not be started, or has been stopped (the program is quitting)."""


class HelperLost(HelperUnavailable):
    """The helper process ended while working on a call (it is started again for the next one)."""


# -- the child -------------------------------------------------------------------------------


def _lower_priority(niceness: int) -> None:
    """Yield the CPU to the window: the helper's warm-up (astropy, the IERS tables,
    matplotlib) is seconds of CPU on a 2-core laptop and the GUI thread must win."""
    try:
        os.nice(niceness)
    except (AttributeError, OSError):  # no nice() on Windows
        pass


def _picklable_error(exc: BaseException) -> BaseException:
    try:
        pickle.dumps(exc)
        return exc
    except Exception:  # noqa: BLE001 - an exception that cannot travel goes as its text
        return RuntimeError("".join(traceback.format_exception(exc)).strip())


def _serve(lane: str, conn, warm: Callable[[], Any] | None, ready: threading.Event, wait_for) -> None:
    """A lane's thread in the child: warm up, then answer calls until the pipe closes."""
    if wait_for is not None:
        wait_for.wait(60.0)  # the sky warms up first: the table's visibility comes before the chart
    if warm is not None:
        try:
            warm()
        except Exception:  # noqa: BLE001 - a failed warm-up shows again (with its reason) in the first call
            log.debug("helper %s warm-up failed", lane, exc_info=True)
    ready.set()
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            os._exit(0)  # the window's end of the pipe is gone
        except Exception as exc:  # noqa: BLE001 - a call that cannot be unpickled here
            answer: tuple[str, Any] = ("error", RuntimeError(f"the helper could not read the call: {exc!r}"))
        else:
            func, args = message
            try:
                answer = ("ok", func(*args))
            except BaseException as exc:  # noqa: BLE001 - every failure travels back to the caller
                answer = ("error", _picklable_error(exc))
        try:
            conn.send(answer)
        except (EOFError, OSError):
            os._exit(0)
        except Exception as exc:  # noqa: BLE001 - an answer that cannot be pickled
            conn.send(("error", RuntimeError(f"the helper's answer could not be sent back: {exc!r}")))


def helper_main(lanes: dict, lifeline, niceness: int = HELPER_NICENESS, warm: dict | None = None) -> None:
    """The child process: one thread per lane; the main thread watches the lifeline."""
    try:  # Ctrl+C reaches the whole process group; the window quits us
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except (ValueError, OSError):
        pass
    _lower_priority(niceness)
    warm = warm or {}
    previous = None
    for lane, conn in lanes.items():
        ready = threading.Event()
        threading.Thread(target=_serve, args=(lane, conn, warm.get(lane), ready, previous),
                         name=f"helper-{lane}", daemon=True).start()
        previous = ready
    try:
        while lifeline.recv() is not None:
            pass
    except (EOFError, OSError):
        pass
    os._exit(0)  # no interpreter teardown: the lane threads may be mid-computation


def warm_sky() -> bool:
    """Sky lane warm-up: the engine and astropy's IERS tables, loaded once."""
    from planner.sky import Site, compute_observability

    compute_observability([0.0], [0.0], Site(0.0, 0.0, 0.0, timezone="UTC"), time.time())
    return True


def warm_drawing() -> bool:
    """Draw lane warm-up: matplotlib and one empty figure."""
    from planner.plot.render import warm_up

    warm_up()
    return True


DEFAULT_WARM = {SKY: warm_sky, DRAW: warm_drawing}


# -- the window's side ---------------------------------------------------------------------


class _Lane:
    def __init__(self) -> None:
        self.lock = threading.Lock()  # one call at a time per lane
        self.conn = None
        self.generation = 0  # the helper the connection belongs to


class HelperProcess:
    """The window's handle on the helper process (see the module docstring)."""

    def __init__(self, lanes: tuple[str, ...] = LANES, *, niceness: int = HELPER_NICENESS,
                 warm: dict | None = None) -> None:
        self.lanes = tuple(lanes)
        self._niceness = niceness
        self._warm = DEFAULT_WARM if warm is None else warm
        self._lock = threading.Lock()  # starting and stopping
        self._lane = {lane: _Lane() for lane in self.lanes}
        self._process = None
        self._lifeline = None
        self._fresh: dict[str, Any] = {}  # connections of the newest helper not yet taken by their lane
        self._stopped = False
        self._broken = False
        self.generation = 0  # counts the helpers started

    # -- state -------------------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None else None

    @property
    def process(self):
        return self._process

    def is_alive(self) -> bool:
        process = self._process
        return process is not None and process.is_alive()

    @property
    def stopped(self) -> bool:
        return self._stopped

    # -- starting ----------------------------------------------------------------------

    def start(self) -> bool:
        """Start the helper if it is not running (returns at once; it warms up by itself).
        True when a new process was started. Raises ``HelperUnavailable`` once stopped."""
        with self._lock:
            if self._stopped:
                raise HelperUnavailable("the helper process has been stopped")
            if self._process is not None and self._process.is_alive() and not self._broken:
                return False
            self._spawn()
            return True

    def _spawn(self) -> None:
        self._end_process(self._process, self._lifeline)
        ctx = multiprocessing.get_context("spawn")  # never fork a process that runs Qt threads
        ours, theirs = {}, {}
        for lane in self.lanes:
            ours[lane], theirs[lane] = ctx.Pipe()
        lifeline, their_lifeline = ctx.Pipe()
        process = ctx.Process(target=helper_main, args=(theirs, their_lifeline, self._niceness, self._warm),
                              name="planner-helper", daemon=True)
        with _sigint_ignored():  # inherited through exec: a Ctrl+C while it imports stays quiet
            process.start()
        for conn in (*theirs.values(), their_lifeline):
            conn.close()
        for old in self._fresh.values():
            old.close()
        self._process, self._lifeline, self._fresh = process, lifeline, ours
        self._broken = False
        self.generation += 1
        timeline.mark(f"helper process started (pid {process.pid})")
        log.debug("helper process %d started", process.pid)

    def _connection(self, lane: _Lane, name: str):
        """The lane's pipe to a running helper, starting one if needed (under the lane's lock)."""
        with self._lock:
            if self._stopped:
                raise HelperUnavailable("the helper process has been stopped")
            if self._process is None or self._broken or not self._process.is_alive():
                self._spawn()
            if lane.generation != self.generation:
                if lane.conn is not None:
                    lane.conn.close()  # only this lane ever uses it, and it holds its lock
                lane.conn, lane.generation = self._fresh.pop(name), self.generation
            return lane.conn, lane.generation

    # -- calling -----------------------------------------------------------------------

    def call(self, lane_name: str, func: Callable[..., Any], *args: Any) -> Any:
        """``func(*args)`` in the helper, on ``lane_name``; returns its result or raises its
        exception. Blocks (with the GIL released): call it from a worker thread."""
        lane = self._lane[lane_name]
        with lane.lock:
            try:
                conn, generation = self._connection(lane, lane_name)
            except OSError as exc:
                raise HelperUnavailable(f"the helper process could not start ({exc})") from exc
            try:
                conn.send((func, args))
                kind, payload = conn.recv()
            except (EOFError, OSError) as exc:
                with self._lock:
                    if generation == self.generation:
                        self._broken = True
                if self._stopped:
                    raise HelperUnavailable("the helper process was stopped") from exc
                raise HelperLost(f"the helper process ended unexpectedly ({exc!r}); it is started again "
                                 "for the next job") from exc
        if kind == "error":
            raise payload
        return payload

    # -- stopping ----------------------------------------------------------------------

    def stop(self, wait_s: float = STOP_WAIT_S) -> None:
        """End the helper now: calls in progress fail with ``HelperUnavailable`` and no new
        helper starts. Waits at most ``wait_s`` for it to end after SIGTERM, then kills it."""
        with self._lock:
            self._stopped = True
            process, self._process = self._process, None
            lifeline, self._lifeline = self._lifeline, None
            fresh, self._fresh = self._fresh, {}
        for conn in fresh.values():
            conn.close()
        self._end_process(process, lifeline, wait_s)

    @staticmethod
    def _end_process(process, lifeline=None, wait_s: float = STOP_WAIT_S) -> None:
        if lifeline is not None:
            try:
                lifeline.close()  # the helper leaves by itself when it notices
            except OSError:
                pass
        if process is None:
            return
        if process.is_alive():
            process.terminate()  # waiting callers get EOF at once
            process.join(wait_s)
            if process.is_alive():
                process.kill()
        process.join(wait_s)  # reaped: no defunct child


class _sigint_ignored:
    """SIGINT ignored while a child is spawned (main thread only; elsewhere nothing changes)."""

    def __enter__(self):
        self._old = None
        if threading.current_thread() is threading.main_thread():
            try:
                self._old = signal.signal(signal.SIGINT, signal.SIG_IGN)
            except (ValueError, OSError):
                self._old = None
        return self

    def __exit__(self, *exc):
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)
        return False


# -- the process-wide helper -----------------------------------------------------------------

_helper: HelperProcess | None = None
_helper_lock = threading.Lock()


def helper() -> HelperProcess:
    """The program's one helper process (made on first use, started on the first call)."""
    global _helper
    with _helper_lock:
        if _helper is None:
            _helper = HelperProcess()
            # before the interpreter tears its modules down, and before multiprocessing's own
            # hook kills the helper under a running call (atexit runs the last registered first)
            atexit.register(stop_helper_process)
        return _helper


def start_helper_process() -> None:
    """Start the helper and let it warm up, without waiting (the window calls this once it is
    on screen; the first computation then skips the engine's warm-up)."""
    try:
        helper().start()
    except (OSError, RuntimeError) as exc:  # e.g. no process support: threads will do
        log.warning("helper process could not start (%s)", exc)


def stop_helper_process(wait_s: float = STOP_WAIT_S) -> None:
    """End the helper at once (quitting): running work is abandoned, and no job starts one
    again (they fail with ``HelperUnavailable``)."""
    helper().stop(wait_s)


def run_in_process(func: Callable[..., Any], *args: Any) -> Any:
    """Call ``func(*args)`` (picklable, module-level) on the helper's sky lane and wait.

    Meant to be the body of a ``LatestRunner`` job. If the helper cannot run at all (a
    locked-down system), the work runs in the calling thread instead; once the program is
    quitting it fails with ``HelperUnavailable`` rather than starting work.
    """
    current = helper()
    try:
        try:
            return current.call(SKY, func, *args)
        except HelperLost as exc:  # it died under this job (a crash): once more, in a new one
            if current.stopped:
                raise
            log.warning("%s", exc)
            return current.call(SKY, func, *args)
    except HelperUnavailable as exc:
        if current.stopped:
            raise
        log.warning("helper process unavailable (%s); computing in a thread instead", exc)
        return func(*args)
