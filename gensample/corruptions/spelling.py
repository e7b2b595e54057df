"""Errors of reading and hearing: OCR confusions, phonetic misspellings, diacritics."""

import unicodedata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.corruptions.arrays import match_case, put, substitute_one
from gensample.corruptions.code_points import (
    CodePoints,
    from_code_points,
    pick_one_per_row,
    to_code_points,
)
from gensample.native.take import take

OCR_CONFUSIONS = (
    ("rn", "m"), ("m", "rn"), ("cl", "d"), ("d", "cl"), ("vv", "w"), ("w", "vv"),
    ("O", "0"), ("0", "O"), ("o", "0"), ("1", "l"), ("l", "1"), ("I", "l"), ("l", "I"),
    ("S", "5"), ("5", "S"), ("B", "8"), ("8", "B"), ("Z", "2"), ("2", "Z"), ("e", "c"),
    ("h", "b"), ("g", "q"), ("6", "b"), ("u", "ii"), ("n", "ri"),
)  # fmt: skip
"""(read, written): characters a scanner or a hurried reader takes for others."""

SOUNDS_ALIKE = (
    (r"ph", "f"), (r"ff", "ph"), (r"([aeiou])f([aeiouy]|$)", r"\1ph\2"), (r"ck", "k"),
    (r"([aeiou])k", r"\1ck"), (r"([a-z])ie", r"\1ei"), (r"([a-z])ei", r"\1ie"), (r"^kn", "n"),
    (r"^wr", "r"), (r"mb$", "m"), (r"ll", "l"), (r"tt", "t"), (r"nn", "n"), (r"ss", "s"),
    (r"rr", "r"), (r"([aeiou])([lnrt])([aeiouy])", r"\1\2\2\3"),
    (r"(^|[^ck])c([aou])", r"\1k\2"), (r"(^|[^ck])k([aou])", r"\1c\2"),
    (r"(^|[^cs])c([ei])", r"\1s\2"), (r"([a-z])ey$", r"\1y"), (r"([a-z])y$", r"\1ie"),
    (r"([a-z])x", r"\1ks"), (r"([a-z])ee", r"\1ea"), (r"([a-z])oo", r"\1ou"), (r"([^sz])z", r"\1s"),
    (r"([^sz])s$", r"\1z"),
)  # fmt: skip
"""(sound, spelling) in lower case: spellings that sound the same (ph/f, ck/k, ie/ei, silent
letters, doubled consonants); they keep the name's Metaphone code."""

ACCENTED = {"a": "á", "e": "é", "i": "í", "o": "ó", "u": "ü", "n": "ñ", "c": "ç"}
"""Plain letter -> the accented one added to it (a foreign keyboard, a name's own spelling)."""
_PLAIN = np.zeros(128, dtype=np.uint32)
for _plain, _accented in ACCENTED.items():
    _PLAIN[ord(_plain)] = ord(_accented)


def make_ocr_error(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Read one character as a look-alike, as a scanner does: 'Morris' -> 'Monis', 'O' -> '0'."""
    return substitute_one(values, OCR_CONFUSIONS, rng)


def misspell_phonetically(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Spell it as it sounds, keeping the case style: 'Philip' -> 'Filip', 'Neil' -> 'Niel'."""
    lower = pc.utf8_lower(values)
    spelt = substitute_one(lower, SOUNDS_ALIKE, rng)
    return pc.if_else(pc.equal(spelt, lower), values, match_case(spelt, values))


def remove_diacritics(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Type the letters without their accents: 'José Peña' -> 'Jose Pena'."""
    ascii_only = pc.string_is_ascii(values).fill_null(True).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(~ascii_only)  # an accent needs a letter outside ASCII
    if not len(rows):
        return values
    accented = take(values, rows)
    decomposed = pc.utf8_normalize(accented, "NFD")
    stripped = _without_marks(decomposed)
    plain = pc.if_else(pc.equal(stripped, decomposed), accented, pc.utf8_normalize(stripped, "NFC"))
    return put(values, rows, [plain])


def _without_marks(values: pa.Array) -> pa.Array:
    """``values`` without their nonspacing marks (Unicode category Mn: the accents NFD splits
    from their letters), found among the distinct code points (a regular expression of the
    category costs 0.4 ms to compile, on every call)."""
    text = to_code_points(values)
    distinct = np.unique(text.points)
    marks = distinct[[unicodedata.category(chr(point)) == "Mn" for point in distinct]]
    kept = ~np.isin(text.points, marks)
    starts = np.concatenate([[0], np.cumsum(kept)])[text.starts]
    return from_code_points(CodePoints(text.points[kept], starts), values)


def add_diacritic(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Put an accent on one plain letter (not the first): 'Jose' -> 'José', 'Pena' -> 'Peña'."""
    text = to_code_points(values)
    accented = np.where(text.points < 128, _PLAIN[np.minimum(text.points, 127)], 0)
    not_first = np.ones(len(text.points), dtype=bool)
    not_first[text.starts[:-1][text.lengths > 0]] = False
    positions = pick_one_per_row((accented > 0) & not_first, text.starts, rng)
    points = text.points.copy()
    hit = positions[positions >= 0]
    points[hit] = accented[hit]
    return from_code_points(CodePoints(points, text.starts), values)
