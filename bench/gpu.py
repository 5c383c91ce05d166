"""GPU smoke test and throughput benchmark of the production runner (worker/runner).

    python bench/gpu.py            on a machine with an NVIDIA GPU and the runner's packages
    python bench/gpu.py --dry-run  the same path on the CPU at a tiny shape (checks the script)

1. Smoke, on CUDA: the tiny random Llama of the tests (tests/support/tiny_model.py, built offline)
   trains with the runner's own `train`, is stopped at a checkpoint and resumed at the next step;
   the adapter it writes loads with peft and reproduces the trained model's logits.
2. Throughput: a 1B-shaped random Llama (hidden 2048, 16 layers, 32 heads, MLP 8192, vocab 32000),
   bf16, LoRA r=16 on every linear layer, sequences of 2048 with packing, trained for a few dozen
   steps with gradient checkpointing on and then off. Prints tokens/s and MFU for each (MFU as the
   runner reports it: tokens/s × (6·N + 12·L·H·S) ÷ the GPU's dense bf16 peak; see
   worker/runner/ftf_runner/throughput.py) and the ratio to the 25 % target.

Nothing is downloaded: models are built from configs, the tokenizer is trained on the spot.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "worker" / "runner"))
sys.path.insert(0, str(REPO / "tests" / "support"))

MFU_TARGET = 0.25
ONE_B = {
    "model_type": "llama",
    "hidden_size": 2048,
    "intermediate_size": 8192,
    "num_hidden_layers": 16,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "max_position_embeddings": 4096,
    "vocab_size": 32000,
    "tie_word_embeddings": False,
}
TINY_SHAPE = {**ONE_B, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2}


def fail(message: str) -> None:
    print(f"bench/gpu.py: {message}", file=sys.stderr)
    sys.exit(2)


def write_data(run_dir: Path, examples: int, words_per_answer: int) -> None:
    topics = ["warranty", "invoice", "router", "battery", "refund", "firmware", "shipping", "password"]
    verbs = ["covers", "explains", "resets", "replaces", "includes", "requires", "lists", "describes"]
    (run_dir / "data").mkdir(parents=True, exist_ok=True)
    for name, count in (("train", examples), ("eval", max(4, examples // 10))):
        lines = []
        for i in range(count):
            answer = " ".join(f"the {topics[(i + k) % 8]} guide {verbs[(i * 3 + k) % 8]} step {k}" for k in range(words_per_answer // 6 + 1))
            lines.append(json.dumps({"messages": [{"role": "user", "content": f"What does the {topics[i % 8]} guide say? ({i})"}, {"role": "assistant", "content": answer}]}))
        (run_dir / "data" / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def run(run_dir: Path, stop_after: int | None = None, **settings: object) -> list[dict]:
    """The runner's own training function, in this process; its events."""
    from ftf_runner import hf_trainer
    from ftf_runner.config import RunnerConfig
    from ftf_runner.events import EventWriter
    from ftf_runner.lifecycle import StopSignal

    stop = StopSignal()
    if stop_after is not None:
        original = hf_trainer.ProgressCallback.on_step_end

        def on_step_end(callback, args, state, control, **kwargs):  # type: ignore[no-untyped-def]
            if state.global_step >= stop_after:
                stop.requested = True
            original(callback, args, state, control, **kwargs)

        hf_trainer.ProgressCallback.on_step_end = on_step_end  # type: ignore[method-assign]
    try:
        with EventWriter(run_dir / "events.jsonl") as events:
            hf_trainer.train(RunnerConfig(run_id=run_dir.name, **settings), run_dir, events, stop)  # type: ignore[arg-type]
    finally:
        if stop_after is not None:
            hf_trainer.ProgressCallback.on_step_end = original  # type: ignore[method-assign]
    return [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]


