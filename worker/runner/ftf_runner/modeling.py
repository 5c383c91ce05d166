"""Loading the tokenizer and the base model (Hub id, local path, or random weights), 4-bit for
QLoRA, with the LoRA adapter new (training) or saved (eval). Needs torch, transformers, peft.

The Hugging Face token, when a model needs one, comes from HF_TOKEN in the environment, which
huggingface_hub reads by itself.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig, set_seed

from .config import EvalConfig, MergeConfig, Method, RunnerConfig
from .deps import import_problems
from .errors import RunnerError

# What a model is built from; both configs name it the same way.
ModelSettings = RunnerConfig | EvalConfig | MergeConfig


@dataclass(frozen=True)
class Precision:
    dtype: torch.dtype
    bf16: bool
    fp16: bool


def choose_precision(allow_cpu: bool) -> Precision:
    """bf16 where the GPU supports it, fp16 on older GPUs. Without a usable CUDA GPU the run is
    refused with the cause, unless the config allows the CPU (fp32 there: no fast half)."""
    if torch.cuda.is_available():
        if torch.cuda.is_bf16_supported():
            return Precision(torch.bfloat16, bf16=True, fp16=False)
        return Precision(torch.float16, bf16=False, fp16=True)
    if not allow_cpu:
        raise RunnerError("no_gpu", no_gpu_reason())
    return Precision(torch.float32, bf16=False, fp16=False)


def no_gpu_reason(cuda_build: str | None = None, init_error: str | None = None, torch_version: str | None = None) -> str:
    """Why CUDA cannot be used here, in one sentence: a CPU-only torch, no GPU, or a driver older
    than the torch build. The arguments default to this machine's (tests pass their own)."""
    torch_version = torch_version or torch.__version__
    cuda_build = cuda_build if cuda_build is not None else (torch.version.cuda or "")
    if not cuda_build:
        return (
            f"No NVIDIA GPU can be used: torch {torch_version} is a CPU-only build. Install a CUDA build of torch "
            "on this machine, or allow the CPU for tiny test models."
        )
    if init_error is None:
        try:
            torch.cuda.init()
            init_error = ""
        except Exception as error:  # noqa: BLE001 - CUDA reports every cause as a RuntimeError
            init_error = str(error)
    first_line = init_error.strip().splitlines()[0] if init_error.strip() else ""
    if "driver" in init_error.lower() and ("old" in init_error.lower() or "version" in init_error.lower()):
        return f"The NVIDIA driver on this machine is older than torch {torch_version} needs (built for CUDA {cuda_build}): {first_line}"
    return f"No NVIDIA GPU on this machine (torch {torch_version}, built for CUDA {cuda_build})" + (f": {first_line}" if first_line else ".")


def quantization_config(method: Method, precision: Precision) -> BitsAndBytesConfig | None:
    """4-bit NF4 with double quantization for QLoRA; checked before anything slow is loaded."""
    if method != "qlora":
        return None
    if not torch.cuda.is_available():
        raise RunnerError("config", "QLoRA needs a CUDA GPU with bitsandbytes, and this machine has no CUDA GPU. Choose LoRA, or a runner with an NVIDIA GPU.")
    problem = import_problems(("bitsandbytes",)).get("bitsandbytes")
    if problem is not None:
        raise RunnerError("config", f"QLoRA needs a CUDA GPU with bitsandbytes, which does not import here ({problem}). Install the runner's requirements, or choose LoRA.")
    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=precision.dtype,
    )


def load_tokenizer(source: str) -> Any:
    tokenizer = AutoTokenizer.from_pretrained(source)
    if tokenizer.pad_token_id is None:
        if tokenizer.eos_token is None:
            raise RunnerError("config", f"The tokenizer of {source} has neither a padding nor an end-of-sequence token.")
        # Padded positions are masked out of attention and loss, so which token pads does not matter.
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_training_model(config: RunnerConfig, run_dir: Path, tokenizer: Any, precision: Precision, quantization: BitsAndBytesConfig | None) -> Any:
    model = _load_base_model(config, run_dir, tokenizer, precision, quantization)
    # The KV cache only serves generation, and gradient checkpointing refuses it.
    model.config.use_cache = False
    prepare_frozen_base(model, config.gradient_checkpointing)
    lora = LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=config.target_modules,
        bias="none",
        task_type="CAUSAL_LM",
    )
    return get_peft_model(model, lora)


def prepare_frozen_base(model: Any, gradient_checkpointing: bool) -> None:
    """Freezes the base (LoRA trains only its adapters) and, for gradient checkpointing, makes the
    checkpointed blocks' inputs require gradients. For 4-bit bases too: peft's
    prepare_model_for_kbit_training would also upcast every non-quantized weight (norms,
    embeddings, lm_head) to fp32, which runs the activations in fp32 (about 2 GB more weights and
    twice the activation memory at 8B); compute stays in bf16 instead, as the preflight assumes."""
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    if gradient_checkpointing:
        model.enable_input_require_grads()


def load_tuned_model(config: EvalConfig, run_dir: Path, adapter_dir: Path, tokenizer: Any, precision: Precision, quantization: BitsAndBytesConfig | None) -> Any:
    base = _load_base_model(config, run_dir, tokenizer, precision, quantization)
    model = PeftModel.from_pretrained(base, str(adapter_dir))
    model.eval()
    return model


def _load_base_model(config: ModelSettings, run_dir: Path, tokenizer: Any, precision: Precision, quantization: BitsAndBytesConfig | None) -> Any:
    return AutoModelForCausalLM.from_pretrained(
        base_model_source(config, run_dir, tokenizer),
        dtype=precision.dtype,
        quantization_config=quantization,
        # One GPU holds the whole model; 4-bit weights must be placed at load time.
        device_map={"": torch.cuda.current_device()} if torch.cuda.is_available() else None,
    )


def base_model_source(config: ModelSettings, run_dir: Path, tokenizer: Any) -> str:
    """The Hub id or folder the base loads from: random weights are saved once, then reused."""
    return config.base_model if config.random_init is None else str(_random_model_dir(config, run_dir, tokenizer))


def _random_model_dir(config: ModelSettings, run_dir: Path, tokenizer: Any) -> Path:
    """Random weights from a transformers config dict, saved once under the output dir: a resumed
    run and the evaluation then load the very base the adapter was trained on (and it loads like
    any checkpoint, 4-bit included)."""
    directory = run_dir / config.output_dir / "random-init-model"
    if (directory / "config.json").is_file():
        return directory
    settings = dict(config.random_init or {})
    model_type = settings.pop("model_type")
    try:
        model_config = AutoConfig.for_model(model_type, **settings)
    except (KeyError, ValueError, TypeError) as error:
        raise RunnerError("config", f"random_init is not a usable {model_type!r} config: {error}") from None
    # Every token id the tokenizer can produce needs a row in the embedding.
    model_config.vocab_size = max(getattr(model_config, "vocab_size", 0) or 0, len(tokenizer))
    set_seed(config.seed)
    model = AutoModelForCausalLM.from_config(model_config)
    partial = directory.with_name(directory.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    model.save_pretrained(partial)
    partial.rename(directory)
    return directory
