"""A system's written records keep the labels of the corruptions they still show."""

import pyarrow as pa

from gensample.corruptions.weights import FieldFuzz
from gensample.generate.datasets.written_errors import _visible_labels

FUZZ_MAP = {
    "first_name": FieldFuzz(1.0, {"use_nickname": 1, "change_case": 1}),
    "email": FieldFuzz(1.0, {"make_typo": 1}),
}


def test_a_label_goes_where_the_written_field_reads_as_the_original():
    originals = pa.table(
        {"first_name": ["ANN", "BOB", "CARL", "DORA"], "email": ["a@x", "b@x", "c@x", "d@x"]}
    )
    copies = pa.table(  # as a system that upper-cases names writes them
        {"first_name": ["ANN", "ROBERT", "CARL", "DORA"], "email": ["a@xx", "b@x", "c@x", "d@x"]}
    )
    labels = pa.array(
        [
            "first_name:change_case;email:make_typo",  # the case change undone: only the typo
            "first_name:use_nickname",  # shown
            "first_name:change_case",  # undone: nothing left
            "",  # never corrupted
        ]
    )
    visible = _visible_labels(labels, FUZZ_MAP, copies, originals)
    assert visible.to_pylist() == ["email:make_typo", "first_name:use_nickname", "", ""]


def test_labels_of_fields_the_fuzz_map_does_not_name_go():
    table = pa.table({"first_name": ["ANN"], "email": ["a@x"]})
    copies = pa.table({"first_name": ["ANNE"], "email": ["a@x"]})
    labels = pa.array(["phone:mistype_digit;first_name:use_nickname"])
    assert _visible_labels(labels, FUZZ_MAP, copies, table).to_pylist() == [
        "first_name:use_nickname"
    ]
