"""Files of a run directory: checkpoints to resume from and the artifacts a finished run lists."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

CHECKPOINT_NAME = re.compile(r"^checkpoint-(\d+)$")


@dataclass(frozen=True)
class Checkpoint:
    step: int
    path: Path


def newest_checkpoint(checkpoints_dir: Path) -> Checkpoint | None:
    """The checkpoint with the highest step among the complete ones. The Trainer writes
    trainer_state.json last, so a directory without it is a save cut short by a crash."""
    if not checkpoints_dir.is_dir():
        return None
    found = [
        Checkpoint(int(match.group(1)), entry)
        for entry in checkpoints_dir.iterdir()
        if (match := CHECKPOINT_NAME.match(entry.name)) and (entry / "trainer_state.json").is_file()
    ]
    return max(found, key=lambda checkpoint: checkpoint.step) if found else None


def relative_path(run_dir: Path, path: Path) -> str:
    """How events name a file: relative to the run dir, with forward slashes."""
    return path.relative_to(run_dir).as_posix()


def describe_artifacts(run_dir: Path, paths: Iterable[Path]) -> list[dict[str, Any]]:
    """{path, size, sha256} for each file, directories expanded, in a stable order."""
    files = sorted({file for path in paths for file in ([path] if path.is_file() else path.rglob("*")) if file.is_file()})
    return [{"path": relative_path(run_dir, file), "size": file.stat().st_size, "sha256": sha256_file(file)} for file in files]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
