"""The README's module tables list every module of the tree, as the modules describe themselves."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO_ROOT


def test_module_tables_match_the_tree() -> None:
    done = subprocess.run(
        [sys.executable, "docs/module_table.py", "--check"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_module_has_a_docstring_to_list() -> None:
    for folder in ("gan_core", "ui"):
        for module in sorted((REPO_ROOT / folder).rglob("*.py")):
            first = module.read_text(encoding="utf-8").lstrip()
            assert first.startswith('"""'), f"{module.relative_to(REPO_ROOT)} has no docstring"
