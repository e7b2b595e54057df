"""Stage 2, generation: pure functions from settings to tables, no files, clock or environment.

``plan`` fixes counts and id ranges before any work; per block, ``population`` makes the true
people, ``datasets`` (one module per source system) the records, ``duplicates`` how many copies
each person gets, and ``truth`` who is who; ``pipeline`` runs one block start to finish.
Random draws come only from ``seeding``'s named streams. Nothing here imports ``output`` or
``daily``.
"""
