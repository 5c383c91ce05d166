"""Checks LoRA adapters the app brought back against the model they were trained into. Run with
the runner venv's python (torch, transformers, peft):

    python check_adapter.py --base <dir> --reference <checkpoint dir> --eval <eval.jsonl> \
        --runner <worker/runner> ADAPTER_DIR [ADAPTER_DIR ...]

--base is the run's saved random-init base (output/random-init-model), --reference the Trainer's
last checkpoint on the box (the trained model as it was in memory at the last step). For each
adapter dir, one JSON line:

    diff_vs_reference   max |logits| difference on a fixed input from PeftModel.from_pretrained of
                        the adapter to the reference checkpoint loaded the same way
    diff_vs_merged      ... to the base with every LoRA delta merged by hand (W + scale·B·A, no
                        peft): peft applies the adapter as its config and tensors say
    diff_disabled       ... between the adapter on and `disable_adapter()` (a trained adapter moves them)
    eval_loss           mean loss per answer token over the eval split, one example at a time,
                        with the runner's own tokenization (ftf_runner.formatting)
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch
from peft import PeftModel
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM, AutoTokenizer

FIXED_INPUT = "Question: what does the warranty guide say? Answer:"
IGNORE_INDEX = -100


def load(base: str, adapter: str):
    model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32), adapter)
    return model.eval()


@torch.inference_mode()
def logits(model, input_ids: torch.Tensor) -> torch.Tensor:
    return model(input_ids=input_ids).logits


@torch.inference_mode()
def merged_by_hand(base: str, adapter: str, input_ids: torch.Tensor) -> torch.Tensor:
    config = json.loads((Path(adapter) / "adapter_config.json").read_text())
    rank, alpha = config["r"], config["lora_alpha"]
    scale = alpha / rank ** 0.5 if config.get("use_rslora") else alpha / rank
    tensors = load_file(str(Path(adapter) / "adapter_model.safetensors"))
    model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32).eval()
    weights = dict(model.named_parameters())
    merged = 0
    for key, lora_a in tensors.items():
        if not key.endswith(".lora_A.weight"):
            continue
        module = key.removeprefix("base_model.model.").removesuffix(".lora_A.weight")
        lora_b = tensors[key.replace(".lora_A.", ".lora_B.")]
        weights[f"{module}.weight"].add_(scale * lora_b.float() @ lora_a.float())
        merged += 1
    if merged == 0:
        sys.exit(f"no LoRA tensors in {adapter}")
    return logits(model, input_ids)


@torch.inference_mode()
def eval_loss(model, tokenizer, eval_file: str) -> float:
    from ftf_runner.data import read_conversations
    from ftf_runner.formatting import prepare_sequences

    sequences = prepare_sequences(tokenizer, read_conversations(Path(eval_file)), 2048, packing=False).sequences
    total, tokens = 0.0, 0
    for sequence in sequences:
        input_ids = torch.tensor([sequence["input_ids"]])
        labels = torch.tensor(sequence["labels"][1:])
        predicted = logits(model, input_ids)[0, :-1]
        counted = labels != IGNORE_INDEX
        total += float(torch.nn.functional.cross_entropy(predicted[counted], labels[counted], reduction="sum"))
        tokens += int(counted.sum())
    return total / tokens


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--reference", required=True)
    parser.add_argument("--eval", required=True)
    parser.add_argument("--runner", required=True)
    parser.add_argument("adapters", nargs="+")
    args = parser.parse_args()
    sys.path.insert(0, args.runner)

    tokenizer = AutoTokenizer.from_pretrained(args.adapters[0])
    input_ids = torch.tensor([tokenizer.encode(FIXED_INPUT, add_special_tokens=False)])
    reference = logits(load(args.base, args.reference), input_ids)
    for adapter in args.adapters:
        model = load(args.base, adapter)
        tuned = logits(model, input_ids)
        with model.disable_adapter():
            base = logits(model, input_ids)
        print(json.dumps({
            "adapter": adapter,
            "diff_vs_reference": float((tuned - reference).abs().max()),
            "diff_vs_merged": float((tuned - merged_by_hand(args.base, adapter, input_ids)).abs().max()),
            "diff_disabled": float((tuned - base).abs().max()),
            "eval_loss": eval_loss(model, tokenizer, args.eval),
        }), flush=True)


if __name__ == "__main__":
    main()
