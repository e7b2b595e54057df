"""``pos_customers``: customers registered at the tills, typed in by store staff.

A cashier asks for a name, a phone number, sometimes a birth date and the ZIP code, and types
them in a hurry: staff-typed duplicates carry more, and heavier, typos and are never exact
copies. Most tills write names in capitals.
"""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.generate import characters
from gensample.generate.datasets import formats, identity, registration, stores, systems
from gensample.generate.datasets.common import TIMESTAMP, during_hours
from gensample.generate.datasets.contract import BlockInput, Generated, Parents
from gensample.native.take import take
from gensample.settings import DATASET_PARENTS

NAME = "pos_customers"
REFERENCE = False
IDENTITY = True
PARENTS = DATASET_PARENTS[NAME]
SCHEMA = pa.schema(
    [
        ("pos_customer_id", pa.int64()),
        ("full_name", pa.string()),
        ("phone", pa.string()),
        ("birth_date", pa.date32()),
        ("postal_code", pa.string()),
        ("home_store_id", pa.int64()),
        ("registered_at", TIMESTAMP),
    ]
)
PRIMARY_KEY = ("pos_customer_id",)
FOREIGN_KEYS = {"home_store_id": ("stores", "store_id")}
DESCRIPTIONS = {
    "pos_customer_id": "Till customer number, unique; the same person may have several.",
    "full_name": "Name as the cashier typed it, 'LAST, FIRST', usually in capitals, rarely "
    "with a middle initial ('SMITH, JOHN A'); one part alone when the other was left out.",
    "phone": "Phone number as ten digits, no punctuation; empty when not given.",
    "birth_date": "Date of birth; empty when the customer did not give it.",
    "postal_code": "Five-digit ZIP code of the home address (no street is kept).",
    "home_store_id": "Store the customer registered at: one in their state when there is one.",
    "registered_at": "When the customer was registered at the till: in opening hours, within "
    "five years before the day.",
}


def written(block: BlockInput, columns: pa.Table, person: np.ndarray) -> pa.Table:
    """Names in capitals on most tills (``habits.upper_case``), a few with a middle initial
    (``habits.middle_initial``: few are asked), the phone as its ten digits."""
    initials = systems.habit(block.settings, NAME, "middle_initial")
    first = formats.with_middle(block, NAME, columns, person, initials, initial=True)
    columns = formats.replace(columns, "first_name", first)
    upper = systems.habit(block.settings, NAME, "upper_case")
    shares = (upper, 1 - upper)
    upper = pa.array(formats.person_habit(block, NAME, "case", shares, person) == 0)
    for column in ("first_name", "last_name"):
        values = pc.if_else(upper, pc.utf8_upper(columns[column]), columns[column])
        columns = formats.replace(columns, column, values)
    return formats.replace(columns, "phone", characters.digits(columns["phone"]))


SYSTEM = identity.System(NAME, systems.columns(NAME), written)


rows = identity.rows_counter(NAME)


def generate(block: BlockInput, parents: Parents) -> Generated:
    """Till customers of one block, in id order, with their truth rows."""
    found = identity.records(block, SYSTEM)
    draw = identity.streams(block, NAME)
    state = take(block.people["state"], found.person)
    registered = during_hours(
        identity.first_times(
            draw("registered"), block, found, *registration.history_window(block.date)
        ),
        stores.OPENING_HOURS,
    )
    columns = found.columns
    data = pa.table(
        {
            "pos_customer_id": found.record_id,
            "full_name": formats.join_present(columns["last_name"], columns["first_name"], ", "),
            "phone": columns["phone"],
            "birth_date": columns["birth_date"],
            "postal_code": columns["postal_code"],
            "home_store_id": stores.near(draw("stores"), parents["stores"].data, state),
            "registered_at": pa.array(registered, TIMESTAMP),
        },
        schema=SCHEMA,
    )
    return Generated(data, found.truth)
