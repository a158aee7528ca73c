"""The user's files, read and written with one clear sentence for each way that goes wrong.

``read_bytes`` is the one reader of the files a user hands us (horizon files too), and
``read_json`` the one reader of JSON files (targets, plans, saved API
answers, settings): a missing file, a folder, random bytes, broken or absurdly nested
JSON each get a sentence naming the file, never a traceback. ``write_error_text`` says
why a write failed in the user's terms: a read-only folder is not a full disk.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

from planner.errors import PlannerError

# Far larger than any targets list, plan or settings file; a bigger one is not read into memory.
MAX_JSON_BYTES = 64 * 1024 * 1024


class JsonFileError(PlannerError, ValueError):
    """A JSON file that cannot be used; the message names the file and the cause."""


def parse_json(text: str, where: str, *, error: type[Exception] = JsonFileError, hint: str = "") -> Any:
    """``json.loads`` whose every failure is ``error`` with a sentence about ``where``."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(
            f"{where} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}){_hint(hint)}"
        ) from None
    except RecursionError:
        # The decoder recurses once per nesting level: '[' * 100000 exhausts the stack.
        raise error(f"{where} is not usable JSON: its arrays or objects are nested far too deeply{_hint(hint)}") from None


def read_bytes(
    path: str | os.PathLike,
    what: str,
    *,
    error: type[Exception] = JsonFileError,
    max_bytes: int = MAX_JSON_BYTES,
) -> bytes:
    """The bytes of a file the user gave. ``what`` names the file for the user ("targets
    file"); every failure raises ``error`` with a sentence that names the file and says what
    is wrong with it (missing, a folder, unreadable, too large)."""
    path = Path(path)
    where = f"{what} {path}"
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise error(f"{where} is {size / 1e6:.0f} MB, far too large to be a {what}.")
        return path.read_bytes()
    except FileNotFoundError:
        raise error(f"{where}: no such file.") from None
    except IsADirectoryError:
        raise error(f"{where} is a folder, not a file.") from None
    except PermissionError:
        raise error(f"{where} cannot be read: permission denied.") from None
    except OSError as exc:
        raise error(f"{where} cannot be read ({exc.strerror or exc}).") from None


def read_text(
    path: str | os.PathLike,
    what: str,
    *,
    error: type[Exception] = JsonFileError,
    max_bytes: int = MAX_JSON_BYTES,
    hint: str = "",
) -> str:
    """The text of a UTF-8 file the user gave (a byte-order mark is allowed).

    ``what`` names the file for the user ("targets file"); every failure raises ``error``
    with a sentence that names the file and says what is wrong with it."""
    data = read_bytes(path, what, error=error, max_bytes=max_bytes)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise error(
            f"{what} {Path(path)} is not a UTF-8 JSON file (it holds binary data or text in another encoding)"
            f"{_hint(hint)}"
        ) from None


def read_json(
    path: str | os.PathLike,
    what: str,
    *,
    error: type[Exception] = JsonFileError,
    max_bytes: int = MAX_JSON_BYTES,
    hint: str = "",
) -> Any:
    """The parsed content of a UTF-8 JSON file: ``read_text`` then ``parse_json``."""
    text = read_text(path, what, error=error, max_bytes=max_bytes, hint=hint)
    return parse_json(text, f"{what} {Path(path)}", error=error, hint=hint)


def _hint(hint: str) -> str:
    return f"; {hint}." if hint else "."


def write_error_text(exc: OSError, path: str | os.PathLike) -> str:
    """Why writing ``path`` failed, in the user's terms, with what to do."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    code = getattr(exc, "errno", None)
    if isinstance(exc, IsADirectoryError) or code == errno.EISDIR:
        return f"{path} is a folder; give a file name"
    if code == errno.EROFS:
        return f"the folder {folder} is on a read-only file system; choose another folder"
    if isinstance(exc, PermissionError) or code in (errno.EACCES, errno.EPERM):
        return f"the folder {folder} is read-only (permission denied); choose another folder or change its permissions"
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"the disk holding {folder} is full; free some space or choose another folder"
    if isinstance(exc, (FileNotFoundError, NotADirectoryError)):
        return f"the folder {folder} does not exist and cannot be made; choose another folder"
    return f"{exc.strerror or exc} in the folder {folder}; choose another folder"