def smoke(work: Path, allow_cpu: bool) -> None:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    import tiny_model  # type: ignore[import-not-found]

    model_dir = tiny_model.build(work / "tiny", model=True) / "model"
    run_dir = work / "smoke"
    write_data(run_dir, 48, 12)
    settings = dict(base_model=str(model_dir), allow_cpu=allow_cpu, max_steps=20, per_device_batch_size=4, gradient_accumulation_steps=1, learning_rate=0.01, warmup_ratio=0.0, lora_dropout=0.0, eval_steps=10, save_steps=10, max_seq_length=256)
    started = time.monotonic()
    stopped = run(run_dir, stop_after=10, **settings)
    assert any(e["type"] == "stopped" for e in stopped), "the stop did not give a `stopped` event"
    events = run(run_dir, **settings)
    starts = [e for e in events if e["type"] == "start"]
    assert starts[-1]["resumed_from_step"] == 10, f"resumed from {starts[-1]['resumed_from_step']}, not 10"
    losses = [e["loss"] for e in events if e["type"] == "metric"]
    assert losses[-1] < losses[0], f"the loss did not fall: {losses[0]:.3f} → {losses[-1]:.3f}"
    adapter = run_dir / "output" / "adapter"
    device = "cuda" if torch.cuda.is_available() else "cpu"
    base = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32).to(device)
    tuned = PeftModel.from_pretrained(base, str(adapter)).eval()
    ids = torch.tensor([[5, 17, 42, 99, 7]], device=device)
    with torch.no_grad():
        with_adapter = tuned(input_ids=ids).logits
        with tuned.disable_adapter():
            without = tuned(input_ids=ids).logits
        merged = tuned.merge_and_unload()(input_ids=ids).logits
    assert torch.allclose(with_adapter, merged, atol=1e-3), "the merged adapter does not reproduce the tuned logits"
    assert not torch.allclose(with_adapter, without, atol=1e-3), "the adapter changes nothing"
    print(f"smoke: trained, stopped at 10, resumed to {events[-1].get('step')}, loss {losses[0]:.3f} → {losses[-1]:.3f}, adapter reloads ({time.monotonic() - started:.0f} s)")


def throughput(work: Path, shape: dict, steps: int, allow_cpu: bool) -> list[tuple[str, float, float | None]]:
    import tiny_model  # type: ignore[import-not-found]

    tokenizer_dir = tiny_model.build(work / "tok") / "tokenizer"
    rows = []
    for checkpointing in (True, False):
        run_dir = work / f"1b-gc-{'on' if checkpointing else 'off'}"
        write_data(run_dir, 600 if not allow_cpu else 60, 400 if not allow_cpu else 30)
        events = run(
            run_dir,
            base_model="random-1b",
            random_init=shape,
            tokenizer=str(tokenizer_dir),
            allow_cpu=allow_cpu,
            max_steps=steps,
            per_device_batch_size=4 if not allow_cpu else 1,
            gradient_accumulation_steps=1,
            max_seq_length=2048 if not allow_cpu else 256,
            packing=True,
            gradient_checkpointing=checkpointing,
            eval_steps=10_000,
            save_steps=10_000,
            warmup_ratio=0.0,
        )
        start = next(e for e in events if e["type"] == "start")
        rates = [e["tokens_per_second"] for e in events if e["type"] == "metric" and e.get("tokens_per_second")]
        # The first steps warm up kernels and the allocator.
        steady = statistics.median(rates[len(rates) // 3 :]) if rates else 0.0
        flops, peak = start["hardware"].get("flops_per_token"), start["hardware"].get("peak_flops")
        # The runner's own MFU of each metric event (PROTOCOL.md), over the same steady steps.
        mfus = [e["mfu"] for e in events if e["type"] == "metric" and e.get("tokens_per_second") and e.get("mfu") is not None]
        mfu = statistics.median(mfus[len(mfus) // 3 :]) if mfus else (steady * flops / peak if flops and peak else None)
        rows.append((f"gradient checkpointing {'on' if checkpointing else 'off'}", steady, mfu))
        gpus = start["hardware"].get("gpus") or [{"name": "CPU"}]
        flops_text = f"{flops:.3g}" if flops else "unknown"
        print(f"{rows[-1][0]}: {steady:,.0f} tokens/s, MFU {'n/a' if mfu is None else f'{mfu:.1%}'} on {gpus[0]['name']} (FLOPs/token {flops_text}, peak {peak if peak else 'unknown'})")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dry-run", action="store_true", help="run the whole path on the CPU at a tiny shape")
    parser.add_argument("--steps", type=int, default=30, help="training steps per throughput run")
    args = parser.parse_args()
    try:
        import peft  # noqa: F401
        import torch
        import transformers  # noqa: F401
    except ImportError as error:
        fail(f"the runner's packages are missing ({error}); install worker/runner/requirements.txt")
    if not args.dry_run and not torch.cuda.is_available():
        fail("no usable CUDA GPU (torch.cuda.is_available() is False); this benchmark needs one (or --dry-run)")
    with tempfile.TemporaryDirectory(prefix="ftf-gpu-bench-") as scratch:
        work = Path(scratch)
        smoke(work, allow_cpu=args.dry_run)
        rows = throughput(work, TINY_SHAPE if args.dry_run else ONE_B, 6 if args.dry_run else args.steps, allow_cpu=args.dry_run)
    print("\n| run | tokens/s | MFU | vs 25 % target |\n|---|---|---|---|")
    for name, rate, mfu in rows:
        print(f"| {name} | {rate:,.0f} | {'n/a' if mfu is None else f'{mfu:.1%}'} | {'n/a' if mfu is None else f'{mfu / MFU_TARGET:.2f}×'} |")


if __name__ == "__main__":
    main()
