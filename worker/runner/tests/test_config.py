import json
import tempfile
import unittest
from pathlib import Path
from typing import Any

from ftf_runner.config import ConfigError, EvalConfig, RunnerConfig, load_config, load_eval_config

REQUIRED: dict[str, Any] = {"run_id": "run-1", "base_model": "Qwen/Qwen2.5-0.5B-Instruct"}


class ConfigFileTest(unittest.TestCase):
    def setUp(self) -> None:
        self.directory = tempfile.TemporaryDirectory()
        self.path = Path(self.directory.name) / "config.json"

    def tearDown(self) -> None:
        self.directory.cleanup()

    def load(self, values: dict[str, Any]) -> RunnerConfig:
        self.path.write_text(json.dumps(values))
        return load_config(self.path)

    def refusal(self, values: dict[str, Any]) -> str:
        with self.assertRaises(ConfigError) as caught:
            self.load(values)
        return str(caught.exception)

    def test_defaults_of_the_protocol(self) -> None:
        config = self.load(REQUIRED)
        self.assertEqual(config, RunnerConfig(run_id="run-1", base_model="Qwen/Qwen2.5-0.5B-Instruct"))
        self.assertEqual((config.method, config.train_file, config.eval_file, config.output_dir), ("lora", "data/train.jsonl", "data/eval.jsonl", "output"))
        self.assertEqual((config.max_seq_length, config.packing, config.lora_r, config.lora_alpha, config.lora_dropout), (2048, True, 16, 32, 0.05))
        self.assertEqual((config.target_modules, config.learning_rate, config.lr_scheduler, config.warmup_ratio), ("all-linear", 2e-4, "cosine", 0.03))
        self.assertEqual((config.num_epochs, config.max_steps, config.per_device_batch_size, config.gradient_accumulation_steps), (3.0, -1, 4, 4))
        self.assertEqual((config.gradient_checkpointing, config.logging_steps, config.eval_steps, config.save_steps, config.seed), (True, 1, 50, 100, 42))
        self.assertEqual((config.random_init, config.tokenizer), (None, None))

    def test_full_config_is_read(self) -> None:
        config = self.load({
            **REQUIRED, "method": "qlora", "eval_file": None, "target_modules": ["q_proj", "v_proj"], "num_epochs": 1,
            "random_init": {"model_type": "llama", "hidden_size": 64}, "tokenizer": "gpt2", "packing": True,
        })
        self.assertEqual(config.method, "qlora")
        self.assertIsNone(config.eval_file)
        self.assertEqual(config.target_modules, ["q_proj", "v_proj"])
        self.assertIsInstance(config.num_epochs, float)
        self.assertEqual(config.random_init, {"model_type": "llama", "hidden_size": 64})

    def test_unknown_key_is_refused_by_name(self) -> None:
        self.assertIn("'lora_rank'", self.refusal({**REQUIRED, "lora_rank": 8}))
        self.assertIn("'allow_cpu' must be true or false", self.refusal({**REQUIRED, "allow_cpu": "yes"}))

    def test_wrong_types_are_refused_by_name(self) -> None:
        self.assertIn("'lora_r' must be an integer, got a string", self.refusal({**REQUIRED, "lora_r": "16"}))
        self.assertIn("'lora_r' must be an integer, got a number", self.refusal({**REQUIRED, "lora_r": 16.5}))
        self.assertIn("'max_steps' must be an integer, got a boolean", self.refusal({**REQUIRED, "max_steps": True}))
        self.assertIn("'packing' must be true or false", self.refusal({**REQUIRED, "packing": "yes"}))
        self.assertIn("'method' must be \"lora\" or \"qlora\"", self.refusal({**REQUIRED, "method": "full"}))
        self.assertIn("'target_modules'", self.refusal({**REQUIRED, "target_modules": ["q_proj", 3]}))
        self.assertIn("'target_modules'", self.refusal({**REQUIRED, "target_modules": "all"}))
        self.assertIn("'eval_file' must be a string or null", self.refusal({**REQUIRED, "eval_file": 5}))
        self.assertIn("'random_init' must be an object or null", self.refusal({**REQUIRED, "random_init": "llama"}))

    def test_missing_required_key(self) -> None:
        self.assertIn("missing required key 'base_model'", self.refusal({"run_id": "x"}))

    def test_out_of_range_values(self) -> None:
        self.assertIn("'lora_r' must be at least 1", self.refusal({**REQUIRED, "lora_r": 0}))
        self.assertIn("'lora_dropout' must be at least 0 and less than 1", self.refusal({**REQUIRED, "lora_dropout": 1.0}))
        self.assertIn("'lora_dropout'", self.refusal({**REQUIRED, "lora_dropout": -0.1}))
        self.assertIn("'warmup_ratio'", self.refusal({**REQUIRED, "warmup_ratio": 1}))
        self.assertIn("'learning_rate'", self.refusal({**REQUIRED, "learning_rate": 0}))
        self.assertIn("'num_epochs'", self.refusal({**REQUIRED, "num_epochs": 0}))
        self.assertIn("'max_steps'", self.refusal({**REQUIRED, "max_steps": 0}))
        self.assertIn("'per_device_batch_size'", self.refusal({**REQUIRED, "per_device_batch_size": 0}))
        self.assertIn("'lr_scheduler'", self.refusal({**REQUIRED, "lr_scheduler": "warmup_stable_decay"}))
        self.assertIn("'target_modules'", self.refusal({**REQUIRED, "target_modules": []}))
        self.assertIn("'random_init'", self.refusal({**REQUIRED, "random_init": {"hidden_size": 64}}))
        self.assertIn("'run_id' must not be empty", self.refusal({**REQUIRED, "run_id": " "}))

    def test_file_that_is_not_a_config(self) -> None:
        self.path.write_text("{not json")
        with self.assertRaisesRegex(ConfigError, "not valid JSON"):
            load_config(self.path)
        self.path.write_text("[]")
        with self.assertRaisesRegex(ConfigError, "must hold a JSON object"):
            load_config(self.path)
        with self.assertRaisesRegex(ConfigError, "file not found"):
            load_config(self.path.with_name("absent.json"))


class EvalConfigTest(unittest.TestCase):
    def test_defaults_and_refusals(self) -> None:
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "eval.json"
            path.write_text(json.dumps(REQUIRED))
            config = load_eval_config(path)
            self.assertEqual(config, EvalConfig(**REQUIRED))
            self.assertEqual((config.max_new_tokens, config.temperature, config.batch_size, config.prompts_file), (256, 0.0, 8, "data/prompts.jsonl"))
            path.write_text(json.dumps({**REQUIRED, "lora_r": 8}))
            with self.assertRaisesRegex(ConfigError, "unknown key 'lora_r'"):
                load_eval_config(path)
            path.write_text(json.dumps({**REQUIRED, "temperature": -1}))
            with self.assertRaisesRegex(ConfigError, "'temperature'"):
                load_eval_config(path)


if __name__ == "__main__":
    unittest.main()
