"""The runner program's modules import each other without cycles (lazy imports included)."""
from __future__ import annotations

import ast
import unittest
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "ftf_runner"


def local_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ftf_runner."):
            found.add(node.module.split(".")[1])
    return found


class ImportGraphTest(unittest.TestCase):
    def test_no_cycles(self) -> None:
        graph = {path.stem: local_imports(path) for path in PACKAGE.glob("*.py")}
        state: dict[str, str] = {}

        def visit(module: str, trail: list[str]) -> None:
            if state.get(module) == "done":
                return
            if state.get(module) == "open":
                self.fail("import cycle: " + " → ".join(trail[trail.index(module):] + [module]))
            state[module] = "open"
            for imported in sorted(graph.get(module, ())):
                if imported in graph:
                    visit(imported, trail + [module])
            state[module] = "done"

        for module in sorted(graph):
            visit(module, [])


if __name__ == "__main__":
    unittest.main()
