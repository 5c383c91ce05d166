"""From conversations to token ids and labels: the loss counts only the assistant's tokens.

Pure Python over a small tokenizer interface (the methods of a transformers tokenizer that we
use), so the masking, truncation, packing and padding rules are tested without transformers.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any, Iterable, Literal, NotRequired, Protocol, Sequence, TypedDict

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
    # Packed sequences only: positions restart at 0 for each example packed into the sequence, which
    # is how the model's attention keeps every example to itself (see `pack`).
    position_ids: NotRequired[list[int]]


@dataclass
class Prepared:
    """A split after tokenizing with the base model's own tokenizer: the sequences to feed, and the
    exact counts the runner reports in its `prepared` event."""

    sequences: list[TokenizedExample] = field(default_factory=list)
    examples: int = 0
    tokens: int = 0
    truncated: int = 0
    dropped: int = 0
    longest: int = 0

    def counts(self) -> dict[str, int]:
        return {"examples": self.examples, "sequences": len(self.sequences), "tokens": self.tokens, "truncated": self.truncated, "dropped": self.dropped, "longest": self.longest}


# Token ids of a piece of the conversation, and whether the loss counts them.
Segment = tuple[list[int], bool]


class _NotIncremental(Exception):
    """The chat template renders a longer conversation as something other than an extension."""


def uses_chat_template(tokenizer: Tokenizer) -> bool:
    return bool(getattr(tokenizer, "chat_template", None))


def tokenize_conversation(tokenizer: Tokenizer, messages: list[Message], max_seq_length: int) -> TokenizedExample:
    """input_ids and labels (IGNORE_INDEX except on assistant tokens), cut to max_seq_length."""
    full = _tokenize_whole(tokenizer, messages)
    return {"input_ids": full["input_ids"][:max_seq_length], "labels": full["labels"][:max_seq_length]}


def _tokenize_whole(tokenizer: Tokenizer, messages: list[Message]) -> TokenizedExample:
    segments = _chat_segments(tokenizer, messages) if uses_chat_template(tokenizer) else _alpaca_segments(tokenizer, messages)
    input_ids: list[int] = []
    labels: list[int] = []
    for ids, trainable in segments:
        input_ids.extend(ids)
        labels.extend(ids if trainable else [IGNORE_INDEX] * len(ids))
    return {"input_ids": input_ids, "labels": labels}


def prompt_ids(tokenizer: Tokenizer, prompt: str, context: Sequence[Message] = ()) -> list[int]:
    """A user prompt after its context (a system turn, earlier exchanges), formatted as in
    training and ending where the answer starts."""
    messages = [*context, {"role": "user", "content": prompt}]
    if uses_chat_template(tokenizer):
        return tokenizer.encode(_render(tokenizer, messages, add_generation_prompt=True), add_special_tokens=False)
    return [token for ids, _ in _alpaca_segments(tokenizer, messages) for token in ids]


def prepare_sequences(
    tokenizer: Tokenizer,
    conversations: Iterable[list[Message]],
    max_seq_length: int,
    packing: bool,
    file_name: str = "the data",
    line_numbers: Sequence[int] | None = None,
) -> Prepared:
    """The sequences to feed, with exact counts: examples cut at max_seq_length are `truncated`;
    those truncation left without any assistant token are `dropped`. A conversation the chat
    template refuses is a data error naming it: its line in the file when line_numbers are given
    (one per conversation), and its number among the examples."""
    prepared = Prepared()
    kept: list[TokenizedExample] = []
    for number, messages in enumerate(conversations, start=1):
        prepared.examples += 1
        try:
            whole = _tokenize_whole(tokenizer, messages)
        except RunnerError as error:
            where = f"{file_name} line {line_numbers[number - 1]} (example {number})" if line_numbers else f"{file_name}, example {number}"
            raise RunnerError("data", f"{where}: {error.message}") from None
        length = len(whole["input_ids"])
        prepared.longest = max(prepared.longest, length)
        example: TokenizedExample = {"input_ids": whole["input_ids"][:max_seq_length], "labels": whole["labels"][:max_seq_length]}
        if length > max_seq_length:
            prepared.truncated += 1
        if not has_trainable_tokens(example):
            prepared.dropped += 1
            continue
        prepared.tokens += len(example["input_ids"])
        kept.append(example)
    prepared.sequences = pack(kept, max_seq_length) if packing else kept
    return prepared


def has_trainable_tokens(example: TokenizedExample) -> bool:
    return any(label != IGNORE_INDEX for label in example["labels"])


def pack(examples: Iterable[TokenizedExample], max_seq_length: int) -> list[TokenizedExample]:
    """Packs whole examples into sequences of at most max_seq_length tokens, best fit decreasing
    (each example, longest first, goes where it leaves the least room), so little compute goes
    to padding and no example is split. Positions restart at 0 for each example: with no
    attention mask, transformers reads a packed sequence's boundaries from them and keeps each
    example's attention to itself (flash-attention's variable-length path, or a block-diagonal
    causal mask for SDPA and eager). Each example's first label is masked, so no token is
    predicted from the end of the example before it."""
    ordered = sorted(examples, key=lambda example: len(example["input_ids"]), reverse=True)
    bins: list[list[TokenizedExample]] = []
    room: list[tuple[int, int]] = []  # (free tokens, bin index), sorted
    for example in ordered:
        size = len(example["input_ids"])
        at = bisect.bisect_left(room, (size, -1))
        if at < len(room):
            free, index = room.pop(at)
        else:
            free, index = max_seq_length, len(bins)
            bins.append([])
        bins[index].append(example)
        if free - size > 0:
            bisect.insort(room, (free - size, index))
    packed: list[TokenizedExample] = []
    for members in bins:
        sequence: TokenizedExample = {"input_ids": [], "labels": [], "position_ids": []}
        for example in members:
            sequence["input_ids"].extend(example["input_ids"])
            sequence["labels"].extend([IGNORE_INDEX, *example["labels"][1:]])
            sequence["position_ids"].extend(range(len(example["input_ids"])))
        packed.append(sequence)
    return packed


def flatten_packed(examples: list[TokenizedExample]) -> dict[str, list[list[int]]]:
    """A batch of packed sequences as one row with no padding at all (padding-free): positions
    restart per example, so the row's examples stay apart, and every token fed is a real one."""
    row: dict[str, list[int]] = {"input_ids": [], "labels": [], "position_ids": []}
    for example in examples:
        for key in row:
            row[key].extend(example[key])  # type: ignore[literal-required]
    return {key: [values] for key, values in row.items()}


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
    try:
        text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=add_generation_prompt)
    except Exception as error:  # noqa: BLE001 - a template's own refusal (jinja's raise_exception) is a data problem
        raise _TemplateRefused(str(error) or type(error).__name__) from None
    if not isinstance(text, str):
        raise RunnerError("config", "The tokenizer's chat template did not render to text.")
    return text


