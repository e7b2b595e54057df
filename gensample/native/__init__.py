"""The compiled parts of gensample: small C libraries without Python's API, built by setup.py
when a C compiler is there and loaded through ctypes. Each is optional: without it, the code
that uses it does the same through Arrow, slower (``take``, ``strings`` and ``search`` here; the
CSV writer in ``output``).
``sha256`` loads the system's libcrypto the same way, for hash states shared by processes.
"""

import ctypes
import importlib.util

import pyarrow as pa


def load(module: str) -> ctypes.CDLL | None:
    """The compiled library installed as ``module`` (say ``gensample.native._take``), or None
    when the package was installed without it."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return None
    try:
        return ctypes.CDLL(spec.origin)
    except OSError:  # built for another machine, say
        return None


def declare(library: ctypes.CDLL, signatures: dict) -> ctypes.CDLL:
    """``library`` with the ``signatures`` of its functions declared (name: what it returns,
    its arguments' ctypes types)."""
    for name, (returns, arguments) in signatures.items():
        function = getattr(library, name)
        function.restype, function.argtypes = returns, arguments
    return library


def address(buffer: pa.Buffer | None) -> int | None:
    """The address of ``buffer``; None (NULL) for no buffer (no bitmap, strings all empty)."""
    return None if buffer is None else buffer.address
