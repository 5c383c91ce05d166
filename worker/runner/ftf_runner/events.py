"""events.jsonl: the runner's progress, one JSON object a line, for the worker to tail."""
from __future__ import annotations

import json
import math
import os
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any


def utc_timestamp() -> str:
    """ISO 8601 in UTC with milliseconds and a Z, e.g. 2025-01-31T12:00:00.123Z."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def json_safe(value: Any) -> Any:
    """NaN and infinities become null: json.dumps would write bare NaN, which is not JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    return value


class EventWriter:
    """Appends events to a file. Append mode, so a resumed run continues the same file; each line
    is flushed and fsync'd, so the worker never reads half an event and a crash loses none."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = open(path, "a", encoding="utf-8")

    def write(self, event_type: str, **fields: Any) -> dict[str, Any]:
        event: dict[str, Any] = json_safe({"type": event_type, "time": utc_timestamp(), **fields})
        self._file.write(json.dumps(event, ensure_ascii=False, allow_nan=False) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())
        return event

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> EventWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
