"""SHA-256 states in shared memory: hashlib's digests, whichever process adds the bytes."""

import ctypes.util
import hashlib
import multiprocessing

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gensample.native import sha256
from gensample.native.sha256 import SharedSha256


def test_libcrypto_is_found_on_this_machine():
    assert SharedSha256.available()  # else every run hashes its files once more, afterwards


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=300), max_size=8), st.integers(0, 2))
def test_bytes_added_in_pieces_have_hashlibs_digest(pieces, file):
    states = SharedSha256(3)
    for piece in pieces:
        states.update(file, memoryview(piece))
    whole = b"".join(pieces)
    assert states.hexdigest(file) == hashlib.sha256(whole).hexdigest()
    assert states.hexdigest(file) == hashlib.sha256(whole).hexdigest()  # its state left as it was
    assert states.hashed(file) == len(whole)
    others = [other for other in range(3) if other != file]
    assert {states.hexdigest(other) for other in others} == {hashlib.sha256().hexdigest()}


def add_piece(states: SharedSha256, piece: bytes) -> None:
    states.file(1).update(piece)


def test_processes_taking_turns_hash_one_file_together():
    states, pieces = SharedSha256(2), [b"id,name\n", b"1,Ann\n" * 1000, b"", b"2,Bo\n" * 77]
    for piece in pieces:  # each in a process of its own, one after the other
        process = multiprocessing.get_context("fork").Process(
            target=add_piece, args=(states, piece)
        )
        process.start()
        process.join(timeout=60)
        assert process.exitcode == 0
    assert states.hexdigest(1) == hashlib.sha256(b"".join(pieces)).hexdigest()
    assert states.hashed(1) == sum(map(len, pieces))


@pytest.fixture
def no_libcrypto(monkeypatch):
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    sha256._library.cache_clear()
    yield
    sha256._library.cache_clear()


def test_without_libcrypto_it_is_not_available(no_libcrypto):
    assert not SharedSha256.available()
