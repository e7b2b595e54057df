"""The compiled parts of gensample: ``gensample/output/_csv_rows.c`` (see ``csv_native.py``),
``gensample/native/_take.c`` (see ``native/take.py``) and ``gensample/native/_search.c`` (see
``native/search.py``). Optional: where they cannot be built, the package installs without
them and does the same through Arrow and NumPy, the same bytes, slower.
Everything else is declared in setup.cfg."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("gensample.output._csv_rows", ["gensample/output/_csv_rows.c"], optional=True),
        Extension("gensample.native._take", ["gensample/native/_take.c"], optional=True),
        Extension(
            "gensample.native._search",
            ["gensample/native/_search.c"],
            extra_compile_args=["-ffp-contract=off"],  # NumPy's rounding: see the file
            optional=True,
        ),
    ]
)
