"""Array helpers shared by the corruptions: replacing rows, random picks per row, rules of
substitution, the parts of a string (strings as flat code points: ``code_points``)."""

import re
import sys
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.native.strings import string_bytes
from gensample.native.take import replaced_at, take


def split_at_last(values: pa.Array, mark: str) -> tuple[pa.Array, pa.Array]:
    """Each string up to and with its last ``mark`` (an ASCII character but the line break),
    and the rest: ``extract_regex(values, "^(?P<head>.*@)(?P<tail>[^@]+)$")`` for ``"@"``, null
    where that finds nothing (no mark, nothing after the last one, a line break before it, a
    null). Found in the bytes at once: the expression took 0.5 microseconds a value."""
    assert len(mark) == 1 and mark.isascii() and mark != "\n", "one ASCII character"
    kind = values.type
    offsets, text = string_bytes(values.cast(pa.string()))
    starts, ends = offsets[:-1], offsets[1:]
    marks = np.flatnonzero(text == ord(mark))
    last = np.searchsorted(marks, ends) - 1  # of each row, its last mark's, if any
    at = marks[np.maximum(last, 0)] if len(marks) else np.zeros(len(values), np.int64)
    found = (last >= 0) & (at >= starts) & (at + 1 < ends)
    breaks = np.append(np.flatnonzero(text == ord("\n")), len(text))
    found &= breaks[np.searchsorted(breaks, starts)] > at  # ``.`` reads no line break
    if values.null_count:
        found &= values.is_valid().to_numpy(zero_copy_only=False)
    head, tail = _substrings(text, starts, at + 1, found), _substrings(text, at + 1, ends, found)
    return head.cast(kind), tail.cast(kind)


def _substrings(text: np.ndarray, begin: np.ndarray, end: np.ndarray, kept: np.ndarray) -> pa.Array:
    """The strings ``text[begin:end]`` where ``kept``, null elsewhere."""
    lengths = np.where(kept, end - begin, 0)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    source = np.repeat(begin - offsets[:-1], lengths) + np.arange(offsets[-1])
    buffers = [
        pa.py_buffer(np.packbits(kept, bitorder="little")),
        pa.py_buffer(offsets.astype(np.int32)),
        pa.py_buffer(text[source]),
    ]
    nulls = len(kept) - int(np.count_nonzero(kept))
    return pa.Array.from_buffers(pa.string(), len(kept), buffers, null_count=nulls)


