"""What a training run's lifecycle shares between the entry point (train.py) and the trainer
(hf_trainer.py): the exit code, the stop signal, and where checkpoints go. Standard library only.
"""
from __future__ import annotations

import signal
from pathlib import Path
from types import FrameType

from .config import RunnerConfig

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
