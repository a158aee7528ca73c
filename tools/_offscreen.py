"""What the screenshot tools share: private config/data/cache folders (never the user's) and
a wait that keeps Qt's events flowing until a condition holds."""

from __future__ import annotations

import os
import tempfile
import time


def private_folders() -> None:
    """Point planner's config, data and cache folders at fresh temporary ones."""
    for name in ("CONFIG", "DATA", "CACHE"):
        os.environ[f"PLANNER_{name}_DIR"] = tempfile.mkdtemp(prefix=f"planner-shots-{name.lower()}-")


def wait(condition, timeout_s: float = 300.0) -> None:
    """Process Qt events until ``condition()`` holds; stop the tool if it never does."""
    from PySide6.QtCore import QCoreApplication, QEventLoop

    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.02)
    if not condition():
        raise SystemExit("the window did not get there in time")
