"""The merge itself: base model + the run's LoRA adapter -> one model folder in the layout
`from_pretrained`, Ollama's safetensors import and llama.cpp's converter read: config.json,
model*.safetensors (sharded past max_shard_size, with its index), generation config and the
tokenizer the adapter was trained with (chat_template.jinja included). Imported only after the
dependency check (it needs torch, transformers and peft).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM, set_seed

from .check import hardware_summary
from .config import MergeConfig
from .errors import RunnerError
from .events import EventWriter
from .modeling import base_model_source, load_tokenizer
from .rundir import describe_artifacts, relative_path

DTYPES = {"bfloat16": torch.bfloat16, "float16": torch.float16, "float32": torch.float32}


def merge_dtype(setting: str, cuda: bool | None = None, bf16: bool | None = None) -> torch.dtype | str:
    """What the base loads (and the merged model is saved) in. "auto": half precision on a GPU
    (bf16 where supported), else the dtype the base was saved in ("auto" for transformers)."""
    if setting != "auto":
        return DTYPES[setting]
    cuda = torch.cuda.is_available() if cuda is None else cuda
    if not cuda:
        return "auto"
    bf16 = torch.cuda.is_bf16_supported() if bf16 is None else bf16
    return torch.bfloat16 if bf16 else torch.float16


def merge(config: MergeConfig, run_dir: Path, events: EventWriter) -> int:
    set_seed(config.seed)
    adapter_dir = run_dir / config.output_dir / "adapter"
    if not (adapter_dir / "adapter_config.json").is_file():
        raise RunnerError("config", f"No adapter in {relative_path(run_dir, adapter_dir)}: the training run has not finished.")
    out_dir = run_dir / config.merged_dir
    events.write("start", run_id=config.run_id, hardware=hardware_summary())
    # The tokenizer saved with the adapter is the one it was trained with (padding token and chat template included).
    tokenizer = load_tokenizer(str(adapter_dir))
    source = base_model_source(config, run_dir, tokenizer)
    dtype = merge_dtype(config.dtype)
    events.write("log", level="info", message=f"Loading {config.base_model} ({dtype if isinstance(dtype, str) else str(dtype).removeprefix('torch.')}) with the run's adapter")
    base = AutoModelForCausalLM.from_pretrained(
        source, dtype=dtype, device_map={"": torch.cuda.current_device()} if torch.cuda.is_available() else None
    )
    model = PeftModel.from_pretrained(base, str(adapter_dir))
    events.write("log", level="info", message="Merging the adapter into the base weights")
    # safe_merge: a merge that would put NaN or infinity in a weight is refused, not saved.
    try:
        merged = model.merge_and_unload(safe_merge=True)
    except ValueError as error:
        raise RunnerError("runtime", f"The merged weights are broken ({error}); the adapter is left as it was.") from None
    merged.eval()

    # Written beside the target and renamed at the end: a folder under the final name is complete.
    partial = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.parent.mkdir(parents=True, exist_ok=True)
    events.write("log", level="info", message=f"Saving the merged model to {relative_path(run_dir, out_dir)}")
    merged.save_pretrained(str(partial), safe_serialization=True, max_shard_size=config.max_shard_size)
    tokenizer.save_pretrained(str(partial))
    shutil.rmtree(out_dir, ignore_errors=True)
    partial.rename(out_dir)

    artifacts = describe_artifacts(run_dir, [out_dir])
    weights = [a for a in artifacts if a["path"].endswith(".safetensors")]
    saved_dtype = next((p.dtype for p in merged.parameters()), torch.float32)
    metrics = {
        "model_type": merged.config.model_type,
        "architectures": list(getattr(merged.config, "architectures", None) or [type(merged).__name__]),
        "dtype": str(saved_dtype).removeprefix("torch."),
        "num_parameters": sum(p.numel() for p in merged.parameters()),
        "weights_bytes": sum(a["size"] for a in weights),
        "weight_files": len(weights),
    }
    events.write("done", metrics=metrics, artifacts=artifacts)
    return 0
