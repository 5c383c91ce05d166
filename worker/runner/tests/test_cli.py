"""The commands as the worker starts them: python -m ftf_runner ... in a run dir, as subprocesses."""
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path
from typing import Any

RUNNER_ROOT = Path(__file__).resolve().parent.parent
HAS_TORCH = importlib.util.find_spec("torch") is not None


def run_runner(run_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(RUNNER_ROOT)}
    return subprocess.run([sys.executable, "-m", "ftf_runner", *args], cwd=run_dir, env=env, capture_output=True, text=True, timeout=120)


def read_events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


class CommandTest(unittest.TestCase):
    def setUp(self) -> None:
        self.directory = tempfile.TemporaryDirectory()
        self.run_dir = Path(self.directory.name)

    def tearDown(self) -> None:
        self.directory.cleanup()

    def write_config(self, name: str, values: dict[str, Any]) -> None:
        (self.run_dir / name).write_text(json.dumps(values))

    @unittest.skipIf(HAS_TORCH, "this Python has torch: the missing-dependency path cannot be shown here")
    def test_train_without_torch_reports_missing_dependency(self) -> None:
        self.write_config("config.json", {"run_id": "r1", "base_model": "tiny"})
        result = run_runner(self.run_dir, "train", "--config", "config.json")
        self.assertEqual(result.returncode, 2, result.stderr)
        events = read_events(self.run_dir / "events.jsonl")
        self.assertEqual([event["type"] for event in events], ["error"])
        self.assertEqual(events[0]["kind"], "missing_dependency")
        for needed in ("torch", "transformers", "peft", "pip install -r"):
            self.assertIn(needed, events[0]["message"])
            self.assertIn(needed, result.stderr)

    @unittest.skipIf(HAS_TORCH, "this Python has torch: the missing-dependency path cannot be shown here")
    def test_eval_without_torch_reports_missing_dependency(self) -> None:
        self.write_config("eval.json", {"run_id": "r1", "base_model": "tiny"})
        result = run_runner(self.run_dir, "eval", "--config", "eval.json")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertEqual(read_events(self.run_dir / "eval-events.jsonl")[0]["kind"], "missing_dependency")

    def test_bad_config_is_a_config_error_event(self) -> None:
        self.write_config("config.json", {"run_id": "r1", "base_model": "tiny", "lora_rank": 8})
        result = run_runner(self.run_dir, "train", "--config", "config.json")
        self.assertEqual(result.returncode, 1)
        (event,) = read_events(self.run_dir / "events.jsonl")
        self.assertEqual((event["type"], event["kind"]), ("error", "config"))
        self.assertIn("'lora_rank'", event["message"])

    def test_check_prints_one_json_object(self) -> None:
        result = run_runner(self.run_dir, "check")
        self.assertEqual(result.returncode, 0, result.stderr)
        report = json.loads(result.stdout)
        self.assertEqual(report["python"], ".".join(map(str, sys.version_info[:3])))
        for library in ("torch", "transformers", "peft", "bitsandbytes", "datasets"):
            self.assertIsInstance(report["libraries"][library]["available"], bool)
        self.assertEqual(report["libraries"]["torch"]["available"], HAS_TORCH)
        self.assertIsInstance(report["cuda"]["available"], bool)
        self.assertIsInstance(report["gpus"], list)


if __name__ == "__main__":
    unittest.main()
