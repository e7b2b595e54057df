"""Allow ``python -m gensample``."""

from gensample.cli import main

raise SystemExit(main())
