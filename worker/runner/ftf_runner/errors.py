"""How a runner command ends when something goes wrong: one `error` event, then a non-zero exit."""
from __future__ import annotations

import sys
import traceback
from typing import Callable, Literal

from .events import EventWriter

ErrorKind = Literal["missing_dependency", "config", "data", "oom", "no_gpu", "runtime"]

EXIT_ERROR = 1
EXIT_MISSING_DEPENDENCY = 2

OOM_ADVICE = (
    "The GPU ran out of memory. Lower per_device_batch_size (raise gradient_accumulation_steps to keep "
    "the effective batch size), lower max_seq_length, keep gradient_checkpointing on, or use QLoRA."
)


class RunnerError(Exception):
    """A failure we can explain to the user (bad config, bad data) without a traceback."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind: ErrorKind = kind
        self.message = message


def report_error(events: EventWriter | None, kind: ErrorKind, message: str, trace: str | None = None) -> None:
    """The error event, and the same message on stderr (the worker shows stderr.log's tail on a crash)."""
    print(f"ftf_runner: {kind}: {message}", file=sys.stderr)
    if trace:
        print(trace, file=sys.stderr, end="")
    if events is not None:
        events.write("error", message=message, kind=kind, **({"traceback": trace} if trace else {}))


def run_reporting_errors(events: EventWriter, body: Callable[[], int]) -> int:
    """Runs a command's body; any exception becomes an error event and exit code 1."""
    try:
        return body()
    except RunnerError as error:
        report_error(events, error.kind, error.message)
    except Exception as error:  # noqa: BLE001 - every failure must reach events.jsonl
        if is_out_of_memory(error):
            report_error(events, "oom", OOM_ADVICE, traceback.format_exc())
        else:
            report_error(events, "runtime", f"{type(error).__name__}: {error}", traceback.format_exc())
    return EXIT_ERROR


def is_out_of_memory(error: BaseException) -> bool:
    """torch.cuda.OutOfMemoryError, told by name and message so this module needs no torch."""
    return type(error).__name__ == "OutOfMemoryError" or "CUDA out of memory" in str(error)
