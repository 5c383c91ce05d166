"""Fake evaluation: eval-events.jsonl with an eval loss and base vs. tuned answers per prompt.

The base answer is deliberately weak (the reference's first words, shuffled and cut short);
the tuned one is the reference itself for even indexes and a near copy for odd ones.
"""
from __future__ import annotations

import json
import math
import random
import time
from pathlib import Path
from typing import Any

from .common import Events, count_lines, fake_hardware, fake_settings

EVAL_LOSS = 0.62


def evaluate(config: dict[str, Any], run_dir: Path, events: Events) -> int:
    adapter_dir = run_dir / config.get("output_dir", "output") / "adapter"
    if not (adapter_dir / "adapter_config.json").is_file():
        events.write("error", kind="config", message=f"No adapter in {adapter_dir.relative_to(run_dir).as_posix()}: the training run has not finished.")
        return 1
    prompts = read_prompts(run_dir / (config.get("prompts_file") or "data/prompts.jsonl"))
    step_ms = fake_settings(config)["step_ms"]
    events.write("start", run_id=config.get("run_id"), num_eval=count_lines(run_dir / (config.get("eval_file") or "data/eval.jsonl")),
                 num_samples=len(prompts), hardware=fake_hardware())
    events.write("eval", step=None, epoch=None, eval_loss=EVAL_LOSS, perplexity=math.exp(EVAL_LOSS))
    for prompt in prompts:
        time.sleep(step_ms / 1000)
        reference = prompt.get("reference", "")
        events.write("sample", index=prompt["index"], prompt=prompt["prompt"], reference=reference,
                     base_output=weak_answer(reference, prompt["index"]), tuned_output=good_answer(reference, prompt["index"]))
    events.write("done", metrics={"eval_loss": EVAL_LOSS, "perplexity": math.exp(EVAL_LOSS), "num_samples": len(prompts)})
    return 0


def read_prompts(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def weak_answer(reference: str, index: int) -> str:
    words = reference.split()[:6]
    random.Random(index).shuffle(words)
    return " ".join(words[: max(1, len(words) // 2)]).lower() if words else "I am not sure."


def good_answer(reference: str, index: int) -> str:
    if index % 2 == 0:
        return reference
    words = reference.split()
    return " ".join(words[:-1]) if len(words) > 1 else reference
