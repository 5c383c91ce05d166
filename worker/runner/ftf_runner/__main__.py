"""python -m ftf_runner {check | train --config config.json | eval --config eval.json | merge --config merge.json}

FineTuneFlow's training runner; the contract with the worker is PROTOCOL.md beside this package.
Dependencies (pinned in worker/runner/requirements.txt): torch, transformers, peft, accelerate and
safetensors, plus bitsandbytes for QLoRA (Linux with a CUDA GPU). `check`, config validation and
the missing-dependency report need only the Python standard library (3.10+).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

from . import check, evaluate, merge, train
from .config import ConfigError, ConfigT, load_config, load_eval_config, load_merge_config
from .errors import EXIT_ERROR, report_error
from .events import EventWriter


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "check":
        return check.main()
    config_path = Path(args.config).resolve()
    run_dir = config_path.parent
    if args.command == "train":
        config = _load_or_report(load_config, config_path, train.EVENTS_FILE)
        return EXIT_ERROR if config is None else train.main(config, run_dir)
    if args.command == "merge":
        merge_config = _load_or_report(load_merge_config, config_path, merge.EVENTS_FILE)
        return EXIT_ERROR if merge_config is None else merge.main(merge_config, run_dir)
    eval_config = _load_or_report(load_eval_config, config_path, evaluate.EVENTS_FILE)
    return EXIT_ERROR if eval_config is None else evaluate.main(eval_config, run_dir)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ftf_runner", description="FineTuneFlow training runner")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="print this environment's libraries and GPUs as JSON")
    for name, help_text in (("train", "fine-tune as config.json says"), ("eval", "compare base and tuned model"),
                              ("merge", "fold the adapter into the base model")):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--config", required=True, help="the JSON config; its directory is the run dir")
    return parser


def _load_or_report(load: Callable[[Path], ConfigT], config_path: Path, events_file: str) -> ConfigT | None:
    """The config, or None after a config error event (in the run dir, beside the config)."""
    try:
        return load(config_path)
    except ConfigError as error:
        try:
            with EventWriter(config_path.parent / events_file) as events:
                report_error(events, "config", str(error))
        except OSError:
            report_error(None, "config", str(error))
        return None


if __name__ == "__main__":
    sys.exit(main())
