"""The fuzz map: which fields a duplicate gets corrupted in, and labels that tell the truth."""

import re

import numpy as np
import pyarrow as pa
import pytest

from gensample.corruptions import CORRUPTIONS, fuzz_steps, fuzzmap
from gensample.corruptions.fuzzmap import (
    DEFAULT_FUZZ_MAP,
    FIELD_COLUMNS,
    FieldFuzz,
    Request,
    fuzz,
)
from gensample.errors import BadInputError
from gensample.generate import population
from gensample.settings.fuzz import check_fields

N = 600
WHERE = "gensample.toml: fuzz.fields"


@pytest.fixture(scope="module")
def table() -> pa.Table:
    """True people as a source system would hold them (no ids)."""
    return population.people(5, 0, N, 0.25).drop_columns(["entity_id", "household_id"])


@pytest.fixture(scope="module")
def rows() -> np.ndarray:
    """Two rows in three, in increasing order as the customers dataset passes them."""
    return np.sort(np.random.default_rng(3).choice(N, 2 * N // 3, replace=False))


def columns_of(field: str) -> tuple[str, ...]:
    return FIELD_COLUMNS.get(field, (field,))


def changed_columns(before: pa.Table, after: pa.Table) -> list[set[str]]:
    """Per row, the columns whose value differs (a value turned missing counts)."""
    old, new = before.to_pylist(), after.to_pylist()
    return [{c for c in a if a[c] != b[c]} for a, b in zip(old, new, strict=True)]


def parse(label: str) -> list[tuple[str, str]]:
    return [tuple(part.split(":")) for part in label.split(";")] if label else []


@pytest.mark.parametrize(
    ("weights", "max_fields"),
    [([1.0, 2.0, 4.0], 1), ([1.0, 2.0, 4.0], 2), ([3.0, 1.0, 0.5, 2.0, 2.0], 6)],
)
def test_choose_fields_picks_one_to_max_fields_per_row(weights, max_fields, rng):
    chosen = fuzzmap.choose_fields(rng, 4000, weights, max_fields)
    assert chosen.shape == (4000, len(weights)) and chosen.dtype == bool
    per_row = chosen.sum(axis=1)
    most = min(max_fields, len(weights))
    assert set(np.unique(per_row)) == set(range(1, most + 1))


@pytest.mark.parametrize(
    ("weights", "max_fields"),
    [
        ([1.0, 0.0, 2.0, 0.5], 2),
        ([0.0, 3.0, 1.0], 2),
        ([1.0, 0.0], 2),
    ],
)
def test_choose_fields_never_picks_a_zero_weight_field(weights, max_fields, rng):
    chosen = fuzzmap.choose_fields(rng, 2000, weights, max_fields)
    assert not chosen[:, np.asarray(weights) == 0].any()


@pytest.mark.parametrize("hurried_share", [0.0, 0.3, 1.0])
def test_hurried_rows_carry_the_most_errors_the_others_fewer(hurried_share, rng):
    chosen = fuzzmap.choose_fields(rng, 20_000, [1.0] * 5, 3, hurried_share)
    per_row = chosen.sum(axis=1)
    assert np.mean(per_row == 3) == pytest.approx(hurried_share, abs=0.015)
    assert set(np.unique(per_row[per_row < 3])) == (set() if hurried_share == 1 else {1, 2})


def test_choose_fields_picks_heavier_fields_more_often(rng):
    weights = np.array([1.0, 2.0, 4.0])
    alone = fuzzmap.choose_fields(rng, 20_000, weights, 1).mean(axis=0)
    np.testing.assert_allclose(alone, weights / weights.sum(), atol=0.015)  # first weighted pick
    in_pairs = fuzzmap.choose_fields(rng, 20_000, weights, 2).mean(axis=0)
    assert in_pairs[0] < in_pairs[1] < in_pairs[2]


def test_fuzz_changes_only_the_given_rows_and_labels_them(table, rows):
    fuzzed, labels = fuzz(table, rows, DEFAULT_FUZZ_MAP, 3, np.random.default_rng(1))
    assert fuzzed.schema == table.schema and len(labels) == N == fuzzed.num_rows
    changed = changed_columns(table, fuzzed)
    labels = labels.to_pylist()
    others = np.setdiff1d(np.arange(N), rows)
    assert all(not changed[i] and labels[i] == "" for i in others)
    assert sum(bool(changed[i]) for i in rows) > 0.9 * len(rows)
    for row in rows:
        named = parse(labels[row])
        fields = [field for field, _ in named]
        assert len(fields) == len(set(fields)) <= 3
        for field, corruption in named:
            assert corruption in DEFAULT_FUZZ_MAP[field].corruptions, labels[row]
            assert changed[row] & set(columns_of(field)), (labels[row], changed[row])
        labelled_columns = {c for field in fields for c in columns_of(field)}
        assert changed[row] <= labelled_columns, (labels[row], changed[row])


@pytest.mark.parametrize("field", sorted(DEFAULT_FUZZ_MAP))
def test_one_field_map_labels_exactly_the_changed_rows(field, table, rows):
    fuzz_map = {field: DEFAULT_FUZZ_MAP[field]}
    fuzzed, labels = fuzz(table, rows, fuzz_map, 2, np.random.default_rng(2))
    changed = changed_columns(table, fuzzed)
    for row, (columns, label) in enumerate(zip(changed, labels.to_pylist(), strict=True)):
        assert columns <= set(columns_of(field))
        assert bool(columns) == bool(label), (row, label, columns)
        assert re.fullmatch(rf"{field}:[a-z_]+", label) or label == ""
    held = [r for r in rows if all(table[c][int(r)].is_valid for c in columns_of(field))]
    assert sum(map(bool, changed)) > len(held) / 2  # most corruptions can apply to a value


@pytest.mark.parametrize("order", ["increasing", "shuffled"])
def test_each_row_is_corrupted_from_its_own_value(order):
    names = pa.table({"first_name": ["Anna", "Bob", "Carl", "Dora", "Eve", "Finn"]})
    rows = np.array([4, 1, 3]) if order == "shuffled" else np.array([1, 3, 4])
    fuzz_map = {"first_name": FieldFuzz(1.0, {"use_initial": 1.0})}
    fuzzed, labels = fuzz(names, rows, fuzz_map, 1, np.random.default_rng(0))
    expected = ["Anna", "B.", "Carl", "D.", "E.", "Finn"]  # 'John' -> 'J.'
    assert fuzzed["first_name"].to_pylist() == expected
    assert [bool(label) for label in labels.to_pylist()] == [
        n != e for n, e in zip(names["first_name"].to_pylist(), expected, strict=True)
    ]


def test_fuzz_until_changed_retries_rows_a_corruption_left_alone(table, rows):
    # a day above 12 cannot swap with the month: about 30 % of single tries change nothing
    fuzz_map = {"birth_date": FieldFuzz(1.0, {"swap_day_month": 1.0, "mistype_day": 1.0})}
    once = fuzz(table, rows, fuzz_map, 1, np.random.default_rng(5))[1].to_pylist()
    fuzzed, labels = fuzz_steps.fuzz_until_changed(
        Request(table, rows, fuzz_map, 1, np.random.default_rng(5))
    )
    changed, labels = changed_columns(table, fuzzed), labels.to_pylist()
    assert sum(map(bool, once)) < 0.8 * len(rows)
    assert sum(bool(changed[i]) for i in rows) > 0.95 * len(rows)
    assert [bool(label) for label in labels] == [bool(columns) for columns in changed]


def test_fuzz_until_changed_is_fuzz_tried_again_on_the_rows_left_unchanged(table, rows):
    expected, labels, pending, rng = table, [""] * N, rows, np.random.default_rng(8)
    for _ in range(1 + fuzz_steps.RETRIES):
        expected, found = fuzz(expected, pending, DEFAULT_FUZZ_MAP, 2, rng)
        labels = [new or old for old, new in zip(labels, found.to_pylist(), strict=True)]
        pending = np.array([row for row in pending if not labels[row]], np.int64)
    fuzzed, retried = fuzz_steps.fuzz_until_changed(
        Request(table, rows, DEFAULT_FUZZ_MAP, 2, np.random.default_rng(8))
    )
    assert fuzzed.equals(expected) and retried.to_pylist() == labels


def test_fuzz_is_reproducible_with_the_same_seed(table, rows):
    first = fuzz(table, rows, DEFAULT_FUZZ_MAP, 2, np.random.default_rng(9))
    again = fuzz(table, rows, DEFAULT_FUZZ_MAP, 2, np.random.default_rng(9))
    other = fuzz(table, rows, DEFAULT_FUZZ_MAP, 2, np.random.default_rng(10))
    assert first[0].equals(again[0]) and first[1].equals(again[1])
    assert not first[1].equals(other[1])


def test_fields_missing_from_the_table_or_weighted_zero_are_left_alone(table, rows):
    fuzz_map = fuzzmap.effective({"phone": FieldFuzz(0.0, {"make_typo": 1.0})})
    narrow = table.drop_columns(["email"])
    fuzzed, labels = fuzz(narrow, rows, fuzz_map, 3, np.random.default_rng(4))
    assert fuzzed["phone"].equals(narrow["phone"])
    assert not any(re.search("(email|phone):", label) for label in labels.to_pylist())


def test_a_field_whose_corruptions_all_weigh_zero_is_left_alone(table, rows, rng):
    fuzz_map = {"first_name": FieldFuzz(1.0, {"make_typo": 0.0, "use_nickname": 0.0})}
    fuzzed, labels = fuzz(table, rows, fuzz_map, 1, rng)
    assert fuzzed.equals(table) and set(labels.to_pylist()) == {""}


def test_effective_applies_overrides_over_the_defaults():
    override = FieldFuzz(9.0, {"make_typo": 1.0})
    merged = fuzzmap.effective({"city": override})
    assert merged["city"] is override
    assert {k: v for k, v in merged.items() if k != "city"} == {
        k: v for k, v in DEFAULT_FUZZ_MAP.items() if k != "city"
    }
    assert fuzzmap.effective(None) == dict(DEFAULT_FUZZ_MAP)


def test_default_map_uses_only_corruptions_that_apply_to_each_field():
    assert check_fields(
        {
            field: {"weight": entry.weight, "corruptions": dict(entry.corruptions)}
            for field, entry in DEFAULT_FUZZ_MAP.items()
        },
        WHERE,
    ) == dict(DEFAULT_FUZZ_MAP)


def test_check_fields_accepts_a_good_override():
    checked = check_fields(
        {"email": {"weight": 1, "corruptions": {"make_typo": 2}}, "birth_date": {"weight": 0.5}},
        WHERE,
    )
    assert checked["email"] == FieldFuzz(1.0, {"make_typo": 2.0})
    assert checked["birth_date"] == FieldFuzz(0.5, dict(DEFAULT_FUZZ_MAP["birth_date"].corruptions))
    assert all(isinstance(w, float) for w in checked["email"].corruptions.values())


TEXT_CORRUPTIONS = sorted(name for name, c in CORRUPTIONS.items() if "text" in c.applies_to)


@pytest.mark.parametrize(
    ("value", "names"),
    [
        (
            {"nickname": {"weight": 1}},
            ["fuzz.fields.nickname", "unknown field", "first_name", "postal_code"],
        ),
        (
            {"email": {"corruptions": {"swap_day_month": 1}}},
            ["fuzz.fields.email", "'swap_day_month'", "email", *TEXT_CORRUPTIONS],
        ),
        (
            {"birth_date": {"corruptions": {"make_typo": 1}}},
            ["birth_date", "'make_typo'", "swap_day_month", "leave_blank"],
        ),
        ({"email": {"corruptions": {"no_such_error": 1}}}, ["'no_such_error'", "make_typo"]),
        ({"email": {"weight": -1}}, ["fuzz.fields.email.weight", "-1", ">= 0"]),
        (
            {"email": {"corruptions": {"make_typo": -0.5}}},
            ["fuzz.fields.email.corruptions.make_typo", "-0.5", ">= 0"],
        ),
        ({"email": {"weight": True}}, ["fuzz.fields.email.weight", "True"]),
        ({"email": {"weight": 1, "colour": "red"}}, ["fuzz.fields.email", "colour"]),
        ({"email": {"corruptions": {}}}, ["fuzz.fields.email.corruptions", "non-empty"]),
        ({"email": 3}, ["fuzz.fields.email", "3"]),
        (["email"], ["fuzz.fields", "table of fields"]),
        ("email", ["fuzz.fields", "table of fields"]),
    ],
)
def test_check_fields_rejects_bad_overrides_naming_the_fault(value, names):
    with pytest.raises(BadInputError) as error:
        check_fields(value, WHERE)
    for name in names:
        assert name in str(error.value), (name, str(error.value))


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ([pa.array([None, None], pa.string()), pa.array([None, None], pa.string())], ["", ""]),
        (
            [pa.array([None, "a:x"]), pa.array([None, None], pa.string()), pa.array([None, "b:y"])],
            ["", "a:x;b:y"],
        ),
        (
            [pa.array(["a:x", None]), pa.array([None, "b:y"]), pa.array(["c:z", None])],
            ["a:x;c:z", "b:y"],
        ),
        ([], ["", ""]),
    ],
)
def test_join_labels_skips_missing_labels(labels, expected):
    assert fuzzmap.join_labels(labels, 2).to_pylist() == expected


