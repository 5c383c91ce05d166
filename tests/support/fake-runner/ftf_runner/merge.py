"""Fake merge: output/merged/ shaped like a transformers save (config.json, model.safetensors,
generation_config.json, the adapter's tokenizer files), with the real runner's events.

The architecture comes from `"fake": {"architecture": "Qwen2ForCausalLM"}` (default Llama), so
tests can walk the bundle's choices per architecture.
"""
from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path
from typing import Any

from .adapter import json_bytes, safetensors_bytes
from .common import Events, fake_hardware, fake_settings

MODEL_TYPES = {"LlamaForCausalLM": "llama", "Qwen2ForCausalLM": "qwen2", "MistralForCausalLM": "mistral", "Gemma2ForCausalLM": "gemma2"}


def merge(config: dict[str, Any], run_dir: Path, events: Events) -> int:
    adapter_dir = run_dir / config.get("output_dir", "output") / "adapter"
    if not (adapter_dir / "adapter_config.json").is_file():
        events.write("error", kind="config", message=f"No adapter in {adapter_dir.relative_to(run_dir).as_posix()}: the training run has not finished.")
        return 1
    settings = fake_settings(config)
    architecture = (config.get("fake") or {}).get("architecture", "LlamaForCausalLM")
    events.write("start", run_id=config.get("run_id"), hardware=fake_hardware())
    events.write("log", level="info", message="Merging the adapter into the base weights")
    time.sleep(3 * settings["step_ms"] / 1000)
    out_dir = run_dir / config.get("merged_dir", "output/merged")
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    (out_dir / "config.json").write_bytes(json_bytes({"architectures": [architecture], "model_type": MODEL_TYPES.get(architecture, "llama"), "torch_dtype": "bfloat16"}))
    (out_dir / "generation_config.json").write_bytes(json_bytes({"bos_token_id": 1, "eos_token_id": 2}))
    (out_dir / "model.safetensors").write_bytes(safetensors_bytes(8, ["q_proj", "k_proj", "v_proj", "o_proj"], int(config.get("seed", 42))))
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja"):
        if (adapter_dir / name).is_file():
            shutil.copyfile(adapter_dir / name, out_dir / name)
    files = sorted(out_dir.iterdir())
    artifacts = [{"path": f.relative_to(run_dir).as_posix(), "size": f.stat().st_size, "sha256": hashlib.sha256(f.read_bytes()).hexdigest()} for f in files]
    weights = [a for a in artifacts if a["path"].endswith(".safetensors")]
    events.write("done", metrics={"model_type": MODEL_TYPES.get(architecture, "llama"), "architectures": [architecture], "dtype": "bfloat16",
                                  "num_parameters": 1024, "weights_bytes": sum(a["size"] for a in weights), "weight_files": len(weights)},
                 artifacts=artifacts)
    return 0
