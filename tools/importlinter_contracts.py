"""An import-linter contract for the imports import-linter cannot see: ``importlib``.

grimp builds its graph from ``import`` statements, so ``importlib.import_module("planner.ui.x")``
or ``__import__("PySide6")`` in a core module would slip past the ``layers`` and ``forbidden``
contracts. This contract reads the source of every module under ``source_modules`` and is
broken by a dynamic import whose name starts with one of ``forbidden_modules``, or whose name
is not written out (a literal, or an f-string with a literal prefix that rules the forbidden
modules out), since such an import cannot be checked.

Registered in ``pyproject.toml`` under ``[tool.importlinter] contract_types``; lint-imports
puts the current folder on ``sys.path``, which is how it finds this module.
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from importlinter import Contract, ContractCheck, fields, output


@dataclass(frozen=True)
class DynamicImport:
    module: str
    line: int
    target: str  # the imported name, or its literal prefix followed by "…"
    reason: str


def _dynamic_imports(tree: ast.AST):
    """(line, name or prefix, complete?) of every importlib/__import__ call with a name argument."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name not in ("import_module", "__import__"):
            continue
        arg = node.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            yield node.lineno, arg.value, True
        elif isinstance(arg, ast.JoinedStr):
            prefix = ""
            for part in arg.values:
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    prefix += part.value
                else:
                    break
            yield node.lineno, prefix, False
        else:
            yield node.lineno, "", False


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _reaches(target: str, complete: bool, forbidden: str) -> bool:
    if target == forbidden or target.startswith(forbidden + "."):
        return True
    # An open-ended name may still become the forbidden one ("planner." + anything).
    return not complete and forbidden.startswith(target)


class DynamicImportsContract(Contract):
    """No module under ``source_modules`` imports ``forbidden_modules`` through importlib."""

    type_name = "dynamic imports"

    source_modules = fields.ListField(subfield=fields.ModuleField())
    forbidden_modules = fields.ListField(subfield=fields.ModuleField())

    def check(self, graph, verbose: bool) -> ContractCheck:
        forbidden = [m.name for m in self.forbidden_modules]
        found: list[DynamicImport] = []
        for source in self.source_modules:
            for module in sorted({source.name} | graph.find_descendants(source.name)):
                path = _source_file(module)
                if path is None:
                    continue
                tree = ast.parse(path.read_text("utf-8"), filename=str(path))
                for line, target, complete in _dynamic_imports(tree):
                    shown = target if complete else target + "…"
                    # a package may load its own modules (import-linter's rule for overlaps)
                    hit = next((f for f in forbidden if not _inside(module, f) and _reaches(target, complete, f)), None)
                    if hit is not None:
                        found.append(DynamicImport(module, line, shown, f"may import {hit}"))
        return ContractCheck(kept=not found, metadata={"found": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for item in check.metadata["found"]:
            output.print_error(f"{item.module} (l.{item.line}) imports {item.target!r} through importlib: {item.reason}")
            output.new_line()


def _source_file(module: str) -> Path | None:
    """The .py file of ``module``, found from its top-level package without importing it."""
    top, *rest = module.split(".")
    spec = importlib.util.find_spec(top)
    if spec is None or not spec.submodule_search_locations:
        return None
    base = Path(next(iter(spec.submodule_search_locations)))
    for candidate in (base.joinpath(*rest, "__init__.py"), base.joinpath(*rest).with_suffix(".py") if rest else None):
        if candidate is not None and candidate.is_file():
            return candidate
    return None
