"""The README tells the truth: its two commands, its settings table."""

import re
from pathlib import Path

from gensample.settings.template import settings_names, settings_table

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_make_run_and_make_test():
    first_block = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.splitlines()]
    assert commands == ["make run", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^run:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_readme_settings_table_lists_exactly_the_settings_that_exist():
    table = re.search(
        r"<!-- settings-table.*?-->\n(.*?)\n<!-- end settings-table -->", README, re.S
    ).group(1)
    assert table == settings_table().strip()
    listed = re.findall(r"^\| `([a-z_.0-9]+)` \|", table, re.M)
    assert listed == settings_names()
