"""Identity drift: between days, people the archive holds move house, change e-mail or phone, or
take a new family name, and some accounts close.

Source systems send these as updates: the record's id, its current row with the new values, a
new ``updated_at`` and ``operation = U``. A person who changes gets the new clean values on every
archived record of theirs, originals and duplicates alike; the record's other corruptions stay,
and the truth drops the labels of the fields written anew. Who changes, how, and which records
close is drawn from streams named by the run date, so a re-run of a day over the same archive
changes the same people the same way.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample import reference
from gensample.corruptions import arrays, fuzzmap
from gensample.daily.current_state import CurrentState, Existing
from gensample.daily.reinjection import Picked
from gensample.generate import emails, names, places, population, truth, variants
from gensample.generate.datasets import customers
from gensample.generate.datasets.common import repeat
from gensample.generate.seeding import stream
from gensample.settings import Settings


@dataclass(frozen=True)
class Change:
    """A kind of change in someone's life: its share of all changes, and the columns it sets."""

    name: str
    share: float
    columns: tuple[str, ...]


ADDRESS = ("address_line1", "address_line2", "city", "state", "postal_code", "county")
CHANGES = (
    Change("move_house", 0.40, ADDRESS),
    Change("new_email", 0.25, ("email",)),
    Change("new_phone", 0.20, ("phone",)),
    Change("change_family_name", 0.06, ("last_name",)),
    Change("change_family_name_and_email", 0.09, ("last_name", "email")),
)
"""What people change, by share: a new family name (marriage, 15%) brings a new e-mail 60% of
the time. A move sets the whole address (a system stores what the person types, all of it)."""
CLOSED = "closed"
REDRAWS = 20  # a new value equal to the old one is drawn again, at most this many times
_NONE = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class Changes:
    """What a day changes in records and people the archive already holds."""

    rows: pa.Table  # update rows (customers SCHEMA, operation U), in record id order
    truth: pa.Table  # their truth rows (RECORDS_SCHEMA)
    people: pa.Table  # ENTITIES_SCHEMA: the given people as they are at the end of the day
    history: pa.Table  # HISTORY_SCHEMA: each changed person's old version, closed, and new one
    closures: int  # records closed


NO_CHANGES = Changes(
    customers.SCHEMA.empty_table(),
    truth.RECORDS_SCHEMA.empty_table(),
    truth.ENTITIES_SCHEMA.empty_table(),
    truth.HISTORY_SCHEMA.empty_table(),
    0,
)


def of_batch(
    settings: Settings,
    date: dt.date,
    known: CurrentState | None,
    picks: list[Picked],
    first: bool,
) -> Changes:
    """The batch's drift and closures of ``known`` people and records (in a day's ``first``
    batch only), with the current version of those people and of the people ``picks`` holds.

    Without a state (``known`` is None: no drift ever) archived versions are current.
    """
    if known is None:
        return NO_CHANGES
    picked = [pick.records["entity_id"].to_numpy() for pick in picks]
    people, closing = choose(settings, date, known) if first else (_NONE, _NONE)
    records = np.union1d(known.records_of(people), closing)
    people_now = np.union1d(known.people_of(records), np.concatenate([_NONE, *picked]))
    return changes(settings, date, known.existing(records, people_now), people, closing)


def choose(settings: Settings, date: dt.date, known: CurrentState) -> tuple[np.ndarray, np.ndarray]:
    """Who changes on ``date`` (entity ids) and which open records close (record ids).

    Exactly ``drift_share`` of the people whose current version's start is known, and
    ``closure_share`` of the open records, rounded; both ascending.
    """
    day = date.toordinal()
    people, opened = known.changeable_people(), known.open_records()
    return (
        _sample(stream(settings.seed, "drift", "people", day), people, settings.drift_share),
        _sample(stream(settings.seed, "drift", "closures", day), opened, settings.closure_share),
    )


def _sample(rng: np.random.Generator, values: np.ndarray, share: float) -> np.ndarray:
    """``round(share * len(values))`` of ``values``, without replacement, ascending."""
    return np.sort(rng.choice(values, round(share * len(values)), replace=False))


