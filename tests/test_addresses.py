"""Address variants: unit designators and directionals written another way."""

import pyarrow as pa

from gensample.corruptions import addresses


def test_unit_designators_change_and_keep_the_number(rng):
    values = pa.array(["Apt 4"] * 100 + ["#12", "Unit 3B", "apt. 7", "Box 4", None, ""])
    after = addresses.change_unit_designator(values, rng).to_pylist()
    designators = {value[:-1] for value in after[:100]}
    assert designators == set(addresses.UNIT_DESIGNATORS) - {"Apt "}
    numbers = ["12", "3B", "7"]
    assert all(value.endswith(n) for value, n in zip(after[100:103], numbers, strict=True))
    assert after[100] != "#12" and after[101] != "Unit 3B" and after[103:] == ["Box 4", None, ""]


def test_directionals_are_abbreviated_and_expanded(rng):
    values = pa.array(["12 North Oak St", "5 N Main St", "1 Northern Way", "7 SW 3rd Ave", None])
    after = addresses.abbreviate_directional(values, rng).to_pylist()
    assert after == [
        "12 N Oak St",
        "5 North Main St",
        "1 Northern Way",
        "7 Southwest 3rd Ave",
        None,
    ]