class _TemplateRefused(Exception):
    """The chat template raised on this conversation (a role it does not support, turns out of order)."""


def fold_system(messages: list[Message]) -> list[Message]:
    """The conversation without system turns: their text leads the first user turn (or becomes
    one), for templates that refuse a system role."""
    system = "\n\n".join(message["content"] for message in messages if message["role"] == "system")
    rest = [dict(message) for message in messages if message["role"] != "system"]
    if not system:
        return rest
    first_user = next((message for message in rest if message["role"] == "user"), None)
    if first_user is None:
        return [{"role": "user", "content": system}, *rest]
    first_user["content"] = f"{system}\n\n{first_user['content']}"
    return rest


def _chat_segments(tokenizer: Tokenizer, messages: list[Message]) -> list[Segment]:
    try:
        texts = _chat_texts(tokenizer, messages)
    except _TemplateRefused as refused:
        if not any(message["role"] == "system" for message in messages):
            raise RunnerError("data", f"the chat template refuses this conversation ({refused}).") from None
        try:
            texts = _chat_texts(tokenizer, fold_system(messages))
        except _TemplateRefused as again:
            raise RunnerError("data", f"the chat template refuses this conversation, also with its system turn folded into the first user turn ({again}).") from None
    # Special tokens are part of the rendered text already; encoding must not add more.
    return [(tokenizer.encode(text, add_special_tokens=False), trainable) for text, trainable in texts if text]


def _chat_texts(tokenizer: Tokenizer, messages: list[Message]) -> list[tuple[str, bool]]:
    try:
        return _incremental_chat_texts(tokenizer, messages)
    except _NotIncremental:
        return _last_answer_chat_texts(tokenizer, messages)


def _incremental_chat_texts(tokenizer: Tokenizer, messages: list[Message]) -> list[tuple[str, bool]]:
    """Renders the conversation one message at a time and keeps what each message added: the
    assistant's header (the generation prompt) is context, its content and end-of-turn are trained."""
    texts: list[tuple[str, bool]] = []
    rendered = ""
    # Assistant turns before the first user turn answer nothing: they are context, not trained.
    first_user = next((position for position, message in enumerate(messages) if message["role"] == "user"), len(messages))
    for end, message in enumerate(messages, start=1):
        is_answer = message["role"] == "assistant" and end - 1 > first_user
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
    the model learns to stop. Answers before the first user turn are context."""
    segments: list[Segment] = [([tokenizer.bos_token_id], False)] if tokenizer.bos_token_id is not None else []
    seen_user = False
    for message in messages:
        seen_user = seen_user or message["role"] == "user"
        content = message["content"]
        if message["role"] == "system":
            segments.append((tokenizer.encode(f"{content}\n\n", add_special_tokens=False), False))
        elif message["role"] == "user":
            segments.append((tokenizer.encode(ALPACA_INSTRUCTION.format(content=content), add_special_tokens=False), False))
        else:
            eos = [tokenizer.eos_token_id] if tokenizer.eos_token_id is not None else []
            segments.append((tokenizer.encode(content, add_special_tokens=False) + eos, seen_user))
    return segments
