"""AWS keys as gensample passes them around (no dependency: the Vault client is optional)."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AwsCredentials:
    """AWS keys for one publish, stream or batch; their repr never shows a secret."""

    access_key_id: str = field(repr=False)
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)
