"""The commented gensample.toml that ``init`` writes, and the README's settings table."""

import dataclasses
import re

import pytest

from gensample.corruptions.fuzzmap import FieldFuzz
from gensample.settings import FuzzSettings, Settings, load
from gensample.settings.difficulty import DifficultySettings
from gensample.settings.load import LoadSettings
from gensample.settings.lookalikes import LookalikeSettings
from gensample.settings.publish import PublishSettings, VaultSettings
from gensample.settings.retail import RetailSettings
from gensample.settings.sources import CoverageSettings, SourceDupeRateSettings
from gensample.settings.template import render_toml, settings_names, settings_table
from gensample.settings.validity import ValiditySettings

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib


def load_rendered(tmp_path, values=None) -> Settings:
    """Write the template rendered from ``values`` into ``tmp_path`` and load it back."""
    (tmp_path / "gensample.toml").write_text(render_toml(values), encoding="utf-8")
    return load(tmp_path, environ={})


def block(text: str, header: str) -> list[str]:
    """The lines of ``text`` from ``header`` up to the help comment of the next table."""
    lines = text.split("\n")
    start = lines.index(header)
    tables = [i for i, line in enumerate(lines) if re.match(r"^(# )?\[", line) and i > start]
    end = tables[0] if tables else len(lines)
    while end > start and lines[end - 1] != "":
        end -= 1
    return lines[start : end - 1]


def test_default_template_loads_back_to_the_defaults(tmp_path):
    assert load_rendered(tmp_path) == Settings()


def test_template_with_values_loads_back_to_them(tmp_path):
    values = {
        "customers": 5000,
        "dupe_rate": 20.0,
        "datasets": ["customers"],
        "load_type": "truncate",
        "fuzz": {"max_fields": 4},
        "publish": {"s3_bucket": "bucket", "s3_prefix": "mdm/"},
        "vault": {"auth": "approle"},
    }
    assert load_rendered(tmp_path, values) == Settings(
        customers=5000,
        dupe_rate=20.0,
        datasets=("customers",),
        fuzz=FuzzSettings(max_fields=4),
        publish=PublishSettings(s3_bucket="bucket", s3_prefix="mdm/"),
        vault=VaultSettings(auth="approle"),
    )


def test_optional_sections_are_commented_out_unless_given():
    parsed = tomllib.loads(render_toml({"publish": {"s3_bucket": "b"}}))
    assert parsed["publish"]["s3_bucket"] == "b"
    assert "vault" not in parsed
    assert "# [vault]" in render_toml().split("\n")


@pytest.mark.parametrize("section", ["publish", "vault"])
def test_uncommenting_an_optional_section_gives_its_defaults(section):
    given = block(render_toml({section: {}}), f"[{section}]")
    commented = block(render_toml(), f"# [{section}]")
    assert commented == [f"# {line}" if line else "" for line in given]
    assert tomllib.loads("\n".join(given))[section] == dataclasses.asdict(
        {"publish": PublishSettings, "vault": VaultSettings}[section]()
    )


def test_fuzz_fields_is_only_an_example_by_default():
    text = render_toml()
    assert "fields" not in tomllib.loads(text)["fuzz"]
    assert "# [fuzz.fields]" in text.split("\n")


def test_fuzz_fields_example_is_valid_once_uncommented(tmp_path):
    example = block(render_toml(), "# [fuzz.fields]")
    uncommented = [line.removeprefix("# ") for line in example]
    (tmp_path / "gensample.toml").write_text("\n".join(uncommented) + "\n", encoding="utf-8")
    assert load(tmp_path, environ={}).fuzz.fields


def test_fuzz_fields_from_values_loads_back(tmp_path):
    fields = {
        "first_name": {"weight": 2.0, "corruptions": {"make_typo": 1.0}},
        "email": {"weight": 0.5, "corruptions": {"leave_blank": 2.0, "drop_letter": 1.0}},
    }
    loaded = load_rendered(tmp_path, {"fuzz": {"max_fields": 3, "fields": fields}})
    assert loaded.fuzz.max_fields == 3
    assert loaded.fuzz.fields == {
        "first_name": FieldFuzz(2.0, {"make_typo": 1.0}),
        "email": FieldFuzz(0.5, {"leave_blank": 2.0, "drop_letter": 1.0}),
    }
    assert loaded.customers == Settings().customers


def test_every_setting_appears_with_its_help():
    text = render_toml()
    lines = text.split("\n")
    for name in settings_names():
        *sections, key = name.split(".")
        header = f"[{'.'.join(sections)}]"
        start = next((i for i, line in enumerate(lines) if line in (header, f"# {header}")), 0)
        pattern = re.compile(rf"^(# )?({re.escape(key)} = |\[{re.escape(name)}\])")
        assert any(pattern.match(line) for line in lines[start:]), name
    for field in dataclasses.fields(Settings):
        assert f"# {field.metadata['help']}" in lines


def test_header_explains_file_precedence_and_docs():
    header = render_toml().split("\n\n")[0]
    assert "defaults < this file < environment variables" in header
    assert "GENSAMPLE_PUBLISH__S3_BUCKET" in header
    assert "docs/settings.md" in header


def test_unknown_value_is_refused():
    with pytest.raises(ValueError, match=r"publish\.bucket"):
        render_toml({"publish": {"bucket": "b"}})


def test_settings_names_are_dotted_leaves():
    names = settings_names()
    assert {
        "seed",
        "customers",
        "fuzz.max_fields",
        "fuzz.fields",
        "publish.s3_bucket",
        "vault.url",
    } <= set(names)
    assert not {"fuzz", "publish", "vault"} & set(names)
    top_level = [f.name for f in dataclasses.fields(Settings) if "section" not in f.metadata]
    sections = [
        ("fuzz", FuzzSettings),
        ("difficulty", DifficultySettings),
        ("lookalikes", LookalikeSettings),
        ("coverage", CoverageSettings),
        ("source_dupe_rates", SourceDupeRateSettings),
        ("retail", RetailSettings),
        ("validity", ValiditySettings),
        ("publish", PublishSettings),
        ("vault", VaultSettings),
        ("load", LoadSettings),
    ]
    nested = [f"{prefix}.{f.name}" for prefix, cls in sections for f in dataclasses.fields(cls)]
    assert names == top_level + nested


def test_settings_table_has_one_row_per_setting():
    rows = settings_table().strip().split("\n")
    assert rows[0] == "| setting | default | allowed | meaning |"
    assert [row.split(" | ")[0] for row in rows[2:]] == [f"| `{n}`" for n in settings_names()]
    assert "| `fuzz.max_fields` | `2` | a whole number from 1 to 6 |" in settings_table()
    assert "| `fuzz.fields` | not set |" in settings_table()
