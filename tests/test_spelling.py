"""Errors of reading and hearing: OCR look-alikes, phonetic spellings, diacritics."""

import unicodedata

import jellyfish
import numpy as np
import pyarrow as pa
import pytest

from gensample import reference
from gensample.corruptions import spelling


@pytest.fixture(scope="module")
def names() -> pa.Array:
    """The packaged given and family names (a few thousand)."""
    pools = [reference.given_names("F"), reference.given_names("M"), reference.family_names()]
    return pa.concat_arrays([pool.values.cast(pa.string()) for pool in pools])


def changed(before: pa.Array, after: pa.Array) -> list[tuple[str, str]]:
    """(before, after) of the values that changed."""
    return [(a, b) for a, b in zip(before.to_pylist(), after.to_pylist(), strict=True) if a != b]


def test_ocr_errors_replace_one_look_alike_at_its_first_place(names, rng):
    values = pa.concat_arrays([names, pa.array(["OLGA 10", "B5", "Zoe 2", ""])])
    after = spelling.make_ocr_error(values, rng)
    for old, new in zip(values.to_pylist(), after.to_pylist(), strict=True):
        options = {old.replace(read, written, 1) for read, written in spelling.OCR_CONFUSIONS}
        assert new in options - {old} if options - {old} else new == old


def test_phonetic_misspellings_keep_the_metaphone_code(names, rng):
    pairs = changed(names, spelling.misspell_phonetically(names, rng))
    assert len(pairs) > 0.5 * len(names)
    kept = [jellyfish.metaphone(old) == jellyfish.metaphone(new) for old, new in pairs]
    assert all(kept), [pair for pair, same in zip(pairs, kept, strict=True) if not same][:5]
    assert all(new[0].isupper() == old[0].isupper() for old, new in pairs)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Philip", "Filip"), ("Neil", "Niel"), ("KNIGHT", "NIGHT"), ("jackson", "jakson")],
)
def test_phonetic_misspelling_examples(name, expected):
    spellings = set(
        spelling.misspell_phonetically(pa.array([name] * 60), np.random.default_rng(1)).to_pylist()
    )
    assert expected in spellings and name not in spellings


def test_diacritics_are_removed_and_added(rng):
    values = pa.array(["José Peña", "Zoë", "Ann", "", None, "北京", "Nguyễn", "Łukasz"])
    removed = spelling.remove_diacritics(values, rng).to_pylist()
    # two marks on one letter both go; a letter of its own (Ł: no mark to take off) stays
    assert removed == ["Jose Pena", "Zoe", "Ann", "", None, "北京", "Nguyen", "Łukasz"]
    assert spelling.remove_diacritics(pa.array(["Ann", None]), rng).to_pylist() == ["Ann", None]
    added = spelling.add_diacritic(pa.array(["Jose", "Pena", "Ann", "xyz"]), rng).to_pylist()
    plain = [unicodedata.normalize("NFD", a).encode("ascii", "ignore").decode() for a in added]
    assert plain == ["Jose", "Pena", "Ann", "xyz"]
    assert [a != p for a, p in zip(added, plain, strict=True)] == [True, True, True, False]
    assert all(a[0] == p[0] for a, p in zip(added, plain, strict=True))
