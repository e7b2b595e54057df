"""E-mail addresses unique to each person, as a real provider hands them out.

People choose a local part from their name in one of the ``FORMS`` people use (``jeremy.baker``,
``jbaker``...) at a weighted domain. Like a real provider's namespace, a plain form is taken
once, by an early registrant; others asking for it get a number (``jeremybaker7``,
``jeremy.baker_52``), which grows as the namespace fills: with the block of ids and with the rank
of the person among the block's people asking for the same letters at the same domain. Of the
first block, ``PLAIN_SHARE`` of such letters stay plain; the others start at a number of their
own (from a hash of letters and domain), as on a provider where someone took the plain form.

Guaranteed, at any size and over any days: no two people get the same address (nor two that
Gmail, which ignores dots, reads as one) unless one deliberately shares a household member's
(labelled ``shared_email_with``). Proof: letters never end in a digit and numbers never start
with 0, so an address splits one way into letters, separator and number; the number is the
Cantor pairing of (block, rank), a bijection, plus an offset fixed by the letters (without
dots) and domain; the rank is counted among the people of one block with the same ones. Letters
depend only on the entity id, never on the run date, so a block generated again on another day
ranks its people the same way.
"""

import datetime as dt
import string

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample import reference
from gensample.generate.names import Names, in_row_order, of_heads
from gensample.native.strings import join_element_wise, padded_prefixes, ranks_in_groups
from gensample.native.take import one_array, take
from gensample.reference import Pool

FORMS = (  # (form, share) of the local parts people choose
    ("{f}.{l}", 0.24),
    ("{f}{l}", 0.18),
    ("{i}{l}", 0.14),
    ("{f}_{l}", 0.04),
    ("{f}{m}{l}", 0.06),
    ("{i}{m}{l}", 0.04),
    ("{l}.{f}", 0.03),
    ("{l}{i}", 0.05),
    ("{f}{j}", 0.06),
    ("{f}", 0.10),
    ("{l}", 0.06),
)
"""f: first name, l: family name, i and j: their initials, m: middle initial ('' if none)."""
SEPARATORS = Pool(pa.array(["", ".", "_"]), np.array([0.7, 0.2, 0.1]))
"""What people put between their letters and a number."""
PLAIN_SHARE = 0.35
"""Share of letters and domains whose plain form is free for the first person asking."""
LARGEST_START = 99
"""The others start at a number from 1 to this."""
SHARED_EMAIL_SHARE = 0.12
"""Share of people living with others who use their household head's address."""


def addresses(
    rng: np.random.Generator, names: Names, block: int, head: np.ndarray, entity_id: np.ndarray
) -> tuple[pa.Array, pa.Array]:
    """Each person of block ``block`` (``head``: household head positions): their address,
    and the entity id whose address they share (null: their own)."""
    n = len(head)
    letters = local_letters(rng, names)
    domains = reference.email_domains()
    domain_index = domains.draw(rng, n)
    domain = take(domains.values, domain_index)
    separator = take(SEPARATORS.values, SEPARATORS.draw(rng, n))
    shared = (rng.random(n) < SHARED_EMAIL_SHARE) & (head != np.arange(n))
    dotless = pc.replace_substring(letters, ".", "")
    rank = _ranks_at_domain(dotless, domain_index, len(domains.values), ~shared)
    code = first_numbers(dotless, domain_index) + cantor(block, rank)
    number = pc.cast(pa.array(code), pa.string())
    local = pc.if_else(
        pa.array(code > 0), join_element_wise(letters, separator, number, ""), letters
    )
    own = join_element_wise(local, domain, "@")
    email = of_heads(own, head, shared)
    return email, pa.array(entity_id[head], mask=~shared)


def local_letters(rng: np.random.Generator, names: Names) -> pa.Array:
    """The letters of each person's local part, in the form they choose."""
    n = len(names.first_email)
    shares = np.array([share for _, share in FORMS])
    form = rng.choice(len(FORMS), n, p=shares / shares.sum())
    parts = {
        "f": names.first_email,
        "l": names.last_email,
        "i": pc.utf8_slice_codeunits(names.first_email, 0, 1),
        "j": pc.utf8_slice_codeunits(names.last_email, 0, 1),
        "m": names.middle_email,
    }
    pieces, rows = [], []
    for index, (text, _) in enumerate(FORMS):  # each form only on its own rows
        selected = pa.array(np.flatnonzero(form == index))
        pieces.append(_fill(text, {key: take(parts[key], selected) for key in _keys(text)}))
        rows.append(selected.to_numpy())
    return in_row_order(pieces, rows)


def _ranks_at_domain(
    letters: pa.Array, domain: np.ndarray, domains: int, counted: np.ndarray
) -> np.ndarray:
    """How many ``counted`` rows before each row hold the same letters at the same domain (its
    index among ``domains``): in one pass of the compiled library where it is installed."""
    compiled = ranks_in_groups(letters, domain, counted)
    if compiled is not None:
        return compiled
    return ranks(_letters_at_domain(letters, domain, domains), counted)


def _letters_at_domain(letters: pa.Array, domain: np.ndarray, domains: int) -> np.ndarray:
    """A number for each pair of letters and domain (its index among ``domains``), the same
    for the same pair."""
    code = pc.dictionary_encode(letters).indices.to_numpy().astype(np.int64)
    return code * domains + domain


