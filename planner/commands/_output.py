"""How every service command prints its answer: JSON on stdout with where it came from
(``from_cache``, ``offline``, ``fetched_at``), and one note on stderr when the service
failed and a saved answer is shown instead."""

from __future__ import annotations

import json
import sys
from typing import Any

from planner.services.origin import Origin


def emit(payload: dict[str, Any], *parts: Any, service: str, command: str) -> None:
    """Print ``payload`` with the origin of ``parts`` (client results) merged in."""
    origin = Origin.combine(parts)
    json.dump({**payload, **origin.to_json()}, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    note = origin.note(service)
    if note:
        print(f"planner {command}: {note}", file=sys.stderr)
