import hashlib
import math
import tempfile
import unittest
from pathlib import Path

from ftf_runner.progress import Throughput, perplexity, planned_steps
from ftf_runner.rundir import describe_artifacts, newest_checkpoint


class RunDirTest(unittest.TestCase):
    def setUp(self) -> None:
        self.directory = tempfile.TemporaryDirectory()
        self.run_dir = Path(self.directory.name)

    def tearDown(self) -> None:
        self.directory.cleanup()

    def test_newest_complete_checkpoint_by_step_number(self) -> None:
        checkpoints = self.run_dir / "output" / "checkpoints"
        self.assertIsNone(newest_checkpoint(checkpoints))
        for step, complete in ((5, True), (40, True), (100, False)):
            path = checkpoints / f"checkpoint-{step}"
            path.mkdir(parents=True)
            if complete:
                (path / "trainer_state.json").write_text("{}")
        (checkpoints / "checkpoint-final").mkdir()
        newest = newest_checkpoint(checkpoints)
        assert newest is not None
        self.assertEqual((newest.step, newest.path.name), (40, "checkpoint-40"))

    def test_artifacts_relative_with_size_and_sha256(self) -> None:
        adapter = self.run_dir / "output" / "adapter"
        (adapter / "nested").mkdir(parents=True)
        (adapter / "adapter_model.safetensors").write_bytes(b"\x00" * 10)
        (adapter / "nested" / "a.json").write_text("{}")
        metrics = self.run_dir / "output" / "metrics.json"
        metrics.write_text('{"train_loss": 1}')
        artifacts = describe_artifacts(self.run_dir, [adapter, metrics])
        self.assertEqual([a["path"] for a in artifacts], ["output/adapter/adapter_model.safetensors", "output/adapter/nested/a.json", "output/metrics.json"])
        self.assertEqual(artifacts[0]["size"], 10)
        self.assertEqual(artifacts[0]["sha256"], hashlib.sha256(b"\x00" * 10).hexdigest())


class ProgressTest(unittest.TestCase):
    def test_planned_steps(self) -> None:
        self.assertEqual(planned_steps(100, 4, 4, 3.0, -1), 21)  # 25 batches -> 7 steps an epoch
        self.assertEqual(planned_steps(3, 4, 4, 2.0, -1), 2)
        self.assertEqual(planned_steps(100, 4, 4, 0.5, -1), 4)
        self.assertEqual(planned_steps(100, 4, 4, 3.0, 10), 10)

    def test_perplexity(self) -> None:
        self.assertAlmostEqual(perplexity(math.log(12.5)) or 0, 12.5)
        self.assertIsNone(perplexity(None))
        self.assertIsNone(perplexity(math.nan))
        self.assertEqual(perplexity(1e6), math.inf)

    def test_tokens_per_second_between_reports(self) -> None:
        now = [100.0]
        throughput = Throughput(clock=lambda: now[0])
        throughput.restart(1000)
        now[0] = 102.0
        self.assertEqual(throughput.rate(1300), 150.0)
        now[0] = 110.0  # an evaluation: its time does not count
        throughput.restart(1300)
        now[0] = 111.0
        self.assertEqual(throughput.rate(1350), 50.0)
        self.assertIsNone(throughput.rate(1350))


if __name__ == "__main__":
    unittest.main()
