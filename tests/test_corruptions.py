"""Property tests of the corruption catalogue: contract of every corruption, then each error."""

import datetime as dt
import itertools
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gensample import corruptions, reference
from gensample.corruptions import CORRUPTIONS, keyboard
from gensample.corruptions import names as names_module

KINDS = {"text", "date", "name_pair"}
SINGLE = sorted(name for name, c in CORRUPTIONS.items() if "name_pair" not in c.applies_to)
TEXT = sorted(name for name in SINGLE if "text" in CORRUPTIONS[name].applies_to)
NAMES = ["John", "ROBERT", "robert", "Robert", "José", "Zoë", "Mary Ann", "casey", "Xyzzy"]
seeds = st.integers(0, 2**32 - 1)
fast = settings(max_examples=40, deadline=None)


@st.composite
def arrays(draw, values: st.SearchStrategy, arrow_type: pa.DataType) -> pa.Array:
    """An Arrow array of optional values, sometimes a slice (non-zero offset) of a longer one."""
    items = draw(st.lists(st.none() | values, max_size=25))
    skip = draw(st.integers(0, 2))
    return pa.array([None] * skip + items, type=arrow_type)[skip:]


texts = arrays(st.text(max_size=12) | st.sampled_from(NAMES), pa.string())
dates = arrays(st.dates(dt.date(1000, 1, 1), dt.date(9998, 12, 31)), pa.date32())
ARRAYS = {"text": texts, "date": dates}


def run(name: str, values: pa.Array, seed: int = 0) -> pa.Array:
    """Apply the corruption called ``name`` with a generator seeded by ``seed``."""
    return CORRUPTIONS[name].function(values, np.random.default_rng(seed))


def pairs(values: pa.Array, result: pa.Array) -> list[tuple]:
    """(before, after) of the non-null rows."""
    return [
        (a, b) for a, b in zip(values.to_pylist(), result.to_pylist(), strict=True) if a is not None
    ]


def test_registry_names_every_exported_function_with_known_kinds():
    assert set(CORRUPTIONS) == set(corruptions.__all__) - {"CORRUPTIONS", "Corruption"}
    for name, corruption in CORRUPTIONS.items():
        assert corruption.function is getattr(corruptions, name)
        assert corruption.function.__doc__
        assert corruption.applies_to and corruption.applies_to <= KINDS
    assert CORRUPTIONS["leave_blank"].applies_to == {"text", "date"}


@pytest.mark.parametrize("name", SINGLE)
@fast
@given(data=st.data(), seed=seeds)
def test_keeps_type_length_and_nulls_and_is_deterministic(name, data, seed):
    for kind in sorted(CORRUPTIONS[name].applies_to):
        values = data.draw(ARRAYS[kind])
        result = run(name, values, seed)
        assert result.type == values.type and len(result) == len(values)
        expected_nulls = (
            [True] * len(values) if name == "leave_blank" else values.is_null().to_pylist()
        )
        assert result.is_null().to_pylist() == expected_nulls
        assert result.equals(run(name, values, seed))


@pytest.mark.parametrize("name", TEXT)
def test_copes_with_empty_non_ascii_and_sliced_text(name):
    values = pa.array(["x", "", None, "José", "Zoë", "北京", "😀a", "\x00b", " "])[1:]
    result = run(name, values)
    assert len(result) == len(values) and result.type == pa.string()
    if name != "leave_blank":
        assert result[0].as_py() == ""


@fast
@given(values=texts, seed=seeds)
def test_make_typo_hits_one_keyboard_neighbour(values, seed):
    for before, after in pairs(values, run("make_typo", values, seed)):
        if not any(ord(char) < 128 and keyboard.COUNTS[ord(char)] for char in before):
            assert after == before
            continue
        assert len(after) == len(before)
        changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
        assert len(changed) == 1
        old, new = changed[0]
        assert ord(new) in keyboard.NEIGHBOURS[ord(old), : keyboard.COUNTS[ord(old)]]
        assert old.isupper() == new.isupper()


def test_keyboard_neighbours_are_mutual():
    for key in range(128):
        for near in keyboard.NEIGHBOURS[key, : keyboard.COUNTS[key]]:
            assert key in keyboard.NEIGHBOURS[near, : keyboard.COUNTS[near]]
    assert {chr(c) for c in keyboard.NEIGHBOURS[ord("s"), : keyboard.COUNTS[ord("s")]]} == set(
        "awedxz"
    )