def changes(
    settings: Settings, date: dt.date, existing: Existing, people: np.ndarray, closing: np.ndarray
) -> Changes:
    """The changes of ``people`` and the closure of ``closing`` records on ``date``.

    ``existing`` holds the current rows of every record of those people and of ``closing``, and
    the current version of those people (others in it are passed through unchanged).
    """
    rng = stream(settings.seed, "drift", "changes", date.toordinal())
    changing = np.isin(existing.people["entity_id"].to_numpy(), people)
    old = existing.people.filter(pa.array(changing))
    kind = rng.choice(len(CHANGES), old.num_rows, p=_shares())
    new = new_versions(rng, old.select(truth.ENTITIES_SCHEMA.names), kind, date)
    rows, records = update_rows(rng, existing, new, kind, closing, date)
    history = pa.concat_tables(
        [truth.history_rows(old, old["valid_from"], date), truth.history_rows(new, date, None)]
    )
    current = _replace(existing.people.select(truth.ENTITIES_SCHEMA.names), changing, new)
    order = [("entity_id", "ascending"), ("valid_from", "ascending")]
    return Changes(rows, records, current, history.sort_by(order), len(closing))


def _shares() -> np.ndarray:
    shares = np.array([change.share for change in CHANGES])
    return shares / shares.sum()


def _sets(kind: np.ndarray) -> dict[str, np.ndarray]:
    """For every person column, which rows set it anew by their ``kind`` of change (-1: none)."""
    return {
        column: np.isin(kind, [i for i, change in enumerate(CHANGES) if column in change.columns])
        for column in truth.ENTITIES_SCHEMA.names
    }


def new_versions(
    rng: np.random.Generator, old: pa.Table, kind: np.ndarray, date: dt.date
) -> pa.Table:
    """People (ENTITIES_SCHEMA) after a change of ``kind`` (positions in CHANGES) each on
    ``date``.

    New values come from the same reference data and helpers as new people's: family names by
    the census with its rare tail, phones in the area code of the person's place, e-mail
    addresses no one else has had (``emails.changed_addresses``). Household ids stay (a move is
    one person's, the household they were generated in is still named).
    """
    sets = _sets(kind)
    new = {name: old[name].combine_chunks() for name in old.column_names}
    drawn = places.addresses(rng, np.arange(old.num_rows))
    drawn["last_name"] = _fresh(
        lambda rows: names.family_names(rng, len(rows))[0], new["last_name"]
    )
    for column in (*ADDRESS, "last_name"):
        new[column] = pc.if_else(pa.array(sets[column]), drawn[column], new[column])
    taking = np.flatnonzero(sets["email"])
    changing = names.of_people(pa.table(new).take(pa.array(taking)))
    email = emails.changed_addresses(rng, changing, date)
    phone = _fresh(lambda rows: _phones(rng, old, rows), new["phone"])
    new["email"] = arrays.put(new["email"], taking, [email])
    new["phone"] = pc.if_else(pa.array(sets["phone"]), phone, new["phone"])
    return population.relabelled(old, pa.table(new, schema=truth.ENTITIES_SCHEMA))


def _fresh(draw: Callable[[np.ndarray], pa.Array], old: pa.Array) -> pa.Array:
    """``draw(rows)`` for every row, drawn again (up to REDRAWS times) where it equals ``old``."""
    values = draw(np.arange(len(old)))
    for _ in range(REDRAWS):
        same = np.flatnonzero(_numpy(pc.fill_null(pc.equal(values, old), False)))
        if not len(same):
            break
        source = np.arange(len(old))
        source[same] = len(old) + np.arange(len(same))
        values = pa.concat_arrays([values, draw(same)]).take(pa.array(source))
    return values


def _phones(rng: np.random.Generator, people: pa.Table, rows: np.ndarray) -> pa.Array:
    """New numbers of ``rows`` in the area code of their place (else of their old number)."""
    known, chosen = reference.populated_places(), people.take(pa.array(rows))
    found = pc.index_in(chosen["postal_code"], value_set=known["postal_code"])
    area = pc.coalesce(
        known["area_code"].take(found), pc.utf8_slice_codeunits(chosen["phone"], 1, 4)
    )
    return places.phones(rng, area.combine_chunks(), np.arange(len(rows)))


