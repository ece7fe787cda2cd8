"""The import rules of docs/architecture.md, checked on every run of the suite.

- `lint-imports` (import-linter, contracts in .importlinter): the layers, and
  no other domain's models in the dashboard and assistance;
- no circle of modules importing each other, at file level;
- at most a handful of imports inside functions, each with a comment saying why;
- every exception class in an `errors` module, and no `raise` with a literal code.
"""
import ast
import importlib
import inspect
import os
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
MAX_IMPORTS_INSIDE_FUNCTIONS = 10


def test_import_contracts_hold():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stdout + result.stderr


def file_circles(graph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm, iterative)."""
    index, low, on_stack, stack, circles = {}, {}, set(), [], []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root), on_stack.add(root)
        while work:
            module, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child), on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[module])
            if low[module] == index[module]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == module:
                        break
                if len(group) > 1:
                    circles.append(sorted(group))
    return circles


def test_no_circle_of_modules_importing_each_other():
    sys.path.insert(0, str(ROOT))
    assert file_circles(grimp.build_graph("app")) == []


def imports_inside_functions() -> list[tuple[str, int, str]]:
    """(file, line, source line) of every import statement inside a function under app/."""
    found = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import | ast.ImportFrom):
                        found.append((str(path.relative_to(ROOT)), inner.lineno, lines[inner.lineno - 1]))
    return found


def test_imports_inside_functions_are_few_and_say_why():
    found = imports_inside_functions()
    assert len(found) <= MAX_IMPORTS_INSIDE_FUNCTIONS, found
    assert [f"{path}:{line}" for path, line, text in found if "#" not in text] == []


def app_modules():
    for path in sorted((ROOT / "app").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__main__":
            continue
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_every_exception_class_is_defined_in_an_errors_module():
    outside = []
    for name in app_modules():
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == name
                    and not name.endswith("errors")):
                outside.append(f"{name}.{value.__name__}")
    assert outside == []


def test_no_raise_with_a_literal_code():
    found = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                if any(k.arg == "code" and isinstance(k.value, ast.Constant) for k in node.exc.keywords):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


DOMAINS = ("assistance", "catalog", "dashboard", "dossiers", "identity", "mockgateway", "notifications",
           "payments", "registry", "storage")
CONFIG_READERS = ("routes.py", "cli.py", "seed.py", "settings.py", "config.py", "__init__.py")
MAX_RAW_CONFIG_READS = 3


def test_config_imports_no_domain():
    tree = ast.parse((ROOT / "app" / "config.py").read_text(encoding="utf-8"))
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert [m for m in imported if m and m.split(".")[:2][-1] in DOMAINS] == []


def test_services_read_settings_objects_not_the_raw_config():
    """Outside routes, CLI, seed, config and settings modules (and init_app wiring)."""
    reads = [f"{path.relative_to(ROOT)}:{number}"
             for path in sorted((ROOT / "app").rglob("*.py")) if not path.name.endswith(CONFIG_READERS)
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if "current_app.config" in line]
    assert len(reads) <= MAX_RAW_CONFIG_READS, reads