def _keys(form: str) -> set[str]:
    """The parts a form uses."""
    return {key for _, key, _, _ in string.Formatter().parse(form) if key}


def _fill(form: str, parts: dict[str, pa.Array]) -> pa.Array:
    """Assemble ``form`` like "{f}.{l}" from the part arrays, all rows at once."""
    pieces = []
    for literal, key, _, _ in string.Formatter().parse(form):
        if literal:
            pieces.append(literal)
        if key:
            pieces.append(parts[key])
    return join_element_wise(*pieces, "")


def ranks(group: np.ndarray, counted: np.ndarray) -> np.ndarray:
    """How many ``counted`` rows of each row's group come before it (its rank in the group)."""
    order = np.argsort(group, kind="stable")
    sorted_group, weight = group[order], counted[order].astype(np.int64)
    before = np.cumsum(weight) - weight
    starts = np.flatnonzero(np.r_[True, sorted_group[1:] != sorted_group[:-1]])
    first = np.repeat(starts, np.diff(np.r_[starts, len(group)]))
    rank = np.empty_like(before)
    rank[order] = before - before[first]
    return rank


def first_numbers(letters: pa.Array, domain: np.ndarray) -> np.ndarray:
    """The number people start from for their letters (without dots) at a domain (its index):
    0 (plain) for ``PLAIN_SHARE`` of them, else 1 to ``LARGEST_START``, from a hash of the first
    ``HASHED_LETTERS`` letters and the domain (a function of the letters and domain alone)."""
    hashed = _hashes(letters, domain)
    plain = (hashed >> np.uint64(40)) % np.uint64(1000) < PLAIN_SHARE * 1000
    start = 1 + (hashed % np.uint64(LARGEST_START)).astype(np.int64)
    return np.where(plain, 0, start)


def _hashes(letters: pa.Array, domain: np.ndarray) -> np.ndarray:
    """A 64-bit hash of the first ``HASHED_LETTERS`` letters (ASCII: ``email_spelling``'s) and
    the domain (its index)."""
    letters = one_array(letters)
    words = padded_prefixes(letters, HASHED_LETTERS)
    if words is None:  # no compiled library
        padded = pc.utf8_rpad(pc.utf8_slice_codeunits(letters, 0, HASHED_LETTERS), HASHED_LETTERS)
        words = np.frombuffer(padded.buffers()[2], np.uint8, len(letters) * HASHED_LETTERS)
    words = words.view(np.uint64).reshape(len(letters), HASHED_LETTERS // 8)
    with np.errstate(over="ignore"):  # arithmetic modulo 2**64
        hashed = domain.astype(np.uint64) * HASH_MULTIPLIERS[-1]
        for column in range(words.shape[1]):
            hashed ^= words[:, column] * HASH_MULTIPLIERS[column]
            hashed ^= hashed >> np.uint64(29)
            hashed *= HASH_MULTIPLIERS[-1]
    return hashed


HASHED_LETTERS = 24
HASH_MULTIPLIERS = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xBF58476D1CE4E5B9], np.uint64
)


def cantor(block: int, rank: np.ndarray) -> np.ndarray:
    """The Cantor pairing of (block, rank): a bijection onto 0, 1, 2...; 0 only for (0, 0)."""
    total = block + rank
    return total * (total + 1) // 2 + rank


def changed_addresses(rng: np.random.Generator, names: Names, day: dt.date) -> pa.Array:
    """Addresses people take on ``day`` when they change theirs: letters in a form people use at
    a weighted domain, then a separator and a number written with a leading 0 ("jbaker_0418207").

    Guaranteed free, against every address ``addresses`` gives (whose numbers never start
    with 0) and every other changed one: the number is the day's code (``day_codes``, one per
    day for given letters and domain) plus ``CODES`` times the person's rank among those who
    take the same letters (without dots) at the same domain that day.
    """
    n = len(names.first_email)
    letters = local_letters(rng, names)
    domains = reference.email_domains()
    domain_index = domains.draw(rng, n)
    separator = take(SEPARATORS.values, SEPARATORS.draw(rng, n))
    dotless = pc.replace_substring(letters, ".", "")
    rank = _ranks_at_domain(dotless, domain_index, len(domains.values), np.ones(n, bool))
    code = day_codes(_hashes(dotless, domain_index), day) + CODES * rank
    number = join_element_wise("0", pc.cast(pa.array(code), pa.string()), "")
    local = join_element_wise(letters, separator, number, "")
    return join_element_wise(local, take(domains.values, domain_index), "@")


CODES = 1_000_000
"""Day codes are below this: days up to 500,000 (1,369 years) either side of ``CODE_EPOCH`` get
codes of their own, so every run date gensample allows (1900 to 2999) does."""
CODE_EPOCH = dt.date(2000, 1, 1)
CODE_STEP = 387_419  # coprime with CODES: consecutive days get codes far apart


def day_codes(hashes: np.ndarray, day: dt.date) -> np.ndarray:
    """The code of ``day`` for each hash of letters and domain: for a given hash, a different
    code on every day (days since ``CODE_EPOCH``, folded onto 0, 1, 2... and spread)."""
    since = (day - CODE_EPOCH).days
    folded = 2 * since if since >= 0 else -2 * since - 1
    if folded >= CODES:
        raise ValueError(f"{day} is too far from {CODE_EPOCH} for e-mail day codes")
    return ((hashes % np.uint64(CODES)).astype(np.int64) + folded * CODE_STEP) % CODES
