"""A reference matcher for the difficulty presets: simple, transparent and vectorised.

Candidate pairs share a block: the Metaphone code of the family name, or the birth year. Each
pair is scored by fixed weights on Jaro-Winkler of given and family names, exact birth date,
e-mail and phone, and the token-set ratio of the address. ``recall_at_precision`` sweeps the
score for the best recall whose precision still reaches the target; ``recall_within`` and
``recall_across`` give it for deduplicating one system and linking two (``matcher_columns``
reads a system's data as the columns the matcher compares).
"""

from typing import NamedTuple

import jellyfish
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

WEIGHTS = {
    "first_name": 2.0,
    "last_name": 2.0,
    "birth_date": 2.0,
    "email": 3.0,
    "phone": 3.0,
    "address": 1.5,
}
"""How much each agreement adds to a pair's score (a similarity in 0-1 times its weight)."""


class Pairs(NamedTuple):
    """Candidate pairs of records (row positions), their scores and whether they truly match."""

    left: np.ndarray
    right: np.ndarray
    score: np.ndarray
    same: np.ndarray


def _lower(table: pa.Table, column: str) -> list[str]:
    return pc.utf8_lower(table[column].cast(pa.string())).fill_null("").to_pylist()


def _pairs_within(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of rows (i < j) sharing a non-empty key."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    sizes = np.diff(np.r_[starts, len(keys)])
    left, right = [], []
    for start, size in zip(starts[sizes > 1], sizes[sizes > 1], strict=True):
        if sorted_keys[start] == "":
            continue
        i, j = np.triu_indices(size, 1)
        left.append(order[start + i])
        right.append(order[start + j])
    if not left:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(left), np.concatenate(right)


def candidates(records: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """Pairs blocked on the family name's Metaphone code or on the birth year."""
    names = _lower(records, "last_name")
    codes = np.array([jellyfish.metaphone(name) if name else "" for name in names], dtype=object)
    years = np.array([text[:4] for text in _lower(records, "birth_date")], dtype=object)
    pairs = [_pairs_within(keys.astype(str)) for keys in (codes, years)]
    left = np.concatenate([p[0] for p in pairs])
    right = np.concatenate([p[1] for p in pairs])
    low, high = np.minimum(left, right), np.maximum(left, right)
    unique = np.unique(low * len(records) + high)
    return unique // len(records), unique % len(records)


def score(records: pa.Table, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Each candidate pair's score: the weighted sum of its agreements."""
    total = np.zeros(len(left))
    for column in ("first_name", "last_name"):
        values = np.array(_lower(records, column), dtype=object)
        similar = process.cpdist(
            values[left], values[right], scorer=JaroWinkler.normalized_similarity, workers=1
        )
        missing = (values[left] == "") | (values[right] == "")
        total += WEIGHTS[column] * np.where(missing, 0, similar)
    phones = pc.replace_substring_regex(records["phone"].cast(pa.string()), r"\D", "")
    exact = {
        "birth_date": np.array(_lower(records, "birth_date"), dtype=object),
        "email": np.array(_lower(records, "email"), dtype=object),
        "phone": np.array(phones.fill_null("").to_pylist(), dtype=object),
    }
    for column, values in exact.items():
        total += WEIGHTS[column] * ((values[left] == values[right]) & (values[left] != ""))
    address = np.array(
        [" ".join(parts) for parts in zip(*(_lower(records, c) for c in ADDRESS), strict=True)],
        dtype=object,
    )
    ratio = process.cpdist(address[left], address[right], scorer=fuzz.token_set_ratio, workers=1)
    return total + WEIGHTS["address"] * np.asarray(ratio) / 100


ADDRESS = ("address_line1", "address_line2", "city", "postal_code")


def match(records: pa.Table, entity_id: np.ndarray) -> Pairs:
    """Scored candidate pairs of ``records``, with the truth (same ``entity_id``) beside them."""
    left, right = candidates(records)
    return Pairs(left, right, score(records, left, right), entity_id[left] == entity_id[right])


def true_pairs(entity_id: np.ndarray) -> int:
    """How many pairs of records share a person."""
    counts = np.unique(entity_id, return_counts=True)[1]
    return int((counts * (counts - 1) // 2).sum())


def recall_at_precision(pairs: Pairs, total_true: int, precision: float = 0.9) -> float:
    """The best recall over score thresholds whose pairwise precision is at least ``precision``
    (pairs never proposed count as missed)."""
    found, _ = _best_cut(pairs, precision)
    return found / total_true if total_true else 0.0


def threshold_at_precision(pairs: Pairs, precision: float = 0.9) -> float:
    """The lowest score threshold keeping pairwise precision at least ``precision`` (infinite:
    none does)."""
    return _best_cut(pairs, precision)[1]


def _best_cut(pairs: Pairs, precision: float) -> tuple[int, float]:
    """True pairs found, and the score they are found from, at the threshold finding most
    whose pairwise precision is at least ``precision``; (0, inf) when no threshold keeps it."""
    order = np.argsort(-pairs.score, kind="stable")
    found = np.cumsum(pairs.same[order])
    proposed = np.arange(1, len(order) + 1)
    last_of_score = np.r_[pairs.score[order][1:] != pairs.score[order][:-1], True]
    good = np.flatnonzero(last_of_score & (found >= precision * proposed))
    if not len(good):
        return 0, float("inf")
    best = good[np.argmax(found[good])]
    return int(found[best]), float(pairs.score[order][best])


COLUMNS = ("first_name", "last_name", "birth_date", "email", "phone", *ADDRESS)
"""What the matcher compares; a system that lacks one gives it empty."""


def matcher_columns(name: str, data: pa.Table) -> pa.Table:
    """The columns the matcher compares: a till's 'LAST, FIRST' split in two (one part alone
    taken as the family name), what a system does not hold empty."""
    if name == "pos_customers":
        name_pair = data["full_name"]
        data = data.append_column("last_name", pc.replace_substring_regex(name_pair, ", .*$", ""))
        given = pc.replace_substring_regex(name_pair, "^[^,]*, ", "")
        has_given = pc.match_substring(name_pair, ", ")
        data = data.append_column("first_name", pc.if_else(has_given, given, None))
    return pa.table(
        {
            column: data[column].cast(pa.string())
            if column in data.column_names
            else pa.nulls(data.num_rows, pa.string())
            for column in COLUMNS
        }
    )


def recall_within(records: pa.Table, entity: np.ndarray) -> float:
    """Recall at precision 0.9 deduplicating one system."""
    pairs = match(records, entity)
    return recall_at_precision(pairs, true_pairs(entity))


def recall_across(left: tuple[pa.Table, np.ndarray], right: tuple[pa.Table, np.ndarray]) -> float:
    """Recall at precision 0.9 linking two systems: pairs of one record of each."""
    records = pa.concat_tables([left[0], right[0]])
    entity = np.concatenate([left[1], right[1]])
    pairs = match(records, entity)
    side = np.arange(len(entity)) < len(left[1])
    mixed = side[pairs.left] != side[pairs.right]
    kept = Pairs(*(values[mixed] for values in pairs))
    people, counts = np.unique(left[1], return_counts=True)
    in_right = dict(zip(*np.unique(right[1], return_counts=True), strict=True))
    total = sum(int(n) * in_right.get(person, 0) for person, n in zip(people, counts, strict=True))
    return recall_at_precision(kept, total)
