"""python -m ftf_runner eval: base model vs. tuned model on a finished run (PROTOCOL.md, eval).

Like train, the modules that need torch are imported after the dependency check.
"""
from __future__ import annotations

from pathlib import Path

from .config import EvalConfig
from .deps import run_with_training_libraries
from .events import EventWriter

EVENTS_FILE = "eval-events.jsonl"


def main(config: EvalConfig, run_dir: Path) -> int:
    with EventWriter(run_dir / EVENTS_FILE) as events:
        return run_with_training_libraries(events, lambda: _evaluate(config, run_dir, events))


def _evaluate(config: EvalConfig, run_dir: Path, events: EventWriter) -> int:
    from .hf_eval import evaluate

    return evaluate(config, run_dir, events)
