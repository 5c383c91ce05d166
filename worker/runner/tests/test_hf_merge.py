"""`python -m ftf_runner merge` against real torch, transformers and peft on the tiny random Llama
(tests/support/tiny_model.py): the merged folder loads with transformers alone and computes what
the base with the adapter computes, in the file layout Ollama's safetensors import reads."""
from __future__ import annotations

import json
import shutil
import tempfile
import unittest
from pathlib import Path

from .test_cli import read_events, run_runner
from .test_hf_training import tiny_model_dir
from .torch_required import needs_torch


def write_adapter(model_dir: Path, adapter_dir: Path) -> None:
    """A LoRA adapter with non-zero B (as after training), saved with the model's tokenizer."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(1)
    model = get_peft_model(
        AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32),
        LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj", "down_proj"], task_type="CAUSAL_LM"),
    )
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "lora_B" in name:
                parameter.normal_(0, 0.5)
    model.save_pretrained(str(adapter_dir))
    AutoTokenizer.from_pretrained(str(model_dir)).save_pretrained(str(adapter_dir))


@needs_torch
class MergeCommandTest(unittest.TestCase):
    def setUp(self) -> None:
        self.directory = tempfile.TemporaryDirectory()
        self.run_dir = Path(self.directory.name)

    def tearDown(self) -> None:
        self.directory.cleanup()

    def write_config(self, **values: object) -> None:
        (self.run_dir / "merge.json").write_text(json.dumps({"run_id": "r1", "base_model": str(tiny_model_dir()), **values}))

    def test_the_merged_model_computes_what_base_and_adapter_compute(self) -> None:
        import torch
        from peft import PeftModel
        from transformers import AutoModelForCausalLM, AutoTokenizer

        adapter_dir = self.run_dir / "output" / "adapter"
        write_adapter(tiny_model_dir(), adapter_dir)
        self.write_config()
        result = run_runner(self.run_dir, "merge", "--config", "merge.json")
        self.assertEqual(result.returncode, 0, result.stderr)
        events = read_events(self.run_dir / "merge-events.jsonl")
        self.assertEqual(events[0]["type"], "start")
        done = events[-1]
        self.assertEqual(done["type"], "done", events)
        merged_dir = self.run_dir / "output" / "merged"
        names = {Path(a["path"]).name for a in done["artifacts"]}
        # What Ollama's safetensors import looks for: config.json, model*.safetensors and a tokenizer.
        self.assertIn("config.json", names)
        self.assertIn("model.safetensors", names)
        self.assertIn("tokenizer.json", names)
        self.assertFalse(any(name.startswith("adapter_") for name in names))
        self.assertFalse((self.run_dir / "output" / "merged.partial").exists())
        for artifact in done["artifacts"]:
            self.assertTrue(artifact["path"].startswith("output/merged/"))
            self.assertEqual((self.run_dir / artifact["path"]).stat().st_size, artifact["size"])
        self.assertEqual(done["metrics"]["architectures"], ["LlamaForCausalLM"])
        self.assertEqual(done["metrics"]["model_type"], "llama")
        self.assertEqual(done["metrics"]["dtype"], "float32")  # saved so; no GPU here to halve it

        ids = AutoTokenizer.from_pretrained(str(merged_dir))("What does the warranty guide say?", return_tensors="pt").input_ids
        with torch.inference_mode():
            merged = AutoModelForCausalLM.from_pretrained(str(merged_dir), dtype=torch.float32).eval()
            reference = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(str(tiny_model_dir()), dtype=torch.float32), str(adapter_dir)).eval()
            base = AutoModelForCausalLM.from_pretrained(str(tiny_model_dir()), dtype=torch.float32).eval()
            got, want, plain = merged(input_ids=ids).logits, reference(input_ids=ids).logits, base(input_ids=ids).logits
        self.assertLess(float((got - want).abs().max()), 1e-4)
        # The adapter moved the model: the merge is not just the base saved again.
        self.assertGreater(float((got - plain).abs().max()), 1e-2)

    def test_a_second_merge_replaces_the_first(self) -> None:
        write_adapter(tiny_model_dir(), self.run_dir / "output" / "adapter")
        stale = self.run_dir / "output" / "merged" / "stale.bin"
        stale.parent.mkdir(parents=True)
        stale.write_bytes(b"old")
        self.write_config(max_shard_size="200KB")
        result = run_runner(self.run_dir, "merge", "--config", "merge.json")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertFalse(stale.exists())
        done = read_events(self.run_dir / "merge-events.jsonl")[-1]
        # Sharded past max_shard_size, with the index transformers writes: still model*.safetensors.
        shards = sorted(Path(a["path"]).name for a in done["artifacts"] if a["path"].endswith(".safetensors"))
        self.assertGreater(len(shards), 1)
        self.assertTrue(all(name.startswith("model-") for name in shards), shards)
        self.assertEqual(done["metrics"]["weight_files"], len(shards))

    def test_without_an_adapter_it_is_a_config_error(self) -> None:
        self.write_config()
        result = run_runner(self.run_dir, "merge", "--config", "merge.json")
        self.assertEqual(result.returncode, 1)
        (event,) = [e for e in read_events(self.run_dir / "merge-events.jsonl") if e["type"] == "error"]
        self.assertEqual(event["kind"], "config")
        self.assertIn("No adapter in output/adapter", event["message"])


class MergeConfigTest(unittest.TestCase):
    def test_merged_dir_must_not_be_the_output_dir(self) -> None:
        from ftf_runner.config import ConfigError, load_merge_config

        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "merge.json"
            path.write_text(json.dumps({"run_id": "r", "base_model": "m", "merged_dir": "output/"}))
            with self.assertRaisesRegex(ConfigError, "merged_dir"):
                load_merge_config(path)
            path.write_text(json.dumps({"run_id": "r", "base_model": "m", "dtype": "int8"}))
            with self.assertRaisesRegex(ConfigError, "'dtype' must be"):
                load_merge_config(path)


if __name__ == "__main__":
    unittest.main()
