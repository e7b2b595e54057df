"""The package reads like the pipeline: imports only go down the stages, and never in a cycle.

Stages, lowest first: ``errors``, ``reference`` (data) and ``native`` (compiled helpers),
``corruptions`` (the error catalogue and fuzz map), ``settings``, ``generate``, ``output``,
``daily``, then ``publish``, ``load`` and ``score`` side by side, and the CLI and API on top.
Lazy imports inside functions count too.
"""

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "gensample"
STAGES = {
    "version": 0,
    "errors": 0,
    "reference": 0,
    "native": 0,
    "corruptions": 1,
    "settings": 2,
    "credentials": 2,
    "generate": 3,
    "output": 4,
    "daily": 5,
    "publish": 6,
    "load": 6,
    "score": 6,
    "stream": 6,
    "api": 7,
    "export": 7,
    "cli": 7,
    "__main__": 8,
    "launch": 8,
    "gensample": 8,  # the package itself: the API's names
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """The gensample modules ``path`` imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("gensample")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gensample"):
            for alias in node.names:  # `from gensample.x import y` may import module x.y
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in MODULES else node.module)
    return found


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}
GRAPH = {name: imports_of(path) & set(MODULES) for name, path in MODULES.items()}


def stage(module: str) -> int:
    parts = module.split(".")
    return STAGES[parts[1] if len(parts) > 1 else parts[0]]


def test_every_top_level_name_has_a_stage():
    names = {path.stem for path in PACKAGE.iterdir() if path.suffix == ".py" or path.is_dir()}
    assert names - {"__pycache__", "__init__"} <= set(STAGES)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_down_the_stages(module):
    upward = sorted(name for name in GRAPH[module] if stage(name) > stage(module))
    assert not upward, f"{module} (stage {stage(module)}) imports later stages: {upward}"


def test_no_import_cycles():
    done, active = set(), []

    def visit(module: str) -> None:
        if module in active:
            raise AssertionError(" -> ".join([*active[active.index(module) :], module]))
        if module in done:
            return
        active.append(module)
        for imported in GRAPH[module]:
            if imported != module and not module.startswith(imported + "."):
                visit(imported)
        active.pop()
        done.add(module)

    for module in sorted(MODULES):
        visit(module)


def test_every_package_says_what_it_holds():
    for path in PACKAGE.rglob("__init__.py"):
        assert ast.get_docstring(ast.parse(path.read_text())), f"{path} has no docstring"


def test_the_architecture_doc_names_every_subpackage():
    doc = (PACKAGE.parent / "docs" / "architecture.md").read_text()
    listed = set(re.findall(r"^\| `(\w+)/` \|", doc, re.M))
    assert listed == {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists()}
