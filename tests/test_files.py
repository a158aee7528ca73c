"""Reading the user's JSON files and explaining failed writes (planner.files)."""

from __future__ import annotations

import errno
import tempfile

import pytest

from planner.files import JsonFileError, parse_json, read_json, write_error_text


@pytest.mark.parametrize(
    "content, words",
    [
        (b"[" * 100_000, "nested far too deeply"),
        (b'{"a": ' * 50_000, "nested far too deeply"),
        (bytes(range(256)), "not a UTF-8 JSON file"),
        (b"\x1f\x8b\x08\x00compressed", "not a UTF-8 JSON file"),
        (b'{"targets": [1, 2,', "not valid JSON (line 1, column"),
        (b"", "not valid JSON"),
    ],
)
def test_every_bad_file_is_one_sentence_naming_it(tmp_path, content, words):
    path = tmp_path / "input.json"
    path.write_bytes(content)
    with pytest.raises(JsonFileError) as info:
        read_json(path, "targets file")
    message = str(info.value)
    assert message.startswith(f"targets file {path}") and words in message
    assert "\n" not in message and "Traceback" not in message


def test_missing_file_folder_and_size(tmp_path):
    with pytest.raises(JsonFileError, match="no such file"):
        read_json(tmp_path / "nope.json", "plan")
    with pytest.raises(JsonFileError, match="is a folder, not a file"):
        read_json(tmp_path, "plan")
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 2000 + b"[]")
    with pytest.raises(JsonFileError, match="far too large to be a plan"):
        read_json(big, "plan", max_bytes=1000)


def test_good_json_with_and_without_a_byte_order_mark(tmp_path):
    path = tmp_path / "ok.json"
    path.write_bytes(b'\xef\xbb\xbf{"targets": []}')
    assert read_json(path, "targets file") == {"targets": []}
    path.write_bytes(b"[1, 2]")
    assert read_json(path, "targets file") == [1, 2]


def test_the_caller_chooses_the_error_class_and_a_hint():
    class MyError(Exception):
        pass

    with pytest.raises(MyError, match=r"the plan is not valid JSON .*; check the backup\.$"):
        parse_json("{", "the plan", error=MyError, hint="check the backup")


@pytest.mark.parametrize(
    "exc, words",
    [
        (PermissionError(errno.EACCES, "Permission denied"), "is read-only (permission denied)"),
        (OSError(errno.EROFS, "Read-only file system"), "read-only file system"),
        (OSError(errno.ENOSPC, "No space left on device"), "is full"),
        (OSError(errno.EIO, "Input/output error"), "Input/output error"),
    ],
)
def test_write_errors_say_what_happened(tmp_path, exc, words):
    text = write_error_text(exc, tmp_path / "out" / "plan.json")
    assert words in text and str(tmp_path / "out") in text
    if exc.errno != errno.ENOSPC:
        assert "space" not in text  # a read-only folder is not blamed on the disk


def test_a_read_only_folder_is_named_by_the_real_save(tmp_path, monkeypatch):
    """The atomic writer's temporary file is where a read-only folder first bites (as root
    a chmod cannot make one, so the refusal the kernel would give is raised here)."""
    from planner.config import atomic_write_text
    from planner.plan import Plan, save_plan
    from planner.plan.store import PlanFileError
    from planner.sky import Site

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(PermissionError):
        atomic_write_text(tmp_path / "x.txt", "x")
    with pytest.raises(PlanFileError) as info:
        save_plan(Plan(site=Site(52.0, 4.0), title="t"), tmp_path / "night.plan.json")
    assert f"the folder {tmp_path} is read-only" in str(info.value) and "disk" not in str(info.value)
