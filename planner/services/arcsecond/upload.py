"""The multipart body of a data-file upload, streamed from disk with progress (never read
whole into memory)."""

from __future__ import annotations

import io
import uuid as _uuid
from pathlib import Path
from typing import Mapping

from planner.services.arcsecond.service import ProgressCallback


# --------------------------------------------------------------------------- upload body


class MultipartFileBody:
    """A ``multipart/form-data`` body that streams one file from disk and reports progress.

    The HTTP layer sends it in blocks (``read(n)``); each block of the file's bytes calls
    ``progress(sent, total)``. An unsized ``read()`` (used to hash request bodies) reads
    everything without reporting, and ``seek(0)`` starts over.
    """

    def __init__(self, path: Path, fields: Mapping[str, str], progress: ProgressCallback | None = None):
        self.boundary = f"planner-{_uuid.uuid4().hex}"
        self.path = path
        self.file_size = path.stat().st_size
        self.progress = progress
        head = []
        for name, value in fields.items():
            head.append(
                f'--{self.boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            )
        filename = path.name.replace('"', "_").replace("\r", "_").replace("\n", "_")
        head.append(
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        self._head = "".join(head).encode("utf-8")
        self._tail = f"\r\n--{self.boundary}--\r\n".encode("ascii")
        self._length = len(self._head) + self.file_size + len(self._tail)
        self._pos = 0
        self._handle = open(path, "rb")  # noqa: SIM115 - closed by close()

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return self._length

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._length}[whence]
        self._pos = max(0, min(self._length, base + offset))
        return self._pos

    def read(self, size: int | None = -1) -> bytes:
        sized = size is not None and size >= 0
        want = (self._length - self._pos) if not sized else min(size, self._length - self._pos)
        out = bytearray()
        while want > 0:
            head_end = len(self._head)
            file_end = head_end + self.file_size
            if self._pos < head_end:
                chunk = self._head[self._pos : self._pos + want]
            elif self._pos < file_end:
                self._handle.seek(self._pos - head_end)
                chunk = self._handle.read(min(want, file_end - self._pos))
                if not chunk:
                    raise OSError(f"{self.path} became shorter while it was being uploaded")
            else:
                offset = self._pos - file_end
                chunk = self._tail[offset : offset + want]
            out += chunk
            self._pos += len(chunk)
            want -= len(chunk)
        if sized and self.progress is not None and out:
            sent = min(max(self._pos - len(self._head), 0), self.file_size)
            self.progress(sent, self.file_size)
        return bytes(out)

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._handle.close()
