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


# The fake's throughput figures: MFU = tokens/s × FLOPS_PER_TOKEN ÷ PEAK_FLOPS.
FLOPS_PER_TOKEN = 3.0e9
PEAK_FLOPS = 165.0e12


def fake_hardware() -> dict[str, Any]:
    gpu = {key: FAKE_GPU[key] for key in ("name", "memory_total_mb")}
    return {"python": platform.python_version(), "torch": "fake", "transformers": "fake", "peft": "fake", "cuda": "fake", "gpus": [gpu],
            "flops_per_token": FLOPS_PER_TOKEN, "peak_flops": PEAK_FLOPS}


def fake_token_count(example: dict[str, Any]) -> int:
    """Stands in for the base model's tokenizer: words of every message, plus 4 per message for its template."""
    return sum(len(str(message.get("content", "")).split()) + 4 for message in example.get("messages", []))


def prepared_stats(path: Path, max_seq_length: int, packing: bool) -> dict[str, int]:
    """The `prepared` event's counts for one data file, as the real runner reports them."""
    lengths = [fake_token_count(json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()] if path.is_file() else []
    tokens = sum(min(n, max_seq_length) for n in lengths)
    sequences = -(-tokens // max_seq_length) if packing else len(lengths)
    return {"examples": len(lengths), "sequences": sequences, "tokens": tokens,
            "truncated": sum(1 for n in lengths if n > max_seq_length), "dropped": 0, "longest": max(lengths, default=0)}


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
