"""Model FLOPs per token and the GPU's peak, for MFU (model FLOPs utilisation).

MFU = tokens/s × FLOPs per token ÷ peak FLOP/s, with the PaLM paper's count of a training step's
model FLOPs per token: 6·N (forward 2·N, backward 4·N, N = every parameter of the model, the
frozen base's included) plus 12·L·H·S for attention (L layers, width H, S = the mean example
length: with packing each example attends to itself only). Recomputation under gradient
checkpointing is not counted (that would be hardware FLOPs), nor is LoRA's saving of the frozen
weights' gradients: the figure compares runs and boxes on the usual scale, it is not a count of
what the GPU executed.
"""
from __future__ import annotations

from typing import Any

# Dense bf16 tensor-core peaks (FLOP/s) from NVIDIA's datasheets, by a piece of the device name;
# more specific names first.
PEAK_BF16_FLOPS: tuple[tuple[str, float], ...] = (
    ("GH200", 989e12),
    ("H200", 989e12),
    ("H100 PCIe", 756e12),
    ("H100 NVL", 835e12),
    ("H100", 989e12),
    ("B200", 2250e12),
    ("A100", 312e12),
    ("L40S", 362e12),
    ("L40", 181e12),
    ("L4", 121e12),
    ("RTX 6000 Ada", 364e12),
    ("RTX A6000", 155e12),
    ("A6000", 155e12),
    ("RTX 4090", 165e12),
    ("RTX 3090", 71e12),
    ("A10G", 70e12),
    ("A10", 125e12),
)


def peak_flops_for(device_name: str) -> float | None:
    for piece, flops in PEAK_BF16_FLOPS:
        if piece in device_name:
            return flops
    return None


def peak_flops() -> float | None:
    """The first CUDA device's dense bf16 peak; None on the CPU or for a GPU not in the table."""
    import torch

    if not torch.cuda.is_available():
        return None
    return peak_flops_for(torch.cuda.get_device_name(0))


def model_flops_per_token(parameters: int, layers: int, hidden: int, sequence: float) -> float:
    return 6.0 * parameters + 12.0 * layers * hidden * sequence


def mfu(tokens_per_second: float | None, flops_per_token: float | None, peak: float | None) -> float | None:
    """Model FLOPs utilisation, a fraction of the peak; None when a factor is unknown."""
    if not tokens_per_second or not flops_per_token or not peak:
        return None
    return tokens_per_second * flops_per_token / peak


def flops_per_token(model: Any, mean_sequence: float) -> float | None:
    """The formula above for a loaded (peft) model; None when its shape cannot be read."""
    try:
        _, total = model.get_nb_trainable_parameters()
        config = model.config
        return model_flops_per_token(int(total), int(config.num_hidden_layers), int(config.hidden_size), float(mean_sequence))
    except (AttributeError, TypeError, ValueError):
        return None
