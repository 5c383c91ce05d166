"""bench/gpu.py (repo root): on a machine without CUDA it stops at once with the reason."""
from __future__ import annotations

import subprocess
import sys
import unittest
from pathlib import Path

from .torch_required import needs_torch

BENCH = Path(__file__).resolve().parents[3] / "bench" / "gpu.py"


@needs_torch
class GpuBenchTest(unittest.TestCase):
    def test_without_cuda_it_fails_fast_with_the_reason(self) -> None:
        import torch

        if torch.cuda.is_available():
            self.skipTest("this machine has a CUDA GPU")
        done = subprocess.run([sys.executable, str(BENCH)], capture_output=True, text=True, timeout=120)
        self.assertEqual(done.returncode, 2)
        self.assertIn("no usable CUDA GPU", done.stderr)
        self.assertIn("--dry-run", done.stderr)

    def test_the_script_compiles(self) -> None:
        compile(BENCH.read_text(encoding="utf-8"), str(BENCH), "exec")


if __name__ == "__main__":
    unittest.main()
