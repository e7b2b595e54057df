"""Fuzz passes in rounds: steps (generators) that each yield the passes they need, every
round's passes made together (``fuzzmap.fuzz_together``), and the step that retries the rows a
pass left unchanged."""

import time
from collections.abc import Generator, Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gensample.corruptions.arrays import put
from gensample.corruptions.fuzzmap import (
    Fuzzed,
    Request,
    fuzz_together,
    fuzzed_columns,
    no_labels,
    put_rows,
)
from gensample.native.take import filtered, take

RETRIES = 4
"""How many more times a fuzzed row that came out unchanged is corrupted afresh."""


def run_together(
    steps: Mapping[str, Generator[Request, Fuzzed, Any]], seconds: dict[str, float] | None = None
) -> dict[str, Any]:
    """Run ``steps`` in turn, each a generator that yields the fuzz passes it needs and is sent
    each one's ``fuzz`` result; every round's passes are made together. Returns what each step
    returned, by name; adds to ``seconds``, when given, the time spent for each (its own work,
    and its rows' share of each round)."""
    seconds = {} if seconds is None else seconds
    done: dict[str, Any] = {}
    waiting: dict[str, Request] = {}

    def advance(name: str, answer: Any) -> None:
        started = time.perf_counter()
        try:
            waiting[name] = steps[name].send(answer)
        except StopIteration as stopped:
            done[name] = stopped.value
        seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - started

    for name in steps:
        advance(name, None)
    while waiting:
        names, requests = list(waiting), list(waiting.values())
        waiting.clear()
        started = time.perf_counter()
        answers = fuzz_together(requests)
        spent, rows = time.perf_counter() - started, sum(len(r.rows) for r in requests)
        for name, request, answer in zip(names, requests, answers, strict=True):
            seconds[name] += spent * len(request.rows) / max(rows, 1)
            advance(name, answer)
    return done


def fuzz_until_changed(request: Request) -> Fuzzed:
    """``fuzz`` of ``request``, with the rows a corruption left unchanged (a nickname-less
    name, a day above 12 to swap with the month) corrupted afresh, up to ``RETRIES`` more times
    (see ``until_changed``, which makes its passes together with other steps')."""
    return run_together({"alone": until_changed(request)})["alone"]


def until_changed(request: Request) -> Generator[Request, Fuzzed, Fuzzed]:
    """``fuzz_until_changed`` of ``request`` as a step of ``run_together``: each try is a pass
    over copies of the rows still unchanged. A row left unchanged still holds its values, so
    each try reads the request's table, and the rows each try changed are put back once."""
    table, rows, fuzz_map = request.table, request.rows, request.fuzz_map
    columns = fuzzed_columns(fuzz_map, table.column_names)
    changed, fuzzed, labels = [], [], []
    for _ in range(1 + RETRIES):
        if not len(rows) or not columns:  # no field to corrupt (every weight 0): none changes
            break
        copies = take(table.select(columns), rows)
        tried, found = yield replace(request, table=copies, rows=np.arange(len(rows)))
        unchanged = pc.equal(found, "").to_numpy(zero_copy_only=False)
        changed.append(rows[~unchanged])
        fuzzed.append(filtered(tried, ~unchanged))
        labels.append(filtered(found, ~unchanged))
        rows = rows[unchanged]
    if not changed:
        return table, no_labels(table.num_rows)
    changed_rows = np.concatenate(changed)
    labelled = put(no_labels(table.num_rows), changed_rows, labels)
    return put_rows(table, changed_rows, pa.concat_tables(fuzzed)), labelled
