"""The run's configuration files: config.json (RunnerConfig), eval.json (EvalConfig) and merge.json
(MergeConfig).

Both are written by the worker. A key we do not know or a value of the wrong type is refused
with a message naming the key: a silently ignored typo ("lora_rank") would train with a default
the user never chose.
"""
from __future__ import annotations

import dataclasses
import json
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

Method = Literal["lora", "qlora"]

# Schedulers transformers builds from a name alone (the others need extra arguments).
LR_SCHEDULERS = frozenset(
    {"linear", "cosine", "cosine_with_restarts", "polynomial", "constant", "constant_with_warmup", "inverse_sqrt"}
)


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class RunnerConfig:
    """config.json of a training run (PROTOCOL.md, RunnerConfig). Paths are relative to the run dir."""

    run_id: str
    base_model: str
    method: Method = "lora"
    train_file: str = "data/train.jsonl"
    eval_file: str | None = "data/eval.jsonl"
    output_dir: str = "output"
    max_seq_length: int = 2048
    packing: bool = True
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    target_modules: list[str] | Literal["all-linear"] = "all-linear"
    learning_rate: float = 2e-4
    lr_scheduler: str = "cosine"
    warmup_ratio: float = 0.03
    num_epochs: float = 3.0
    max_steps: int = -1
    per_device_batch_size: int = 4
    gradient_accumulation_steps: int = 4
    gradient_checkpointing: bool = True
    logging_steps: int = 1
    eval_steps: int = 50
    save_steps: int = 100
    seed: int = 42
    random_init: dict[str, Any] | None = None
    tokenizer: str | None = None
    # Train on the CPU when no usable CUDA GPU is found (tiny models, tests); otherwise refuse.
    allow_cpu: bool = False

    def problems(self) -> list[str]:
        return [
            *_model_source_problems(self.run_id, self.base_model, self.random_init),
            *_at_least(1, max_seq_length=self.max_seq_length, lora_r=self.lora_r, lora_alpha=self.lora_alpha),
            *_at_least(1, per_device_batch_size=self.per_device_batch_size),
            *_at_least(1, gradient_accumulation_steps=self.gradient_accumulation_steps),
            *_at_least(1, logging_steps=self.logging_steps, eval_steps=self.eval_steps, save_steps=self.save_steps),
            *_at_least(0, seed=self.seed),
            *_fraction("lora_dropout", self.lora_dropout),
            *_fraction("warmup_ratio", self.warmup_ratio),
            *(["'learning_rate' must be greater than 0"] if self.learning_rate <= 0 else []),
            *(["'num_epochs' must be greater than 0"] if self.num_epochs <= 0 else []),
            *(["'max_steps' must be -1 (use num_epochs) or at least 1"] if self.max_steps == 0 or self.max_steps < -1 else []),
            *(["'target_modules' must name at least one module"] if self.target_modules == [] else []),
            *(
                [f"'lr_scheduler' must be one of {', '.join(sorted(LR_SCHEDULERS))}"]
                if self.lr_scheduler not in LR_SCHEDULERS
                else []
            ),
        ]


@dataclass(frozen=True)
class EvalConfig:
    """eval.json: evaluates the adapter of a finished training run (PROTOCOL.md, EvalConfig).

    It lives in that run's directory: the adapter is read from <output_dir>/adapter, and a
    random_init base is rebuilt from the same seed (or reused from <output_dir>/random-init-model).
    """

    run_id: str
    base_model: str
    method: Method = "lora"
    output_dir: str = "output"
    eval_file: str | None = "data/eval.jsonl"
    prompts_file: str | None = "data/prompts.jsonl"
    max_seq_length: int = 2048
    max_new_tokens: int = 256
    temperature: float = 0.0
    batch_size: int = 8
    seed: int = 42
    random_init: dict[str, Any] | None = None
    tokenizer: str | None = None
    allow_cpu: bool = False

    def problems(self) -> list[str]:
        return [
            *_model_source_problems(self.run_id, self.base_model, self.random_init),
            *_at_least(1, max_seq_length=self.max_seq_length, max_new_tokens=self.max_new_tokens),
            *_at_least(1, batch_size=self.batch_size),
            *_at_least(0, seed=self.seed),
            *(["'temperature' must be 0 (greedy) or more"] if self.temperature < 0 else []),
        ]


