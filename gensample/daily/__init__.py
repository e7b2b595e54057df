"""Stage 4, the daily run: one day in a run directory, all or nothing.

``runner`` is the orchestrator, the list of a day's steps: the lock and layout of the run
directory (``rundir``), repair after a killed run (``recovery``), the id bookkeeping
(``state``), rows from outside the plan (``tracer_drops``, ``reinjection``, ``drift`` over
``known_people``, joined by ``extra_rows``), writing through ``output``, then the commit and
``archiving``. ``signals`` stops a run cleanly; ``pruning`` removes old days and keeps the ids.
"""
