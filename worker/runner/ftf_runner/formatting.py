"""From conversations to token ids and labels: the loss counts only the assistant's tokens.

Pure Python over a small tokenizer interface (the methods of a transformers tokenizer that we
use), so the masking, truncation, packing and padding rules are tested without transformers.
"""
from __future__ import annotations

from typing import Any, Iterable, Literal, Protocol, TypedDict

from .data import Message
from .errors import RunnerError

# Label of a token the loss ignores (the value transformers' cross-entropy skips).
IGNORE_INDEX = -100

ALPACA_INSTRUCTION = "### Instruction:\n{content}\n\n### Response:\n"


class Tokenizer(Protocol):
    """The part of a transformers tokenizer that formatting reads."""

    @property
    def chat_template(self) -> str | None: ...

    @property
    def bos_token_id(self) -> int | None: ...

    @property
    def eos_token_id(self) -> int | None: ...

    def apply_chat_template(self, conversation: list[Message], tokenize: bool = ..., add_generation_prompt: bool = ...) -> Any: ...

    def encode(self, text: str, add_special_tokens: bool = ...) -> list[int]: ...


class TokenizedExample(TypedDict):
    input_ids: list[int]
    labels: list[int]


# Token ids of a piece of the conversation, and whether the loss counts them.
Segment = tuple[list[int], bool]


class _NotIncremental(Exception):
    """The chat template renders a longer conversation as something other than an extension."""


def uses_chat_template(tokenizer: Tokenizer) -> bool:
    return bool(getattr(tokenizer, "chat_template", None))


def tokenize_conversation(tokenizer: Tokenizer, messages: list[Message], max_seq_length: int) -> TokenizedExample:
    """input_ids and labels (IGNORE_INDEX except on assistant tokens), cut to max_seq_length."""
    segments = _chat_segments(tokenizer, messages) if uses_chat_template(tokenizer) else _alpaca_segments(tokenizer, messages)
    input_ids: list[int] = []
    labels: list[int] = []
    for ids, trainable in segments:
        input_ids.extend(ids)
        labels.extend(ids if trainable else [IGNORE_INDEX] * len(ids))
    return {"input_ids": input_ids[:max_seq_length], "labels": labels[:max_seq_length]}


def prompt_ids(tokenizer: Tokenizer, prompt: str) -> list[int]:
    """A single user prompt, formatted as in training and ending where the answer starts."""
    messages = [{"role": "user", "content": prompt}]
    if uses_chat_template(tokenizer):
        return tokenizer.encode(_render(tokenizer, messages, add_generation_prompt=True), add_special_tokens=False)
    return [token for ids, _ in _alpaca_segments(tokenizer, messages) for token in ids]


def prepare_sequences(
    tokenizer: Tokenizer, conversations: Iterable[list[Message]], max_seq_length: int, packing: bool
) -> tuple[list[TokenizedExample], int]:
    """The training sequences, and how many conversations were dropped because truncation left
    none of their assistant tokens."""
    examples = [tokenize_conversation(tokenizer, messages, max_seq_length) for messages in conversations]
    kept = [example for example in examples if has_trainable_tokens(example)]
    return (pack(kept, max_seq_length) if packing else kept), len(examples) - len(kept)


def has_trainable_tokens(example: TokenizedExample) -> bool:
    return any(label != IGNORE_INDEX for label in example["labels"])


def pack(examples: Iterable[TokenizedExample], max_seq_length: int) -> list[TokenizedExample]:
    """Concatenates examples and cuts the stream into blocks of max_seq_length (the last may be
    shorter), so no compute goes to padding. Labels travel with their tokens; examples start with
    prompt tokens, whose labels are masked, so no loss falls on predicting one example from the
    end of the one before."""
    input_ids: list[int] = []
    labels: list[int] = []
    for example in examples:
        input_ids.extend(example["input_ids"])
        labels.extend(example["labels"])
    blocks: list[TokenizedExample] = [
        {"input_ids": input_ids[start : start + max_seq_length], "labels": labels[start : start + max_seq_length]}
        for start in range(0, len(input_ids), max_seq_length)
    ]
    return [block for block in blocks if has_trainable_tokens(block)]


