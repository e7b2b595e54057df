"""Stage 4, the daily run: one day in a run directory, all or nothing.

``runner`` is the orchestrator, the list of a day's steps: the lock and layout of the run
directory (``rundir``), repair after a killed run (``recovery``), the id bookkeeping
(``state``), rows from outside the plan (``tracer_drops``, ``reinjection``, ``drift`` of the
people in ``current_state``, joined by ``extra_rows``), writing through ``output``, then the
commit, ``archiving`` and the update of ``current_state`` (kept in ``sorted_tables``).
``signals`` stops a run cleanly; ``pruning`` removes old days and keeps the ids.
"""
