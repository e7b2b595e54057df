"""The dataset card: a README with the YAML header dataset hubs read (a config per table with
its features), and what a user needs to trust and use the corpus."""

import json
from collections.abc import Mapping

import pyarrow as pa
import pyarrow.compute as pc

from gensample.api import Corpus
from gensample.version import __version__

SIZE_CATEGORIES = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K")]
SIZE_CATEGORIES += [(10**6, "100K<n<1M"), (10**7, "1M<n<10M"), (10**8, "10M<n<100M")]
TAGS = ("entity-resolution", "record-linkage", "deduplication", "master-data-management")
TAGS += ("synthetic", "tabular")


def render_card(corpus: Corpus, license: str, files: Mapping[str, tuple[str, pa.Schema]]) -> str:
    """The card of ``corpus``, whose tables are in ``files`` (table -> path, stored schema)."""
    return "\n".join([*_header(corpus, license, files), *_body(corpus)]) + "\n"


def _header(corpus: Corpus, license: str, files: Mapping[str, tuple[str, pa.Schema]]) -> list[str]:
    """The YAML header (every value written as JSON, which YAML reads as it is)."""
    lines = ["---", f"license: {license}", f"pretty_name: {_json(_title(corpus))}"]
    lines += ["tags:", *(f"- {tag}" for tag in TAGS)]
    lines += ["size_categories:", f"- {_size_category(corpus)}", "configs:"]
    for table in corpus.tables:
        lines += [f"- config_name: {table}", f"  data_files: {_json(files[table][0])}"]
    lines.append("dataset_info:")
    for table in corpus.tables:
        lines += [f"- config_name: {table}", "  features:"]
        for field in files[table][1]:
            lines += [f"  - name: {field.name}", f"    dtype: {_json(hub_dtype(field.type))}"]
        lines += ["  splits:", "  - name: train", f"    num_examples: {corpus[table].num_rows}"]
    return [*lines, "---"]


def hub_dtype(arrow_type: pa.DataType) -> str:
    """The ``datasets`` library's name of an Arrow type (``date32``, ``timestamp[s]``, ...)."""
    return "date32" if arrow_type == pa.date32() else str(arrow_type)


def _size_category(corpus: Corpus) -> str:
    """The hub's size category of the corpus's largest table."""
    largest = max(corpus[table].num_rows for table in corpus.tables)
    return next((name for bound, name in SIZE_CATEGORIES if largest < bound), "n>100M")


def _title(corpus: Corpus) -> str:
    return f"gensample synthetic MDM corpus, {corpus.date}, seed {corpus.manifest['seed']}"


def _body(corpus: Corpus) -> list[str]:
    settings = corpus.manifest["settings"]
    lines = [
        f"# {_title(corpus)}",
        "",
        "A synthetic customer population seen through several source systems, with realistic",
        "duplicates and errors, and the ground truth that says which records are the same",
        "person. Every person is invented: no row describes a real individual.",
        "",
        f"Made by gensample {__version__} on {corpus.date} with seed {corpus.manifest['seed']}"
        f" and difficulty `{settings.get('difficulty', 'default')}`: the same version, settings,",
        "seed and date give these bytes again.",
        "",
        "## Tables",
        "",
        "| table | rows | kind |",
        "| --- | ---: | --- |",
    ]
    for table in corpus.tables:
        kind = "data" if table in corpus.datasets else "truth (keep it from the matcher)"
        lines.append(f"| `{table}` | {corpus[table].num_rows:,} | {kind} |")
    return [*lines, *_duplicates(corpus), *_corruptions(corpus), *_scoring(corpus, settings)]


def _duplicates(corpus: Corpus) -> list[str]:
    """Per identity dataset: records, and the share that are not a person's first record."""
    records = corpus.truth.records
    lines = ["", "## Duplicates", "", "| dataset | records | duplicates |", "| --- | ---: | ---: |"]
    for dataset in pc.unique(records["dataset"]).to_pylist():
        own = records.filter(pc.equal(records["dataset"], dataset))
        copies = pc.sum(pc.not_equal(own["kind"], "original")).as_py() or 0
        lines.append(f"| `{dataset}` | {own.num_rows:,} | {copies / own.num_rows:.1%} |")
    return lines


def _corruptions(corpus: Corpus) -> list[str]:
    """How often each corruption was applied, from the truth's ``field:corruption`` labels."""
    column = corpus.truth.records["corruptions"].combine_chunks()
    labels = pc.list_flatten(pc.split_pattern(column, ";"))
    labels = labels.filter(pc.match_substring(labels, ":"))  # not a record with none ("")
    kinds = pc.extract_regex(labels, r"^[^:]*:(?P<kind>.+)$").field("kind")
    counts = sorted(pc.value_counts(kinds).to_pylist(), key=lambda c: (-c["counts"], c["values"]))
    lines = ["", "## Corruptions applied", "", "| corruption | times |", "| --- | ---: |"]
    return lines + [f"| `{c['values']}` | {c['counts']:,} |" for c in counts]


def _scoring(corpus: Corpus, settings: dict) -> list[str]:
    return [
        "",
        "## Scoring a matcher",
        "",
        "Give the matcher the `data` tables only. Score its pairs or clusters against the truth",
        "with gensample (`pip install gensample`), from a run directory holding this day:",
        "",
        "```sh",
        f"gensample score --dir RUN_DIR --date {corpus.date} --predictions pairs.csv",
        "```",
        "",
        "or in Python: `gensample.score(gensample.read_day(RUN_DIR, DATE), 'pairs.csv')`.",
        "",
        "## Settings",
        "",
        "```json",
        json.dumps(settings, indent=1, sort_keys=True),
        "```",
    ]


def _json(value: str) -> str:
    return json.dumps(value)
