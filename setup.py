"""The compiled part of gensample: ``gensample/output/_csv_rows.c`` (see ``csv_native.py``).
Optional: where it cannot be built, the package installs without it and writes CSV through
Arrow's writer, the same bytes, slower. Everything else is declared in setup.cfg."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("gensample.output._csv_rows", ["gensample/output/_csv_rows.c"], optional=True)
    ]
)