def test_join_labels_tidies_stray_separators_of_chunked_labels():
    stripped = pa.chunked_array([[";a:x", ""], ["b:y;;c:z;", None]])  # labels with parts cut out
    more = pa.array(["", "", "d:w", None])
    joined = fuzzmap.join_labels([stripped, more], 4).to_pylist()
    assert joined == ["a:x", "", "b:y;c:z;d:w", ""]


@pytest.mark.parametrize("fields", [3, 40])
def test_labels_are_joined_per_row_in_field_order(rng, fields):
    labels = [f"field{f}:corruption{c}" for f in range(fields) for c in range(3)]
    own = np.arange(0, len(labels), 3) + rng.integers(0, 3, (500, fields))  # 3 f, 3 f + 1...
    codes = np.where(rng.random((500, fields)) < 0.1, own, -1)
    joined = fuzzmap._joined_labels(codes, labels).to_pylist()
    assert joined == [";".join(labels[c] for c in row if c >= 0) for row in codes]
    assert "" in joined and any(";" in text for text in joined)


def fuzz_until_changed(*arguments):
    """``fuzz_steps.fuzz_until_changed`` called as ``fuzz`` is."""
    return fuzz_steps.fuzz_until_changed(Request(*arguments))


@pytest.mark.parametrize("fuzzing", [fuzz, fuzz_until_changed])
def test_fuzzing_no_rows_leaves_the_table_alone(fuzzing, table, rng):
    fuzzed, labels = fuzzing(table, np.array([], np.int64), DEFAULT_FUZZ_MAP, 3, rng)
    assert fuzzed.equals(table) and labels.to_pylist() == [""] * N
