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


def whole_run_train_loss(log_history: list[dict[str, float]], resumed_from: int, last_step: int, reported: float) -> float:
    """The mean training loss over every step of the run. After a resume the Trainer divides the
    loss summed over this session's steps by the run's whole step count, which is too low by the
    share of steps trained before; the logged losses of those steps (restored with the
    checkpoint's log history) fill them in. Steps after the last log before the checkpoint count
    at the mean of the logged ones."""
    if resumed_from <= 0 or last_step <= resumed_from:
        return reported
    session_sum = reported * last_step
    before, logged_to = 0.0, 0
    for entry in sorted((e for e in log_history if "loss" in e and "step" in e and e["step"] <= resumed_from), key=lambda e: e["step"]):
        before += float(entry["loss"]) * (entry["step"] - logged_to)
        logged_to = int(entry["step"])
    if logged_to == 0:
        return session_sum / (last_step - resumed_from)
    before += before / logged_to * (resumed_from - logged_to)
    return (before + session_sum) / last_step


class StepTimer:
    """Mean wall seconds per optimizer step since the last report, evaluations and saves left out."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._began: float | None = None
        self._total = 0.0
        self._steps = 0

    def begin(self) -> None:
        self._began = self._clock()

    def end(self) -> None:
        if self._began is not None:
            self._total += self._clock() - self._began
            self._steps += 1
            self._began = None

    def mean(self) -> float | None:
        """The mean since the last call, then starts over."""
        mean = self._total / self._steps if self._steps else None
        self._total, self._steps = 0.0, 0
        return mean