@dataclass(frozen=True)
class MergeConfig:
    """merge.json: folds the adapter of a finished training run into its base model (PROTOCOL.md,
    MergeConfig), for tools that take a whole model (Ollama's safetensors import, vLLM, llama.cpp).

    Like eval.json it lives in that run's directory. The base is loaded unquantized (a QLoRA
    adapter is merged into the 16-bit base, as peft does), on the GPU when there is one; no GPU is
    needed: merging is one addition per adapted weight.
    """

    run_id: str
    base_model: str
    output_dir: str = "output"
    merged_dir: str = "output/merged"
    # "auto": the GPU's half precision (bf16, else fp16), or on the CPU the dtype the base was saved in.
    dtype: Literal["auto", "bfloat16", "float16", "float32"] = "auto"
    max_shard_size: str = "5GB"
    seed: int = 42
    random_init: dict[str, Any] | None = None
    tokenizer: str | None = None

    def problems(self) -> list[str]:
        problems = [*_model_source_problems(self.run_id, self.base_model, self.random_init), *_at_least(0, seed=self.seed)]
        if not self.merged_dir.strip() or self.merged_dir.strip("/") == self.output_dir.strip("/"):
            problems.append("'merged_dir' must name a folder of its own")
        return problems


ConfigT = TypeVar("ConfigT", RunnerConfig, EvalConfig, MergeConfig)


def load_config(path: Path) -> RunnerConfig:
    return _load(path, RunnerConfig)


def load_eval_config(path: Path) -> EvalConfig:
    return _load(path, EvalConfig)


def load_merge_config(path: Path) -> MergeConfig:
    return _load(path, MergeConfig)


def _load(path: Path, config_class: type[ConfigT]) -> ConfigT:
    raw = _read_json_object(path)
    hints = get_type_hints(config_class)
    fields = {f.name: f for f in dataclasses.fields(config_class)}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise ConfigError(f"{path.name}: unknown key{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}")
    missing = [name for name, f in fields.items() if _is_required(f) and name not in raw]
    if missing:
        raise ConfigError(f"{path.name}: missing required key {', '.join(map(repr, missing))}")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        expected = hints[key]
        if not _matches(value, expected):
            raise ConfigError(f"{path.name}: {key!r} must be {_describe(expected)}, got {_describe_value(value)}")
        values[key] = float(value) if expected is float else value
    config = config_class(**values)
    problems = config.problems()
    if problems:
        raise ConfigError(f"{path.name}: {'; '.join(problems)}")
    return config


def _read_json_object(path: Path) -> dict[str, Any]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path.name}: file not found ({path})") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path.name}: cannot be read ({error})") from None
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path.name}: not valid JSON ({error})") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path.name}: must hold a JSON object, got {_describe_value(raw)}")
    return raw


def _is_required(f: dataclasses.Field[Any]) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


def _matches(value: Any, expected: Any) -> bool:
    origin = get_origin(expected)
    if origin in (Union, types.UnionType):
        return any(_matches(value, option) for option in get_args(expected))
    if origin is Literal:
        return any(type(value) is type(option) and value == option for option in get_args(expected))
    if origin is list:
        (item_type,) = get_args(expected)
        return isinstance(value, list) and all(_matches(item, item_type) for item in value)
    if origin is dict:
        return isinstance(value, dict)
    if expected is type(None):
        return value is None
    if expected is bool:
        return isinstance(value, bool)
    # JSON has one number type; bool is an int subclass in Python but never a number here.
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected is str:
        return isinstance(value, str)
    raise TypeError(f"config type {expected!r} is not supported")


def _describe(expected: Any) -> str:
    origin = get_origin(expected)
    if origin in (Union, types.UnionType):
        return " or ".join(_describe(option) for option in get_args(expected))
    if origin is Literal:
        return " or ".join(json.dumps(option) for option in get_args(expected))
    if origin is list:
        return f"a list of {_describe(get_args(expected)[0])}"
    if origin is dict:
        return "an object"
    return {type(None): "null", bool: "true or false", int: "an integer", float: "a number", str: "a string"}[expected]


def _describe_value(value: Any) -> str:
    kind = {type(None): "null", bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "a list", dict: "an object"}.get(type(value), type(value).__name__)
    shown = json.dumps(value)
    return f"{kind} ({shown if len(shown) <= 40 else shown[:37] + '...'})"


def _model_source_problems(run_id: str, base_model: str, random_init: dict[str, Any] | None) -> list[str]:
    problems = []
    if not run_id.strip():
        problems.append("'run_id' must not be empty")
    if not base_model.strip():
        problems.append("'base_model' must not be empty")
    if random_init is not None and not isinstance(random_init.get("model_type"), str):
        problems.append("'random_init' must name its architecture in a 'model_type' string (e.g. \"llama\")")
    return problems


def _at_least(minimum: int, **values: int) -> list[str]:
    return [f"{key!r} must be at least {minimum}, got {value}" for key, value in values.items() if value < minimum]


def _fraction(key: str, value: float) -> list[str]:
    return [] if 0 <= value < 1 else [f"{key!r} must be at least 0 and less than 1, got {value}"]
