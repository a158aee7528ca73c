"""Where the GUI thread was when it stalled: a sampling watchdog for the stall benchmarks.

``StallSampler(probe)`` runs a thread that looks, every few milliseconds, at how long ago
the probe's timer last ticked; while that exceeds ``threshold_ms`` it samples the GUI
thread's Python stack (``sys._current_frames``). ``report(n)`` names, for the ``n``
longest gaps, the frames seen most often. A stall spent in C without the GIL shows the
Python frame that called into C; one spent in C holding the GIL shows up when it ends.
"""

from __future__ import annotations

import collections
import gc
import os
import sys
import threading
import time
import traceback

from PySide6.QtCore import Qt, QTimer

ROOT_MARKERS = ("/planner/", "/tests/")


def _schedstat_reader():
    """A reader of this thread's (the GUI thread's) ``/proc/thread-self/schedstat``: its
    time on a CPU and its time *runnable, waiting for a CPU* (ns); None where there is none."""
    try:
        fd = os.open("/proc/thread-self/schedstat", os.O_RDONLY)
    except OSError:
        return None

    def read() -> tuple[int, int]:
        on_cpu, waiting, _slices = os.pread(fd, 128, 0).split()
        return int(on_cpu), int(waiting)

    return read


class StallProbe:
    """A 10 ms timer; the longest gap between its ticks is the longest GUI-thread stall.

    For each gap it records the GUI thread's own CPU time (``cpu``) and, on Linux, the time
    it was runnable but waiting for a CPU (``queued``, from the scheduler's statistics: the
    machine's doing, not ours); the rest of a gap it was asleep: waiting for the next
    tick, for the GIL, or for a lock. Make it on the GUI thread."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        self.last = time.monotonic()
        self.last_cpu = time.thread_time()
        self.ticks = 0
        self.gaps: list[int] = []
        self.cpu: list[int] = []  # the GUI thread's own CPU time within each gap (ms)
        self.queued: list[int] = []  # ... and its time runnable but waiting for a CPU (ms)
        self._sched = _schedstat_reader()
        self._last_wait = 0

    def _waited_ns(self) -> int:
        return self._sched()[1] if self._sched is not None else 0

    def _tick(self) -> None:
        now, cpu, waited = time.monotonic(), time.thread_time(), self._waited_ns()
        self.gaps.append(round((now - self.last) * 1000))
        self.cpu.append(round((cpu - self.last_cpu) * 1000))
        self.queued.append(round((waited - self._last_wait) / 1e6))
        self.last, self.last_cpu, self._last_wait = now, cpu, waited
        self.ticks += 1

    def ours(self, index: int) -> int:
        """Gap ``index`` less the time the GUI thread waited for a CPU (ms)."""
        return self.gaps[index] - self.queued[index]

    def start(self) -> None:
        self.last, self.last_cpu, self._last_wait = time.monotonic(), time.thread_time(), self._waited_ns()
        self.timer.start()

    def stop(self) -> int:
        self.timer.stop()
        return max(self.gaps, default=0)


def _where(frame) -> tuple[str, ...]:
    """The innermost frames of our own code (and the very innermost one), short."""
    stack = traceback.extract_stack(frame)
    ours = [f for f in stack if any(m in f.filename for m in ROOT_MARKERS)]
    picked = ours[-3:] if ours else []
    if stack and (not picked or stack[-1] is not picked[-1]):
        picked.append(stack[-1])
    return tuple(f"{'/'.join(f.filename.split('/')[-2:])}:{f.lineno} {f.name}" for f in picked)


class StallSampler:
    def __init__(self, probe: StallProbe, threshold_ms: float = 30.0, every_ms: float = 4.0) -> None:
        self.probe = probe
        self.threshold = threshold_ms / 1000
        self.every = every_ms / 1000
        self.gui = threading.main_thread().ident
        self.samples: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
        self.blocked: list[tuple[int, tuple[str, ...]]] = []  # (ms the sampler itself waited, other threads)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stall-sampler", daemon=True)

    def __enter__(self) -> StallSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        me = threading.get_ident()
        names = {}
        while True:
            before = time.monotonic()
            if self._stop.wait(self.every):
                return
            late = time.monotonic() - before - self.every
            if time.monotonic() - self.probe.last <= self.threshold and late <= self.threshold:
                continue
            frames = sys._current_frames()
            if late > self.threshold:
                # the sampler could not run either: the GIL was held (or the machine ran
                # something else); what the other threads are doing as it is released
                if not names:
                    names.update({t.ident: t.name for t in threading.enumerate()})
                others = tuple(f"[{names.get(ident, ident)}] " + " <- ".join(reversed(_where(frame)))
                               for ident, frame in frames.items() if ident != me)
                self.blocked.append((round(late * 1000), others))
            frame = frames.get(self.gui)
            if frame is not None:
                self.samples[self.probe.ticks][_where(frame)] += 1
            del frame, frames

    def report(self, n: int = 5, *, by_cpu: bool = False, blocked: bool = True) -> list[str]:
        """Lines naming where the GUI thread was during the ``n`` longest gaps (``by_cpu``:
        the ``n`` gaps with the most GUI-thread CPU time); ``blocked``: then the longest
        waits of the sampler itself, with where the other threads were."""
        gaps = self.probe.gaps
        cpu = self.probe.cpu
        key = cpu if by_cpu else gaps
        longest = sorted(range(len(gaps)), key=key.__getitem__, reverse=True)[:n]
        lines = []
        for index in longest:
            lines.append(f"  gap {gaps[index]} ms at tick {index}: the GUI thread ran {cpu[index]} ms of CPU in it, "
                         f"waited {self.probe.queued[index]} ms for a CPU")
            seen = self.samples.get(index)  # the gap ending at tick index+1 was sampled as 'ticks == index'
            if not seen:
                near = {k: sum(v.values()) for k, v in self.samples.items() if abs(k - index) <= 3}
                lines.append(f"  {gaps[index]} ms: no sample (the GIL was held throughout) [tick {index}, near {near}]")
                continue
            for where, count in seen.most_common(3):
                lines.append(f"    {count} of {sum(seen.values())} samples: " + " <- ".join(reversed(where)))
        for late, others in sorted(self.blocked, reverse=True)[:n] if blocked else ():
            lines.append(f"  the sampler itself waited {late} ms; then the threads were at:")
            lines.extend(f"      {line}" for line in others)
        return lines


class CollectorWatch:
    """The cyclic garbage collector's runs while it is entered (``gc.callbacks``): for each,
    its generation, duration (ms) and the thread it ran in. A full collection holds the GIL
    throughout, so one in a worker thread stalls the GUI thread as long."""

    def __init__(self) -> None:
        self.runs: list[tuple[int, float, str]] = []
        self._started: dict[int, float] = {}

    def _callback(self, phase: str, info: dict) -> None:
        me = threading.get_ident()
        if phase == "start":
            self._started[me] = time.perf_counter()
        elif me in self._started:
            ms = (time.perf_counter() - self._started.pop(me)) * 1000
            self.runs.append((info["generation"], ms, threading.current_thread().name))

    def __enter__(self) -> CollectorWatch:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc) -> None:
        gc.callbacks.remove(self._callback)

    def summary(self) -> str:
        if not self.runs:
            return "no cyclic garbage collection ran"
        generation, ms, thread = max(self.runs, key=lambda run: run[1])
        full = sum(1 for run in self.runs if run[0] == 2)
        return (f"{len(self.runs)} cyclic garbage collections ({full} full), the longest {ms:.1f} ms "
                f"(generation {generation}, thread {thread}); {gc.get_freeze_count()} objects frozen")
