"""The docs' examples work: every TOML example is a valid gensample.toml, and every
``gensample`` command line in a shell example parses with the real argument parser."""

import re
import shlex
from pathlib import Path

import pytest

from gensample import settings
from gensample.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def blocks(language: str) -> list[tuple[str, str]]:
    """(where, text) of every fenced block of ``language`` in the docs."""
    found = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for number, block in enumerate(re.findall(rf"```{language}\n(.*?)```", text, re.S), 1):
            found.append((f"{path.name}#{language}{number}", block))
    return found


def command_lines() -> list[tuple[str, list[str]]]:
    """Every ``gensample ...`` command in the shell and cron examples, as its arguments."""
    lines = []
    for where, block in blocks("sh") + blocks("cron"):
        for line in block.replace("\\\n", " ").splitlines():  # continued lines joined
            if "[--" in line:  # a synopsis, not an example
                continue
            line = re.sub(r"\$\{?\w+\}?", "01", line)  # a shell loop's variable: a day
            line = line.split(" #")[0].replace("&&", ";").replace("||", ";").replace("|", ";")
            for command in line.split(";"):
                lines += [(where, arguments) for arguments in _gensample_arguments(command)]
    return lines


def _gensample_arguments(command: str) -> list[list[str]]:
    """The arguments of ``command`` when it runs gensample (before any redirection)."""
    words = shlex.split(command)
    for start, word in enumerate(words):
        if word.endswith("gensample") and start + 1 < len(words):
            arguments = words[start + 1 :]
            ends = [i for i, w in enumerate(arguments) if w.startswith((">", "2>"))]
            return [arguments[: ends[0]] if ends else arguments]
    return []


@pytest.mark.parametrize(("where", "text"), blocks("toml"))
def test_every_toml_example_is_a_valid_settings_file(tmp_path, where, text):
    (tmp_path / settings.SETTINGS_FILE).write_text(text)
    settings.load(tmp_path, environ={})


@pytest.mark.parametrize(("where", "arguments"), command_lines())
def test_every_command_example_parses(where, arguments):
    if "--help" in arguments or arguments[:1] == ["--version"]:
        return
    build_parser().parse_args(arguments)  # an unknown command or flag exits 2


def test_the_examples_cover_the_main_commands():
    commands = {arguments[0] for _, arguments in command_lines() if arguments}
    assert {"init", "run", "check", "publish", "load", "score", "prune", "schema"} <= commands
