"""The training itself: transformers' Trainer on a peft LoRA adapter, reporting to events.jsonl.

Imported only after the dependency check (it needs torch, transformers and peft).
"""
from __future__ import annotations

import json
import math
import resource
import sys
from pathlib import Path
from typing import Any

import torch
from transformers import Trainer, TrainerCallback, TrainerControl, TrainerState, TrainingArguments, set_seed

from .check import hardware_summary
from .config import RunnerConfig
from .data import read_numbered_conversations, read_optional_numbered_conversations
from .errors import RunnerError
from .events import EventWriter, json_safe
from .formatting import Prepared, TokenizedExample, flatten_packed, pad_batch, prepare_sequences
from .hf_eval import token_weighted_loss
from .modeling import Precision, choose_precision, load_tokenizer, load_training_model, quantization_config
from .progress import StepTimer, Throughput, perplexity, planned_steps, whole_run_train_loss
from .throughput import flops_per_token, mfu, peak_flops
from .rundir import describe_artifacts, newest_checkpoint, relative_path
from .lifecycle import EXIT_OK, StopSignal, checkpoints_dir

# Checkpoints kept on disk: LoRA checkpoints are small, and more than one survives a bad save.
CHECKPOINTS_KEPT = 3


def train(config: RunnerConfig, run_dir: Path, events: EventWriter, stop: StopSignal) -> int:
    set_seed(config.seed)
    precision = choose_precision(config.allow_cpu)
    quantization = quantization_config(config.method, precision)
    tokenizer_source = config.tokenizer or config.base_model
    events.write("log", level="info", message=f"Loading tokenizer {tokenizer_source}")
    tokenizer = load_tokenizer(tokenizer_source)

    train_conversations = read_numbered_conversations(run_dir / config.train_file)
    eval_conversations = read_optional_numbered_conversations(run_dir / config.eval_file if config.eval_file else None)
    # Exact counts with the base model's own tokenizer. Evaluation is never packed: its loss is
    # per example, the same figure the eval job reports.
    train_prepared = _prepare(tokenizer, train_conversations, config, events, "train", config.packing)
    eval_prepared = _prepare(tokenizer, eval_conversations, config, events, "eval", False) if eval_conversations else Prepared()
    train_set, eval_set = train_prepared.sequences, eval_prepared.sequences

    checkpoints = checkpoints_dir(config, run_dir)
    resume = newest_checkpoint(checkpoints)
    events.write("log", level="info", message=f"Loading model {config.base_model}" + (" in 4-bit" if quantization else ""))
    model = load_training_model(config, run_dir, tokenizer, precision, quantization)
    mean_length = train_prepared.tokens / max(train_prepared.examples - train_prepared.dropped, 1)
    model_flops, peak = flops_per_token(model, mean_length), peak_flops()
    events.write(
        "start",
        run_id=config.run_id,
        total_steps=planned_steps(len(train_set), config.per_device_batch_size, config.gradient_accumulation_steps, config.num_epochs, config.max_steps),
        num_train=len(train_conversations),
        num_eval=len(eval_conversations),
        resumed_from_step=resume.step if resume else None,
        hardware={**hardware_summary(), "flops_per_token": model_flops, "peak_flops": peak},
    )

    progress = ProgressCallback(events, stop, run_dir, checkpoints, flops_per_token=model_flops, peak_flops=peak)
    trainer = RunnerTrainer(
        stop=stop,
        pad_token_id=tokenizer.pad_token_id,
        model=model,
        args=_training_arguments(config, checkpoints, precision, has_eval=bool(eval_set)),
        train_dataset=train_set,
        eval_dataset=eval_set or None,
        data_collator=PaddingCollator(tokenizer.pad_token_id),
        callbacks=[progress],
    )
    stop.training_started()
    events.write("log", level="info", message=f"Resuming from step {resume.step}" if resume else "Training")
    result = trainer.train(resume_from_checkpoint=str(resume.path) if resume else None)
    # A stop that came after the last step changes nothing: the run is complete.
    if stop.requested and trainer.state.global_step < trainer.state.max_steps:
        return _report_stopped(events, run_dir, checkpoints, trainer.state.global_step)
    return _finish(config, run_dir, events, trainer, tokenizer, progress, result, has_eval=bool(eval_set), resumed_from=resume.step if resume else 0)


