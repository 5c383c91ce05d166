"""Issue 12, 3e: without a usable CUDA GPU a run is refused with its cause, unless it allows the CPU."""
from __future__ import annotations

import unittest

from .torch_required import needs_torch


@needs_torch
class NoGpuTest(unittest.TestCase):
    def test_this_cpu_machine_is_refused_unless_the_cpu_is_allowed(self) -> None:
        import torch

        from ftf_runner.errors import RunnerError
        from ftf_runner.modeling import choose_precision

        if torch.cuda.is_available():
            self.skipTest("this machine has a CUDA GPU")
        with self.assertRaises(RunnerError) as raised:
            choose_precision(allow_cpu=False)
        self.assertEqual(raised.exception.kind, "no_gpu")
        self.assertEqual(choose_precision(allow_cpu=True).dtype, torch.float32)

    def test_the_cause_names_a_cpu_build_a_missing_gpu_or_an_old_driver(self) -> None:
        from ftf_runner.modeling import no_gpu_reason

        self.assertIn("torch 2.13.0+cpu is a CPU-only build", no_gpu_reason(cuda_build="", torch_version="2.13.0+cpu"))
        old_driver = "The NVIDIA driver on your system is too old (found version 11040). Please update your GPU driver."
        reason = no_gpu_reason(cuda_build="12.8", init_error=old_driver, torch_version="2.14.1")
        self.assertTrue(reason.startswith("The NVIDIA driver on this machine is older than torch 2.14.1 needs (built for CUDA 12.8)"))
        no_device = "Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed a driver"
        self.assertTrue(no_gpu_reason(cuda_build="12.8", init_error=no_device, torch_version="2.14.1").startswith("No NVIDIA GPU on this machine"))


if __name__ == "__main__":
    unittest.main()
