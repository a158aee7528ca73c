"""The real program in a subprocess, as a user runs it: every process it starts ends when it
ends, however it ends (SIGTERM, SIGKILL, Ctrl+C in the terminal); SIGINT and SIGTERM quit
cleanly; it quits at once with a request hanging on a server; and the terminal shows none
of the noise Qt, astropy and multiprocessing used to print.

Children are found through /proc (Linux); every wait is for a condition (a line on stderr,
a process gone), with a generous limit for a loaded machine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")]

ROOT = Path(__file__).resolve().parents[2]
LIMIT_S = 300.0  # for a loaded 2-core machine; every wait ends as soon as its condition holds
NOISE = ("propagateSizeHints", "AstropyUserWarning", "resource_tracker", "leaked semaphore",
         "Traceback", "KeyboardInterrupt")


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith("PLANNER_") and k.endswith(("_KEY", "_SECRET", "_URL")))}
    env.update(QT_QPA_PLATFORM="offscreen", PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
               HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9", NO_PROXY="127.0.0.1,localhost")
    env.update(extra)
    return env


class Program:
    """``python -m planner --debug`` in a subprocess, its stderr read line by line."""

    def __init__(self, tmp_path: Path, *args: str, new_session: bool = False, **env: str) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "planner", "--debug", *args], cwd=ROOT, env=environment(tmp_path, **env),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            start_new_session=new_session)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, text: str, timeout: float = LIMIT_S) -> str:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for line in self.lines:
                    if text in line:
                        return line
                if self.proc.poll() is not None and not self._reader.is_alive():
                    raise AssertionError(f"the program ended before {text!r}:\n" + "\n".join(self.lines[-40:]))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {text!r} within {timeout} s:\n" + "\n".join(self.lines[-40:]))
                self._changed.wait(min(left, 1.0))

    def exit_code(self, timeout: float = LIMIT_S) -> int:
        code = self.proc.wait(timeout)
        self._reader.join(timeout)
        return code

    @property
    def stderr(self) -> str:
        with self._changed:
            return "\n".join(self.lines)

    def user_lines(self) -> list[str]:
        """What a user's terminal would show without --debug (no timeline, no log records below warnings)."""
        return [line for line in self.lines if not line.startswith(("startup ", "DEBUG ", "INFO "))]

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)