class PaddingCollator:
    """A batch as tensors. Unpacked examples are padded (input_ids with the pad token, labels with
    -100, an attention_mask); packed sequences are laid end to end in one row with their position
    ids and no attention mask, so nothing is padded and each example attends to itself only."""

    def __init__(self, pad_token_id: int) -> None:
        self.pad_token_id = pad_token_id

    def __call__(self, examples: list[TokenizedExample]) -> dict[str, torch.Tensor]:
        rows = flatten_packed(examples) if "position_ids" in examples[0] else pad_batch(examples, self.pad_token_id)
        return {key: torch.tensor(values) for key, values in rows.items()}


class RunnerTrainer(Trainer):
    """The Trainer with our evaluation: the token-weighted loss of the eval job (the Trainer's own
    averages batch means), which a stop request cuts short so the checkpoint comes first."""

    def __init__(self, *args: Any, stop: StopSignal, pad_token_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stop = stop
        self.pad_token_id = pad_token_id

    def evaluate(self, eval_dataset: Any = None, ignore_keys: Any = None, metric_key_prefix: str = "eval") -> dict[str, float]:
        dataset = eval_dataset if eval_dataset is not None else self.eval_dataset
        if self.stop.requested:
            return self._save_and_stop()
        if not dataset:
            return {}
        size = self.args.per_device_eval_batch_size
        batches = (pad_batch(dataset[start : start + size], self.pad_token_id) for start in range(0, len(dataset), size))
        was_training = self.model.training
        self.model.eval()
        try:
            loss = token_weighted_loss(self.model, batches, should_stop=lambda: self.stop.requested)
        finally:
            if was_training:
                self.model.train()
        if self.stop.requested:
            return self._save_and_stop()
        if math.isnan(loss):
            return {}
        metrics = {f"{metric_key_prefix}_loss": loss}
        self.log(metrics)
        self.control = self.callback_handler.on_evaluate(self.args, self.state, self.control, metrics)
        return metrics

    def _save_and_stop(self) -> dict[str, float]:
        """A stop that came during (or just before) an evaluation: no eval loss, and the Trainer
        saves a checkpoint right after this returns (it checks should_save after evaluating) and
        stops, instead of training one more step before the checkpoint."""
        self.control.should_save = True
        self.control.should_training_stop = True
        return {}


class ProgressCallback(TrainerCallback):
    """Turns the Trainer's logs and saves into events, and a requested stop into save-and-stop.
    Tokens are the Trainer's count of non-padding input tokens (state.num_input_tokens_seen),
    which a resumed run restores from its checkpoint."""

    def __init__(self, events: EventWriter, stop: StopSignal, run_dir: Path, checkpoints: Path, flops_per_token: float | None = None, peak_flops: float | None = None) -> None:
        self.events = events
        # MFU's factors (throughput.py); either is None when unknown (the CPU, a GPU not in the table).
        self.flops_per_token = flops_per_token
        self.peak_flops = peak_flops
        self.stop = stop
        self.run_dir = run_dir
        self.checkpoints = checkpoints
        self.throughput = Throughput()
        self.tokens_at_start = 0
        self.last_eval: tuple[int, float] | None = None  # (step, eval_loss)
        self.step_timer = StepTimer()

    def on_train_begin(self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any) -> None:
        self.tokens_at_start = int(state.num_input_tokens_seen)
        self.throughput.restart(int(state.num_input_tokens_seen))

    def on_step_begin(self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any) -> None:
        self.step_timer.begin()

    def on_step_end(self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any) -> None:
        self.step_timer.end()
        if self.stop.requested:
            # Save first and skip an evaluation due at this step: the worker's patience is limited.
            control.should_save = True
            control.should_training_stop = True
            control.should_evaluate = False

    def on_log(self, args: TrainingArguments, state: TrainerState, control: TrainerControl, logs: dict[str, float] | None = None, **kwargs: Any) -> None:
        logs = logs or {}
        # The Trainer's closing summary has train_loss, not loss: it is reported by `done`.
        if "loss" in logs:
            rate = self.throughput.rate(int(state.num_input_tokens_seen))
            self.events.write("metric", **_present(
                step=state.global_step,
                epoch=state.epoch,
                loss=logs["loss"],
                learning_rate=logs.get("learning_rate"),
                grad_norm=logs.get("grad_norm"),
                tokens_per_second=rate,
                gpu_memory_mb=peak_gpu_memory_mb(),
                step_seconds=self.step_timer.mean(),
                mfu=mfu(rate, self.flops_per_token, self.peak_flops),
                flops_per_token=self.flops_per_token,
                peak_flops=self.peak_flops,
            ))
        if "eval_loss" in logs:
            self.last_eval = (state.global_step, logs["eval_loss"])
            self.events.write("eval", step=state.global_step, epoch=state.epoch, eval_loss=logs["eval_loss"], perplexity=perplexity(logs["eval_loss"]))

    def on_evaluate(self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any) -> None:
        self.throughput.restart(int(state.num_input_tokens_seen))

    def on_save(self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any) -> None:
        path = self.checkpoints / f"checkpoint-{state.global_step}"
        self.events.write("checkpoint", step=state.global_step, path=relative_path(self.run_dir, path))
        self.throughput.restart(int(state.num_input_tokens_seen))


def peak_gpu_memory_mb() -> int | None:
    return torch.cuda.max_memory_allocated() // 2**20 if torch.cuda.is_available() else None


def peak_cpu_memory_mb() -> int:
    """The runner process's peak resident memory (Linux reports ru_maxrss in KiB, macOS in bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 2**20 if sys.platform == "darwin" else peak // 2**10


def _prepare(tokenizer: Any, numbered: list[tuple[int, Any]], config: RunnerConfig, events: EventWriter, split: str, packing: bool) -> Prepared:
    file_name = (config.train_file if split == "train" else config.eval_file) or f"the {split} data"
    conversations = [messages for _, messages in numbered]
    line_numbers = [line for line, _ in numbered]
    prepared = prepare_sequences(tokenizer, conversations, config.max_seq_length, packing, file_name=file_name, line_numbers=line_numbers)
    events.write("prepared", split=split, **prepared.counts())
    if prepared.dropped:
        events.write("log", level="warn", message=f"{prepared.dropped} {split} examples have no answer left within max_seq_length ({config.max_seq_length} tokens) and are skipped.")
    if split == "train" and not prepared.sequences:
        raise RunnerError("data", "No training example has an answer within max_seq_length; raise max_seq_length or shorten the examples.")
    return prepared


def _training_arguments(config: RunnerConfig, checkpoints: Path, precision: Precision, has_eval: bool) -> TrainingArguments:
    return TrainingArguments(
        output_dir=str(checkpoints),
        per_device_train_batch_size=config.per_device_batch_size,
        per_device_eval_batch_size=config.per_device_batch_size,
        gradient_accumulation_steps=config.gradient_accumulation_steps,
        num_train_epochs=config.num_epochs,
        max_steps=config.max_steps,
        learning_rate=config.learning_rate,
        lr_scheduler_type=config.lr_scheduler,
        # transformers 5 reads a float below 1 as a fraction of the total steps (warmup_ratio is gone).
        warmup_steps=config.warmup_ratio,
        gradient_checkpointing=config.gradient_checkpointing,
        gradient_checkpointing_kwargs={"use_reentrant": False},
        bf16=precision.bf16,
        fp16=precision.fp16,
        # state.num_input_tokens_seen: the real tokens of training batches only (packed batches
        # have no padding at all; padded ones are counted by their attention mask).
        include_num_input_tokens_seen="all" if config.packing else "non_padding",
        logging_strategy="steps",
        logging_steps=config.logging_steps,
        eval_strategy="steps" if has_eval else "no",
        eval_steps=config.eval_steps,
        # Only the loss is wanted; otherwise evaluation keeps every batch's logits (batch x length x vocab).
        prediction_loss_only=True,
        # Named explicitly: the Trainer may not find `labels` in the signature of a peft-wrapped model.
        label_names=["labels"],
        save_strategy="steps",
        save_steps=config.save_steps,
        save_total_limit=CHECKPOINTS_KEPT,
        seed=config.seed,
        report_to="none",
        # Progress goes to events.jsonl; progress bars would fill stderr.log, whose tail explains crashes.
        disable_tqdm=True,
        # Our collator builds exactly the model's inputs; there are no extra columns to drop.
        remove_unused_columns=False,
    )


def _report_stopped(events: EventWriter, run_dir: Path, checkpoints: Path, step: int) -> int:
    checkpoint = checkpoints / f"checkpoint-{step}"
    events.write("stopped", step=step, checkpoint=relative_path(run_dir, checkpoint) if checkpoint.is_dir() else None)
    return EXIT_OK


def _finish(config: RunnerConfig, run_dir: Path, events: EventWriter, trainer: Trainer, tokenizer: Any, progress: ProgressCallback, result: Any, has_eval: bool, resumed_from: int) -> int:
    """Final evaluation, the adapter and tokenizer, metrics.json, and `done` with their checksums."""
    eval_loss = _final_eval_loss(trainer, progress) if has_eval else None
    output_dir = run_dir / config.output_dir
    adapter_dir = output_dir / "adapter"
    trainer.model.save_pretrained(str(adapter_dir))
    tokenizer.save_pretrained(str(adapter_dir))

    runtime = float(result.metrics.get("train_runtime", 0.0))
    session_rate = (int(trainer.state.num_input_tokens_seen) - progress.tokens_at_start) / runtime if runtime > 0 else 0.0
    trainable, total = trainer.model.get_nb_trainable_parameters()
    metrics = _present(**json_safe(dict(
        train_loss=whole_run_train_loss(trainer.state.log_history, resumed_from, trainer.state.global_step, result.training_loss),
        eval_loss=eval_loss,
        perplexity=perplexity(eval_loss),
        train_runtime_s=runtime,
        total_tokens=int(trainer.state.num_input_tokens_seen),
        tokens_per_second=session_rate,
        mfu=mfu(session_rate, progress.flops_per_token, progress.peak_flops),
        peak_gpu_memory_mb=peak_gpu_memory_mb(),
        peak_cpu_memory_mb=peak_cpu_memory_mb(),
        num_parameters=total,
        trainable_parameters=trainable,
    )))
    metrics_path = output_dir / "metrics.json"
    metrics_path.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    artifacts = describe_artifacts(run_dir, [adapter_dir, metrics_path])
    events.write("done", step=trainer.state.global_step, metrics=metrics, artifacts=artifacts)
    return EXIT_OK


def _final_eval_loss(trainer: Trainer, progress: ProgressCallback) -> float | None:
    """The eval loss after the last step; evaluated again only if the last step had no evaluation
    (a second `eval` event for the same step would repeat a point of the curve)."""
    if progress.last_eval is not None and progress.last_eval[0] == trainer.state.global_step:
        return progress.last_eval[1]
    loss: float | None = trainer.evaluate().get("eval_loss")
    return loss


def _present(**fields: Any) -> dict[str, Any]:
    """The fields that have a value: optional event fields are left out rather than null."""
    return {key: value for key, value in fields.items() if value is not None}
