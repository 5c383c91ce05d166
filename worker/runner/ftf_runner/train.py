"""python -m ftf_runner train: LoRA/QLoRA fine-tuning of one run directory (PROTOCOL.md).

This module needs only the standard library; the training itself (hf_trainer) is imported
after the dependency check, so a box without torch gets a missing_dependency event, not a crash.
"""
from __future__ import annotations

from pathlib import Path

from .config import RunnerConfig
from .deps import run_with_training_libraries
from .events import EventWriter
from .lifecycle import EXIT_OK, StopRequested, StopSignal, checkpoints_dir
from .rundir import newest_checkpoint, relative_path

EVENTS_FILE = "events.jsonl"


def main(config: RunnerConfig, run_dir: Path) -> int:
    stop = StopSignal()
    stop.install()
    with EventWriter(run_dir / EVENTS_FILE) as events:
        try:
            return run_with_training_libraries(events, lambda: _train(config, run_dir, events, stop))
        except StopRequested:
            checkpoint = newest_checkpoint(checkpoints_dir(config, run_dir))
            events.write(
                "stopped",
                step=checkpoint.step if checkpoint else 0,
                checkpoint=relative_path(run_dir, checkpoint.path) if checkpoint else None,
            )
            return EXIT_OK


def _train(config: RunnerConfig, run_dir: Path, events: EventWriter, stop: StopSignal) -> int:
    from .hf_trainer import train

    return train(config, run_dir, events, stop)
