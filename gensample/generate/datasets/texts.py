"""Text the dataset modules share: random bytes written as hex, fixed-width string columns, and
lists in words for the column descriptions."""

import numpy as np
import pyarrow as pa

HEX_PAIRS = np.array(
    [
        [f"{byte:02x}".encode() for byte in range(256)],
        [f"{byte:02X}".encode() for byte in range(256)],
    ]
).view(np.uint16)
"""The two hex digits of each byte, in lower and upper case, as one 16-bit ASCII pair each."""


def random_bytes(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    """``n`` rows of ``width`` random bytes (a writable array)."""
    words = rng.bit_generator.random_raw(-(-n * width // 8))
    return words.view(np.uint8)[: n * width].reshape(n, width)


def hex_text(
    raw: np.ndarray,
    groups: tuple[int, ...] | None = None,
    separator: str = "",
    upper: np.ndarray | None = None,
) -> pa.Array:
    """Rows of bytes as hex text, in ``groups`` of bytes joined by ``separator`` (all bytes in
    one group by default), upper case where ``upper``: ``(4, 2)``, ``"-"`` -> ``"0a1b2c3d-4e5f"``.
    """
    n, width = raw.shape
    index = raw if upper is None else raw + (256 * upper.astype(np.intp))[:, None]
    digits = np.take(HEX_PAIRS.ravel(), index).view(np.uint8).reshape(n, 2 * width)
    pieces = np.split(digits, 2 * np.cumsum(groups or (width,))[:-1], axis=1)
    between = np.broadcast_to(np.frombuffer(separator.encode(), np.uint8), (n, len(separator)))
    joined = [part for piece in pieces for part in (between, piece)][1:]
    return fixed_width_text(np.hstack(joined))


def fixed_width_text(chars: np.ndarray) -> pa.Array:
    """A string array from an ``(n, width)`` array of ASCII codes, one string a row."""
    n, width = chars.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    data = np.ascontiguousarray(chars, np.uint8)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def listed(texts: list[str]) -> str:
    """``texts`` as a list in words: "a, b or c"."""
    return ", ".join(texts[:-1]) + " or " + texts[-1]
