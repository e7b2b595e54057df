"""SHA-256 states in shared memory, so that processes taking turns at a file hash it together,
each its own bytes while they are still in its cache: OpenSSL's ``SHA256_Init``, ``_Update``
and ``_Final`` (the library ``hashlib`` is built on, its SHA extensions included) through
ctypes, on states that hold no pointer and so may live anywhere.

Hashing a block's rows as they are written costs about a third of hashing them from the page
cache once they have landed (2.0 GB/s against 0.7 by the main process, while the workers run).
``SharedSha256.available()`` is False where that library or those functions cannot be found,
and off Linux (macOS stops a program that loads its system libcrypto so); the caller then
hashes the files as they grow (``output.digests.GrowingFiles``).
"""

import ctypes
import ctypes.util
import functools
import multiprocessing
import sys

import numpy as np

STATE_BYTES = 256
"""Room for one state: OpenSSL's ``SHA256_CTX`` takes 112 bytes."""


@functools.cache
def _library() -> ctypes.CDLL | None:
    """libcrypto with its SHA-256 functions declared; None when it cannot be loaded."""
    name = ctypes.util.find_library("crypto") if sys.platform.startswith("linux") else None
    if name is None:
        return None
    try:
        library = ctypes.CDLL(name)
        start, update, final = library.SHA256_Init, library.SHA256_Update, library.SHA256_Final
    except (OSError, AttributeError):  # not there, or built without the functions
        return None
    start.argtypes, start.restype = (ctypes.c_void_p,), ctypes.c_int
    update.argtypes = (ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t)
    update.restype = ctypes.c_int
    final.argtypes, final.restype = (ctypes.c_void_p, ctypes.c_void_p), ctypes.c_int
    return library


class SharedSha256:
    """The SHA-256 states of ``count`` files, numbered from 0, in shared memory that the
    processes this one forks later inherit. One process at a time may add to a file's state (a
    turn at the file, say); :meth:`hexdigest` reads it once the turns are over."""

    def __init__(self, count: int) -> None:
        """States of ``count`` files, none hashed yet; :meth:`available` must be True."""
        library = _library()
        assert library is not None, "SharedSha256 needs libcrypto: see available()"
        self._library = library
        self._states = multiprocessing.RawArray(ctypes.c_char, count * STATE_BYTES)
        self._hashed = multiprocessing.RawArray(ctypes.c_int64, count)
        for file in range(count):
            self._library.SHA256_Init(self._state(file))

    @staticmethod
    def available() -> bool:
        """Whether libcrypto's SHA-256 functions could be loaded."""
        return _library() is not None

    def update(self, file: int, data: bytes | memoryview) -> None:
        """Add ``data`` to the bytes of ``file``."""
        buffer = np.frombuffer(data, np.uint8)  # any buffer, read-only ones too
        self._library.SHA256_Update(self._state(file), buffer.ctypes.data, len(buffer))
        self._hashed[file] += len(buffer)

    def file(self, file: int) -> "FileSha256":
        """``file``'s state, to add bytes to as to a ``hashlib`` object."""
        return FileSha256(self, file)

    def hashed(self, file: int) -> int:
        """How many bytes of ``file`` were hashed."""
        return self._hashed[file]

    def hexdigest(self, file: int) -> str:
        """The hex SHA-256 of the bytes of ``file`` so far (its state is left as it is)."""
        copy = ctypes.create_string_buffer(
            self._states[file * STATE_BYTES : (file + 1) * STATE_BYTES]
        )
        digest = ctypes.create_string_buffer(32)
        self._library.SHA256_Final(digest, copy)
        return digest.raw.hex()

    def _state(self, file: int) -> int:
        """The address of ``file``'s state."""
        return ctypes.addressof(self._states) + file * STATE_BYTES


class FileSha256:
    """One file's state of a :class:`SharedSha256`, added to as a ``hashlib`` object is."""

    def __init__(self, states: SharedSha256, file: int) -> None:
        self._states, self._file = states, file

    def update(self, data: bytes | memoryview) -> None:
        """Add ``data`` to the file's bytes."""
        self._states.update(self._file, data)
