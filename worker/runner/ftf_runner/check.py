"""python -m ftf_runner check: what this Python environment can run, printed as one JSON object.

It never fails because a library is missing: that is exactly what it reports.
"""
from __future__ import annotations

import importlib.metadata
import json
import platform
import shutil
import subprocess
import sys
from typing import Any

from .deps import import_problems

LIBRARIES = ("torch", "transformers", "peft", "accelerate", "bitsandbytes", "safetensors", "datasets")


def main() -> int:
    print(json.dumps(collect_environment()))
    return 0


def collect_environment() -> dict[str, Any]:
    libraries = {name: library_status(name) for name in LIBRARIES}
    return {
        "python": platform.python_version(),
        "executable": sys.executable,
        "platform": platform.platform(),
        "libraries": libraries,
        "cuda": cuda_status(),
        "gpus": gpu_list(include_free_memory=True),
    }


def hardware_summary() -> dict[str, Any]:
    """The `hardware` of a start event; torch is imported by then."""
    cuda = cuda_status()
    return {
        "python": platform.python_version(),
        **{name: _version(name) for name in ("torch", "transformers", "peft")},
        "cuda": cuda["version"] if cuda["available"] else None,
        "gpus": gpu_list(include_free_memory=False),
    }


def library_status(name: str) -> dict[str, Any]:
    problem = import_problems((name,)).get(name)
    if problem is not None:
        return {"available": False, "version": None, "error": problem}
    return {"available": True, "version": _version(name)}


def cuda_status() -> dict[str, Any]:
    torch = sys.modules.get("torch")
    try:
        if torch is not None and torch.cuda.is_available():
            return {"available": True, "version": torch.version.cuda, "device_count": torch.cuda.device_count()}
    except Exception as error:  # noqa: BLE001 - a broken driver is something to report, not to crash on
        return {"available": False, "version": None, "error": f"{type(error).__name__}: {error}"}
    return {"available": False, "version": None}


def gpu_list(include_free_memory: bool) -> list[dict[str, Any]]:
    """GPUs as torch sees them; without torch (a box not set up yet), as nvidia-smi does."""
    try:
        gpus = _torch_gpus() if cuda_status()["available"] else _nvidia_smi_gpus()
    except Exception:  # noqa: BLE001 - no GPU information is an answer too
        gpus = []
    if not include_free_memory:
        for gpu in gpus:
            gpu.pop("memory_free_mb", None)
    return gpus


def _torch_gpus() -> list[dict[str, Any]]:
    import torch

    gpus = []
    for index in range(torch.cuda.device_count()):
        free, total = torch.cuda.mem_get_info(index)
        gpus.append({
            "name": torch.cuda.get_device_name(index),
            "memory_total_mb": total // 2**20,
            "memory_free_mb": free // 2**20,
        })
    return gpus


def _nvidia_smi_gpus() -> list[dict[str, Any]]:
    if shutil.which("nvidia-smi") is None:
        return []
    query = ["nvidia-smi", "--query-gpu=name,memory.total,memory.free", "--format=csv,noheader,nounits"]
    result = subprocess.run(query, capture_output=True, text=True, timeout=30, check=True)
    gpus = []
    for line in result.stdout.strip().splitlines():
        name, total, free = (part.strip() for part in line.rsplit(",", 2))
        gpus.append({"name": name, "memory_total_mb": int(total), "memory_free_mb": int(free)})
    return gpus


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return getattr(sys.modules.get(name), "__version__", None)
