"""What the fake's commands share: config, events, the fake hardware."""
from __future__ import annotations

import json
import os
import platform
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

FAKE_DEFAULTS: dict[str, Any] = {"step_ms": 200, "steps": 20, "crash_at_step": None, "eval_every": 5, "save_every": 5}
FAKE_GPU = {"name": "Fake GPU (test runner)", "memory_total_mb": 24576, "memory_free_mb": 23000}


def read_config(path: Path) -> dict[str, Any]:
    """The config as a dict; unknown keys are fine here (the real runner is the strict one)."""
    config = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(config, dict):
        raise ValueError(f"{path.name} must hold a JSON object")
    return config


def fake_settings(config: dict[str, Any]) -> dict[str, Any]:
    settings = {**FAKE_DEFAULTS, **(config.get("fake") or {})}
    if os.environ.get("FTF_FAKE_STEP_MS"):
        settings["step_ms"] = float(os.environ["FTF_FAKE_STEP_MS"])
    return settings


def fake_hardware() -> dict[str, Any]:
    gpu = {key: FAKE_GPU[key] for key in ("name", "memory_total_mb")}
    return {"python": platform.python_version(), "torch": "fake", "transformers": "fake", "peft": "fake", "cuda": "fake", "gpus": [gpu]}


def count_lines(path: Path) -> int:
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip()) if path.is_file() else 0


class Events:
    """Appends one JSON line per event, flushed at once, like the real EventWriter."""

    def __init__(self, path: Path) -> None:
        self._file = open(path, "a", encoding="utf-8")

    def write(self, event_type: str, **fields: Any) -> None:
        time = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        self._file.write(json.dumps({"type": event_type, "time": time, **fields}) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())
