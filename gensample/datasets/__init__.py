"""Datasets: one module each, one contract, mapped by name.

Every dataset module declares ``SCHEMA`` (its columns, equal to the output headers),
``PRIMARY_KEY``, ``FOREIGN_KEYS`` (column -> (table, column)) and ``DESCRIPTIONS`` (every
column's meaning, for the data dictionary and ``gensample load``), and exports
``generate(block: BlockInput, parents: Mapping[str, Generated]) -> Generated``. Datasets are
generated in registry order, parents first, and each receives the ones generated before it.
"""

from gensample.datasets import customers
from gensample.datasets.contract import BlockInput, Generated

REGISTRY = {"customers": customers}
"""Dataset name -> module, in generation order (parents before children)."""

__all__ = ["REGISTRY", "BlockInput", "Generated"]
