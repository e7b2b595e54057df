"""The Python examples of docs/api.md run, in order, as one notebook; so does the README's."""

import re
from pathlib import Path

import pyarrow.compute as pc

ROOT = Path(__file__).resolve().parent.parent
API_DOC = ROOT / "docs" / "api.md"


def python_blocks(path: Path) -> list[str]:
    """The fenced ``python`` blocks of ``path``, in order."""
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), re.S)


def run_blocks(path: Path) -> dict:
    """Execute the ``python`` blocks of ``path`` in order, in one namespace; return it."""
    namespace: dict = {}
    for number, block in enumerate(python_blocks(path), 1):
        exec(compile(block, f"{path.name} python block {number}", "exec"), namespace)
    return namespace


def test_the_api_walk_through_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # the examples write a corpus/ folder
    assert len(python_blocks(API_DOC)) >= 6
    namespace = run_blocks(API_DOC)
    shown = capsys.readouterr().out
    assert "pairwise precision" in shown and "dupe_rate = 120 is not allowed" in shown
    assert (tmp_path / "corpus" / "out" / "2026-11-23" / "manifest.json").is_file()
    assert namespace["scores"].pairwise.recall < 1  # exact keys miss the corrupted duplicates


def test_the_readme_api_example_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = run_blocks(ROOT / "README.md")
    customers, truth = namespace["customers"], namespace["truth"]
    assert truth.filter(pc.field("dataset") == "customers").num_rows == customers.num_rows
