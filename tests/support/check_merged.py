"""Checks a merged model the app brought back against the base with the adapter on top. Run with
the runner venv's python (torch, transformers, peft):

    python check_merged.py --base <dir> --adapter <dir> MERGED_DIR

Prints one JSON line:

    diff_vs_adapter   max |logits| difference on a fixed input between the merged folder loaded by
                      transformers alone and PeftModel.from_pretrained(base, adapter)
    diff_vs_base      ... between the merged folder and the plain base (a merge that changed nothing is 0)
    architectures     config.json's architectures of the merged folder
    files             the merged folder's file names
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

FIXED_INPUT = "Question: what does the warranty guide say? Answer:"


@torch.inference_mode()
def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--adapter", required=True)
    parser.add_argument("merged")
    args = parser.parse_args()
    ids = AutoTokenizer.from_pretrained(args.merged)(FIXED_INPUT, return_tensors="pt").input_ids
    merged = AutoModelForCausalLM.from_pretrained(args.merged, dtype=torch.float32).eval()
    base = AutoModelForCausalLM.from_pretrained(args.base, dtype=torch.float32).eval()
    plain = base(input_ids=ids).logits
    tuned = PeftModel.from_pretrained(base, args.adapter).eval()(input_ids=ids).logits
    got = merged(input_ids=ids).logits
    print(json.dumps({
        "diff_vs_adapter": float((got - tuned).abs().max()),
        "diff_vs_base": float((got - plain).abs().max()),
        "architectures": json.loads((Path(args.merged) / "config.json").read_text())["architectures"],
        "files": sorted(p.name for p in Path(args.merged).iterdir()),
    }))


if __name__ == "__main__":
    main()
