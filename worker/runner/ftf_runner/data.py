"""Reading the run's JSONL files: conversations for training/eval and prompts for samples."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from .errors import RunnerError

ROLES = ("system", "user", "assistant")

Message = dict[str, str]


@dataclass(frozen=True)
class Prompt:
    index: int
    prompt: str
    reference: str
    # The turns before the prompt (a system turn, a conversation's earlier exchanges), as in training.
    context: tuple[Message, ...] = ()


def read_conversations(path: Path) -> list[list[Message]]:
    """The `messages` of each line of a train/eval file; a line we cannot train on is a data error."""
    return [messages for _, messages in read_numbered_conversations(path)]


def read_numbered_conversations(path: Path) -> list[tuple[int, list[Message]]]:
    """As read_conversations, each with its line number in the file (blank lines are skipped, so
    an example's index and its line can differ), for messages that name an example."""
    return [(line_number, _messages(record, path.name, line_number)) for line_number, record in _records(path)]


def read_optional_conversations(path: Path | None) -> list[list[Message]]:
    """Eval data is optional: no path, or no file, is no examples."""
    return [messages for _, messages in read_optional_numbered_conversations(path)]


def read_optional_numbered_conversations(path: Path | None) -> list[tuple[int, list[Message]]]:
    return read_numbered_conversations(path) if path is not None and path.is_file() else []


def read_prompts(path: Path | None) -> list[Prompt]:
    if path is None or not path.is_file():
        return []
    prompts = []
    for line_number, record in _records(path):
        where = f"{path.name} line {line_number}"
        index, prompt, reference, context = record.get("index"), record.get("prompt"), record.get("reference", ""), record.get("context", [])
        if not isinstance(index, int) or isinstance(index, bool):
            raise RunnerError("data", f"{where}: 'index' must be an integer")
        if not isinstance(prompt, str) or not isinstance(reference, str):
            raise RunnerError("data", f"{where}: 'prompt' and 'reference' must be strings")
        if not isinstance(context, list) or not all(
            isinstance(turn, dict) and turn.get("role") in ("system", "user", "assistant") and isinstance(turn.get("content"), str) for turn in context
        ):
            raise RunnerError("data", f"{where}: 'context' must be a list of system, user and assistant messages")
        prompts.append(Prompt(index, prompt, reference, tuple({"role": turn["role"], "content": turn["content"]} for turn in context)))
    return prompts


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise RunnerError("data", f"{path.name} not found ({path})") from None
    except (OSError, UnicodeDecodeError) as error:
        raise RunnerError("data", f"{path.name} cannot be read: {error}") from None
    for line_number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise RunnerError("data", f"{path.name} line {line_number}: not valid JSON ({error.msg})") from None
        if not isinstance(record, dict):
            raise RunnerError("data", f"{path.name} line {line_number}: must be a JSON object")
        yield line_number, record


def _messages(record: dict[str, Any], file_name: str, line_number: int) -> list[Message]:
    where = f"{file_name} line {line_number}"
    messages = record.get("messages")
    if not isinstance(messages, list) or not messages:
        raise RunnerError("data", f"{where}: 'messages' must be a non-empty list")
    for position, message in enumerate(messages):
        if not (isinstance(message, dict) and message.get("role") in ROLES and isinstance(message.get("content"), str)):
            raise RunnerError(
                "data", f"{where}: message {position} must be {{\"role\": system|user|assistant, \"content\": string}}"
            )
    if not any(message["role"] == "assistant" for message in messages):
        raise RunnerError("data", f"{where}: no assistant message, so nothing to learn")
    return [{"role": message["role"], "content": message["content"]} for message in messages]
