"""Checks on downloaded image bytes, so an HTML error page or a truncated file served as an
"image" is caught before it reaches the UI (Pillow does the decoding; no Qt here)."""

from __future__ import annotations

import io
import warnings

from PIL import Image

MAX_PIXELS = 200_000_000  # larger claims are decompression bombs, not astrophotos


def image_format(data: bytes | bytearray | memoryview | None) -> str | None:
    """The Pillow format name (``"JPEG"``, ``"PNG"``, ...) of fully decodable image bytes, else ``None``."""
    if not data:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(bytes(data))) as probe:
                fmt = probe.format
                width, height = probe.size
                if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
                    return None
                probe.load()  # decodes every byte: a truncated file fails here
    except Exception:  # Pillow raises many types for bad data; all mean "not an image"
        return None
    return fmt


def is_decodable_image(data: bytes | bytearray | memoryview | None) -> bool:
    """True when ``data`` is a complete image Pillow can decode (JPEG, PNG, GIF, TIFF, ...)."""
    return image_format(data) is not None


__all__ = ["image_format", "is_decodable_image"]