@fast
@given(values=texts, seed=seeds)
def test_transpose_letters_swaps_two_adjacent_different_characters(values, seed):
    for before, after in pairs(values, run("transpose_letters", values, seed)):
        if all(a == b for a, b in itertools.pairwise(before)):
            assert after == before
            continue
        at = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
        assert len(at) == 2 and at[1] == at[0] + 1
        assert after[at[0]] == before[at[1]] and after[at[1]] == before[at[0]]


@fast
@given(values=texts, seed=seeds)
def test_drop_letter_removes_one_character(values, seed):
    for before, after in pairs(values, run("drop_letter", values, seed)):
        if len(before) < 2:
            assert after == before
        else:
            assert any(before[:i] + before[i + 1 :] == after for i in range(len(before)))
            assert len(after) == len(before) - 1


@fast
@given(values=texts, seed=seeds)
def test_double_letter_repeats_one_visible_character(values, seed):
    for before, after in pairs(values, run("double_letter", values, seed)):
        if all(char <= " " for char in before):
            assert after == before
        else:
            assert any(
                before[:i] + before[i] + before[i:] == after and before[i] > " "
                for i in range(len(before))
            )


@fast
@given(values=texts, seed=seeds)
def test_use_initial_and_change_case(values, seed):
    for before, after in pairs(values, run("use_initial", values, seed)):
        assert after == (before.strip()[:1] + "." if before.strip() else before)
    upper, lower = pc.utf8_upper(values).to_pylist(), pc.utf8_lower(values).to_pylist()
    result = run("change_case", values, seed).to_pylist()
    for before, after, up, low in zip(values.to_pylist(), result, upper, lower, strict=True):
        assert after in (up, low)
        assert after != before or up == low == before


def _case_like(word: str, like: str) -> str:
    """``word`` in ``like``'s style, as the corruptions are meant to write it."""
    if like.isupper():
        return word.upper()
    return word.lower() if like.islower() else word.title()


@fast
@given(values=arrays(st.sampled_from(NAMES), pa.string()), seed=seeds)
def test_use_nickname_picks_a_known_nickname_in_the_same_case(values, seed):
    table = reference.nicknames()
    for before, after in pairs(values, run("use_nickname", values, seed)):
        nicknames = table.get(before.lower(), ())
        if not nicknames:
            assert after == before
        else:
            assert after.lower() in nicknames and after == _case_like(after, before)


def test_the_nickname_lists_hold_the_nickname_table_in_order():
    names, starts, flat = reference.nickname_lists()
    flat = flat.to_pylist()
    as_dict = {
        name: tuple(flat[start:end])
        for name, start, end in zip(names.to_pylist(), starts[:-1], starts[1:], strict=True)
    }
    assert as_dict == reference.nicknames()


def test_the_nicknames_of_names_are_the_tables_but_the_name_itself(monkeypatch):
    table = {"robert": ("bob", "robert", "rob"), "nancy": ("nan",)}
    starts = np.cumsum([0, *(len(nicks) for nicks in table.values())])
    flat = pa.array([nick for nicks in table.values() for nick in nicks])
    monkeypatch.setattr(reference, "nickname_lists", lambda: (pa.array(list(table)), starts, flat))
    names = ["Robert", " robert ", "ROBERT", None, "", "Zzyzx", "nancy", "NanCy"]
    owner, nicknames = names_module._nicknames_of(pa.array(names, pa.string()))
    got = [[] for _ in names]
    for index, nickname in zip(owner, nicknames.to_pylist(), strict=True):
        got[index].append(nickname)
    assert got == [
        ["bob", "rob"],
        ["bob", "robert", "rob"],  # ' robert ' is not 'robert'
        ["bob", "rob"],
        [],
        [],
        [],
        ["nan"],
        ["nan"],
    ]


def test_use_nickname_follows_the_case_of_the_name():
    values = pa.array(["robert"] * 50 + ["ROBERT"] * 50 + ["Robert"] * 50)
    result = run("use_nickname", values).to_pylist()
    assert all(n.islower() for n in result[:50]) and all(n.isupper() for n in result[50:100])
    assert all(n[0].isupper() and n[1:].islower() for n in result[100:])
    assert len(set(result[:50])) > 1, "the nickname is drawn per row"


