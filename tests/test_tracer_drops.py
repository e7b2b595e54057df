"""Tracer drops: the sample file, every validation error, grouping, entities and consuming."""

import csv
import datetime as dt
import io
import itertools
import re
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest

from gensample.cli import main
from gensample.daily import tracer_drops, tracer_file
from gensample.errors import EXCERPT_CHARS, BadInputError, RunError, excerpt
from gensample.generate.datasets import customers
from gensample.generate.truth import ENTITIES_SCHEMA

FOLDER = Path(__file__).resolve().parents[1] / "gensample" / "cli" / "folders"
SAMPLE = FOLDER / "sample-tracer.csv"
HEADER = [
    "tracer_entity", "first_name", "last_name", "gender", "birth_date", "email", "phone",
    "address_line1", "address_line2", "city", "state", "postal_code",
]  # fmt: skip
ROBERT = [
    "a", "Robert", "Whitaker", "M", "1984-03-07", "rw@example.com", "(503) 555-0142",
    "2217 Maple Street", "Apt 4", "Portland", "OR", "97205",
]  # fmt: skip
MARIA = [
    "b", "Maria", "Gonzalez", "F", "1991-11-23", "mg@example.org", "617.555.0178",
    "48 Beacon St", "", "Boston", "MA", "02108",
]  # fmt: skip
NOW = dt.datetime(2026, 11, 23, 6, 30, 5)


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    """A tracer file's text with ``header`` and ``rows``."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue()


def good_rows() -> list[list[str]]:
    """Three valid rows (file lines 2 to 4): Robert twice, then Maria."""
    return [list(ROBERT), list(ROBERT), list(MARIA)]


def edited(column: str, value: str) -> str:
    """The good file with ``column`` of its second row (line 3) set to ``value``."""
    rows = good_rows()
    rows[1][HEADER.index(column)] = value
    return csv_text(HEADER, rows)


def without(column: str) -> str:
    """The good file without ``column``, header and values."""
    keep = [i for i, name in enumerate(HEADER) if name != column]
    return csv_text([HEADER[i] for i in keep], [[row[i] for i in keep] for row in good_rows()])


def with_header(header: list[str]) -> str:
    """The good file's rows under another header."""
    return csv_text(header, good_rows())


def problem(path: Path) -> str:
    """The message of the ``BadInputError`` that reading ``path`` raises."""
    with pytest.raises(BadInputError) as raised:
        tracer_drops.read_tracer(path)
    return str(raised.value)


