"""The layers of docs/architecture.md hold for imports inside functions too.

``lint-imports`` (``make lint``) checks the layers between the apps; an import written
inside a function to break a cycle would satisfy it while hiding the cycle, so this
test forbids any import inside a function that reaches another app."""

import ast
from pathlib import Path

from django.conf import settings

APPS = ["mentorship", "projects", "students", "knowledge_base", "metrics"]


def _modules():
    root = Path(settings.BASE_DIR)
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield app, path.relative_to(root), ast.parse(path.read_text())


def _nested_imports(tree: ast.Module):
    top = set(map(id, tree.body))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom | ast.Import) and id(node) not in top:
            yield node


def _imported_app(node: ast.Import | ast.ImportFrom) -> set[str]:
    if isinstance(node, ast.ImportFrom):
        names = [] if node.level else [node.module or ""]
    else:
        names = [alias.name for alias in node.names]
    return {name.split(".")[0] for name in names} & set(APPS)


def test_it_finds_no_import_inside_a_function_that_crosses_apps():
    crossing = [
        f"{path}:{node.lineno}"
        for app, path, tree in _modules()
        for node in _nested_imports(tree)
        if _imported_app(node) - {app}
    ]

    assert crossing == [], "import these at the top of the module (the layers allow it) "


def test_it_lists_the_apps_bottom_layer_first_in_the_settings():
    assert [app for app in settings.INSTALLED_APPS if app in APPS] == APPS
