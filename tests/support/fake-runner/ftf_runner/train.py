"""Fake training: timed steps with a falling loss, checkpoints, SIGTERM, resume, crash, artifacts.

config.json's optional "fake" object (defaults in common.FAKE_DEFAULTS):
  steps          steps of the whole run
  step_ms        time one step takes (FTF_FAKE_STEP_MS overrides it)
  eval_every     an `eval` event every this many steps
  save_every     a checkpoint every this many steps
  crash_at_step  at this step, a CUDA-looking traceback on stderr and exit 1 (again on every
                 resume that reaches it)

Before `start` it reports `prepared` for each data file (words stand in for tokens); `metric`
and `done` carry an `mfu` from the fake hardware's FLOPs per token and peak FLOP/s.
"""
from __future__ import annotations

import hashlib
import json
import math
import random
import signal
import sys
import time
from pathlib import Path
from typing import Any

from .adapter import write_adapter
from .common import FLOPS_PER_TOKEN, PEAK_FLOPS, Events, count_lines, fake_hardware, fake_settings, prepared_stats

CRASH_TRACEBACK = """Traceback (most recent call last):
  File "/opt/ftf/runner/ftf_runner/hf_trainer.py", line 67, in train
    result = trainer.train(resume_from_checkpoint=str(resume.path) if resume else None)
  File "/opt/ftf/venv/lib/python3.11/site-packages/transformers/trainer.py", line 2325, in train
    return inner_training_loop(
  File "/opt/ftf/venv/lib/python3.11/site-packages/torch/_tensor.py", line 626, in backward
    torch.autograd.backward(
RuntimeError: CUDA error: an illegal memory access was encountered
"""
TOKENS_PER_STEP = 4096


class Stop:
    def __init__(self) -> None:
        self.requested = False
        signal.signal(signal.SIGTERM, self._handle)

    def _handle(self, signum: int, frame: Any) -> None:
        self.requested = True


def train(config: dict[str, Any], run_dir: Path, events: Events) -> int:
    stop = Stop()
    fake = fake_settings(config)
    steps: int = fake["steps"]
    seed = int(config.get("seed", 42))
    checkpoints = run_dir / config.get("output_dir", "output") / "checkpoints"
    resumed = newest_checkpoint_step(checkpoints)
    max_seq_length = int(config.get("max_seq_length", 2048))
    for split, key in (("train", "train_file"), ("eval", "eval_file")):
        data = run_dir / (config.get(key) or f"data/{split}.jsonl")
        if data.is_file():
            events.write("prepared", split=split, **prepared_stats(data, max_seq_length, bool(config.get("packing")) and split == "train"))
    events.write(
        "start",
        run_id=config.get("run_id"),
        total_steps=steps,
        num_train=count_lines(run_dir / config.get("train_file", "data/train.jsonl")),
        num_eval=count_lines(run_dir / (config.get("eval_file") or "data/eval.jsonl")),
        resumed_from_step=resumed,
        hardware=fake_hardware(),
    )
    started = time.monotonic()
    first_step = (resumed or 0) + 1
    for step in range(first_step, steps + 1):
        if stop.requested:
            return stopped(events, checkpoints, run_dir, step - 1, config)
        time.sleep(fake["step_ms"] / 1000)
        if step == fake["crash_at_step"]:
            sys.stderr.write(CRASH_TRACEBACK)
            return 1
        epoch = step / steps * float(config.get("num_epochs", 3))
        events.write("metric", step=step, epoch=epoch, loss=loss_at(step, seed), learning_rate=learning_rate_at(step, steps, config),
                     grad_norm=1.0 + 0.5 * math.exp(-step / 8), tokens_per_second=tokens_per_second(fake["step_ms"]), gpu_memory_mb=6144,
                     mfu=mfu(tokens_per_second(fake["step_ms"])))
        if step % fake["eval_every"] == 0:
            eval_loss = loss_at(step, seed) + 0.08
            events.write("eval", step=step, epoch=epoch, eval_loss=eval_loss, perplexity=math.exp(eval_loss))
        if step % fake["save_every"] == 0:
            save_checkpoint(events, checkpoints, run_dir, step, config)
    if stop.requested and steps < first_step:
        return stopped(events, checkpoints, run_dir, resumed or 0, config)
    return finish(config, run_dir, events, steps, seed, steps_run=steps - first_step + 1, runtime=time.monotonic() - started)