addresses = st.tuples(
    st.integers(1, 9999),
    st.sampled_from(["Oak", "Court", "elm", "MAIN"]),
    st.sampled_from(sorted(reference.street_abbreviations())),
    st.sampled_from([str, str.upper, str.lower]),
)


@fast
@given(rows=st.lists(addresses, min_size=1, max_size=20), seed=seeds)
def test_abbreviate_street_writes_the_usps_abbreviation(rows, seed):
    table = reference.street_abbreviations()
    values = pa.array([style(f"{number} {name} {kind}") for number, name, kind, style in rows])
    for (number, name, kind, style), after in zip(
        rows, run("abbreviate_street", values, seed).to_pylist(), strict=True
    ):
        assert after == style(f"{number} {name} {table[kind]}")


def test_abbreviate_street_leaves_other_text_alone():
    values = pa.array(["12 Court Street Apt 4", "Streetwise 9", "", None])
    assert run("abbreviate_street", values).to_pylist() == [
        "12 Court St Apt 4",
        "Streetwise 9",
        "",
        None,
    ]


emails = st.tuples(
    st.from_regex(r"[a-z0-9._]{1,10}", fullmatch=True),
    st.sampled_from(reference.email_domains().values.to_pylist()),
    st.booleans(),
)


@fast
@given(rows=st.lists(emails, min_size=1, max_size=20), seed=seeds)
def test_change_email_domain_keeps_the_local_part(rows, seed):
    domains = reference.email_domains().values.to_pylist()
    values = pa.array(
        [
            f"{local}@{domain}".upper() if loud else f"{local}@{domain}"
            for local, domain, loud in rows
        ]
    )
    for before, after in pairs(values, run("change_email_domain", values, seed)):
        local, _, domain = before.rpartition("@")
        new_local, _, new_domain = after.rpartition("@")
        assert new_local == local and new_domain.lower() in domains
        assert new_domain.lower() != domain.lower() and new_domain.isupper() == domain.isupper()


PHONE_FORMATS = [
    r"\d{3}-\d{3}-\d{4}",
    r"\d{3}\.\d{3}\.\d{4}",
    r"\d{10}",
    r"\+1 \d{3} \d{3} \d{4}",
    r"\d{3} \d{3} \d{4}",
    r"\(\d{3}\) \d{3}-\d{4}",
]
phones = st.tuples(
    st.from_regex(r"[2-9][0-9]{9}", fullmatch=True),
    st.sampled_from(["({}) {}-{}", "{}-{}-{}", "{}.{}.{}", "{}{}{}", "+1 {} {} {}", "1-{}-{}-{}"]),
)


@fast
@given(rows=st.lists(phones, min_size=1, max_size=20), seed=seeds)
def test_reformat_phone_keeps_the_digits_in_another_format(rows, seed):
    values = pa.array([form.format(d[:3], d[3:6], d[6:]) for d, form in rows])
    for (digits, _), (before, after) in zip(
        rows, pairs(values, run("reformat_phone", values, seed)), strict=True
    ):
        assert after != before and re.sub(r"\D", "", after)[-10:] == digits
        assert any(re.fullmatch(form, after) for form in PHONE_FORMATS)


def test_reformat_phone_leaves_non_numbers_alone():
    values = pa.array(["", "n/a", "555-0134", None])
    assert run("reformat_phone", values).equals(values)


def _is_valid_date(year: int, month: int, day: int) -> bool:
    try:
        return bool(dt.date(year, month, day))
    except ValueError:
        return False


@fast
@given(values=dates, seed=seeds)
def test_date_errors_change_what_they_can(values, seed):
    for before, after in pairs(values, run("swap_day_month", values, seed)):
        swappable = before.day <= 12 and before.day != before.month
        assert after == (
            before.replace(month=before.day, day=before.month) if swappable else before
        )
    for before, after in pairs(values, run("mistype_day", values, seed)):
        assert abs((after - before).days) == 1 and after.month == before.month
    for before, after in pairs(values, run("use_first_of_month", values, seed)):
        assert (after.year, after.month) == (before.year, before.month)
        assert after.day == (15 if before.day == 1 else 1)


