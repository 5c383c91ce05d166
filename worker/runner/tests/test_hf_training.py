"""Issue 12, 3a–3d and 3f against real torch, transformers and peft on a tiny random Llama built
offline (tests/support/tiny_model.py): packed examples attend only to themselves, evaluation
during training is token-weighted, a stop on an evaluation step saves first, and a 4-bit base
would keep its compute in bf16."""
from __future__ import annotations

import json
import sys
import tempfile
import unittest
from pathlib import Path

from .torch_required import needs_torch

REPO = Path(__file__).resolve().parents[3]
_built: dict[str, Path] = {}


def tiny_model_dir() -> Path:
    """The saved tiny model (weights and tokenizer), built once per test process."""
    if "model" not in _built:
        sys.path.insert(0, str(REPO / "tests" / "support"))
        import tiny_model  # type: ignore[import-not-found]

        _built["model"] = tiny_model.build(Path(tempfile.mkdtemp(prefix="ftf-tiny-")), model=True) / "model"
    return _built["model"]


def conversation(i: int) -> list[dict[str, str]]:
    topics = ["warranty", "invoice", "router", "battery", "refund", "firmware"]
    return [{"role": "user", "content": f"What does the {topics[i % 6]} guide say?"}, {"role": "assistant", "content": f"It covers the {topics[(i * 5) % 6]} steps, part {i}."}]


# Like Gemma's or Mistral's templates: no system role, and user/assistant must alternate.
STRICT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}"
    "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}"
    "{% endif %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


@needs_torch
class TinyTokenizerTemplateTest(unittest.TestCase):
    """The template rules of tests/test_formatting.py with the tiny model's real tokenizer."""

    def test_a_late_system_turn_is_folded_and_a_leading_answer_is_context(self) -> None:
        from transformers import AutoTokenizer

        from ftf_runner.formatting import IGNORE_INDEX, prepare_sequences

        tokenizer = AutoTokenizer.from_pretrained(str(tiny_model_dir()))
        late_system = [{"role": "user", "content": "Hi?"}, {"role": "system", "content": "Be brief."}, {"role": "assistant", "content": "Hello."}]
        with self.assertRaises(Exception):  # the tiny template itself refuses it
            tokenizer.apply_chat_template(late_system, tokenize=False)
        opening = [{"role": "assistant", "content": "Welcome!"}, {"role": "user", "content": "Hi?"}, {"role": "assistant", "content": "Hello."}]
        prepared = prepare_sequences(tokenizer, [late_system, opening], 512, packing=False)
        folded, context = prepared.sequences
        self.assertIn("Be brief.\n\nHi?", tokenizer.decode(folded["input_ids"]))
        trained = tokenizer.decode([label for label in context["labels"] if label != IGNORE_INDEX])
        self.assertNotIn("Welcome", trained)
        self.assertIn("Hello.", trained)


@needs_torch
class PackedAttentionTest(unittest.TestCase):
    def test_a_packed_example_gets_the_same_logits_as_alone(self) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from ftf_runner.formatting import flatten_packed, pack, tokenize_conversation
        from ftf_runner.hf_trainer import PaddingCollator

        model_dir = tiny_model_dir()
        tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
        first, second = (tokenize_conversation(tokenizer, conversation(i), 512) for i in (1, 2))
        packed = pack([first, second], 512)
        self.assertEqual(len(packed), 1)
        batch = PaddingCollator(tokenizer.pad_token_id)([packed[0]])
        self.assertNotIn("attention_mask", batch)
        # SDPA is what the runner loads by default; eager is the fallback of models without it.
        for attention in ("sdpa", "eager"):
            with self.subTest(attention=attention):
                model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32, attn_implementation=attention).eval()
                self.assert_packed_logits_match(model, batch, first, second)
        flat = flatten_packed(packed)
        self.assertEqual(len(flat["input_ids"][0]), len(first["input_ids"]) + len(second["input_ids"]))

    def assert_packed_logits_match(self, model: object, batch: dict[str, object], first: dict[str, list[int]], second: dict[str, list[int]]) -> None:
        import torch

        with torch.no_grad():
            # As in training (load_training_model turns the KV cache off): transformers reads packed
            # boundaries from the position ids only when there is no cache and no attention mask.
            together = model(input_ids=batch["input_ids"], position_ids=batch["position_ids"], use_cache=False).logits[0]
            for example in (first, second):
                alone = model(input_ids=torch.tensor([example["input_ids"]])).logits[0]
                # Where the example sits in the packed row (best fit puts the longer one first).
                row = batch["input_ids"][0].tolist()
                n = len(example["input_ids"])
                start = next(i for i in range(len(row) - n + 1) if row[i : i + n] == example["input_ids"] and batch["position_ids"][0][i] == 0)
                torch.testing.assert_close(together[start : start + n], alone, atol=1e-4, rtol=1e-4)
            # Without the position ids the second example would see the first: the logits differ.
            leaky = model(input_ids=batch["input_ids"], use_cache=False).logits[0]
            self.assertFalse(torch.allclose(leaky, together, atol=1e-3))