def pad_batch(
    examples: list[TokenizedExample], pad_token_id: int, side: Literal["left", "right"] = "right"
) -> dict[str, list[list[int]]]:
    """Pads to the longest example: input_ids with pad_token_id, labels with IGNORE_INDEX, and an
    attention_mask. Training pads on the right; batched generation on the left, so that every
    prompt ends where generation starts."""
    longest = max(len(example["input_ids"]) for example in examples)
    batch: dict[str, list[list[int]]] = {"input_ids": [], "labels": [], "attention_mask": []}
    for example in examples:
        missing = longest - len(example["input_ids"])
        rows = (
            (example["input_ids"], [pad_token_id] * missing),
            (example["labels"], [IGNORE_INDEX] * missing),
            ([1] * len(example["input_ids"]), [0] * missing),
        )
        for key, (values, padding) in zip(("input_ids", "labels", "attention_mask"), rows):
            batch[key].append(padding + values if side == "left" else values + padding)
    return batch


def _render(tokenizer: Tokenizer, messages: list[Message], add_generation_prompt: bool) -> str:
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=add_generation_prompt)
    if not isinstance(text, str):
        raise RunnerError("config", "The tokenizer's chat template did not render to text.")
    return text


def _chat_segments(tokenizer: Tokenizer, messages: list[Message]) -> list[Segment]:
    try:
        texts = _incremental_chat_texts(tokenizer, messages)
    except _NotIncremental:
        texts = _last_answer_chat_texts(tokenizer, messages)
    # Special tokens are part of the rendered text already; encoding must not add more.
    return [(tokenizer.encode(text, add_special_tokens=False), trainable) for text, trainable in texts if text]


def _incremental_chat_texts(tokenizer: Tokenizer, messages: list[Message]) -> list[tuple[str, bool]]:
    """Renders the conversation one message at a time and keeps what each message added: the
    assistant's header (the generation prompt) is context, its content and end-of-turn are trained."""
    texts: list[tuple[str, bool]] = []
    rendered = ""
    for end, message in enumerate(messages, start=1):
        is_answer = message["role"] == "assistant"
        if is_answer and end > 1:
            rendered = _extend(texts, rendered, _render(tokenizer, messages[: end - 1], True), trainable=False)
        rendered = _extend(texts, rendered, _render(tokenizer, messages[:end], False), trainable=is_answer)
    return texts


def _extend(texts: list[tuple[str, bool]], rendered: str, longer: str, trainable: bool) -> str:
    if not longer.startswith(rendered):
        raise _NotIncremental
    texts.append((longer[len(rendered) :], trainable))
    return longer


def _last_answer_chat_texts(tokenizer: Tokenizer, messages: list[Message]) -> list[tuple[str, bool]]:
    """For templates that re-render earlier turns (some drop past reasoning): train on the last
    answer only, with everything before it as context."""
    last = max(position for position, message in enumerate(messages) if message["role"] == "assistant")
    prompt = _render(tokenizer, messages[:last], True) if last > 0 else ""
    full = _render(tokenizer, messages[: last + 1], False)
    if not full.startswith(prompt):
        raise RunnerError("data", "The tokenizer's chat template renders answers in a way the runner cannot separate from the prompt.")
    return [(prompt, False), (full[len(prompt) :], True)]


def _alpaca_segments(tokenizer: Tokenizer, messages: list[Message]) -> list[Segment]:
    """Alpaca-style text for base models without a chat template; each answer ends with EOS so
    the model learns to stop."""
    segments: list[Segment] = [([tokenizer.bos_token_id], False)] if tokenizer.bos_token_id is not None else []
    for message in messages:
        content = message["content"]
        if message["role"] == "system":
            segments.append((tokenizer.encode(f"{content}\n\n", add_special_tokens=False), False))
        elif message["role"] == "user":
            segments.append((tokenizer.encode(ALPACA_INSTRUCTION.format(content=content), add_special_tokens=False), False))
        else:
            eos = [tokenizer.eos_token_id] if tokenizer.eos_token_id is not None else []
            segments.append((tokenizer.encode(content, add_special_tokens=False) + eos, True))
    return segments
