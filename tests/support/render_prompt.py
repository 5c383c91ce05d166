"""Prints the prompts the runner trains and evaluates with, as text. Run with the runner venv's
python; reads JSON from stdin, one object per conversation:

    python render_prompt.py --runner <worker/runner> TOKENIZER_DIR < [{"context": [...], "prompt": "..."}]

and prints a JSON list: for each, {"text": the decoded ftf_runner.formatting.prompt_ids (special
tokens kept), "bos": the BOS token's text or null}. Ollama adds BOS itself, so callers compare
the text after it.
"""
from __future__ import annotations

import argparse
import json
import sys

from transformers import AutoTokenizer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runner", required=True)
    parser.add_argument("tokenizer")
    args = parser.parse_args()
    sys.path.insert(0, args.runner)
    from ftf_runner.formatting import prompt_ids

    tokenizer = AutoTokenizer.from_pretrained(args.tokenizer)
    out = []
    for item in json.load(sys.stdin):
        ids = prompt_ids(tokenizer, item["prompt"], item.get("context", []))
        bos = tokenizer.bos_token_id
        if bos is not None and ids and ids[0] == bos:
            ids = ids[1:]
        out.append({"text": tokenizer.decode(ids, skip_special_tokens=False), "bos": tokenizer.bos_token})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
