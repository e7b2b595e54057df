"""Credentials from outside the run directory: AWS keys (``aws``) and database passwords, held
in HashiCorp Vault (``vault``, needing the ``s3`` or ``postgres`` extra), for publishing,
streaming, loading and the Dask engine's parts."""
