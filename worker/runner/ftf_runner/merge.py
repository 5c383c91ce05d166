"""python -m ftf_runner merge: the finished run's adapter folded into its base (PROTOCOL.md, merge).

Like eval, the modules that need torch are imported after the dependency check.
"""
from __future__ import annotations

from pathlib import Path

from .config import MergeConfig
from .deps import run_with_training_libraries
from .events import EventWriter

EVENTS_FILE = "merge-events.jsonl"


def main(config: MergeConfig, run_dir: Path) -> int:
    with EventWriter(run_dir / EVENTS_FILE) as events:
        return run_with_training_libraries(events, lambda: _merge(config, run_dir, events))


def _merge(config: MergeConfig, run_dir: Path, events: EventWriter) -> int:
    from .hf_merge import merge

    return merge(config, run_dir, events)