def loss_at(step: int, seed: int) -> float:
    noise = random.Random(f"{seed}-{step}").uniform(-0.02, 0.02)
    return 2.5 * math.exp(-step / 10) + 0.3 + noise


def learning_rate_at(step: int, steps: int, config: dict[str, Any]) -> float:
    return float(config.get("learning_rate", 2e-4)) * 0.5 * (1 + math.cos(math.pi * step / steps))


def tokens_per_second(step_ms: float) -> float:
    return TOKENS_PER_STEP / (step_ms / 1000) if step_ms > 0 else TOKENS_PER_STEP * 1000.0


def mfu(rate: float) -> float:
    """A fraction, like the real one; short fake steps would otherwise claim more than the peak."""
    return min(1.0, rate * FLOPS_PER_TOKEN / PEAK_FLOPS)


def newest_checkpoint_step(checkpoints: Path) -> int | None:
    steps = [json.loads(state.read_text())["step"] for state in checkpoints.glob("checkpoint-*/state.json")] if checkpoints.is_dir() else []
    return max(steps, default=None)


def save_checkpoint(events: Events, checkpoints: Path, run_dir: Path, step: int, config: dict[str, Any]) -> str:
    directory = checkpoints / f"checkpoint-{step}"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "state.json").write_text(json.dumps({"step": step, "run_id": config.get("run_id")}))
    path = directory.relative_to(run_dir).as_posix()
    events.write("checkpoint", step=step, path=path)
    return path


def stopped(events: Events, checkpoints: Path, run_dir: Path, step: int, config: dict[str, Any]) -> int:
    """SIGTERM: a checkpoint at the last finished step (unless there is none to save), then exit 0."""
    existing = checkpoints / f"checkpoint-{step}" / "state.json"
    checkpoint = None
    if step > 0:
        checkpoint = existing.parent.relative_to(run_dir).as_posix() if existing.is_file() else save_checkpoint(events, checkpoints, run_dir, step, config)
    events.write("stopped", step=step, checkpoint=checkpoint)
    return 0


def finish(config: dict[str, Any], run_dir: Path, events: Events, steps: int, seed: int, steps_run: int, runtime: float) -> int:
    output_dir = run_dir / config.get("output_dir", "output")
    adapter_files = write_adapter(output_dir / "adapter", config)
    eval_loss = loss_at(steps, seed) + 0.08
    metrics = {
        "train_loss": sum(loss_at(step, seed) for step in range(1, steps + 1)) / max(steps, 1),
        "eval_loss": eval_loss,
        "perplexity": math.exp(eval_loss),
        "train_runtime_s": round(runtime, 3),
        "total_tokens": TOKENS_PER_STEP * steps,
        "tokens_per_second": TOKENS_PER_STEP * steps_run / runtime if runtime > 0 else 0.0,
        "mfu": mfu(TOKENS_PER_STEP * steps_run / runtime) if runtime > 0 else None,
        "peak_gpu_memory_mb": 6144,
        "peak_cpu_memory_mb": 2048,
        "num_parameters": 494_032_768,
        "trainable_parameters": 8_798_208,
    }
    metrics_path = output_dir / "metrics.json"
    metrics_path.write_text(json.dumps(metrics, indent=2) + "\n")
    artifacts = [describe(run_dir, path) for path in [*adapter_files, metrics_path]]
    events.write("done", step=steps, metrics=metrics, artifacts=artifacts)
    return 0


def describe(run_dir: Path, path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    return {"path": path.relative_to(run_dir).as_posix(), "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
