"""Rewrite the generated sections of the docs from the code: the README's settings table and
the data dictionary of docs/data-dictionary.md. Tests check both are current; run this after
changing a setting or a dataset:

    .venv/bin/python tools/update_docs.py
"""

import re
from pathlib import Path

from gensample.output.dictionary import render_markdown
from gensample.settings.template import settings_table

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = [  # file, marker name, generated text
    (ROOT / "README.md", "settings-table", settings_table),
    (ROOT / "docs" / "data-dictionary.md", "data-dictionary", render_markdown),
]


def update(path: Path, marker: str, text: str) -> None:
    """Replace what lies between the ``<!-- marker ... -->`` and ``<!-- end marker -->`` lines."""
    pattern = re.compile(rf"(<!-- {marker}\b.*?-->\n).*?(\n<!-- end {marker} -->)", re.S)
    document = path.read_text(encoding="utf-8")
    if not pattern.search(document):
        raise SystemExit(f"{path}: no {marker} markers")
    path.write_text(pattern.sub(lambda m: m[1] + text.strip() + m[2], document), encoding="utf-8")


if __name__ == "__main__":
    for path, marker, render in SECTIONS:
        update(path, marker, render())
        print(f"updated {path.relative_to(ROOT)} ({marker})")
