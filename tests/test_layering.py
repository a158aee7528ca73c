"""The layering rule of docs/architecture.md: the core (sky, catalog, services, plan), the
application layer (app) and the headless CLI never need Qt.

Checked three ways: the import-linter contracts in pyproject.toml (layers, forbidden and
dynamic imports) are kept, and each probe import the review found missed (a core module
loading ui through importlib, a command importing ui inside a function, ui reached through
planner.config) breaks them; every core module imports in a fresh interpreter in which
PySide6, shiboken6 and matplotlib's Qt backends cannot be imported; and the core's source
names no Qt module or pyplot (which picks a Qt backend by itself)."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLANNER = ROOT / "planner"
CORE = ("sky", "catalog", "services", "plan", "app")
QT_MODULES = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "PySide2", "qtpy", "superqt", "pyqtgraph")

BLOCKER = textwrap.dedent(
    """
    import importlib.abc, json, pkgutil, importlib, sys

    BLOCKED = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "PySide2")

    def blocked(name):
        top = name.split(".")[0]
        return top in BLOCKED or name.startswith("matplotlib.backends.backend_qt")

    class NoQt(importlib.abc.MetaPathFinder):
        attempts = []
        def find_spec(self, name, path=None, target=None):
            if blocked(name):
                self.attempts.append(name)
                raise ImportError(f"{name} is blocked: the core must not need Qt")
            return None

    sys.meta_path.insert(0, NoQt())

    failures, imported = {}, []
    def load(name):
        try:
            importlib.import_module(name)
            imported.append(name)
        except Exception as exc:  # report every module, not just the first
            failures[name] = f"{type(exc).__name__}: {exc}"

    for package in PACKAGES:
        load(package)
        module = sys.modules.get(package)
        if module is not None and hasattr(module, "__path__"):
            for info in pkgutil.walk_packages(module.__path__, prefix=package + "."):
                load(info.name)

    # The headless CLI must also build its parser (it imports every command module).
    try:
        import planner.cli
        planner.cli.build_parser()
    except Exception as exc:
        failures["planner.cli.build_parser()"] = f"{type(exc).__name__}: {exc}"

    qt_loaded = sorted(m for m in sys.modules if blocked(m))
    print(json.dumps({"failures": failures, "imported": imported,
                      "qt_loaded": qt_loaded, "attempts": NoQt.attempts}))
    """
)


def run_without_qt(packages: list[str]) -> dict:
    code = f"PACKAGES = {packages!r}\n" + BLOCKER
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={**__import__("os").environ, "MPLBACKEND": "Agg"},
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def core_without_qt():
    return run_without_qt([f"planner.{name}" for name in CORE] + ["planner.cli", "planner.commands"])


def test_core_and_cli_import_with_qt_unimportable(core_without_qt):
    assert core_without_qt["failures"] == {}
    assert core_without_qt["qt_loaded"] == []


def test_every_core_package_was_actually_imported(core_without_qt):
    imported = set(core_without_qt["imported"])
    for name in CORE:
        assert f"planner.{name}" in imported
    assert "planner.catalog.target" in imported and "planner.catalog.sample" in imported
    assert "planner.cli" in imported


def test_core_never_even_tries_qt(core_without_qt):
    # An import guarded by try/except would pass the test above; the rule is stronger.
    assert core_without_qt["attempts"] == []


def test_the_blocker_really_blocks():
    """The check can fail: the UI package does need Qt and must be refused."""
    result = run_without_qt(["planner.ui.themes"])
    assert "planner.ui.themes" in result["failures"]
    assert "PySide6" in result["failures"]["planner.ui.themes"]
    assert result["attempts"]


# -- static check of the source --------------------------------------------------------------


def imports_of(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """Absolute names a module imports (relative imports resolved), with line numbers."""
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    module = ".".join(path.relative_to(root).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    if path.name == "__init__.py":
        package = module.rsplit(".__init__", 1)[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((node.lineno, name))
            # "from planner import ui" names the sub-package in the alias.
            if name == "planner":
                found += [(node.lineno, f"planner.{alias.name}") for alias in node.names]
    return found


def core_files(layer: str) -> list[Path]:
    return sorted((PLANNER / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", CORE)
def test_core_source_names_no_qt_module(layer):
    bad = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in core_files(layer)
        for line, name in imports_of(path)
        if name.split(".")[0] in QT_MODULES or name.startswith("matplotlib.backends.backend_qt")
        or name == "matplotlib.pyplot"  # pyplot picks an interactive (Qt) backend by itself
    ]
    assert bad == []


def test_static_check_finds_a_violation(tmp_path):
    """The AST reader sees absolute, relative and 'from planner import x' imports."""
    probe = tmp_path / "planner" / "sky" / "probe.py"
    probe.parent.mkdir(parents=True)
    probe.write_text("from ..ui import themes\nfrom planner import plan\nimport PySide6.QtCore\n")
    names = [name for _, name in imports_of(probe, root=tmp_path)]
    assert names == ["planner.ui", "planner", "planner.plan", "PySide6.QtCore"]


# -- import-linter ----------------------------------------------------------------------------


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """Run lint-imports on the tree at ``root`` (it reads root/pyproject.toml and puts root first
    on sys.path, so a copy of the package there is what it analyses)."""
    script = Path(sys.executable).with_name("lint-imports")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "importlinter.cli"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([*command, "--no-cache"], cwd=root, capture_output=True, text=True, timeout=300, env=env)


def test_the_contracts_are_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "4 kept, 0 broken" in result.stdout


@pytest.fixture
def tree_copy(tmp_path):
    """The package, the contract tools and pyproject.toml, copied so a probe can be added."""
    for name in ("planner", "tools"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


PROBES = {
    # a core module loading the window through importlib, inside a function
    "importlib": ("planner/sky/_probe.py",
                  "import importlib\n\ndef themes():\n    return importlib.import_module('planner.ui.themes')\n",
                  ["No importlib way around these contracts BROKEN", "planner.sky._probe (l.4)"]),
    # a command importing the window inside a function
    "command": ("planner/commands/_probe.py",
                "def window():\n    from planner.ui import main_window\n    return main_window\n",
                ["Headless commands: no Qt, no window BROKEN", "planner.commands._probe -> planner.ui"]),
    # the window reached through planner.config
    "config": ("planner/config.py",
               "\n\ndef _probe():\n    from planner.ui.themes import theme\n    return theme\n",
               ["Below the window: no Qt, no window, no commands BROKEN", "planner.config -> planner.ui.themes",
                "Layers from the entry points down BROKEN"]),
}


@pytest.mark.parametrize("probe", sorted(PROBES))
def test_each_probe_import_breaks_a_contract(tree_copy, probe):
    path, code, expected = PROBES[probe]
    target = tree_copy / path
    with open(target, "a", encoding="utf-8") as handle:
        handle.write(code)
    result = lint_imports(tree_copy)
    assert result.returncode != 0, result.stdout[-3000:]
    for text in expected:
        assert text in result.stdout, result.stdout[-3000:]


def test_a_dynamic_import_of_its_own_package_is_allowed(tree_copy):
    """The exporters load their own modules by name; that is no way around the contracts."""
    probe = tree_copy / "planner" / "plan" / "_probe.py"
    probe.write_text("import importlib\n\ndef load(name):\n    return importlib.import_module(f'planner.plan.{name}')\n")
    assert lint_imports(tree_copy).returncode == 0
