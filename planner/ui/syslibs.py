"""The system libraries Qt's X11 platform plugin needs, checked before Qt is loaded.

On a bare Debian or Ubuntu, PySide6's wheel brings Qt but not the X11 helper libraries its
``xcb`` plugin links against (``libxcb-cursor0`` first of all, since Qt 6.5). Qt then
aborts the whole process with "This application failed to start because no Qt platform
plugin could be initialized. Reinstalling the application may fix this problem", which
names neither the library nor the package. So before ``QApplication`` exists the plugin is
inspected with the system's own dynamic loader (``ldd``, part of glibc's ``libc-bin``,
resolving exactly as the loader will), and a missing library becomes one line naming the
Debian package that provides it.

Without ``ldd`` (not glibc), or when another platform is chosen, nothing is checked.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable, Mapping, Sequence

# sonames Qt's xcb plugin (and Qt's GUI libraries under it) load, and the Debian/Ubuntu
# package of each: `ldd PySide6/Qt/plugins/platforms/libqxcb.so` lists them. Names not here
# follow Debian's library package rule (``debian_package``).
DEBIAN_PACKAGES: dict[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libGLX.so.0": "libglx0",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
}

# What the README's "System packages" lists: everything the window needs on X11.
WINDOW_PACKAGES = (
    "libxcb-cursor0", "libxcb-icccm4", "libxcb-image0", "libxcb-keysyms1", "libxcb-randr0",
    "libxcb-render-util0", "libxcb-shape0", "libxcb-xkb1", "libxkbcommon-x11-0", "libegl1",
    "libgl1", "libfontconfig1", "libdbus-1-3", "libglib2.0-0",
)

_NOT_FOUND = re.compile(r"^\s*(\S+)\s*=>\s*not found\s*$")


def debian_package(soname: str) -> str:
    """The Debian package that ships ``soname``: the table above, else Debian's rule for
    library packages (``libfoo.so.1`` in ``libfoo1``, ``libfoo-x11.so.0`` in
    ``libfoo-x11-0``: a hyphen when the name ends in a digit)."""
    if soname in DEBIAN_PACKAGES:
        return DEBIAN_PACKAGES[soname]
    match = re.fullmatch(r"(.+?)\.so\.(\d+)(?:\..*)?", soname)
    if not match:
        return soname
    name, major = match.group(1).lower(), match.group(2)
    return f"{name}-{major}" if name[-1].isdigit() else f"{name}{major}"


def _platforms(environ: Mapping[str, str]) -> list[str]:
    """The platform plugins Qt will try, in order (QT_QPA_PLATFORM may list fallbacks)."""
    chosen = environ.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        return [p.split(":", 1)[0].strip() for p in chosen.split(";") if p.strip()]
    if environ.get("XDG_SESSION_TYPE") == "wayland" and environ.get("WAYLAND_DISPLAY"):
        return ["wayland", "xcb"]  # Qt 6 prefers Wayland in a Wayland session
    return ["xcb"]


def xcb_plugin(environ: Mapping[str, str]) -> Path | None:
    """The xcb platform plugin Qt would load (QT_QPA_PLATFORM_PLUGIN_PATH first, as Qt
    does, then PySide6's own), or None when there is none to check."""
    folders = [Path(p) for p in environ.get("QT_QPA_PLATFORM_PLUGIN_PATH", "").split(os.pathsep) if p]
    spec = importlib.util.find_spec("PySide6")  # finds the package without loading Qt
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            folders.append(Path(location) / "Qt" / "plugins" / "platforms")
    for folder in folders:
        plugin = folder / "libqxcb.so"
        if plugin.is_file():
            return plugin
    return None


def missing_libraries(plugin: Path, *, run: Callable = subprocess.run, ldd: str | None = None) -> list[str]:
    """The sonames ``plugin`` needs that the dynamic loader cannot find (``ldd``'s
    "=> not found" lines), in its order; [] when ``ldd`` is not there or fails."""
    ldd = ldd or shutil.which("ldd")
    if not ldd:
        return []
    try:
        done = run([ldd, str(plugin)], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    missing: list[str] = []
    for line in (done.stdout or "").splitlines():
        match = _NOT_FOUND.match(line)
        if match and match.group(1) not in missing:
            missing.append(match.group(1))
    return missing


def describe_missing(missing: Sequence[str]) -> str:
    """The message for a user: what is missing, the one command that installs it, and
    what works without it."""
    packages = list(dict.fromkeys(debian_package(s) for s in missing))
    return (
        "the window cannot open: Qt's X11 platform plugin needs system libraries that are not "
        f"installed ({', '.join(missing)}). On Debian or Ubuntu install them with\n"
        f"    sudo apt install {' '.join(packages)}\n"
        "(other distributions: the packages providing those files, e.g. xcb-util-cursor on "
        "Fedora and Arch). The headless commands (planner tonight, planner --help) work without them."
    )


def missing_libraries_reason(environ: Mapping[str, str] | None = None, platform: str | None = None, *,
                             run: Callable = subprocess.run) -> str | None:
    """Why Qt's X11 plugin would abort here, or None (not Linux, another platform chosen,
    nothing missing, or nothing to check with)."""
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux") or _platforms(environ)[0] != "xcb":
        return None
    plugin = xcb_plugin(environ)
    if plugin is None:
        return None
    missing = missing_libraries(plugin, run=run)
    return describe_missing(missing) if missing else None
