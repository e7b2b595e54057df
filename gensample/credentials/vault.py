"""AWS keys from HashiCorp Vault: log in (token or AppRole), then read a KV v2 secret or ask
the AWS secrets engine for short-lived keys.

No secret value is ever logged or put in an error message; errors name the Vault path and what
went wrong.
"""

import logging
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import hvac
import requests
from hvac import exceptions

from gensample.credentials.aws import AwsCredentials
from gensample.errors import RunError
from gensample.settings.publish import VaultSettings

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 30
# Health answers that mean "this node can serve reads": active, standby, performance standby.
_HEALTHY = (200, 429, 473)
KEYS_SETTINGS = "[vault] mount and path"
PASSWORD_SETTINGS = "[vault] mount and [load] postgres_vault_path"
"""The settings naming each secret's path, for the message when nothing is there."""
_PROBLEMS: tuple[tuple[type, str], ...] = (
    (
        exceptions.Forbidden,
        "permission denied: the token is wrong or expired, or its policies do not allow this path",
    ),
    (exceptions.Unauthorized, "not authorised: the token is wrong or expired"),
    (exceptions.InvalidPath, "nothing at this path (missing or deleted): check {settings}"),
    (exceptions.VaultDown, "Vault is sealed or unavailable"),
    (exceptions.VaultNotInitialized, "Vault is not initialised"),
    (exceptions.RateLimitExceeded, "Vault is rate-limiting this client"),
    (exceptions.InvalidRequest, "Vault refused the request"),
)


class _Failure(Exception):
    """One step of talking to Vault failed; ``str`` says which step and why."""


def secret_path(settings: VaultSettings) -> str:
    """The Vault path the keys come from, as ``vault read`` would name it."""
    if settings.aws_role:
        return f"{settings.aws_mount}/creds/{settings.aws_role}"
    return f"{settings.mount}/{settings.path}"


def read_aws_credentials(settings: VaultSettings, environ: Mapping[str, str]) -> AwsCredentials:
    """Log in to Vault and return the AWS keys it holds for publishing.

    Raises :class:`RunError` naming the Vault path and the problem: no address, no token, a wrong
    token or AppRole, a missing path, a sealed or unreachable Vault, a secret without keys.
    """
    where = secret_path(settings)
    url = settings.url or environ.get("VAULT_ADDR", "")
    try:
        client = _logged_in(settings, url, environ)
        credentials = _step("reading the keys", lambda: _read_keys(client, settings))
    except _Failure as failure:
        raise RunError(
            f"cannot get AWS keys from Vault {where} ({url or 'no address'}): {failure}"
        ) from None
    logger.info("AWS keys from Vault %s (%s auth)", where, settings.auth)
    return credentials


def read_password(settings: VaultSettings, path: str, environ: Mapping[str, str]) -> str:
    """Log in to Vault and return the ``password`` of the KV version 2 secret at ``path``
    (under ``[vault] mount``): a database password for ``gensample load``.

    Raises :class:`RunError` naming the Vault path and the problem, never the password.
    """
    url = settings.url or environ.get("VAULT_ADDR", "")
    try:
        client = _logged_in(settings, url, environ)
        secret = _step(
            "reading the password",
            lambda: _read_secret(client, settings, path),
            PASSWORD_SETTINGS,
        )
        if not secret.get("password"):
            raise _Failure("the secret has no key 'password'")
    except _Failure as failure:
        raise RunError(
            f"cannot get the password from Vault {settings.mount}/{path} "
            f"([load] postgres_vault_path, {url or 'no address'}): {failure}"
        ) from None
    logger.info("database password from Vault %s/%s (%s auth)", settings.mount, path, settings.auth)
    return secret["password"]


def _logged_in(settings: VaultSettings, url: str, environ: Mapping[str, str]) -> hvac.Client:
    """A client of the healthy Vault at ``url``, logged in as ``settings`` say."""
    if not url:
        raise _Failure("no Vault address: set [vault] url or VAULT_ADDR")
    client = hvac.Client(
        url=url, token="", verify=environ.get("VAULT_CACERT") or True, timeout=TIMEOUT_SECONDS
    )
    _step("health check", lambda: _check_health(client))
    _step(f"{settings.auth} login", lambda: _log_in(client, settings, environ))
    return client


