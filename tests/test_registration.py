"""registration: which of their records people use elsewhere."""

import numpy as np
import pyarrow as pa

from gensample.generate.datasets import registration


def test_each_person_uses_one_of_their_own_records_any_of_them(rng):
    start, entities = 100_000, 6
    entity_id = np.array([5, 1, 3, 1, 5, 5, 0]) + start  # people 2 and 4 have none
    records = pa.table({"entity_id": entity_id})
    used = np.array([registration.used_rows(rng, records, start, entities) for _ in range(300)])
    assert (used[:, [2, 4]] == -1).all()
    person = np.arange(entities)
    has = used >= 0
    assert (entity_id[used[has]] - start == np.broadcast_to(person, used.shape)[has]).all()
    assert set(used[:, 5]) == {0, 4, 5} and set(used[:, 1]) == {1, 3}  # duplicates as likely
