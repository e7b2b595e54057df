"""Stage 3, output: the files of a day and how blocks become them.

``day_files`` names the files and which rows of a block go where; ``workers`` runs blocks in
worker processes, which write CSV rows into the day files in turns (``placement``) through
``encoding``; ``batch`` writes one batch into a staging copy of the day; ``manifest`` describes
and checks a finished day; ``dictionary`` documents every table; ``atomic`` writes small files
whole or not at all; ``table_files`` reads and writes whole tables. Nothing here imports
``daily``.
"""