@fast
@given(values=dates, seed=seeds)
def test_mistype_year_slips_or_swaps_the_year_digits(values, seed):
    for before, after in pairs(values, run("mistype_year", values, seed)):
        y = before.year
        swapped = y - y % 100 + (y % 10) * 10 + (y // 10) % 10
        assert after.year in {y - 1, y + 1, swapped} - {y}
        assert after.month == before.month
        leap_day_lost = (before.month, before.day) == (2, 29) and not _is_valid_date(
            after.year, 2, 29
        )
        assert after.day == (28 if leap_day_lost else before.day)


def test_mistype_year_keeps_29_february_when_the_swap_is_a_leap_year():
    values = pa.array([dt.date(1984, 2, 29)] * 200)
    years = {d.year for d in run("mistype_year", values).to_pylist()}
    assert years == {1983, 1985, 1948}


names = st.none() | st.text(max_size=8)


@fast
@given(rows=st.lists(st.tuples(names, names), max_size=20), seed=seeds)
def test_swap_given_and_family_name_exchanges_the_columns(rows, seed):
    first = pa.array([given for given, _ in rows], type=pa.string())
    last = pa.array([family for _, family in rows], type=pa.string())
    swap = CORRUPTIONS["swap_given_and_family_name"].function
    new_first, new_last = swap(first, last, np.random.default_rng(seed))
    assert new_first.equals(last) and new_last.equals(first)


def test_suffixes_and_titles_are_added_or_dropped(rng):
    family = pa.array(["Smith", "Lee Sr", "Lee, Jr.", "Ray III", None, "", " "])
    after = run("change_suffix", family).to_pylist()
    assert (
        after[0].split(" ")[0] == "Smith" and after[0].split(" ")[1] in corruptions.names.SUFFIXES
    )
    assert after[1:] == ["Lee", "Lee", "Ray", None, "", " "]
    given = run("change_title", pa.array(["John", "Dr. John", "mrs Ann", None, ""])).to_pylist()
    assert given[0].split(" ")[0] in corruptions.names.TITLES and given[0].endswith(" John")
    assert given[1:] == ["John", "Ann", None, ""]


def test_double_family_names_are_split_or_joined():
    values = pa.array(["Smith-Jones"] * 60 + ["Garcia Lopez", "Lee Sr", "Smith"])
    after = run("rewrite_double_name", values).to_pylist()
    assert set(after[:60]) == {"Smith Jones", "Smith", "Jones"}
    assert after[60:] == ["Garcia-Lopez", "Lee Sr", "Smith"]


def test_type_into_wrong_field_puts_the_whole_name_in_the_given_name():
    first, last = pa.array(["Ann", "Bo", None, ""]), pa.array(["Lee", None, "X", "Y"])
    new_first, new_last = run_pair("type_into_wrong_field", first, last)
    assert new_first.to_pylist() == ["Ann Lee", "Bo", None, ""]
    assert new_last.to_pylist() == [None, None, "X", "Y"]


def run_pair(name: str, first: pa.Array, last: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Apply the name-pair corruption called ``name``."""
    return CORRUPTIONS[name].function(first, last, np.random.default_rng(0))


@fast
@given(values=texts, seed=seeds)
def test_digit_slips_change_one_digit_or_swap_two(values, seed):
    for before, after in pairs(values, run("mistype_digit", values, seed)):
        differing = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
        has_digit = any("0" <= char <= "9" for char in before)
        assert len(after) == len(before) and len(differing) == has_digit
        assert all("0" <= a <= "9" and "0" <= b <= "9" for a, b in differing)
    for before, after in pairs(values, run("transpose_digits", values, seed)):
        differing = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
        assert sorted(before) == sorted(after) and len(differing) in (0, 2)
        assert all("0" <= after[i] <= "9" for i in differing)


@fast
@given(values=dates, seed=seeds)
def test_default_days_and_two_digit_years(values, seed):
    for before, after in pairs(values, run("use_january_first", values, seed)):
        assert after.year == before.year
        assert (after.month, after.day) == (
            (7, 1) if (before.month, before.day) == (1, 1) else (1, 1)
        )
    for before, after in pairs(values, run("misread_two_digit_year", values, seed)):
        assert after.year % 100 == before.year % 100 and after.year != before.year
        assert after.year in range(1900, 2100) or after.year in (
            before.year - 100,
            before.year + 100,
        )
        assert after.month == before.month