def _step(name: str, action: Callable[[], Any], settings: str = KEYS_SETTINGS) -> Any:
    """Run ``action``; its failure as a :class:`_Failure` naming the step (and ``settings``,
    the settings naming the path, when nothing is there)."""
    try:
        return action()
    except requests.exceptions.SSLError:
        raise _Failure(f"{name}: TLS verification failed; set VAULT_CACERT") from None
    except requests.exceptions.Timeout:
        raise _Failure(f"{name}: Vault did not answer in {TIMEOUT_SECONDS} s") from None
    except requests.exceptions.RequestException as error:
        raise _Failure(f"{name}: Vault is unreachable ({_reason(error)})") from None
    except exceptions.VaultError as error:
        raise _Failure(f"{name}: {_problem(error, settings)}") from None


def _reason(error: Exception) -> str:
    # requests buries the socket error ("[Errno 111] Connection refused") in a long message.
    found = re.search(r"\[Errno -?\d+\] ([^'\")]+)", str(error))
    return found.group(1).strip() if found else type(error).__name__


def _problem(error: exceptions.VaultError, settings: str) -> str:
    hint = next(
        (text.format(settings=settings) for kind, text in _PROBLEMS if isinstance(error, kind)),
        "unexpected answer from Vault",
    )
    said = error.errors if isinstance(error.errors, list) else [error.errors or ""]
    said = "; ".join(str(part) for part in said if part)
    return f"{hint} (Vault said: {said})" if said else hint


def _check_health(client: hvac.Client) -> None:
    answer = client.sys.read_health_status(method="GET", standby_ok=True)
    status = getattr(answer, "status_code", 200)
    if status == 503:
        raise _Failure("health check: Vault is sealed")
    if status == 501:
        raise _Failure("health check: Vault is not initialised")
    if status not in _HEALTHY:
        raise _Failure(f"health check: Vault answered HTTP {status}")


def _log_in(client: hvac.Client, settings: VaultSettings, environ: Mapping[str, str]) -> None:
    if settings.auth == "approle":
        role_id = _credential(environ, "VAULT_ROLE_ID", settings.role_id_file, "role_id_file")
        secret_id = _credential(
            environ, "VAULT_SECRET_ID", settings.secret_id_file, "secret_id_file"
        )
        if not role_id:
            raise _Failure("no AppRole role id: set VAULT_ROLE_ID or [vault] role_id_file")
        client.auth.approle.login(
            role_id=role_id, secret_id=secret_id or None, mount_point=settings.approle_mount
        )
        return
    token = _credential(environ, "VAULT_TOKEN", settings.token_file, "token_file")
    if not token:
        raise _Failure("no Vault token: set VAULT_TOKEN or [vault] token_file")
    client.token = token
    client.auth.token.lookup_self()


def _credential(environ: Mapping[str, str], variable: str, path: str, setting: str) -> str:
    """A login secret from the environment, else from the file a setting names."""
    if environ.get(variable):
        return environ[variable].strip()
    if not path:
        return ""
    try:
        return Path(path).expanduser().read_text(encoding="utf-8").strip()
    except OSError as error:
        raise _Failure(f"cannot read [vault] {setting} {path}: {error.strerror}") from None


def _read_keys(client: hvac.Client, settings: VaultSettings) -> AwsCredentials:
    if settings.aws_role:
        answer = client.secrets.aws.generate_credentials(
            name=settings.aws_role, mount_point=settings.aws_mount
        )
        data = answer.get("data") or {}
        names = ("access_key", "secret_key", "security_token")
    else:
        data = _read_secret(client, settings, settings.path)
        names = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")
    missing = [name for name in names[:2] if not data.get(name)]
    if missing:
        raise _Failure(f"the secret has no {' and no '.join(missing)}")
    return AwsCredentials(data[names[0]], data[names[1]], data.get(names[2]) or None)


def _read_secret(client: hvac.Client, settings: VaultSettings, path: str) -> dict:
    """The data of the KV version 2 secret at ``path`` under ``[vault] mount``."""
    answer = client.secrets.kv.v2.read_secret_version(
        path=path, mount_point=settings.mount, raise_on_deleted_version=True
    )
    return (answer.get("data") or {}).get("data") or {}
