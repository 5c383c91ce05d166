"""The evaluation itself: eval loss of the tuned model, and base vs. tuned answers to prompts.

One model serves both sides: the base answers with the adapter switched off. Imported only after
the dependency check (it needs torch, transformers and peft).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TypeVar

import torch
from transformers import set_seed

from .check import hardware_summary
from .config import EvalConfig
from .data import read_optional_numbered_conversations, read_prompts
from .errors import RunnerError
from .events import EventWriter
from .formatting import IGNORE_INDEX, TokenizedExample, pad_batch, prepare_sequences, prompt_ids
from .modeling import choose_precision, load_tokenizer, load_tuned_model, quantization_config
from .progress import perplexity
from .rundir import relative_path

Item = TypeVar("Item")


def evaluate(config: EvalConfig, run_dir: Path, events: EventWriter) -> int:
    set_seed(config.seed)
    precision = choose_precision(config.allow_cpu)
    quantization = quantization_config(config.method, precision)
    adapter_dir = run_dir / config.output_dir / "adapter"
    if not (adapter_dir / "adapter_config.json").is_file():
        raise RunnerError("config", f"No adapter in {relative_path(run_dir, adapter_dir)}: the training run has not finished.")
    # The tokenizer saved with the adapter is the one it was trained with (padding token included).
    tokenizer = load_tokenizer(str(adapter_dir))
    numbered = read_optional_numbered_conversations(run_dir / config.eval_file if config.eval_file else None)
    conversations = [messages for _, messages in numbered]
    sequences = prepare_sequences(
        tokenizer, conversations, config.max_seq_length, packing=False, file_name=config.eval_file or "the eval data", line_numbers=[line for line, _ in numbered]
    ).sequences
    prompts = read_prompts(run_dir / config.prompts_file if config.prompts_file else None)
    events.write("start", run_id=config.run_id, num_eval=len(conversations), num_samples=len(prompts), hardware=hardware_summary())

    events.write("log", level="info", message=f"Loading model {config.base_model} with the run's adapter")
    model = load_tuned_model(config, run_dir, adapter_dir, tokenizer, precision, quantization)
    eval_loss = _eval_loss(model, sequences, config.batch_size, tokenizer.pad_token_id) if sequences else None
    if eval_loss is not None:
        events.write("eval", step=None, epoch=None, eval_loss=eval_loss, perplexity=perplexity(eval_loss))

    for batch in _batches(prompts, config.batch_size):
        inputs = [prompt_ids(tokenizer, prompt.prompt, prompt.context)[-config.max_seq_length :] for prompt in batch]
        with model.disable_adapter():
            base_outputs = _generate(model, tokenizer, inputs, config)
        tuned_outputs = _generate(model, tokenizer, inputs, config)
        for prompt, base_output, tuned_output in zip(batch, base_outputs, tuned_outputs):
            events.write("sample", index=prompt.index, prompt=prompt.prompt, reference=prompt.reference, base_output=base_output, tuned_output=tuned_output)

    events.write("done", metrics={"eval_loss": eval_loss, "perplexity": perplexity(eval_loss), "num_samples": len(prompts)})
    return 0


def _eval_loss(model: Any, sequences: list[TokenizedExample], batch_size: int, pad_token_id: int) -> float:
    return token_weighted_loss(model, (pad_batch(batch, pad_token_id) for batch in _batches(sequences, batch_size)))


@torch.inference_mode()
def token_weighted_loss(model: Any, batches: Iterable[dict[str, list[list[int]]]], should_stop: Callable[[], bool] = lambda: False) -> float:
    """Mean loss per answer token over the whole split: each batch's mean loss weighted by its
    answer tokens, so a batch of short answers counts as little as it weighs. The figure both the
    training's evaluations and the eval job report. NaN without answer tokens, or when stopped."""
    device = next(model.parameters()).device
    total_loss, total_tokens = 0.0, 0
    for batch in batches:
        if should_stop():
            return float("nan")
        tensors = {key: torch.tensor(rows, device=device) for key, rows in batch.items()}
        # A label is predicted from the position before it, so the first label never counts.
        answer_tokens = int((tensors["labels"][:, 1:] != IGNORE_INDEX).sum())
        if answer_tokens == 0:
            continue
        total_loss += float(model(**tensors).loss) * answer_tokens
        total_tokens += answer_tokens
    return total_loss / total_tokens if total_tokens else float("nan")


@torch.inference_mode()
def _generate(model: Any, tokenizer: Any, inputs: list[list[int]], config: EvalConfig) -> list[str]:
    device = next(model.parameters()).device
    padded = pad_batch([{"input_ids": ids, "labels": ids} for ids in inputs], tokenizer.pad_token_id, side="left")
    input_ids = torch.tensor(padded["input_ids"], device=device)
    sampling = {"do_sample": True, "temperature": config.temperature} if config.temperature > 0 else {"do_sample": False}
    output = model.generate(
        input_ids=input_ids,
        attention_mask=torch.tensor(padded["attention_mask"], device=device),
        max_new_tokens=config.max_new_tokens,
        pad_token_id=tokenizer.pad_token_id,
        **sampling,
    )
    return [tokenizer.decode(row, skip_special_tokens=True).strip() for row in output[:, input_ids.shape[1] :]]


def _batches(items: list[Item], size: int) -> Iterator[list[Item]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]

