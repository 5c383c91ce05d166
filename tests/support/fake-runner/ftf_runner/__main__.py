"""python -m ftf_runner {check | train --config config.json | eval --config eval.json | merge --config merge.json} (fake)."""
from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

from .common import FAKE_GPU, Events, read_config
from .evaluate import evaluate
from .merge import merge
from .train import train


def check() -> int:
    library = {"available": True, "version": "fake"}
    names = ("torch", "transformers", "peft", "accelerate", "bitsandbytes", "safetensors", "datasets")
    print(json.dumps({
        "python": platform.python_version(),
        "executable": sys.executable,
        "platform": platform.platform(),
        "libraries": {name: library for name in names},
        "cuda": {"available": True, "version": "fake", "device_count": 1},
        "gpus": [FAKE_GPU],
    }))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m ftf_runner", description="FineTuneFlow fake runner (tests)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check")
    for name in ("train", "eval", "merge"):
        commands.add_parser(name).add_argument("--config", required=True)
    args = parser.parse_args()
    if args.command == "check":
        return check()
    config_path = Path(args.config).resolve()
    events_file = {"train": "events.jsonl", "eval": "eval-events.jsonl", "merge": "merge-events.jsonl"}[args.command]
    events = Events(config_path.parent / events_file)
    try:
        config = read_config(config_path)
    except (OSError, ValueError) as error:
        events.write("error", kind="config", message=f"{config_path.name}: {error}")
        print(f"ftf_runner: config: {error}", file=sys.stderr)
        return 1
    run = {"train": train, "eval": evaluate, "merge": merge}[args.command]
    return run(config, config_path.parent, events)


if __name__ == "__main__":
    sys.exit(main())