def write(tmp_path: Path, content: str | bytes) -> Path:
    """``content`` as ``tracer/tracer.csv`` under ``tmp_path``."""
    path = tmp_path / "tracer" / "tracer.csv"
    path.parent.mkdir(exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.write_bytes(data)
    return path


GOOD = csv_text(HEADER, good_rows())
LINES = GOOD.splitlines(keepends=True)

# (content, line, column, what the message must say is wrong or allowed)
ERRORS: dict[str, tuple[Callable[[], str | bytes], int | None, str | None, str]] = {
    "missing column": (lambda: without("email"), 1, "email", "required:"),
    "unknown column": (lambda: with_header([*HEADER[:-1], "zip"]), 1, "'zip'", "allowed:"),
    "unnamed column": (lambda: with_header([*HEADER[:-1], ""]), 1, "''", "allowed:"),
    "column twice": (
        lambda: with_header([*HEADER[:2], "first_name", *HEADER[3:]]),
        1,
        "first_name",
        "more than once",
    ),
    "date in US order": (lambda: edited("birth_date", "03/07/1984"), 3, "birth_date", "YYYY-MM-DD"),
    "date not in calendar": (
        lambda: edited("birth_date", "1984-02-30"),
        3,
        "birth_date",
        "YYYY-MM-DD",
    ),
    "date without dashes": (
        lambda: edited("birth_date", "19840307"),
        3,
        "birth_date",
        "YYYY-MM-DD",
    ),
    "empty first name": (lambda: edited("first_name", ""), 3, "first_name", "required"),
    "blank last name": (lambda: edited("last_name", "   "), 3, "last_name", "required"),
    "unknown gender": (lambda: edited("gender", "X"), 3, "gender", "F, M or blank"),
    "lower-case gender": (lambda: edited("gender", "m"), 3, "gender", "F, M or blank"),
    "state spelled out": (lambda: edited("state", "Oregon"), 3, "state", "state or DC"),
    "state not a state": (lambda: edited("state", "ZZ"), 3, "state", "state or DC"),
    "short postal code": (lambda: edited("postal_code", "9720"), 3, "postal_code", "5 digits"),
    "ZIP+4": (lambda: edited("postal_code", "97205-1234"), 3, "postal_code", "5 digits"),
    "extra field": (
        lambda: LINES[0] + LINES[1] + LINES[2].rstrip("\n") + ",extra\n" + LINES[3],
        3,
        "postal_code",
        "header has 12",
    ),
    "missing fields": (
        lambda: LINES[0] + LINES[1] + LINES[2].rsplit(",", 2)[0] + "\n" + LINES[3],
        3,
        "state",
        "header has 12",
    ),
    "not UTF-8": (
        lambda: GOOD.replace("Maria", "Mar\N{LATIN SMALL LETTER I WITH ACUTE}a").encode("latin-1"),
        4,
        None,
        "UTF-8",
    ),
    "broken quoting": (
        lambda: LINES[0] + LINES[1] + LINES[2].replace("Whitaker", '"Whit"aker') + LINES[3],
        3,
        None,
        "not valid CSV",
    ),
    "header only": (lambda: LINES[0], None, None, "no rows"),
    "empty file": (lambda: "", None, None, "no rows"),
}


@pytest.mark.parametrize("case", ERRORS)
def test_bad_file_is_refused_naming_file_line_and_column(tmp_path: Path, case: str) -> None:
    content, line, column, allowed = ERRORS[case]
    path = write(tmp_path, content())
    before = path.read_bytes()
    message = problem(path)
    assert message.startswith(f"{path}: ")
    if line is not None:
        assert re.search(rf"\bline {line}\b", message), message
    if column is not None:
        assert f"column {column}" in message, message
    assert allowed in message
    assert path.read_bytes() == before


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    rows = good_rows()
    rows[0][HEADER.index("gender")] = "male"
    rows[2][HEADER.index("postal_code")] = "2108"
    message = problem(write(tmp_path, csv_text(HEADER, rows)))
    assert "line 2, column gender" in message
    assert "line 4, column postal_code" in message


def test_line_numbers_count_multi_line_values_and_blank_lines(tmp_path: Path) -> None:
    rows = good_rows()
    rows[0][HEADER.index("address_line1")] = "2217 Maple Street\nBuilding B"
    rows[2][HEADER.index("state")] = "Mass."
    text = csv_text(HEADER, rows).replace("\nb,", "\n\n,,,\nb,")  # a blank line, an empty row
    path = write(tmp_path, text)
    message = problem(path)
    # header 1, Robert 2-3, Robert 4, blank 5, empty row 6, Maria 7
    assert re.search(r"\bline 7, column state\b", message), message


def test_sample_file_reads_cleanly_one_group_per_tracer_entity() -> None:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    drop = tracer_drops.read_tracer(SAMPLE)
    labels = [row["tracer_entity"] for row in rows]
    assert drop.people.num_rows == len(rows) >= 6
    assert sorted(set(labels)) == ["gonzalez", "whitaker"]  # as tracer/README.md documents
    for i, j in itertools.product(range(len(rows)), repeat=2):
        assert (drop.group[i] == drop.group[j]) == (labels[i] == labels[j])
    assert (drop.group[labels.index("whitaker")], drop.group[labels.index("gonzalez")]) == (0, 1)
    assert drop.entity_count == 2
    assert drop.people["first_name"].to_pylist() == [row["first_name"] for row in rows]


def test_sample_variants_of_one_person_really_differ() -> None:
    drop = tracer_drops.read_tracer(SAMPLE)
    whitaker = drop.people.filter(pa.array(drop.group == 0)).to_pylist()
    assert len({tuple(row.values()) for row in whitaker}) == len(whitaker)


def test_people_have_the_customer_person_columns_typed(tmp_path: Path) -> None:
    drop = tracer_drops.read_tracer(write(tmp_path, GOOD))
    expected = pa.schema([customers.SCHEMA.field(name) for name in customers.PERSON_COLUMNS])
    assert drop.people.schema == expected
    maria = drop.people.slice(2).to_pylist()[0]
    assert maria["birth_date"] == dt.date(1991, 11, 23)
    assert maria["postal_code"] == "02108"  # text: the leading zero is kept
    assert maria["address_line2"] is None
    assert maria["phone"] == "617.555.0178"  # as written, not normalised


def test_blank_optional_values_are_null_and_values_kept_as_written(tmp_path: Path) -> None:
    rows = good_rows()
    for column in ("gender", "birth_date", "email", "state", "postal_code"):
        rows[0][HEADER.index(column)] = ""
    rows[0][HEADER.index("city")] = "  "
    rows[1][HEADER.index("first_name")] = "Robert "
    drop = tracer_drops.read_tracer(write(tmp_path, csv_text(HEADER, rows)))
    first, second = drop.people.slice(0, 2).to_pylist()
    assert [first[c] for c in ("gender", "birth_date", "email", "city", "state")] == [None] * 5
    assert second["first_name"] == "Robert "


def test_copied_customer_rows_are_accepted_and_their_ids_ignored(tmp_path: Path) -> None:
    header = ["customer_id", *HEADER[1:], "account_status", "created_at", "updated_at"]
    rows = [["17", *row[1:], "closed", "2020-01-01 00:00:00", "nonsense"] for row in good_rows()]
    text = "\N{BYTE ORDER MARK}" + csv_text([f" {name} " for name in header], rows)
    drop = tracer_drops.read_tracer(write(tmp_path, text))
    assert drop.people.column_names == list(customers.PERSON_COLUMNS)
    assert drop.group.tolist() == [0, 1, 2]


def test_rows_without_a_label_are_a_person_each(tmp_path: Path) -> None:
    rows = [list(ROBERT) for _ in range(5)]
    for row, label in zip(rows, ["b", "", "b", "a", " "], strict=True):
        row[0] = label
    drop = tracer_drops.read_tracer(write(tmp_path, csv_text(HEADER, rows)))
    assert drop.group.dtype == "int64"
    assert drop.group.tolist() == [0, 1, 0, 2, 3]
    assert drop.entity_count == 4


def test_entities_one_clean_person_per_group_with_county(tmp_path: Path) -> None:
    rows = good_rows()
    rows[1][HEADER.index("first_name")] = "Bob"
    unknown = list(ROBERT)
    unknown[0], unknown[HEADER.index("postal_code")] = "c", "00000"
    drop = tracer_drops.read_tracer(write(tmp_path, csv_text(HEADER, [*rows, unknown])))
    table = tracer_drops.entities(drop, first_entity_id=500)
    assert table.schema == ENTITIES_SCHEMA
    assert table["entity_id"].to_pylist() == [500, 501, 502]
    assert table["household_id"].to_pylist() == [500, 501, 502]
    assert table["first_name"].to_pylist() == ["Robert", "Maria", "Robert"]
    assert table["county"].to_pylist() == ["Multnomah County", "Suffolk County", None]


def test_consume_moves_the_file_under_a_timestamped_name(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    moved = tracer_drops.consume(path, NOW)
    assert moved == tmp_path / "tracer" / "consumed" / "20261123T063005-tracer.csv"
    assert moved.read_text(encoding="utf-8") == GOOD
    assert not path.exists()


def test_consume_twice_in_one_second_never_overwrites(tmp_path: Path) -> None:
    first = tracer_drops.consume(write(tmp_path, "first"), NOW)
    second = tracer_drops.consume(write(tmp_path, "second"), NOW)
    assert first != second
    assert second.parent == first.parent
    assert second.name.startswith("20261123T063005")
    assert (first.read_text(), second.read_text()) == ("first", "second")


def test_consume_failure_is_a_run_error_and_leaves_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    (path.parent / "consumed").write_text("a file where the folder should be")
    with pytest.raises(RunError, match="cannot move"):
        tracer_drops.consume(path, NOW)
    assert path.read_text(encoding="utf-8") == GOOD


def test_readme_lists_exactly_the_allowed_columns() -> None:
    readme = (FOLDER / "tracer.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\|\s*`(\w+)`\s*\|\s*(?:required|optional)\s*\|", readme, re.MULTILINE)
    assert sorted(listed) == sorted(tracer_file.ALLOWED_COLUMNS)
    assert set(tracer_file.REQUIRED_COLUMNS) == set(customers.PERSON_COLUMNS)


SECRET = "root:$6$s3cr3t-hash-that-must-never-be-logged:19000:0:99999:7:::"


def test_a_symlinked_tracer_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    secret = tmp_path / "shadow"
    secret.write_text(SECRET + "\n")
    path = tmp_path / "tracer" / "tracer.csv"
    path.parent.mkdir()
    path.symlink_to(secret)
    message = problem(path)
    assert message.startswith(f"{path}: ") and "symbolic link" in message
    assert "s3cr3t" not in message


def test_a_run_with_a_symlinked_tracer_exits_2_and_logs_no_secret(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture
) -> None:
    secret = tmp_path / "shadow"
    secret.write_text(SECRET + "\n")
    run_dir = tmp_path / "run"
    (run_dir / "tracer").mkdir(parents=True)
    (run_dir / "gensample.toml").write_text("customers = 100\nworkers = 1\ntracer = true\n")
    (run_dir / "tracer" / "tracer.csv").symlink_to(secret)
    assert main(["run", "--dir", str(run_dir), "--date", "2026-11-23"]) == 2
    output = caplog.text + "".join(capsys.readouterr())
    assert str(run_dir / "tracer" / "tracer.csv") in output
    assert "s3cr3t" not in output and "root:" not in output
    assert not (run_dir / "out" / "2026-11-23").exists()
    assert secret.read_text() == SECRET + "\n"


def test_a_symlinked_consumed_folder_is_refused_before_the_run(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    path = write(tmp_path, GOOD)
    (path.parent / tracer_drops.CONSUMED_DIR).symlink_to(elsewhere)
    assert "symbolic link" in problem(path)
    with pytest.raises(BadInputError, match="symbolic link"):
        tracer_drops.consume(path, NOW)
    assert path.read_text(encoding="utf-8") == GOOD and list(elsewhere.iterdir()) == []


@pytest.mark.parametrize(
    "content",
    [
        lambda: with_header([*HEADER[:-1], SECRET]),
        lambda: with_header([*HEADER[:-1], *(f"{SECRET}{n}" for n in range(30))]),
        lambda: edited("birth_date", SECRET),
        lambda: edited("gender", SECRET),
        lambda: edited("state", SECRET),
        lambda: edited("postal_code", SECRET),
    ],
)
def test_messages_quote_at_most_a_short_escaped_excerpt(tmp_path: Path, content) -> None:
    message = problem(write(tmp_path, content()))
    assert SECRET[: EXCERPT_CHARS + 1] not in message
    assert repr(SECRET[:EXCERPT_CHARS]) + "..." in message
    assert len(message) < 1000


def test_an_excerpt_escapes_control_characters() -> None:
    assert excerpt("a\x1b[2Jb\n") == "'a\\x1b[2Jb\\n'"


def test_differences_label_what_each_row_changes_from_its_group_first(tmp_path: Path) -> None:
    def robert(**changes: str) -> list[str]:
        return [changes.get(column, value) for column, value in zip(HEADER, ROBERT, strict=True)]

    rows = [
        robert(),
        robert(),  # an exact copy
        robert(first_name="R.", phone="5035550142"),
        robert(first_name="Whitaker", last_name="Robert", gender=""),
        robert(city="PORTLAND", address_line1="2217 Mapel Street"),
        MARIA,
    ]
    drop = tracer_drops.read_tracer(write(tmp_path, csv_text(HEADER, rows)))
    assert tracer_drops.differences(drop).to_pylist() == [
        "",
        "",
        "first_name:use_initial;phone:reformat_phone",
        "name:swap_given_and_family_name;gender:leave_blank",
        "address_line1:hand_edited;city:change_case",
        "",
    ]
