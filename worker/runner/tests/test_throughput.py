import unittest

from ftf_runner.throughput import model_flops_per_token, peak_flops_for


class ThroughputTest(unittest.TestCase):
    def test_peaks_by_device_name_most_specific_first(self) -> None:
        self.assertEqual(peak_flops_for("NVIDIA H100 PCIe"), 756e12)
        self.assertEqual(peak_flops_for("NVIDIA H100 80GB HBM3"), 989e12)
        self.assertEqual(peak_flops_for("NVIDIA H200"), 989e12)
        self.assertEqual(peak_flops_for("NVIDIA L40S"), 362e12)
        self.assertEqual(peak_flops_for("NVIDIA L4"), 121e12)
        self.assertIsNone(peak_flops_for("Some Future GPU"))

    def test_model_flops_per_token_is_6n_plus_attention(self) -> None:
        # 1B-shaped: 6·N plus 12·L·H·S.
        self.assertEqual(model_flops_per_token(1_000_000_000, 16, 2048, 1024), 6e9 + 12 * 16 * 2048 * 1024)


if __name__ == "__main__":
    unittest.main()
