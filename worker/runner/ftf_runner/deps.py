"""Whether the ML libraries import, checked before a command needs them."""
from __future__ import annotations

import contextlib
import importlib
import sys
from pathlib import Path
from typing import Callable

from .errors import EXIT_MISSING_DEPENDENCY, report_error, run_reporting_errors
from .events import EventWriter

TRAINING_LIBRARIES = ("torch", "transformers", "peft")


def import_problems(modules: tuple[str, ...]) -> dict[str, str]:
    """Module name -> why it does not import, for those that do not."""
    problems: dict[str, str] = {}
    for name in modules:
        try:
            # Some libraries print banners on import; stdout of `check` must stay one JSON object.
            with contextlib.redirect_stdout(sys.stderr):
                importlib.import_module(name)
        except Exception as error:  # noqa: BLE001 - a broken install fails with more than ImportError
            problems[name] = f"{type(error).__name__}: {error}"
    return problems


def install_hint() -> str:
    requirements = Path(__file__).resolve().parent.parent / "requirements.txt"
    target = str(requirements) if requirements.is_file() else "requirements.txt"
    return f"{sys.executable} -m pip install -r {target}"


def report_missing_dependencies(events: EventWriter, problems: dict[str, str]) -> int:
    """The missing_dependency error (event and stderr); returns the exit code."""
    details = "; ".join(f"{name} ({why})" for name, why in problems.items())
    message = (
        f"Missing Python packages: {', '.join(problems)}. Install the runner's requirements into the "
        f"Python environment that runs it ({sys.executable}): {install_hint()}. Details: {details}"
    )
    report_error(events, "missing_dependency", message)
    return EXIT_MISSING_DEPENDENCY


def run_with_training_libraries(events: EventWriter, body: Callable[[], int]) -> int:
    """Runs a command's body when torch, transformers and peft import (the body imports the
    modules that need them); otherwise reports missing_dependency and returns exit code 2."""
    problems = import_problems(TRAINING_LIBRARIES)
    if problems:
        return report_missing_dependencies(events, problems)
    return run_reporting_errors(events, body)