def children_of(pid: int) -> dict[int, str]:
    """Every descendant of ``pid`` (pid -> command line) still running (zombies do not run)."""
    table: dict[int, tuple[int, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if state != "Z":
            table[int(entry.name)] = (int(ppid), cmdline)
    found: dict[int, str] = {}
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        for child, (ppid, cmdline) in table.items():
            if ppid == parent and child not in found:
                found[child] = cmdline
                frontier.append(child)
    return found


def running(pids) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def wait_until_gone(pids, timeout: float = LIMIT_S) -> set[int]:
    deadline = time.monotonic() + timeout
    left = running(pids)
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = running(left)
    return left


def started_window(tmp_path, **kw) -> tuple[Program, dict[int, str]]:
    """The window up with its visibility shown, and the processes it started."""
    program = Program(tmp_path, **kw)
    try:
        line = program.wait_for("helper process started (pid")
        helper_pid = int(line.split("(pid ")[1].split(")")[0])
        program.wait_for("visibility shown")
        kids = children_of(program.proc.pid)
        assert helper_pid in kids, kids
        assert any("resource_tracker" in cmd for cmd in kids.values()), kids  # multiprocessing's
        assert len(kids) == 2, kids  # one helper, one resource tracker: nothing else
    except BaseException:
        program.kill()
        raise
    return program, kids


@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL"])
def test_no_child_outlives_the_window_however_it_is_killed(tmp_path, how):
    program, kids = started_window(tmp_path)
    try:
        os.kill(program.proc.pid, getattr(signal, how))
        code = program.exit_code()
        assert wait_until_gone(kids) == set(), f"still running after {how}: {kids}"
    finally:
        program.kill()
    if how == "SIGTERM":  # a clean quit: saved its layout, no traceback, nothing on the terminal
        assert code == 0, program.stderr
        assert "signal SIGTERM: closing the window" in program.stderr
        assert (Path(os.environ["PLANNER_CONFIG_DIR"]) / "window.ini").exists()
    else:
        assert code == -signal.SIGKILL
    assert not [line for line in program.user_lines() if any(n in line for n in NOISE)], program.stderr


def test_ctrl_c_in_the_terminal_quits_cleanly(tmp_path):
    """The terminal sends SIGINT to the whole process group: the window quits as File > Quit
    does, the helper ignores it and is stopped by the window (no defunct child, no traceback)."""
    program, kids = started_window(tmp_path, new_session=True)
    try:
        os.killpg(program.proc.pid, signal.SIGINT)
        code = program.exit_code()
        assert wait_until_gone(kids) == set()
    finally:
        program.kill()
    assert code == 0, program.stderr
    assert "signal SIGINT: closing the window" in program.stderr
    assert not [line for line in program.user_lines() if any(n in line for n in NOISE)], program.stderr


def test_a_crash_of_the_window_takes_its_children_with_it(tmp_path):
    """A crash (SIGSEGV, SIGABRT from Qt) ends the process without any clean-up of ours."""
    program, kids = started_window(tmp_path)
    try:
        os.kill(program.proc.pid, signal.SIGABRT)
        program.exit_code()
        assert wait_until_gone(kids) == set()
    finally:
        program.kill()


def test_it_quits_at_once_with_a_request_hanging_on_the_server(tmp_path, httpserver):
    """With a key the window refreshes from AAVSO at start; the server takes the request and
    never answers (until the test is over). Quitting must not wait for it."""
    from werkzeug import Response

    arrived, release = threading.Event(), threading.Event()

    def hang(_request):
        arrived.set()
        release.wait(LIMIT_S)
        return Response("{}", content_type="application/json")

    httpserver.expect_request("/targets").respond_with_handler(hang)
    program = Program(tmp_path, PLANNER_AAVSO_KEY="test-key-1234",
                      PLANNER_AAVSO_URL=httpserver.url_for("/").rstrip("/"))
    try:
        program.wait_for("window shown")
        assert arrived.wait(LIMIT_S), "the refresh never reached the server"
        kids = children_of(program.proc.pid)
        os.kill(program.proc.pid, signal.SIGTERM)
        code = program.exit_code()
        assert not release.is_set()  # it left while the request was still hanging
        assert wait_until_gone(kids) == set()
    finally:
        release.set()
        program.kill()
    assert code == 0, program.stderr
    assert "workers still busy: not waited for" in program.stderr


def test_a_new_users_terminal_stays_quiet(tmp_path):
    """XDG folders that do not exist yet (a new account), the window up until it is ready,
    then quit: nothing from Qt, astropy or multiprocessing reaches the terminal."""
    shot = tmp_path / "shot.png"
    env = environment(tmp_path, XDG_CONFIG_HOME=str(tmp_path / "no-such-config"),
                      XDG_CACHE_HOME=str(tmp_path / "no-such-cache"))
    done = subprocess.run([sys.executable, "-m", "planner", "--screenshot", str(shot), "--quit-after", "300000"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=LIMIT_S)
    assert done.returncode == 0, done.stderr
    assert shot.exists()
    assert done.stderr.strip() == "", done.stderr


def test_matplotlibs_font_cache_notice_stays_off_the_terminal():
    """Matplotlib warns "building the font cache" when a first start builds it for over 5 s
    (seen on a fresh clone under two busy loops): with no logging set up, Python would print it."""
    code = ("import logging, planner; logging.basicConfig(level=logging.WARNING); "
            "logging.getLogger('matplotlib.font_manager').warning("
            "'Matplotlib is building the font cache; this may take a moment.')")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == "", done.stderr