def random_below(counts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One random integer in ``[0, count)`` per element (0 where the count is 0)."""
    return below(rng.random(len(counts)), counts)


def below(fractions: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The integer at ``fractions`` (0 to 1) of ``[0, count)`` per element (0 where the count
    is 0)."""
    return np.minimum((fractions * counts).astype(np.int64), np.maximum(counts - 1, 0))


def choose_other(weights: np.ndarray, current: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Index drawn by ``weights`` for each row, never the row's ``current`` index (-1: none)."""
    per_row = np.tile(np.asarray(weights, dtype=np.float64), (len(current), 1))
    known = current >= 0
    per_row[np.flatnonzero(known), current[known]] = 0.0
    cumulative = np.cumsum(per_row, axis=1)
    target = rng.random(len(current)) * cumulative[:, -1]
    chosen = (cumulative <= target[:, None]).sum(axis=1)
    return np.minimum(chosen, len(weights) - 1)


def match_case(words: pa.Array, like: pa.Array) -> pa.Array:
    """``words`` written in the style of ``like``: all upper, all lower, or title case."""
    upper, lower = pc.utf8_upper(like), pc.utf8_lower(like)
    is_upper = pc.and_(pc.equal(like, upper), pc.not_equal(like, lower))
    is_lower = pc.equal(like, lower)
    styled = pc.if_else(is_lower, pc.utf8_lower(words), pc.utf8_title(words))
    return pc.if_else(is_upper, pc.utf8_upper(words), styled)


def current_index(values: pa.Array, options: pa.Array) -> np.ndarray:
    """Index of each value in ``options`` (-1 when absent or null)."""
    found = pc.index_in(values, value_set=options, skip_nulls=True)
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def substitute_one(
    values: pa.Array, rules: tuple[tuple[str, str], ...], rng: np.random.Generator
) -> pa.Array:
    """Apply one ``(pattern, replacement)`` rule to each value, at its first match, chosen at
    random among the rules that match it; values no rule matches are kept."""
    if not len(values) or not rules:
        return values
    # a missing value stays missing whatever rule it gets; each distinct value searched once
    encoded = values.fill_null("").dictionary_encode()
    distinct, index = encoded.dictionary, encoded.indices.to_numpy()
    patterns = list(dict.fromkeys(pattern for pattern, _ in rules))  # each searched once
    found = pa.concat_arrays([_matches(distinct, pattern) for pattern in patterns])
    by_pattern = found.to_numpy(zero_copy_only=False).reshape(len(patterns), len(distinct))
    matches = by_pattern[[patterns.index(pattern) for pattern, _ in rules]][:, index].T
    return _substitute(values, matches, rules, _replace_first, rng)


def substitute_suffix(
    values: pa.Array, rules: tuple[tuple[str, str], ...], rng: np.random.Generator
) -> pa.Array:
    """Replace the ending of each value by one ``(suffix, replacement)`` rule, chosen at random
    among the rules whose suffix ends it (ignoring the case of ASCII letters); values no rule
    matches are kept. What ``substitute_one`` does with ``(?i)`` patterns anchored at the end,
    with a search for each distinct suffix instead of a regular expression for each rule."""
    if not len(values) or not rules:
        return values
    lower = pc.ascii_lower(values.fill_null(""))
    suffixes = list(dict.fromkeys(suffix.lower() for suffix, _ in rules))
    ends = [pc.ends_with(lower, suffix).to_numpy(zero_copy_only=False) for suffix in suffixes]
    matches = np.stack([ends[suffixes.index(suffix.lower())] for suffix, _ in rules], axis=1)
    return _substitute(values, matches, rules, _replace_suffix, rng)


def _substitute(
    values: pa.Array,
    matches: np.ndarray,
    rules: tuple[tuple[str, str], ...],
    replace: Callable[[pa.Array, str, str], pa.Array],
    rng: np.random.Generator,
) -> pa.Array:
    """``values`` with one rule applied to each, by ``replace(values, *rule)``, drawn among the
    rules ``matches`` (boolean, value by rule) marks for it; values no rule matches are kept."""
    keys = rng.random(matches.shape)
    keys[~matches] = -1.0  # a rule that does not match the row never holds its largest key
    chosen = keys.argmax(axis=1)
    chosen[keys[np.arange(len(keys)), chosen] < 0] = len(rules)  # no rule matches the row
    order, bounds = by_group(chosen, len(rules) + 1)  # the last group: rows no rule matches
    matched = order[: bounds[-2]]
    taken = take(values, matched)
    replaced = [
        replace(taken.slice(start, end - start), *rule)
        for rule, start, end in zip(rules, bounds[:-2], bounds[1:-1], strict=True)
        if end > start
    ]
    return put(values, matched, replaced)


def differs(left: pa.Array | pa.ChunkedArray, right: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Which rows differ between two columns, a value against a null included."""
    unequal = pc.not_equal(left, right)
    if unequal.null_count:  # a value turned missing or back
        one_missing = pc.xor(pc.is_valid(left), pc.is_valid(right))
        unequal = pc.or_(false_where_null(unequal), one_missing)
    return unequal.to_numpy(zero_copy_only=False)


def false_where_null(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Booleans with their nulls made false: ``fill_null(False)`` as two bitmap operations
    (Arrow fills the nulls of booleans a value at a time, about 6 ns each)."""
    return pc.and_kleene(values, pc.is_valid(values)) if values.null_count else values


def by_group(group: np.ndarray, groups: int) -> tuple[np.ndarray, np.ndarray]:
    """The positions of ``group`` (each below ``groups``) ordered by group, keeping their order
    within a group, and the bounds of the groups: ``g`` is ``order[bounds[g]:bounds[g + 1]]``."""
    # as the smallest integers that hold them: NumPy sorts those by radix, in linear time
    order = np.argsort(group.astype(np.min_scalar_type(groups)), kind="stable")
    return order, np.concatenate([[0], np.cumsum(np.bincount(group, minlength=groups))])


def put(values: pa.Array, rows: np.ndarray, pieces: list[pa.Array]) -> pa.Array:
    """``values`` with ``rows`` (distinct) replaced by the values of ``pieces``, one after the
    other."""
    if not len(rows):
        return values
    if every_row(rows, len(values)):
        return pa.concat_arrays(pieces) if len(pieces) > 1 else pieces[0]
    return replaced_at(values, rows, pa.concat_arrays(pieces) if len(pieces) > 1 else pieces[0])


def every_row(rows: np.ndarray, n: int) -> bool:
    """Whether ``rows`` are all the ``n`` rows of a table, in order."""
    return len(rows) == n and np.array_equal(rows, np.arange(n))


def _is_literal(pattern: str) -> bool:
    """Whether a regular expression matches only its own text (no special characters)."""
    return re.escape(pattern) == pattern


def _matches(text: pa.Array, pattern: str) -> pa.Array:
    """Which values of ``text`` hold a match of ``pattern`` (a plain search when it is literal
    text)."""
    if _is_literal(pattern):
        return pc.match_substring(text, pattern)
    return pc.match_substring_regex(text, pattern)


def _replace_first(values: pa.Array, pattern: str, replacement: str) -> pa.Array:
    """``values`` with the first match of ``pattern`` replaced (plainly when both are literal
    text: a literal replacement has no group references)."""
    if _is_literal(pattern) and "\\" not in replacement:
        return pc.replace_substring(values, pattern, replacement, max_replacements=1)
    return pc.replace_substring_regex(values, pattern, replacement, max_replacements=1)


def _replace_suffix(values: pa.Array, suffix: str, replacement: str) -> pa.Array:
    """``values``, each ending with ``suffix`` (in any case of its ASCII letters, so as many
    characters), with that ending replaced."""
    return pc.utf8_replace_slice(values, -len(suffix), sys.maxsize, replacement)
