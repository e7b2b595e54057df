"""The ``[load]`` section: how ``gensample load`` reaches its database."""

from dataclasses import dataclass

from gensample.settings.schema import setting


@dataclass(frozen=True)
class LoadSettings:
    """Loading days into a database (``gensample load``)."""

    postgres_vault_path: str = setting(
        "",
        "Path, under [vault] mount, of a KV version 2 secret whose 'password' is the PostgreSQL "
        "password (used when the --db URL has none); empty: PGPASSWORD or ~/.pgpass.",
    )
