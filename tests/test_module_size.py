"""Every module under planner/ stays at most 500 lines, unless its module docstring says
why not ("Over 500 lines because ..." with the reason): a longer module is split by concern
(a mixin or a helper module beside it), as planner/ui/image_tab.py and image_detail.py are."""

from __future__ import annotations

import ast
from pathlib import Path

MAX_LINES = 500
EXCUSE = "Over 500 lines because"
PLANNER = Path(__file__).resolve().parents[1] / "planner"


def excused(source: str) -> bool:
    """Whether the module's docstring gives a reason for its length (words after the phrase)."""
    try:
        docstring = ast.get_docstring(ast.parse(source)) or ""
    except SyntaxError:
        return False
    _, found, reason = docstring.partition(EXCUSE)
    return bool(found) and bool(reason.strip(" .:,\n"))


def oversized(root: Path, limit: int = MAX_LINES) -> list[tuple[str, int]]:
    """Each module under ``root`` longer than ``limit`` lines without a reason, with its length."""
    found = []
    for path in sorted(root.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = len(source.splitlines())
        if lines > limit and not excused(source):
            found.append((path.relative_to(root.parent).as_posix(), lines))
    return found


def test_every_planner_module_is_at_most_500_lines_or_says_why():
    offenders = oversized(PLANNER)
    assert not offenders, (
        f"modules over {MAX_LINES} lines (split them by concern, or say in the module docstring "
        f"'{EXCUSE} <reason>'): " + ", ".join(f"{name} ({lines} lines)" for name, lines in offenders)
    )


def test_the_check_names_a_long_module_and_its_length(tmp_path):
    package = tmp_path / "planner"
    (package / "ui").mkdir(parents=True)
    (package / "short.py").write_text('"""Short."""\n' + "x = 1\n" * 10)
    (package / "ui" / "long.py").write_text('"""Long."""\n' + "x = 1\n" * 600)
    (package / "exactly.py").write_text("x = 1\n" * MAX_LINES)

    assert oversized(package) == [("planner/ui/long.py", 601)]


def test_a_reason_in_the_docstring_excuses_a_long_module_and_the_bare_phrase_does_not(tmp_path):
    package = tmp_path / "planner"
    package.mkdir()
    body = "x = 1\n" * 600
    (package / "reasoned.py").write_text(f'"""A table.\n\n{EXCUSE} the table is one list of entries."""\n' + body)
    (package / "bare.py").write_text(f'"""A table. {EXCUSE}."""\n' + body)
    (package / "in_a_comment.py").write_text(f'"""A table."""\n# {EXCUSE} it is long.\n' + body)

    assert oversized(package) == [("planner/bare.py", 601), ("planner/in_a_comment.py", 602)]
