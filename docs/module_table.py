"""Write the README's module tables from the tree: one row per module, its docstring's first line.

    python docs/module_table.py          rewrite the tables in README.md
    python docs/module_table.py --check  exit 1 if README.md is out of date (the tests call this)

The tables stand between two marker comments in README.md, so the prose around them stays
hand-written while the list of modules can never drift from the tree.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START = "<!-- module tables: written by docs/module_table.py -->"
END = "<!-- end of module tables -->"
PACKAGES = ("gan_core", "ui")


def summary(path: Path) -> str:
    """The first sentence-line of the module's docstring (its one idea)."""
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    first = docstring.strip().split("\n\n")[0]
    return " ".join(first.split()).replace("|", "\\|")


def package_dirs(top: Path) -> list[Path]:
    found = [top]
    for child in sorted(top.iterdir()):
        if child.is_dir() and (child / "__init__.py").exists():
            found.extend(package_dirs(child))
    return found


def tables() -> str:
    parts = []
    for name in PACKAGES:
        for package in package_dirs(ROOT / name):
            dotted = ".".join(package.relative_to(ROOT).parts)
            parts.append(f"**`{dotted}`**: {summary(package / '__init__.py')}\n")
            parts.append("| module | one idea |\n|---|---|")
            for module in sorted(package.glob("*.py")):
                if module.name == "__init__.py":
                    continue
                parts.append(f"| `{module.name}` | {summary(module)} |")
            parts.append("")
    return "\n".join(parts).rstrip() + "\n"


def rewritten(text: str) -> str:
    head, found, rest = text.partition(START)
    if not found or END not in rest:
        raise SystemExit(f"README.md has no '{START}' ... '{END}' section")
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n\n{tables()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    new = rewritten(text)
    if "--check" in argv:
        if new != text:
            print("README.md's module tables are out of date: run python docs/module_table.py")
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
