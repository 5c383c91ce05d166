"""python -m ftf_runner train: LoRA/QLoRA fine-tuning of one run directory (PROTOCOL.md).

This module needs only the standard library; the training itself (hf_trainer) is imported
after the dependency check, so a box without torch gets a missing_dependency event, not a crash.
"""
from __future__ import annotations

import signal
from pathlib import Path
from types import FrameType

from .config import RunnerConfig
from .deps import run_with_training_libraries
from .events import EventWriter
from .rundir import newest_checkpoint, relative_path

EVENTS_FILE = "events.jsonl"
EXIT_OK = 0


class StopRequested(BaseException):
    """SIGTERM before training started. A BaseException, so that the handlers that turn every
    Exception into an error event let it through: a stop is not a failure."""


class StopSignal:
    """SIGTERM from the worker (cancel). Until training starts it aborts at once; during training
    it only sets `requested`, and the training callback saves a checkpoint and stops at the end of
    the current step. Once the last step is done it changes nothing: `done` follows shortly."""

    def __init__(self) -> None:
        self.requested = False
        self._abort_at_once = True

    def install(self) -> None:
        signal.signal(signal.SIGTERM, self._handle)

    def training_started(self) -> None:
        self._abort_at_once = False

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True
        if self._abort_at_once:
            raise StopRequested


def checkpoints_dir(config: RunnerConfig, run_dir: Path) -> Path:
    return run_dir / config.output_dir / "checkpoints"


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
