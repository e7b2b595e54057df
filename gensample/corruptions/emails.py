"""E-mail variants: plus tags, dots in the local part, and mistyped domains."""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.corruptions.arrays import substitute_suffix
from gensample.corruptions.code_points import (
    from_code_points,
    insert_points,
    pick_one_per_row,
    to_code_points,
)
from gensample.native.strings import join_element_wise
from gensample.native.take import take

PLUS_TAGS = ("shop", "news", "promo", "store", "deals", "1", "retail")
"""Tags people add after a '+' to sort a shop's mail."""
_ADDRESS = r"^(?P<local>[^@+]+)(?P<tag>\+[^@]*)?(?P<domain>@[^@]+)$"

DOMAIN_TYPOS = {
    "gmail.com": ("gmial.com", "gmal.com", "gmail.co", "gmai.com", "gnail.com", "gmail.cm"),
    "yahoo.com": ("yaho.com", "yahooo.com", "yahoo.co", "yhoo.com"),
    "hotmail.com": ("hotmial.com", "hotmai.com", "hotmail.co", "hotmal.com"),
    "outlook.com": ("outlok.com", "outllok.com", "outlook.co"),
    "aol.com": ("aol.co", "aoll.com", "aol.cm"),
    "icloud.com": ("icoud.com", "icloud.co", "iclod.com"),
    "comcast.net": ("comcast.com", "comcat.net", "comcast.ner"),
}
"""Common provider domain -> the ways people mistype it."""
_DOMAIN_RULES = (
    *((f"@{domain}", f"@{typo}") for domain, typos in DOMAIN_TYPOS.items() for typo in typos),
    (".com", ".con"),
    (".net", ".nte"),
)
"""(ending, mistyped ending) of an address, in any case."""


def add_plus_tag(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Add a '+tag' to the local part, or drop the one there: 'ann@x.com' -> 'ann+shop@x.com'."""
    parts = pc.extract_regex(values, _ADDRESS)
    local, domain = pc.struct_field(parts, "local"), pc.struct_field(parts, "domain")
    tag = take(pa.array(PLUS_TAGS), rng.integers(0, len(PLUS_TAGS), len(values)))
    tagged = join_element_wise(local, "+", tag, domain, "")
    untagged = join_element_wise(local, domain, "")
    has_tag = pc.greater(pc.utf8_length(pc.struct_field(parts, "tag")), 0)
    return pc.coalesce(pc.if_else(has_tag, untagged, tagged), values)


def change_email_dots(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Drop a dot from the local part, or add one inside it: 'ann.lee@x.com' -> 'annlee@x.com',
    'annlee@x.com' -> 'ann.lee@x.com' (a mailbox that ignores dots reads both)."""
    parts = pc.extract_regex(values, r"^(?P<local>[^@+]+)(?P<domain>(?:\+[^@]*)?@[^@]+)$")
    local, domain = pc.struct_field(parts, "local"), pc.struct_field(parts, "domain")
    undotted = pc.replace_substring(local, ".", "", max_replacements=1)
    text = to_code_points(local)
    inside = np.ones(len(text.points), dtype=bool)
    inside[text.starts[:-1][text.lengths > 0]] = False  # a dot never starts the local part
    dots = np.full(len(local), ord("."), dtype=np.uint32)
    dotted = from_code_points(
        insert_points(text, pick_one_per_row(inside, text.starts, rng), dots), local
    )
    new_local = pc.if_else(pc.match_substring(local, "."), undotted, dotted)
    return pc.coalesce(join_element_wise(new_local, domain, ""), values)


def misspell_email_domain(values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Mistype the provider: 'ann@gmail.com' -> 'ann@gmial.com'; other '.com' -> '.con'."""
    return substitute_suffix(values, _DOMAIN_RULES, rng)
