"""The fake adapter: files shaped like peft's and a tokenizer's, with deterministic contents."""
from __future__ import annotations

import json
import random
import struct
from pathlib import Path
from typing import Any

HIDDEN_SIZE = 32
CHAT_TEMPLATE = (
    "{% for message in messages %}<|{{ message['role'] }}|>\n{{ message['content'] }}</s>\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)
SPECIAL_TOKENS = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "</s>"}


def write_adapter(adapter_dir: Path, config: dict[str, Any]) -> list[Path]:
    adapter_dir.mkdir(parents=True, exist_ok=True)
    rank = int(config.get("lora_r", 16))
    targets = config.get("target_modules")
    modules = targets if isinstance(targets, list) else ["q_proj", "v_proj"]
    files = {
        "adapter_model.safetensors": safetensors_bytes(rank, modules, int(config.get("seed", 42))),
        "adapter_config.json": json_bytes({
            "base_model_name_or_path": config.get("base_model"),
            "peft_type": "LORA",
            "task_type": "CAUSAL_LM",
            "r": rank,
            "lora_alpha": config.get("lora_alpha", 32),
            "lora_dropout": config.get("lora_dropout", 0.05),
            "target_modules": modules,
            "bias": "none",
            "inference_mode": True,
        }),
        "tokenizer.json": json_bytes({
            "version": "1.0",
            "added_tokens": [{"id": i, "content": token, "special": True} for i, token in enumerate(["<unk>", "<s>", "</s>"])],
            "pre_tokenizer": {"type": "Whitespace"},
            "model": {"type": "WordLevel", "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, "hello": 3, "world": 4}, "unk_token": "<unk>"},
        }),
        "tokenizer_config.json": json_bytes({
            **SPECIAL_TOKENS, "chat_template": CHAT_TEMPLATE, "model_max_length": 2048, "tokenizer_class": "PreTrainedTokenizerFast",
        }),
        "special_tokens_map.json": json_bytes(SPECIAL_TOKENS),
    }
    for name, data in files.items():
        (adapter_dir / name).write_bytes(data)
    return [adapter_dir / name for name in sorted(files)]


def safetensors_bytes(rank: int, modules: list[str], seed: int) -> bytes:
    """A valid safetensors file: 8-byte little-endian header length, JSON header, F32 data."""
    shapes = {}
    for module in modules:
        prefix = f"base_model.model.model.layers.0.self_attn.{module}"
        shapes[f"{prefix}.lora_A.weight"] = [rank, HIDDEN_SIZE]
        shapes[f"{prefix}.lora_B.weight"] = [HIDDEN_SIZE, rank]
    header: dict[str, Any] = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, (rows, columns) in shapes.items():
        header[name] = {"dtype": "F32", "shape": [rows, columns], "data_offsets": [offset, offset + rows * columns * 4]}
        offset += rows * columns * 4
    header_bytes = json.dumps(header, separators=(",", ":")).encode()
    header_bytes += b" " * (-len(header_bytes) % 8)  # the format pads the header to 8 bytes
    generator = random.Random(seed)
    data = struct.pack(f"<{offset // 4}f", *(generator.gauss(0, 0.02) for _ in range(offset // 4)))
    return struct.pack("<Q", len(header_bytes)) + header_bytes + data


def json_bytes(value: Any) -> bytes:
    return (json.dumps(value, indent=2) + "\n").encode()