@needs_torch
class TrainingRunTest(unittest.TestCase):
    """Short real runs of ftf_runner.hf_trainer.train on the CPU."""

    def run_training(self, stop_at_step: int | None = None, train_lines: list[str] | None = None, stop: object = None, **overrides: object) -> tuple[Path, list[dict[str, object]]]:
        from transformers import TrainerCallback

        from ftf_runner import hf_trainer
        from ftf_runner.config import RunnerConfig
        from ftf_runner.events import EventWriter
        from ftf_runner.lifecycle import StopSignal

        run_dir = Path(tempfile.mkdtemp(prefix="ftf-run-"))
        (run_dir / "data").mkdir()
        lines = train_lines if train_lines is not None else [json.dumps({"messages": conversation(i)}) for i in range(24)]
        (run_dir / "data" / "train.jsonl").write_text("\n".join(lines) + "\n")
        # Eval examples of very different lengths, so batch means and token means differ.
        long_answer = [{"role": "user", "content": "Tell me everything."}, {"role": "assistant", "content": " ".join(f"step {i} of the router guide" for i in range(20))}]
        (run_dir / "data" / "eval.jsonl").write_text("\n".join(json.dumps({"messages": m}) for m in [conversation(30), conversation(31), conversation(32), long_answer]) + "\n")
        settings = dict(run_id="t", base_model=str(tiny_model_dir()), allow_cpu=True, max_steps=6, per_device_batch_size=3, gradient_accumulation_steps=1, learning_rate=0.01, warmup_ratio=0.0, lora_dropout=0.0, gradient_checkpointing=False, eval_steps=2, save_steps=2, max_seq_length=256)
        settings.update(overrides)
        config = RunnerConfig(**settings)  # type: ignore[arg-type]
        stop = stop or StopSignal()
        if stop_at_step is not None:
            original = hf_trainer.ProgressCallback.on_step_begin

            def on_step_begin(callback: object, args: object, state: object, control: object, **kwargs: object) -> None:
                original(callback, args, state, control, **kwargs)  # type: ignore[arg-type]
                # SIGTERM arrives during the step that ends on an evaluation step.
                if state.global_step + 1 == stop_at_step:  # type: ignore[attr-defined]
                    stop.requested = True

            hf_trainer.ProgressCallback.on_step_begin = on_step_begin  # type: ignore[method-assign]
            self.addCleanup(setattr, hf_trainer.ProgressCallback, "on_step_begin", original)
        with EventWriter(run_dir / "events.jsonl") as events:
            hf_trainer.train(config, run_dir, events, stop)
        lines = (run_dir / "events.jsonl").read_text().splitlines()
        return run_dir, [json.loads(line) for line in lines]

    def test_prepared_counts_come_before_start_and_evaluation_is_token_weighted(self) -> None:
        import torch
        from transformers import AutoTokenizer

        from ftf_runner.formatting import pad_batch, prepare_sequences
        from ftf_runner.hf_eval import token_weighted_loss

        run_dir, events = self.run_training(packing=True)
        types = [e["type"] for e in events]
        self.assertLess(types.index("prepared"), types.index("start"))
        prepared = {e["split"]: e for e in events if e["type"] == "prepared"}
        self.assertEqual(prepared["train"]["examples"], 24)
        self.assertLess(prepared["train"]["sequences"], 24)  # packed
        self.assertEqual(prepared["eval"]["sequences"], 4)  # never packed
        start = next(e for e in events if e["type"] == "start")
        self.assertGreater(start["hardware"]["flops_per_token"], 0)
        metrics = [e for e in events if e["type"] == "metric"]
        self.assertTrue(all(e["step_seconds"] > 0 for e in metrics))

        # The eval event's loss is the per-token mean over the split, the eval job's figure.
        from peft import PeftModel
        from transformers import AutoModelForCausalLM

        tokenizer = AutoTokenizer.from_pretrained(str(run_dir / "output" / "adapter"))
        base = AutoModelForCausalLM.from_pretrained(str(tiny_model_dir()), dtype=torch.float32)
        model = PeftModel.from_pretrained(base, str(run_dir / "output" / "adapter")).eval()
        conversations = [json.loads(line)["messages"] for line in (run_dir / "data" / "eval.jsonl").read_text().splitlines()]
        sequences = prepare_sequences(tokenizer, conversations, 256, packing=False).sequences
        batches = [pad_batch(sequences[i : i + 3], tokenizer.pad_token_id) for i in range(0, 4, 3)]
        expected = token_weighted_loss(model, batches)
        last_eval = [e for e in events if e["type"] == "eval"][-1]
        self.assertAlmostEqual(last_eval["eval_loss"], expected, places=4)
        # ... which is not the mean of the two batches' means (the Trainer's own figure).
        with torch.no_grad():
            means = [float(model(**{k: torch.tensor(v) for k, v in b.items()}).loss) for b in batches]
        self.assertGreater(abs(sum(means) / 2 - expected), 1e-3)

    def test_metric_events_carry_mfu_with_its_factors(self) -> None:
        from unittest import mock

        from ftf_runner import hf_trainer

        # This machine has no GPU, so no peak; a known one is stood in for.
        with mock.patch.object(hf_trainer, "peak_flops", return_value=1e12):
            _, events = self.run_training(max_steps=3, eval_steps=100, save_steps=100)
        flops = next(e for e in events if e["type"] == "start")["hardware"]["flops_per_token"]
        metrics = [e for e in events if e["type"] == "metric" and "tokens_per_second" in e]
        self.assertTrue(metrics)
        for event in metrics:
            self.assertEqual((event["flops_per_token"], event["peak_flops"]), (flops, 1e12))
            self.assertAlmostEqual(event["mfu"], event["tokens_per_second"] * flops / 1e12)
        done = next(e for e in events if e["type"] == "done")["metrics"]
        self.assertAlmostEqual(done["mfu"], done["tokens_per_second"] * flops / 1e12)
        # Without a known peak (the CPU), MFU is left out, not guessed.
        _, plain = self.run_training(max_steps=1, eval_steps=100, save_steps=100)
        self.assertFalse(any("mfu" in e or "peak_flops" in e for e in plain if e["type"] == "metric"))
        self.assertNotIn("mfu", next(e for e in plain if e["type"] == "done")["metrics"])

    def test_a_conversation_the_template_refuses_is_a_data_error_naming_its_line(self) -> None:
        from unittest import mock

        from ftf_runner import hf_trainer
        from ftf_runner.errors import RunnerError

        def strict_tokenizer(source: str) -> object:
            tokenizer = original_load(source)
            tokenizer.chat_template = STRICT_TEMPLATE
            return tokenizer

        original_load = hf_trainer.load_tokenizer
        with_system = [{"role": "system", "content": "Be brief."}, *conversation(1)]
        two_users = [{"role": "user", "content": "Hi?"}, *conversation(2)]
        # Line 2's system turn is folded into its user turn; line 4 (after a blank line) stays refused.
        lines = [json.dumps({"messages": conversation(0)}), json.dumps({"messages": with_system}), "", json.dumps({"messages": two_users})]
        with mock.patch.object(hf_trainer, "load_tokenizer", strict_tokenizer), self.assertRaises(RunnerError) as caught:
            self.run_training(train_lines=lines)
        self.assertEqual(caught.exception.kind, "data")
        self.assertIn("data/train.jsonl line 4 (example 3): the chat template refuses this conversation", caught.exception.message)
        self.assertIn("must alternate", caught.exception.message)
        # Without line 4 the run trains, the system turn folded.
        with mock.patch.object(hf_trainer, "load_tokenizer", strict_tokenizer):
            _, events = self.run_training(train_lines=lines[:2], max_steps=1, eval_steps=100, save_steps=100)
        self.assertEqual(next(e for e in events if e["type"] == "prepared" and e["split"] == "train")["examples"], 2)
        self.assertIn("done", [e["type"] for e in events])

    def test_a_stop_on_an_evaluation_step_saves_first_and_skips_the_evaluation(self) -> None:
        run_dir, events = self.run_training(stop_at_step=4)
        self.assertTrue((run_dir / "output" / "checkpoints" / "checkpoint-4").is_dir())
        self.assertNotIn(4, [e["step"] for e in events if e["type"] == "eval"])
        self.assertIn(2, [e["step"] for e in events if e["type"] == "eval"])
        self.assertNotIn("done", [e["type"] for e in events])

    def test_a_stop_during_an_evaluation_saves_at_once(self) -> None:
        from unittest import mock

        from ftf_runner import hf_trainer
        from ftf_runner.lifecycle import StopSignal

        stop = StopSignal()
        original = hf_trainer.token_weighted_loss

        def sigterm_while_evaluating(model: object, batches: object, should_stop: object) -> float:
            stop.requested = True  # SIGTERM arrives during the evaluation of step 2
            return original(model, batches, should_stop)  # type: ignore[arg-type]

        # No checkpoint is due at step 2 (save_steps 100): the stop must make one there, not a step later.
        with mock.patch.object(hf_trainer, "token_weighted_loss", sigterm_while_evaluating):
            run_dir, events = self.run_training(stop=stop, save_steps=100)
        checkpoints = run_dir / "output" / "checkpoints"
        self.assertEqual(sorted(p.name for p in checkpoints.iterdir()), ["checkpoint-2"])
        self.assertFalse([e for e in events if e["type"] == "eval"])
        self.assertEqual(max(e["step"] for e in events if e["type"] == "metric"), 2)
        stopped = next(e for e in events if e["type"] == "stopped")
        self.assertEqual((stopped["step"], stopped["checkpoint"]), (2, "output/checkpoints/checkpoint-2"))

    def test_train_loss_after_a_resume_counts_every_step(self) -> None:
        _, straight = self.run_training()
        run_dir, _ = self.run_training(stop_at_step=2)
        # Resume in the same run directory.
        from ftf_runner import hf_trainer
        from ftf_runner.config import RunnerConfig
        from ftf_runner.events import EventWriter
        from ftf_runner.lifecycle import StopSignal

        config = RunnerConfig(run_id="t", base_model=str(tiny_model_dir()), allow_cpu=True, max_steps=6, per_device_batch_size=3, gradient_accumulation_steps=1, learning_rate=0.01, warmup_ratio=0.0, lora_dropout=0.0, gradient_checkpointing=False, eval_steps=2, save_steps=2, max_seq_length=256)
        with EventWriter(run_dir / "events.jsonl") as events:
            hf_trainer.train(config, run_dir, events, StopSignal())
        resumed = [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]
        straight_loss = next(e for e in straight if e["type"] == "done")["metrics"]["train_loss"]
        resumed_loss = next(e for e in resumed if e["type"] == "done")["metrics"]["train_loss"]
        self.assertLess(abs(resumed_loss - straight_loss) / straight_loss, 0.03)


