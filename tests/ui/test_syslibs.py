"""Missing system libraries are found before Qt aborts, and the user is told which Debian
package to install (issue 17, item 12).

The subprocess test reproduces the real failure: a copy of PySide6's own xcb platform
plugin whose dependency on ``libxcb-cursor.so.0`` is renamed to a library no system has
(same length, so the ELF stays valid), loaded through ``QT_QPA_PLATFORM_PLUGIN_PATH`` as Qt
itself would. Without the check Qt aborts with "Reinstalling the application may fix this
problem"; with it the program prints the package and exits 2.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from planner.ui.syslibs import (
    WINDOW_PACKAGES,
    debian_package,
    describe_missing,
    missing_libraries,
    missing_libraries_reason,
    xcb_plugin,
)

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's X11 plugin only")


def _real_plugin() -> Path:
    spec = importlib.util.find_spec("PySide6")
    plugin = Path(spec.origin).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.is_file():
        pytest.skip("this PySide6 has no xcb plugin")
    return plugin


def _broken_plugin(tmp_path: Path) -> Path:
    """PySide6's xcb plugin, needing 'libxcb-cursoX.so.0' instead of 'libxcb-cursor.so.0'."""
    data = _real_plugin().read_bytes()
    needed = b"libxcb-cursor.so.0\x00"
    assert needed in data, "the plugin no longer links libxcb-cursor directly"
    folder = tmp_path / "platforms"
    folder.mkdir()
    (folder / "libqxcb.so").write_bytes(data.replace(needed, b"libxcb-cursoX.so.0\x00"))
    return folder


def test_debian_packages_follow_the_table_and_debians_naming_rule():
    assert debian_package("libxcb-cursor.so.0") == "libxcb-cursor0"
    assert debian_package("libxkbcommon-x11.so.0") == "libxkbcommon-x11-0"
    assert debian_package("libglib-2.0.so.0") == "libglib2.0-0"
    # not in the table: Debian's rule (a hyphen before the version when the name ends in a digit)
    assert debian_package("libxcb-xinput.so.0") == "libxcb-xinput0"
    assert debian_package("libfoo2.so.3") == "libfoo2-3"
    assert {"libxcb-cursor0", "libxcb-icccm4", "libxkbcommon-x11-0"} <= set(WINDOW_PACKAGES)


def test_ldd_not_found_lines_become_the_missing_list(tmp_path):
    ldd_output = (
        "\tlinux-vdso.so.1 (0x00007ffd)\n"
        "\tlibxcb-cursor.so.0 => not found\n"
        "\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f)\n"
        "\tlibxcb-icccm.so.4 => not found\n"
        "\tlibxcb-cursor.so.0 => not found\n"
    )

    def run(argv, **_kw):
        assert argv[1] == str(tmp_path / "libqxcb.so")
        return subprocess.CompletedProcess(argv, 0, ldd_output, "")

    missing = missing_libraries(tmp_path / "libqxcb.so", run=run, ldd="/usr/bin/ldd")
    assert missing == ["libxcb-cursor.so.0", "libxcb-icccm.so.4"]
    text = describe_missing(missing)
    assert "sudo apt install libxcb-cursor0 libxcb-icccm4" in text
    assert "planner tonight" in text


def test_nothing_is_checked_for_other_platforms_or_systems(tmp_path):
    def fail(*_a, **_k):
        raise AssertionError("ldd must not run")

    assert missing_libraries_reason({"QT_QPA_PLATFORM": "offscreen"}, "linux", run=fail) is None
    assert missing_libraries_reason({"QT_QPA_PLATFORM": "wayland"}, "linux", run=fail) is None
    assert missing_libraries_reason({"DISPLAY": ":0"}, "darwin", run=fail) is None
    assert missing_libraries_reason({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}, "linux",
                                    run=fail) is None
    # no ldd (not glibc) or ldd failing: nothing is claimed
    assert missing_libraries(tmp_path / "x.so", ldd=str(tmp_path / "no-such-ldd")) == []


@pytest.mark.skipif(shutil.which("ldd") is None, reason="needs glibc's ldd")
def test_the_plugin_qt_would_load_is_the_one_checked(tmp_path):
    folder = _broken_plugin(tmp_path)
    env = {"QT_QPA_PLATFORM_PLUGIN_PATH": str(folder), "DISPLAY": ":0"}
    assert xcb_plugin(env) == folder / "libqxcb.so"
    reason = missing_libraries_reason(env, "linux")
    assert reason is not None and "libxcb-cursoX.so.0" in reason


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("ldd") is None, reason="needs glibc's ldd")
def test_a_missing_xcb_library_is_named_with_its_package_before_qt_aborts(tmp_path):
    folder = _broken_plugin(tmp_path)
    qt_lib = _real_plugin().parents[2] / "lib"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE")}
    env.update(
        DISPLAY=":987",  # never reached: the plugin cannot even load
        QT_QPA_PLATFORM_PLUGIN_PATH=str(folder),
        # the copy's RUNPATH ($ORIGIN/../../lib) does not lead to Qt's libraries: give them
        LD_LIBRARY_PATH=os.pathsep.join(p for p in (str(qt_lib), env.get("LD_LIBRARY_PATH", "")) if p),
        PLANNER_CONFIG_DIR=str(tmp_path / "c"), PLANNER_CACHE_DIR=str(tmp_path / "ca"),
        PLANNER_DATA_DIR=str(tmp_path / "d"),
    )
    done = subprocess.run([sys.executable, "-m", "planner"], env=env, capture_output=True, text=True,
                          timeout=120, cwd=REPO)
    assert done.returncode == 2, done.stderr
    assert "libxcb-cursoX.so.0" in done.stderr
    assert "sudo apt install" in done.stderr
    assert "Reinstalling" not in done.stderr and "Traceback" not in done.stderr


def test_readme_lists_the_system_packages():
    readme = (REPO / "README.md").read_text("utf-8")
    for package in WINDOW_PACKAGES:
        assert package in readme, package
