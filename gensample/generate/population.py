"""True people: every attribute a pure function of ``(seed, entity_id)``, generated per block.

People are generated a whole aligned block at a time (``BLOCK_SIZE`` ids from a multiple of it),
so a person never depends on which worker asked for them, nor on the day but for their birth
date (they are adults on the day they are first generated) and for look-alike pairs: a pair is
formed only within the ids asked for together (a day's, or a batch's, new people), so that every
look-alike group of a day's truth is whole in it and twins share a birth date. Households group
neighbouring ids: members share the address, often the family name and sometimes the phone;
they are distinct entities, the hard negatives of a matcher, as are the look-alikes (twins,
juniors and seniors, namesakes: ``lookalikes``).
"""

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample import reference
from gensample.generate import emails, lookalikes, names, places
from gensample.generate.seeding import BLOCK_SIZE, stream
from gensample.settings import Settings

SCHEMA = pa.schema(
    [
        ("entity_id", pa.int64()),
        ("household_id", pa.int64()),
        ("first_name", pa.string()),
        ("middle_name", pa.string()),
        ("last_name", pa.string()),
        ("suffix", pa.string()),
        ("gender", pa.string()),
        ("birth_date", pa.date32()),
        ("email", pa.string()),
        ("phone", pa.string()),
        ("address_line1", pa.string()),
        ("address_line2", pa.string()),
        ("city", pa.string()),
        ("state", pa.string()),
        ("postal_code", pa.string()),
        ("county", pa.string()),
        ("shared_email_with", pa.int64()),
        ("phone_state", pa.string()),
        ("relation", pa.string()),
        ("lookalike_group", pa.int64()),
    ]
)
TRUTH_ONLY = (
    "entity_id",
    "household_id",
    "middle_name",
    "suffix",
    "county",
    "shared_email_with",
    "phone_state",
    "relation",
    "lookalike_group",
)
"""Columns no source system holds as such (a customer account writes the suffix after the
family name)."""
BEFORE_VARIETY = {
    "middle_name": None,
    "suffix": None,
    "shared_email_with": None,
    "phone_state": None,
    "relation": None,
    "lookalike_group": None,
}
"""Columns that people written before issues 15 and 16 lack: empty when read (old archives)."""

REFERENCE_DATE = dt.date(2026, 1, 1)
"""Birth cohorts (the years given names are drawn for) are counted back from this date, so a
person's names never depend on the run date; their birth date is counted back from it."""
AGE_BANDS = np.array([18, 20, 25, 35, 45, 55, 65, 75, 85, 100])
AGE_BAND_SHARES = np.array([0.034, 0.087, 0.176, 0.164, 0.158, 0.166, 0.126, 0.063, 0.026])
"""Adults by age band (from, to the next), US Census Bureau 2020 ACS 5-year estimates (table
S0101), rounded."""
HOUSEHOLD_SIZES = np.array([2, 3, 4, 5])
HOUSEHOLD_SIZE_P = np.array([0.55, 0.2, 0.17, 0.08])
SHARED_FAMILY_NAME_P = 0.8


def people(
    seed: int,
    start: int,
    stop: int,
    household_share: float,
    on: dt.date = REFERENCE_DATE,
    lookalike_shares: lookalikes.Shares = lookalikes.NONE,
) -> pa.Table:
    """The true people with entity ids ``start <= id < stop``, generated on date ``on``, with
    about ``lookalike_shares`` of twins, juniors and seniors, namesakes (none by default)."""
    first_block, last_block = start // BLOCK_SIZE, (stop - 1) // BLOCK_SIZE
    tables = [
        block_people(seed, b, household_share, on, lookalike_shares, (start, stop))
        for b in range(first_block, last_block + 1)
    ]
    offset = start - first_block * BLOCK_SIZE
    return pa.concat_tables(tables).slice(offset, stop - start) if tables else SCHEMA.empty_table()


def prepare() -> None:
    """Read and make the tables people are made from (names, places, phones, streets, e-mail
    domains), once per process: generating people after it reads no packaged table (a test
    checks). A run has a thread do it while it makes the reference datasets, so that the
    workers it forks next start with them instead of each spending 0.2 s of its first block."""
    names.prepare()
    lookalikes.prepare()
    places.prepare()
    reference.email_domains()


def of_settings(settings: Settings, start: int, stop: int, on: dt.date) -> pa.Table:
    """The true people with entity ids ``start <= id < stop`` as ``settings`` make them."""
    chosen = settings.lookalikes
    shares = lookalikes.Shares(chosen.twin_share, chosen.junior_senior_share, chosen.namesake_share)
    return people(settings.seed, start, stop, settings.household_share, on, shares)


