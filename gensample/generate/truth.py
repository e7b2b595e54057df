"""The truth contract: who is who, as tables written beside the data."""

import datetime as dt
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.generate import population, similarity
from gensample.native.take import take

RECORDS_SCHEMA = pa.schema(
    [
        ("dataset", pa.string()),
        ("record_id", pa.int64()),
        ("entity_id", pa.int64()),
        ("kind", pa.string()),
        ("duplicate_of", pa.int64()),
        ("corruptions", pa.string()),
        ("variations", pa.string()),
        *similarity.SCHEMA,
    ]
)
"""``truth/records.csv``: every identity record of every dataset, exactly once, with each
duplicate's similarity to the record it copies."""
BEFORE_SIMILARITY = {name: None for name in ("variations", *similarity.SCHEMA.names)}
"""Record columns that truth files written before variations and similarity lack: empty when
read."""

ENTITIES_SCHEMA = population.SCHEMA
"""``truth/entities.csv``: the clean person behind each ``entity_id``."""

HISTORY_SCHEMA = ENTITIES_SCHEMA.append(pa.field("valid_from", pa.date32())).append(
    pa.field("valid_to", pa.date32())
)
"""``truth/entities_history.csv``: versions of people, each valid from a day until (not
including) another, or still valid when ``valid_to`` is empty.

A day's file holds the versions that start or end that day: one row for each new person, and
for each person who changed, the old version (now with ``valid_to``) and the new one. The union
of all days' files is the full history: a version appears when it starts and again when it
ends; keep, for each ``(entity_id, valid_from)``, the row with ``valid_to`` when there is one."""

KINDS = ("original", "duplicate", "archival", "tracer")


class Declaration(NamedTuple):
    """A truth table as a dataset module declares its own: schema, keys within one day (foreign
    keys as column -> (table, column)) and the meaning of every column."""

    schema: pa.Schema
    primary_key: tuple[str, ...]
    foreign_keys: dict[str, tuple[str, str]]
    descriptions: dict[str, str]


RECORDS_DESCRIPTIONS = {
    "dataset": "Dataset the record belongs to (its table, e.g. customers).",
    "record_id": "The record's id in its dataset (for customers, customer_id).",
    "entity_id": "The person the record really belongs to.",
    "kind": "original, duplicate, tracer (from a tracer drop) or archival (an archived record "
    "re-injected).",
    "duplicate_of": "The record this one copies: the original, the first record of its tracer "
    "group, or the archived record (of an earlier day); empty for originals.",
    "corruptions": "The errors the record shows, as field:corruption pairs joined by ';' (e.g. "
    "first_name:use_nickname): for originals and duplicates of a source system relative to the "
    "true person (with the variations the record carries), so with variations they name every "
    "difference from truth/entities.csv; an archival row adds its new errors to the archived "
    "record's labels; a tracer row's are relative to duplicate_of (its own edits no corruption "
    "names are hand_edited); empty when nothing changed.",
    "variations": "Which of the person's other true values the record carries instead of the "
    "ones in truth/entities.csv, joined by ';' (email:work, phone:landline, address:previous, "
    "last_name:maiden, first_name:preferred); empty for none.",
    **similarity.DESCRIPTIONS,
}
PERSON_DESCRIPTIONS = {
    "entity_id": "The person: one id per real person, the same on every day they appear.",
    "household_id": "Household the person was generated in: people sharing it are different "
    "people who lived together when they joined (hard negatives).",
    "first_name": "Given name, clean.",
    "middle_name": "Middle name as the person gives it: in full, as an initial, or empty.",
    "last_name": "Family name, clean (a marriage may change it); may be hyphenated or double.",
    "suffix": "Jr, Sr, II or III; empty for most people.",
    "gender": "F or M.",
    "birth_date": "Date of birth.",
    "email": "E-mail address.",
    "phone": "Phone number, (NPA) NXX-XXXX, in an area code of the address.",
    "address_line1": "House number and street.",
    "address_line2": "Apartment or unit; empty for most people.",
    "city": "City of the address.",
    "state": "Two-letter US state code of the address.",
    "postal_code": "Five-digit ZIP code of the address.",
    "county": "County of the address (no data file holds it).",
    "shared_email_with": "The household member whose e-mail address this person uses too "
    "(deliberately shared); empty when the address is the person's own.",
    "phone_state": "State of the phone's area code when the person brought the number from a "
    "state they lived in before; empty when it is the address's state.",
    "relation": "The person's part in a look-alike group of different people a matcher may take "
    "for one: twin (same family name, birth date and address), senior or junior (father and "
    "son of one full name and address, born 20-40 years apart), namesake (a common first and "
    "family name in the same ZIP code); empty for people in none.",
    "lookalike_group": "The look-alike group: the entity_id of its first person (who is in it "
    "too); empty for people in none.",
}
HISTORY_DESCRIPTIONS = {
    **PERSON_DESCRIPTIONS,
    "valid_from": "First day this version of the person is valid.",
    "valid_to": "Day this version stopped being valid (not included); empty while it still is.",
}
TO_ENTITY = {"entity_id": ("truth_entities", "entity_id")}
TABLES = {
    "truth_entities": Declaration(ENTITIES_SCHEMA, ("entity_id",), {}, PERSON_DESCRIPTIONS),
    "truth_records": Declaration(
        RECORDS_SCHEMA, ("dataset", "record_id"), TO_ENTITY, RECORDS_DESCRIPTIONS
    ),
    "truth_entities_history": Declaration(
        HISTORY_SCHEMA, ("entity_id", "valid_from"), TO_ENTITY, HISTORY_DESCRIPTIONS
    ),
}
"""Table name -> declaration of each truth file (entities.csv, records.csv,
entities_history.csv), parents first, named ``truth_`` so no dataset can take the name."""


