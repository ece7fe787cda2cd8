"""Test modules ask for fixtures by name; the fixture modules are loaded once as pytest plugins
(`pytest_plugins` in tests/conftest.py), never copied into a module with `import *`."""
import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]

# Still to move to plugins: only ever shrinks (empty: every module asks for fixtures by name)
NOT_YET_PLUGINS: set[str] = set()


def star_imports(source: str) -> list[str]:
    return [node.module or "" for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names)]


def modules_with_star_imports() -> set[str]:
    return {str(path.relative_to(TESTS.parent)) for path in TESTS.rglob("*.py")
            if star_imports(path.read_text(encoding="utf-8"))}


def test_no_test_module_imports_fixtures_with_a_star():
    assert modules_with_star_imports() - NOT_YET_PLUGINS == set()


def test_the_waiting_list_is_not_stale():
    assert NOT_YET_PLUGINS <= modules_with_star_imports()


def test_the_fixture_modules_are_plugins():
    from tests.conftest import pytest_plugins

    assert {"tests.dossiers_fixtures", "tests.payments_fixtures"} <= set(pytest_plugins)


def test_a_star_import_is_seen():
    assert star_imports("from tests.dossiers_fixtures import *  # noqa: F403\nimport os\n") == [
        "tests.dossiers_fixtures"]
    assert star_imports("from tests.dossiers_fixtures import BIRTH, Api\n") == []
