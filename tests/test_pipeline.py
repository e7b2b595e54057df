"""A block's datasets handed on as soon as no later dataset reads them, so that a worker may
write them and free their rows before the block is done."""

import copy
import dataclasses
import datetime as dt
import time

import pytest
from conftest import DAY, without

from gensample.corruptions import fuzzmap
from gensample.generate.datasets import IDENTITY_SYSTEMS, REGISTRY, Generated
from gensample.generate.pipeline import generate_block, reference_tables
from gensample.generate.plan import make_plan
from gensample.settings import DATASETS, Settings

NEVER_READ = {
    "incident_reports",
    "pos_transactions",
    "transaction_lines",
    "email_events",
    "clickstream",
    "mobile_events",
    "wifi_sessions",
    "safety_inspections",
}
"""Block datasets no dataset reads: no foreign key points at them."""


class ReadsLog(dict):
    """The datasets a dataset is given, logging which of them it reads (in ``log``)."""

    def __init__(self, datasets: dict, log: list, reader: str) -> None:
        super().__init__(datasets)
        self._log, self._reader = log, reader

    def __getitem__(self, name: str) -> Generated:
        self._log.append((self._reader, name))
        return super().__getitem__(name)


def generate_logging(monkeypatch, settings: Settings) -> tuple[list, dict, object]:
    """Generate the first block of ``settings``, logging in one list, in order, every dataset
    read (``(reader, read)``) and every dataset finished (``("finished", name)``)."""
    log: list = []
    for name, module in REGISTRY.items():
        if not module.REFERENCE:

            def logged(block_input, parents, _generate=module.generate, _name=name):
                return _generate(block_input, ReadsLog(parents, log, _name))

            monkeypatch.setattr(module, "generate", logged)
    stand_ins = {}

    def finished(name: str, generated: Generated) -> Generated:
        log.append(("finished", name))
        stand_ins[name] = Generated(generated.data.slice(0, 0), generated.truth)
        return stand_ins[name]

    block = make_plan(settings, DAY).blocks[0]
    return log, stand_ins, generate_block(settings, DAY, block, finished=finished)


def test_every_dataset_reads_only_its_parents_and_the_customer_master(monkeypatch):
    log, _, _ = generate_logging(monkeypatch, Settings(customers=2000))
    readers = {reader for reader, _ in log if reader != "finished"}
    assert {"transaction_lines", "mobile_events", "pos_transactions"} <= readers
    for reader, read in log:
        if reader != "finished":
            assert read in (*REGISTRY[reader].PARENTS, "customers"), (reader, read)


def test_datasets_no_later_one_reads_are_finished_as_soon_as_made(monkeypatch):
    log, stand_ins, result = generate_logging(monkeypatch, Settings(customers=2000))
    finished = [name for what, name in log if what == "finished"]
    assert set(finished) == NEVER_READ
    for name in finished:  # never read after it was finished
        later = log[log.index(("finished", name)) :]
        assert not [reader for reader, read in later if read == name and reader != "finished"]
    assert all(result.datasets[name] is stand_ins[name] for name in finished)
    assert result.datasets["customers"].data.num_rows > 2000  # kept: read by most


@pytest.mark.parametrize("left_out", ["mobile_events", "email_events"])
def test_a_parent_whose_children_are_not_enabled_is_finished_too(monkeypatch, left_out):
    parent = REGISTRY[left_out].PARENTS[-1]  # loyalty_members, email_subscribers
    datasets = tuple(name for name in DATASETS if name != left_out)
    log, _, _ = generate_logging(monkeypatch, Settings(customers=2000, datasets=datasets))
    assert ("finished", parent) in log


def test_without_a_taker_every_dataset_stays_in_the_result():
    settings = Settings(customers=2000)
    result = generate_block(settings, DAY, make_plan(settings, DAY).blocks[0])
    assert all(result.datasets[name].data.num_rows for name in NEVER_READ - {"incident_reports"})


def test_reference_tables_are_made_again_for_other_settings_or_another_day():
    few, more = Settings(stores=5), Settings(stores=7)
    first = reference_tables(few, DAY)
    first.pop("stores")  # a caller's copy: what it does with it changes no later call
    assert reference_tables(copy.deepcopy(few), DAY)["stores"].data.num_rows == 5
    assert reference_tables(more, DAY)["stores"].data.num_rows == 7
    assert reference_tables(few, DAY)["stores"].data.num_rows == 5
    days = (DAY, DAY + dt.timedelta(days=1))
    stock = [reference_tables(few, day)["inventory"].data for day in days]
    assert stock[0] != stock[1]


def test_each_identity_system_is_timed_for_its_own_records_made_with_the_others(monkeypatch):
    """The four systems' records are made together with the customer master's, when it asks;
    each dataset's seconds still count its own share (its rows and steps), not the first's."""
    settings = Settings(customers=6000, datasets=DATASETS)
    loyalty = IDENTITY_SYSTEMS["loyalty_members"]
    calls = []

    def slowly(block, columns, person):  # the loyalty system's own steps made slow
        time.sleep(0.1)
        calls.append(person)
        return loyalty.render(block, columns, person)

    monkeypatch.setitem(IDENTITY_SYSTEMS, loyalty.name, dataclasses.replace(loyalty, render=slowly))
    seconds = generate_block(settings, DAY, make_plan(settings, DAY).blocks[0]).seconds
    assert len(calls) >= 2 and seconds["loyalty_members"] >= 0.1 * len(calls)
    assert seconds["customers"] < 0.1 * len(calls)  # it asked first, but spent no sleep
    assert seconds["pos_customers"] < 0.1 * len(calls)
    assert all(seconds[name] > 0 for name in ("email_subscribers", "incident_reports"))


def test_the_customer_master_makes_its_fuzz_passes_with_the_identity_systems(monkeypatch):
    """One call of the fuzz engine for the first passes of the customer master and of the four
    systems (each as it would be alone: see test_datasets_together), not one for the master."""
    passes = []
    made = fuzzmap._fuzzed_copies

    def counted(requests):
        passes.append(len(requests))
        return made(requests)

    monkeypatch.setattr(fuzzmap, "_fuzzed_copies", counted)
    settings = Settings(customers=2000, datasets=without("wifi_sessions"))
    generate_block(settings, DAY, make_plan(settings, DAY).blocks[0])
    assert passes[0] == 1 + len(IDENTITY_SYSTEMS)