def update_rows(
    rng: np.random.Generator,
    existing: Existing,
    new: pa.Table,
    kind: np.ndarray,
    closing: np.ndarray,
    date: dt.date,
) -> tuple[pa.Table, pa.Table]:
    """Update rows of the records in ``existing``, with their truth rows.

    A record of a changed person (``new``, by ``kind``) gets the new clean values in the
    columns the change sets; a record in ``closing`` gets ``account_status = closed``.
    """
    rows, records = existing.customers, existing.records
    labels = records["corruptions"].combine_chunks()
    person = pc.index_in(records["entity_id"].combine_chunks(), value_set=new["entity_id"])
    changed = _numpy(person.is_valid())
    row_kind = np.full(rows.num_rows, -1)
    row_kind[changed] = kind[_numpy(person.filter(changed))]
    replaced = _replaced(_sets(row_kind), labels)
    now = new.take(person)
    columns = {name: rows[name] for name in customers.SCHEMA.names}
    for name in customers.PERSON_COLUMNS:
        columns[name] = pc.if_else(pa.array(replaced[name]), now[name], rows[name])
    closed = pc.is_in(rows["customer_id"], pa.array(closing, pa.int64()))
    columns["account_status"] = pc.if_else(closed, CLOSED, rows["account_status"])
    columns["updated_at"] = _moments(rng, rows.num_rows, date)
    columns["operation"] = repeat(customers.UPDATE, rows.num_rows)
    labels = _drop_labels(labels, replaced)
    carried = _drop_variations(records["variations"].combine_chunks(), replaced)
    records = records.set_column(
        records.schema.get_field_index("corruptions"), "corruptions", labels
    )
    return (
        pa.table(columns, schema=customers.SCHEMA),
        records.set_column(records.schema.get_field_index("variations"), "variations", carried),
    )


def _replaced(sets: dict[str, np.ndarray], labels: pa.Array) -> dict[str, np.ndarray]:
    """The columns each record row gets anew: those its change sets, and every column of a
    corruption spanning one of them (a swapped name is written again whole)."""
    replaced = dict(sets)
    for field, columns in fuzzmap.FIELD_COLUMNS.items():
        labelled = pc.fill_null(pc.match_substring_regex(labels, f"(^|;){field}:"), False)
        spans = _numpy(labelled) & np.logical_or.reduce([replaced[c] for c in columns])
        for column in columns:
            replaced[column] = replaced[column] | spans
    return replaced


def _drop_labels(labels: pa.Array, replaced: dict[str, np.ndarray]) -> pa.Array:
    """``labels`` without the corruptions of the fields written anew on each row."""
    for field in fuzzmap.DEFAULT_FUZZ_MAP:
        columns = fuzzmap.FIELD_COLUMNS.get(field, (field,))
        rows = np.logical_or.reduce([replaced[column] for column in columns])
        stripped = pc.replace_substring_regex(labels, f"(^|;){field}:[a-z_]+", "")
        labels = pc.if_else(pa.array(rows), stripped, labels)
    return fuzzmap.join_labels([labels], len(labels))


def _drop_variations(variations: pa.Array, replaced: dict[str, np.ndarray]) -> pa.Array:
    """``variations`` without those whose columns are written anew on each row (a record
    that held an earlier address shows the new one after a move)."""
    variations = variations.fill_null("")
    for variation, columns in variants.COLUMNS.items():
        rows = np.logical_or.reduce([replaced[column] for column in columns])
        stripped = pc.replace_substring_regex(variations, f"(^|;){variation}", "")
        variations = pc.if_else(pa.array(rows), stripped, variations)
    return fuzzmap.join_labels([variations], len(variations))


def _moments(rng: np.random.Generator, n: int, date: dt.date) -> pa.Array:
    """``n`` times (to the second) within ``date``."""
    start = (date - dt.date(1970, 1, 1)).days * 86_400
    return pa.array(start + rng.integers(0, 86_400, n), pa.timestamp("s"))


def _replace(table: pa.Table, rows: np.ndarray, new: pa.Table) -> pa.Table:
    """``table`` with the rows where ``rows`` is true replaced, in order, by those of ``new``."""
    source = np.arange(table.num_rows)
    source[rows] = table.num_rows + np.arange(new.num_rows)
    return pa.concat_tables([table, new.cast(table.schema)]).take(pa.array(source))


def _numpy(values: pa.Array) -> np.ndarray:
    return values.to_numpy(zero_copy_only=False)
