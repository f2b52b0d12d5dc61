"""Every entry of every lazy namespace table (tensorweave.util.lazy) names a module or an
attribute that exists: a typo or a module that was never written fails here, not in a user's
program."""
import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "tensorweave"


def modules_with_tables():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "lazy.attributes(" not in text:
            continue
        tree = ast.parse(text)
        if any(isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__getattr__" for t in node.targets)
               for node in tree.body):
            parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
            found.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


MODULES = modules_with_tables()


def test_the_tables_are_found():
    assert "tensorweave.keras.applications" in MODULES and len(MODULES) > 20


@pytest.mark.parametrize("module_name", MODULES)
def test_every_entry_loads(module_name):
    module = importlib.import_module(module_name)
    missing = []
    for name, target in module.__getattr__.table.items():
        try:
            getattr(module, name)
        except Exception as error:  # noqa: BLE001 - report every broken entry at once
            missing.append(f"{name} -> {target}: {type(error).__name__}: {error}")
    assert not missing, "\n".join(missing)
