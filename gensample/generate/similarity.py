"""How like its original each duplicate reads, for the truth: name and address similarity,
phonetic and exact agreement of identifiers, and a difficulty bucket derived from them.

Computed per block on the duplicates alone, column by column (rapidfuzz's ``cpdist`` compares
two lists element-wise in C; phonetic codes are computed once per distinct name).
"""

import jellyfish
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

from gensample.corruptions.arrays import false_where_null, put
from gensample.generate import characters
from gensample.native.strings import join_element_wise
from gensample.native.take import one_array, take

SCHEMA = pa.schema(
    [
        ("name_similarity", pa.float64()),
        ("address_similarity", pa.float64()),
        ("phonetic_match", pa.bool_()),
        ("email_match", pa.bool_()),
        ("phone_match", pa.bool_()),
        ("birth_date_match", pa.bool_()),
        ("difficulty", pa.string()),
    ]
)
"""Similarity columns of ``truth/records.csv``: empty for originals and where a side has no
value."""

DESCRIPTIONS = {
    "name_similarity": "Jaro-Winkler similarity (0-1) of the full name to duplicate_of's, "
    "ignoring case.",
    "address_similarity": "Token-set ratio (0-1) of the address (street, unit, city, state, "
    "ZIP) to duplicate_of's, ignoring case.",
    "phonetic_match": "Whether the family name keeps duplicate_of's Metaphone code.",
    "email_match": "Whether the e-mail equals duplicate_of's, ignoring case.",
    "phone_match": "Whether the phone has duplicate_of's digits.",
    "birth_date_match": "Whether the birth date equals duplicate_of's.",
    "difficulty": "easy (the name nearly equal and two identifiers of e-mail, phone and birth "
    "date equal), hard (the name far or no identifier equal) or medium; where neither record "
    "holds a name (a wifi login), easy when every identifier compared is equal, hard when none "
    "is; empty for originals.",
}
DIFFICULTIES = pa.array(["easy", "medium", "hard"])
EASY_NAME, HARD_NAME = 0.95, 0.8
"""Name similarity at or above which a pair can be easy, and below which it is hard."""
ADDRESS_COLUMNS = ("address_line1", "address_line2", "city", "state", "postal_code")


def similarities(copies: pa.Table, originals: pa.Table) -> pa.Table:
    """The similarity of each row of ``copies`` to the same row of ``originals`` (person
    columns a system holds, of one type in both; a column it lacks gives empty values)."""
    copy_name, original_name = _name(copies), _name(originals)
    name = _compared(copy_name, original_name, JaroWinkler.normalized_similarity, 1.0)
    address = _compared(_address(copies), _address(originals), fuzz.token_set_ratio, 100.0)
    identifiers = {
        "email_match": _same(copies, originals, "email", pc.utf8_lower),
        "phone_match": _same(copies, originals, "phone", characters.digits),
        "birth_date_match": _same(copies, originals, "birth_date"),
    }
    columns = {
        "name_similarity": name,
        "address_similarity": pc.divide(address, 100.0),
        "phonetic_match": _same(copies, originals, "last_name", _metaphone),
        **identifiers,
    }
    unnamed = pc.and_(pc.is_null(copy_name), pc.is_null(original_name))
    columns["difficulty"] = bucket(name, list(identifiers.values()), unnamed)
    return pa.table(columns, schema=SCHEMA)


def bucket(name: pa.Array, identifiers: list[pa.Array], unnamed: pa.Array) -> pa.Array:
    """easy, medium or hard, from the name similarity and how many identifiers are equal; where
    neither record holds a name (``unnamed``: a wifi login), from the identifiers alone (easy
    when every one compared is equal)."""
    equal = [false_where_null(column).to_numpy(zero_copy_only=False) for column in identifiers]
    compared = sum(column.is_valid().to_numpy(zero_copy_only=False) for column in identifiers)
    agreeing = sum(equal)
    similar = name.fill_null(0.0).to_numpy(zero_copy_only=False)
    alone = unnamed.to_numpy(zero_copy_only=False)
    easy = np.where(
        alone, (agreeing >= 1) & (agreeing == compared), (similar >= EASY_NAME) & (agreeing >= 2)
    )
    hard = (agreeing == 0) | (~alone & (similar < HARD_NAME))
    return take(DIFFICULTIES, np.where(easy, 0, np.where(hard, 2, 1)))


def _compared(left: pa.Array, right: pa.Array, scorer, same: float) -> pa.Array:
    """``scorer`` of each pair of strings (null where either is); ``same`` is its score of
    equal strings, given them without scoring (most duplicates keep their name and address)."""
    scores = np.full(len(left), same)
    differ = false_where_null(pc.not_equal(left, right)).to_numpy(zero_copy_only=False)
    rows = pa.array(np.flatnonzero(differ))
    scores[differ] = process.cpdist(  # in double precision, as the scorer gives one pair
        take(left, rows).to_pylist(),
        take(right, rows).to_pylist(),
        scorer=scorer,
        workers=1,
        dtype=np.float64,
    )
    missing = pc.or_(pc.is_null(left), pc.is_null(right)).to_numpy(zero_copy_only=False)
    return pa.array(scores, mask=missing)


def _text(table: pa.Table, columns: tuple[str, ...]) -> pa.Array:
    """The columns present joined by spaces, lower case; null where all are missing."""
    present = [one_array(table[c]).cast(pa.string()) for c in columns if c in table.column_names]
    if not present:
        return pa.nulls(table.num_rows, pa.string())
    joined = join_element_wise(*present, " ", null_handling="skip")
    spaced = np.flatnonzero(pc.match_substring(joined, "  ").to_numpy(zero_copy_only=False))
    if len(spaced):  # a run of spaces reads as one (a stray space, an empty value)
        single = pc.replace_substring_regex(take(joined, spaced), " {2,}", " ")
        joined = put(joined, spaced, [single])
    joined = pc.utf8_trim_whitespace(joined)
    return pc.if_else(pc.equal(joined, ""), pa.scalar(None, pa.string()), pc.utf8_lower(joined))


def _name(table: pa.Table) -> pa.Array:
    return _text(table, ("first_name", "last_name"))


def _address(table: pa.Table) -> pa.Array:
    return _text(table, ADDRESS_COLUMNS)


def _same(copies: pa.Table, originals: pa.Table, column: str, normal=None) -> pa.Array:
    """Whether ``column`` reads the same in both once made ``normal`` (null where either is
    missing or the column is not held); without ``normal``, whether the values are equal
    (dates, not their texts). Equal texts are the same whatever ``normal`` does: only the pairs
    that differ are made normal, both sides at once."""
    if column not in copies.column_names or column not in originals.column_names:
        return pa.nulls(copies.num_rows, pa.bool_())
    copy, original = (one_array(t[column]) for t in (copies, originals))
    if normal is None:  # both of one type: their tables share a schema
        return pc.equal(copy, original)
    copy, original = copy.cast(pa.string()), original.cast(pa.string())
    same = pc.equal(copy, original)
    rows = np.flatnonzero(false_where_null(pc.invert(same)).to_numpy(zero_copy_only=False))
    both = normal(pa.concat_arrays([take(copy, rows), take(original, rows)]))
    return put(same, rows, [pc.equal(both[: len(rows)], both[len(rows) :])])


def _metaphone(values: pa.Array) -> pa.Array:
    """The Metaphone code of each value, computed once per distinct value."""
    distinct = pc.unique(values.drop_null())
    codes = pa.array([jellyfish.metaphone(value) for value in distinct.to_pylist()], pa.string())
    return take(codes, pc.index_in(values, value_set=distinct))
