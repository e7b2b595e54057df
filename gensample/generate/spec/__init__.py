"""Declarative datasets: a spec file (TOML or YAML) declares datasets without code.

``model.load`` reads (``reading``: TOML or YAML) and checks a spec (its JSON Schema in
``schema``, then references, expressions, fuzzed columns and cycles), ``files.load_all`` every
spec file of the settings; ``engine.generate`` makes its datasets block by block from named
streams, the Faker columns from pools drawn once per block (``columns``, ``expressions``), in
the types ``arrow_types`` knows before any row is made; ``explain`` describes what a spec
will make, for ``gensample check``; ``day`` makes every spec dataset of a run's day and declares
its table for the day's manifest.
"""
