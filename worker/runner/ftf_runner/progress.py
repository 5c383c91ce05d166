"""Figures the runner reports: planned steps, perplexity, token throughput."""
from __future__ import annotations

import math
import time
from typing import Callable


def planned_steps(num_sequences: int, batch_size: int, accumulation: int, epochs: float, max_steps: int) -> int:
    """Optimizer steps the Trainer will run on one device: max_steps when set, else epochs times
    the steps of one epoch (a last partial accumulation still makes a step)."""
    if max_steps > 0:
        return max_steps
    batches = math.ceil(num_sequences / batch_size)
    steps_per_epoch = max(math.ceil(batches / accumulation), 1)
    return math.ceil(epochs * steps_per_epoch)


def perplexity(loss: float | None) -> float | None:
    """exp(loss); None for no loss, and infinity (written as null) where exp would overflow."""
    if loss is None or math.isnan(loss):
        return None
    return math.exp(loss) if loss < 700 else math.inf


class Throughput:
    """Tokens per second between two reports, from the running count of (non-padding) tokens the
    model has been fed. Restarting the measure after an evaluation or a checkpoint leaves their
    time out, so the figure is the training speed."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._tokens_seen = 0
        self._started = clock()

    def restart(self, tokens_seen: int) -> None:
        self._tokens_seen = tokens_seen
        self._started = self._clock()

    def rate(self, tokens_seen: int) -> float | None:
        """Tokens per second since the last restart (None when no time passed), then restarts."""
        elapsed = self._clock() - self._started
        rate = (tokens_seen - self._tokens_seen) / elapsed if elapsed > 0 else None
        self.restart(tokens_seen)
        return rate
