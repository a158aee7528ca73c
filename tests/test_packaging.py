"""The wheel carries ``planner/resources/`` (targets sample, icons, themes) and no other
top-level package, and the installed package reads the sample with ``importlib.resources``,
unpacked and straight from the zip.

The wheel is built from a copy of the project in a temporary folder (so the shared
working tree gets no ``build/`` or ``*.egg-info``), without build isolation so no
package index is needed: setuptools and wheel come from the test environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow

TOOLBAR_ICONS = {
    "planner", "refresh", "search", "night-mode", "add-to-plan", "schedule", "solve",
    "settings", "calendar", "previous", "next",
}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("planner",):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, src / name)
    if not (src / "README.md").exists():  # pyproject names it as the long description
        (src / "README.md").write_text("planner\n", "utf-8")
    out = work / "dist"
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(src)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    wheels = list(out.glob("planner-*.whl"))
    assert len(wheels) == 1, list(out.iterdir())
    return wheels[0]


def names_in(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as zf:
        return set(zf.namelist())


def repo_files(folder: str, pattern: str) -> set[str]:
    return {p.relative_to(ROOT).as_posix() for p in (ROOT / folder).glob(pattern)}


def test_wheel_contains_the_targets_sample_and_its_sources(wheel):
    names = names_in(wheel)
    assert "planner/resources/targets/sample_targets.json" in names
    assert "planner/resources/targets/SOURCES.md" in names
    assert "planner/resources/__init__.py" in names and "planner/resources/targets/__init__.py" in names


def test_wheel_installs_only_the_planner_package(wheel):
    """A top-level ``resources`` (or any other generic name) would clash with other
    distributions installed into the same environment."""
    tops = {n.split("/", 1)[0] for n in names_in(wheel) if not n.split("/", 1)[0].endswith(".dist-info")}
    assert tops == {"planner"}


def test_wheel_carries_the_mit_licence(wheel):
    names = names_in(wheel)
    licence = next(n for n in names if n.endswith(".dist-info/licenses/LICENSE"))
    with zipfile.ZipFile(wheel) as zf:
        text = zf.read(licence).decode()
        metadata = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert text.startswith("MIT License") and "planner developers" in text
    assert "License-Expression: MIT" in metadata


def test_wheel_contains_every_icon_and_theme(wheel):
    names = names_in(wheel)
    icons = repo_files("planner/resources/icons", "*.svg")
    assert {Path(n).stem for n in icons} >= TOOLBAR_ICONS
    assert icons <= names
    themes = repo_files("planner/resources/themes", "*.qss")
    assert themes and themes <= names


def test_wheel_contains_the_package_and_entry_points(wheel):
    names = names_in(wheel)
    assert "planner/__init__.py" in names and "planner/cli.py" in names
    assert "planner/catalog/target.py" in names
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    with zipfile.ZipFile(wheel) as zf:
        text = zf.read(entry_points).decode()
    assert "planner = planner.cli:main" in text
    # Nothing from the tests or the working tree's clutter.
    assert not any(n.startswith(("tests/", "build/")) or "__pycache__" in n for n in names)


def test_sample_in_wheel_is_byte_identical(wheel):
    with zipfile.ZipFile(wheel) as zf:
        assert zf.read("planner/resources/targets/sample_targets.json") == (
            ROOT / "planner/resources/targets/sample_targets.json"
        ).read_bytes()


READ_SAMPLE = textwrap.dedent(
    """
    import json, sys
    from importlib import resources
    import planner, planner.resources as res
    from planner.catalog import load_sample
    result = load_sample()
    icons = sorted(p.name for p in resources.files("planner.resources.icons").iterdir() if p.name.endswith(".svg"))
    themes = sorted(p.name for p in resources.files("planner.resources.themes").iterdir() if p.name.endswith(".qss"))
    print(json.dumps({
        "planner": planner.__file__, "resources": res.__file__,
        "count": len(result.targets), "problems": result.problems,
        "icons": icons, "themes": themes,
    }))
    """
)


def run_from(path_entry: Path, cwd: Path) -> dict:
    import json

    env = dict(os.environ)
    env["PYTHONPATH"] = str(path_entry)
    proc = subprocess.run(
        # -P: the current folder is not put on sys.path, so only the wheel provides planner.
        [sys.executable, "-P", "-c", READ_SAMPLE],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def check_installed(info: dict, where: Path):
    assert Path(info["planner"]).is_relative_to(where), info["planner"]
    assert Path(info["resources"]).is_relative_to(where), info["resources"]
    assert info["count"] >= 40 and info["problems"] == []
    assert {Path(n).stem for n in info["icons"]} >= TOOLBAR_ICONS
    assert info["themes"]


def test_installed_wheel_reads_the_sample(wheel, tmp_path):
    site = tmp_path / "site-packages"
    with zipfile.ZipFile(wheel) as zf:  # a pure-Python wheel installs by unpacking
        zf.extractall(site)
    check_installed(run_from(site, cwd=tmp_path), site)


def test_package_reads_the_sample_straight_from_the_zip(wheel, tmp_path):
    check_installed(run_from(wheel, cwd=tmp_path), wheel)
