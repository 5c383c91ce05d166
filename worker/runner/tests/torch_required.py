"""Tests that need torch skip without it, except in CI (FTF_REQUIRE_TORCH=1), where the runner's
venv has it and a missing torch must fail rather than hide the tests."""
from __future__ import annotations

import importlib.util
import os
import unittest

HAS_TORCH = importlib.util.find_spec("torch") is not None


def needs_torch(test: type) -> type:
    if HAS_TORCH or os.environ.get("FTF_REQUIRE_TORCH") == "1":
        return test
    return unittest.skip("torch is not installed in this Python")(test)
