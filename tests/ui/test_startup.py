"""Start the real program in a subprocess (offscreen) and wait for its window: it must come
up from the bundled sample with no network and no key, and save a screenshot of itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

pytestmark = pytest.mark.slow


def run_planner(args: list[str], tmp_path: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    for var in list(env):
        if var.startswith("PLANNER_") and var.endswith(("_KEY", "_SECRET")):
            del env[var]  # no key: no network attempt
    # a proxy that does not exist: any request would fail instead of reaching the internet
    env["HTTPS_PROXY"] = env["HTTP_PROXY"] = "http://127.0.0.1:9"
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    return subprocess.run([sys.executable, "-m", "planner", *args], env=env, capture_output=True,
                          text=True, timeout=timeout, cwd=Path(__file__).resolve().parents[2])


def test_program_starts_shows_its_window_and_exits(tmp_path):
    shot = tmp_path / "window.png"
    result = run_planner(["--screenshot", str(shot), "--quit-after", "300000", "--size", "1400x860"], tmp_path)
    assert result.returncode == 0, result.stderr
    image = QImage(str(shot))
    assert not image.isNull()
    assert (image.width(), image.height()) == (1400, 860)
    # not a blank grab: many distinct colours (table text, chart)
    colours = {image.pixel(x, y) for x in range(0, 1400, 7) for y in range(0, 860, 7)}
    assert len(colours) > 20
    # the window's state was saved in the redirected config folder
    assert (Path(os.environ["PLANNER_CONFIG_DIR"]) / "window.ini").exists()


def test_a_window_that_never_gets_ready_fails_the_quit_timer(tmp_path):
    # 1 ms is too short for any start: the program must say so and exit non-zero, not hang
    result = run_planner(["--screenshot", str(tmp_path / "x.png"), "--quit-after", "1"], tmp_path)
    assert result.returncode == 1
    assert "did not become ready" in result.stderr


def test_bad_hidden_option_values_give_a_clear_error(tmp_path):
    result = run_planner(["--size", "huge", "--quit-after", "1"], tmp_path)
    assert result.returncode == 2
    assert "--size wants WxH" in result.stderr


def test_no_display_is_a_clear_message_not_a_qt_abort(tmp_path):
    """On Linux without X11 or Wayland the window says what to do instead of letting Qt abort."""
    import os
    import subprocess
    import sys

    from planner.ui.app import no_display_reason

    assert no_display_reason({}, "linux") is not None
    assert no_display_reason({"DISPLAY": ":0"}, "linux") is None
    assert no_display_reason({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert no_display_reason({}, "darwin") is None
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(PLANNER_CONFIG_DIR=str(tmp_path / "c"), PLANNER_CACHE_DIR=str(tmp_path / "ca"),
               PLANNER_DATA_DIR=str(tmp_path / "d"))
    done = subprocess.run([sys.executable, "-m", "planner"], env=env, capture_output=True, text=True, timeout=300)
    if sys.platform.startswith("linux"):
        assert done.returncode == 2
        assert "no display" in done.stderr and "planner tonight" in done.stderr
        assert "Traceback" not in done.stderr and "Reinstalling" not in done.stderr


FIRST_PAINT_SCRIPT = """
import sys, os
from PySide6.QtWidgets import QApplication
app = QApplication([])
from planner.ui.main_window import MainWindow

class Window(MainWindow):
    def start(self):  # called once the window's first paint is on screen
        print(" ".join(sorted(sys.modules)), flush=True)
        os._exit(0)

window = Window()
window.show()
app.exec()
"""

# Not needed for the first paint, each costs from a few hundred ms to seconds on a loaded
# 2-core laptop: they load after it (in the helper process, in workers, or with their dock).
NOT_BEFORE_FIRST_PAINT = ("astropy", "astroplan", "matplotlib", "superqt", "qtpy", "requests",
                          "requests_cache", "keyring", "timezonefinder", "PIL", "scipy",
                          "planner.ui.images_panel", "planner.ui.solver_panel", "planner.ui.arcsecond_panel",
                          "planner.services.http", "planner.plot.render", "planner.plot.night")


def test_the_first_paint_waits_for_none_of_the_heavy_parts(tmp_path):
    from planner.config import Settings, remembered_time_zone

    defaults = Settings()
    remembered_time_zone(defaults.latitude, defaults.longitude)  # as after the first start
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    done = subprocess.run([sys.executable, "-c", FIRST_PAINT_SCRIPT], env=env, capture_output=True, text=True,
                          timeout=300, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    loaded = set(done.stdout.split())
    assert "planner.ui.main_window" in loaded and "PySide6.QtWidgets" in loaded
    early = sorted(name for name in NOT_BEFORE_FIRST_PAINT if name in loaded)
    assert early == [], f"loaded before the first paint: {early}"
