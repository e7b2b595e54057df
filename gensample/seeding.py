"""Named random streams: every draw depends on names and numbers, never on call order."""

import zlib

import numpy as np

BLOCK_SIZE = 50_000
"""Entities per block. Part of the seed contract: changing it changes every output byte."""


def _entropy(part: str | int) -> int:
    if isinstance(part, str):
        return zlib.crc32(part.encode("utf-8"))
    if part < 0:
        raise ValueError(f"stream parts must be non-negative, got {part}")
    return part


def stream(seed: int, *parts: str | int) -> np.random.Generator:
    """The generator named by ``parts`` under ``seed``, e.g. ``stream(7, "customers", 3)``."""
    entropy = [seed, *(_entropy(part) for part in parts)]
    return np.random.Generator(np.random.Philox(np.random.SeedSequence(entropy)))