def block_people(
    seed: int,
    block: int,
    household_share: float,
    on: dt.date,
    shares: lookalikes.Shares,
    asked: tuple[int, int],
) -> pa.Table:
    """All ``BLOCK_SIZE`` people of aligned block ``block``: adults on date ``on``, each
    look-alike pair within the entity ids ``asked`` (start, stop)."""
    rng = stream(seed, "population", block)
    n = BLOCK_SIZE
    entity_id = np.arange(block * n, (block + 1) * n, dtype=np.int64)
    within = tuple(int(np.clip(bound - block * n, 0, n)) for bound in asked)
    head = household_heads(rng, n, household_share)
    is_female = rng.random(n) < 0.51
    age_days = ages(rng, n)
    cohort = _year(REFERENCE_DATE.toordinal() - age_days)
    shared_family = rng.random(n) < SHARED_FAMILY_NAME_P
    drawn = names.draw(rng, is_female, cohort, age_days // 365.25, head, shared_family)
    alike = stream(seed, "lookalikes", block)
    found = lookalikes.choose(alike, shares, head, is_female, age_days, drawn, within)
    is_female, age_days, drawn = lookalikes.take_after(found, is_female, age_days, drawn)
    drawn = names.renamed_siblings(
        stream(seed, "siblings", block),
        drawn,
        is_female,
        _year(REFERENCE_DATE.toordinal() - age_days),
        head,
        found.juniors.later,
    )
    email, shared_with = emails.addresses(rng, drawn, block, head, entity_id)
    columns = {
        "entity_id": entity_id,
        "household_id": entity_id[head],
        "first_name": drawn.first,
        "middle_name": drawn.middle,
        "last_name": drawn.last,
        "suffix": drawn.suffix,
        "gender": pc.if_else(pa.array(is_female), "F", "M"),
        "birth_date": pa.array(on.toordinal() - EPOCH - age_days, pa.int32()).cast(pa.date32()),
        "email": email,
        "shared_email_with": shared_with,
        **places.addresses(rng, head),
        **lookalikes.labels(found, entity_id),
    }
    lookalikes.share_places(found, columns)
    columns["phone"], columns["phone_state"] = places.state_phones(
        rng, columns.pop("area_code"), columns["state"], head
    )
    return pa.table(columns).select(SCHEMA.names).cast(SCHEMA)


EPOCH = dt.date(1970, 1, 1).toordinal()


def adult_since(birth_date: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """The first second (since the epoch) at which each person is surely 18."""
    days = pc.cast(birth_date, pa.int32()).to_numpy().astype(np.int64)
    return (days + names.ADULT_DAYS) * 86_400


def ages(rng: np.random.Generator, n: int) -> np.ndarray:
    """Ages in whole days of ``n`` adults (18 or more) by the census' age bands."""
    band = np.searchsorted(np.cumsum(AGE_BAND_SHARES), rng.random(n) * AGE_BAND_SHARES.sum())
    band = np.minimum(band, len(AGE_BAND_SHARES) - 1)
    years = AGE_BANDS[band] + rng.random(n) * (AGE_BANDS[band + 1] - AGE_BANDS[band])
    return np.maximum(np.ceil(years * 365.25).astype(np.int64), names.ADULT_DAYS)


def _year(ordinal: np.ndarray) -> np.ndarray:
    """The calendar year of each proleptic Gregorian day ordinal."""
    days = (ordinal - EPOCH).astype("datetime64[D]")
    return days.astype("datetime64[Y]").astype(np.int64) + 1970


def household_heads(rng: np.random.Generator, n: int, household_share: float) -> np.ndarray:
    """Position of each person's household head; about ``household_share`` live with others."""
    mean_size = HOUSEHOLD_SIZES @ HOUSEHOLD_SIZE_P
    multi_p = household_share / (mean_size * (1 - household_share) + household_share)
    sizes = np.where(rng.random(n) < multi_p, rng.choice(HOUSEHOLD_SIZES, n, p=HOUSEHOLD_SIZE_P), 1)
    starts = np.cumsum(sizes) - sizes
    return np.repeat(starts, sizes)[:n]


def relabelled(old: pa.Table, new: pa.Table) -> pa.Table:
    """``new`` versions of ``old`` people with ``shared_email_with`` and ``phone_state`` still
    true: a new address is one's own; a kept number stays of the state it came from (a mover's
    old state), a new one is of the place."""
    new_email = pc.not_equal(old["email"], new["email"])
    shared = pc.if_else(new_email, pa.scalar(None, pa.int64()), old["shared_email_with"])
    origin = pc.coalesce(old["phone_state"], old["state"])
    moved_from = pc.if_else(pc.equal(origin, new["state"]), pa.scalar(None, pa.string()), origin)
    new_phone = pc.not_equal(old["phone"], new["phone"])
    phone_state = pc.if_else(new_phone, pa.scalar(None, pa.string()), moved_from)
    new = new.set_column(SCHEMA.get_field_index("shared_email_with"), "shared_email_with", shared)
    return new.set_column(SCHEMA.get_field_index("phone_state"), "phone_state", phone_state)