def record_rows(
    dataset: str,
    record_id: np.ndarray,
    entity_id: np.ndarray,
    kind: pa.Array,
    duplicate_of: pa.Array,
    corruptions: pa.Array,
    people: pa.Table | None = None,
    variations: pa.Array | None = None,
    earlier: pa.Table | None = None,
    original: np.ndarray | None = None,
) -> pa.Table:
    """Truth rows for records of ``dataset``; with the records' ``people`` columns (in the same
    order), each duplicate's similarity to its original: the one among them, else the row of
    ``earlier`` (person columns of each record's ``duplicate_of`` from an earlier day, row for
    row) when given. ``original``, when the caller knows it, is the row of each record's
    original among them (its own row for an original): its ``duplicate_of`` is then not
    searched for."""
    return pa.table(
        {
            "dataset": pa.repeat(pa.scalar(dataset), len(record_id)),
            "record_id": record_id,
            "entity_id": entity_id,
            "kind": kind,
            "duplicate_of": duplicate_of,
            "corruptions": corruptions,
            "variations": pa.repeat(pa.scalar(""), len(record_id))
            if variations is None
            else variations,
            **_columns(
                _similarities(np.asarray(record_id), duplicate_of, people, earlier, original)
            ),
        },
        schema=RECORDS_SCHEMA,
    )


def conform_records(records: pa.Table) -> pa.Table:
    """Truth record rows in ``RECORDS_SCHEMA``, similarity columns they lack left empty."""
    for name in BEFORE_SIMILARITY:
        if name not in records.column_names:
            field = RECORDS_SCHEMA.field(name)
            records = records.append_column(field, pa.nulls(records.num_rows, field.type))
    return records.select(RECORDS_SCHEMA.names).cast(RECORDS_SCHEMA)


def _columns(table: pa.Table) -> dict[str, pa.ChunkedArray]:
    return {name: table[name] for name in table.column_names}


def _similarities(
    record_id: np.ndarray,
    duplicate_of: pa.Array,
    people: pa.Table | None,
    earlier: pa.Table | None = None,
    original: np.ndarray | None = None,
) -> pa.Table:
    """Similarity columns of each record to its ``duplicate_of``: among the same records (at
    ``original`` when given), else in ``earlier`` when given (empty for originals and for
    copies of records not found)."""
    nothing = pa.Table.from_pylist([{}], schema=similarity.SCHEMA)
    if people is None or not len(record_id):
        return take(nothing, np.zeros(len(record_id), np.int64))
    pool = people
    if original is not None and earlier is None:
        source, rows = original, np.flatnonzero(original != np.arange(len(original)))
    else:
        source, rows = _sources(record_id, duplicate_of)
    if earlier is not None:  # every copy: its original among the records, or of earlier
        pool = pa.concat_tables([people, earlier.select(people.column_names).cast(people.schema)])
        rows = np.flatnonzero(pc.fill_null(duplicate_of, -1).to_numpy(zero_copy_only=False) >= 0)
    measured = similarity.similarities(take(people, rows), take(pool, source[rows]))
    index = np.full(len(record_id), len(rows))
    index[rows] = np.arange(len(rows))
    return take(pa.concat_tables([measured, nothing]), index)


def _sources(record_id: np.ndarray, duplicate_of: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The row of each record's ``duplicate_of`` among the records, else the record's row of
    an earlier day's (its own position after them), and the rows of the records whose
    ``duplicate_of`` is among them."""
    order = np.argsort(record_id, kind="stable")
    copied = pc.fill_null(duplicate_of, -1).to_numpy(zero_copy_only=False)
    at = np.minimum(np.searchsorted(record_id[order], copied), len(order) - 1)
    found = (copied >= 0) & (record_id[order[at]] == copied)
    source = np.where(found, order[at], len(record_id) + np.arange(len(record_id)))
    return source, np.flatnonzero(found)


def history_rows(
    people: pa.Table, valid_from: pa.Array | dt.date, valid_to: pa.Array | dt.date | None
) -> pa.Table:
    """Versions of ``people`` (ENTITIES_SCHEMA) valid from ``valid_from`` to ``valid_to``:
    one day for all, or one per person."""
    columns = people.select(ENTITIES_SCHEMA.names).cast(ENTITIES_SCHEMA).columns
    days = [_days(value, people.num_rows) for value in (valid_from, valid_to)]
    return pa.Table.from_arrays([*columns, *days], schema=HISTORY_SCHEMA)


def _days(value: pa.Array | dt.date | None, n: int) -> pa.Array:
    if isinstance(value, (pa.Array, pa.ChunkedArray)):
        return value.cast(pa.date32())
    return pa.repeat(pa.scalar(value, pa.date32()), n)