class WholeRunTrainLossTest(unittest.TestCase):
    def test_the_steps_before_the_resume_are_filled_in_from_the_log_history(self) -> None:
        from ftf_runner.progress import whole_run_train_loss

        history = [{"step": 1, "loss": 4.0}, {"step": 2, "loss": 3.0}, {"step": 2, "eval_loss": 9.0}]
        # 4 steps in all, resumed after 2: the Trainer reports this session's sum (2 + 2) over 4 steps.
        self.assertAlmostEqual(whole_run_train_loss(history, 2, 4, (2.0 + 2.0) / 4), (4.0 + 3.0 + 2.0 + 2.0) / 4)
        self.assertEqual(whole_run_train_loss(history, 0, 4, 2.5), 2.5)


@needs_torch
class QuantizedBaseTest(unittest.TestCase):
    def test_the_frozen_base_keeps_its_bf16_weights(self) -> None:
        import torch
        from peft import prepare_model_for_kbit_training
        from transformers import AutoModelForCausalLM

        from ftf_runner.modeling import prepare_frozen_base

        model = AutoModelForCausalLM.from_pretrained(str(tiny_model_dir()), dtype=torch.bfloat16)
        prepare_frozen_base(model, gradient_checkpointing=True)
        self.assertEqual({p.dtype for p in model.parameters()}, {torch.bfloat16})
        self.assertFalse(any(p.requires_grad for p in model.parameters()))
        # The whole QLoRA load path with a bf16 base standing in for the 4-bit one (bitsandbytes
        # and a GPU are not here): only the new LoRA weights may be fp32 (peft keeps adapters in
        # fp32); norms, embeddings and lm_head stay bf16.
        from unittest import mock

        from ftf_runner import modeling
        from ftf_runner.config import RunnerConfig

        config = RunnerConfig(run_id="t", base_model=str(tiny_model_dir()), method="qlora", allow_cpu=True, gradient_checkpointing=True)
        bf16 = modeling.Precision(torch.bfloat16, bf16=True, fp16=False)
        base = AutoModelForCausalLM.from_pretrained(str(tiny_model_dir()), dtype=torch.bfloat16)
        with mock.patch.object(modeling, "_load_base_model", return_value=base):
            peft_model = modeling.load_training_model(config, Path("."), None, bf16, quantization=object())  # type: ignore[arg-type]
        upcast_base = {name: p.dtype for name, p in peft_model.named_parameters() if "lora_" not in name and p.dtype != torch.bfloat16}
        self.assertEqual(upcast_base, {})
        self.assertTrue(all("lora_" in name for name, p in peft_model.named_parameters() if p.requires_grad))
        # What peft's helper would have done: norms and embeddings in fp32.
        upcast = prepare_model_for_kbit_training(AutoModelForCausalLM.from_pretrained(str(tiny_model_dir()), dtype=torch.bfloat16))
        self.assertIn(torch.float32, {p.dtype for p in upcast.parameters()})


if __name__ == "__main__":
    unittest.main()
