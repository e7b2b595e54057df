"""AWS keys from Vault, with the real hvac client against a fake Vault speaking Vault's HTTP API."""

import socket

import pytest

from gensample.credentials.vault import read_aws_credentials
from gensample.errors import RunError
from gensample.publish import publish_day
from gensample.settings.publish import PublishSettings, VaultSettings

try:  # tests/ may or may not be a package
    from tests import publishing_servers as servers
except ImportError:
    import publishing_servers as servers

KEYS = {
    "aws_access_key_id": "AKIAVAULTKEY",
    "aws_secret_access_key": "vault-secret-access-key",
    "aws_session_token": "vault-session-token",
}


@pytest.fixture
def vault():
    fake = servers.FakeVault()
    with fake.serve():
        yield fake


@pytest.fixture
def s3_spy():
    """Records any S3 request; none may arrive when Vault fails."""
    spy = servers.FaultyS3("http://127.0.0.1:9")
    with spy.serve():
        yield spy


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def secrets_of(credentials) -> tuple:
    return (credentials.access_key_id, credentials.secret_access_key, credentials.session_token)


def test_a_token_from_the_environment_reads_the_kv_secret(vault):
    vault.put_secret("secret", "gensample/aws", KEYS)
    environ = {"VAULT_ADDR": vault.url, "VAULT_TOKEN": vault.add_token()}

    credentials = read_aws_credentials(VaultSettings(), environ)

    assert secrets_of(credentials) == tuple(KEYS.values())
    assert "vault-secret-access-key" not in repr(credentials)
    assert ("GET", "/v1/auth/token/lookup-self") in vault.requests


def test_a_token_file_a_custom_mount_and_path_from_settings(vault, tmp_path):
    vault.put_secret("kv", "teams/mdm/aws", {**KEYS, "aws_session_token": ""})
    (tmp_path / "token").write_text(vault.add_token() + "\n")
    settings = VaultSettings(
        url=vault.url, mount="kv", path="teams/mdm/aws", token_file=str(tmp_path / "token")
    )

    credentials = read_aws_credentials(settings, {})

    assert secrets_of(credentials) == ("AKIAVAULTKEY", "vault-secret-access-key", None)


def test_approle_from_the_environment(vault):
    vault.put_secret("secret", "gensample/aws", KEYS)
    role_id, secret_id = vault.add_approle()
    environ = {"VAULT_ADDR": vault.url, "VAULT_ROLE_ID": role_id, "VAULT_SECRET_ID": secret_id}

    credentials = read_aws_credentials(VaultSettings(auth="approle"), environ)

    assert secrets_of(credentials) == tuple(KEYS.values())
    assert ("POST", "/v1/auth/approle/login") in vault.requests


def test_approle_from_files_at_a_custom_mount(vault, tmp_path):
    vault.put_secret("secret", "gensample/aws", KEYS)
    role_id, secret_id = vault.add_approle(mount="ci-approle")
    (tmp_path / "role_id").write_text(role_id)
    (tmp_path / "secret_id").write_text(secret_id)
    settings = VaultSettings(
        url=vault.url,
        auth="approle",
        approle_mount="ci-approle",
        role_id_file=str(tmp_path / "role_id"),
        secret_id_file=str(tmp_path / "secret_id"),
    )

    assert secrets_of(read_aws_credentials(settings, {})) == tuple(KEYS.values())


def test_the_aws_secrets_engine_gives_short_lived_keys(vault):
    vault.put_aws_role(
        "aws",
        "publisher",
        {
            "access_key": "AKIASHORTLIVED",
            "secret_key": "short-lived-secret",
            "security_token": "sts-token",
        },
    )
    environ = {"VAULT_ADDR": vault.url, "VAULT_TOKEN": vault.add_token()}

    credentials = read_aws_credentials(VaultSettings(aws_role="publisher"), environ)

    assert secrets_of(credentials) == ("AKIASHORTLIVED", "short-lived-secret", "sts-token")
    assert ("GET", "/v1/aws/creds/publisher") in vault.requests


def _wrong_token(vault, tmp_path):
    vault.put_secret("secret", "gensample/aws", KEYS)
    return VaultSettings(), {"VAULT_ADDR": vault.url, "VAULT_TOKEN": "hvs.not-a-real-token"}


def _missing_path(vault, tmp_path):
    return VaultSettings(), {"VAULT_ADDR": vault.url, "VAULT_TOKEN": vault.add_token()}


def _deleted_secret(vault, tmp_path):
    vault.put_secret("secret", "gensample/aws", KEYS)
    vault.deleted.add("secret/data/gensample/aws")
    return VaultSettings(), {"VAULT_ADDR": vault.url, "VAULT_TOKEN": vault.add_token()}


def _sealed(vault, tmp_path):
    vault.sealed = True
    return VaultSettings(), {"VAULT_ADDR": vault.url, "VAULT_TOKEN": vault.add_token()}


def _unreachable(vault, tmp_path):
    return VaultSettings(url=closed_port_url()), {"VAULT_TOKEN": vault.add_token()}


def _no_address(vault, tmp_path):
    return VaultSettings(), {"VAULT_TOKEN": vault.add_token()}


def _no_token(vault, tmp_path):
    return VaultSettings(), {"VAULT_ADDR": vault.url}


def _unreadable_token_file(vault, tmp_path):
    return VaultSettings(token_file=str(tmp_path / "missing")), {"VAULT_ADDR": vault.url}


def _wrong_secret_id(vault, tmp_path):
    role_id, _ = vault.add_approle()
    wrong = "9f1c-wrong-secret-id"
    environ = {"VAULT_ADDR": vault.url, "VAULT_ROLE_ID": role_id, "VAULT_SECRET_ID": wrong}
    return VaultSettings(auth="approle"), environ


def _no_role_id(vault, tmp_path):
    environ = {"VAULT_ADDR": vault.url, "VAULT_SECRET_ID": "9f1c-lonely-secret-id"}
    return VaultSettings(auth="approle"), environ


def _unknown_aws_role(vault, tmp_path):
    environ = {"VAULT_ADDR": vault.url, "VAULT_TOKEN": vault.add_token()}
    return VaultSettings(aws_role="nobody"), environ


def _secret_without_keys(vault, tmp_path):
    vault.put_secret("secret", "gensample/aws", {"username": "mdm"})
    return VaultSettings(), {"VAULT_ADDR": vault.url, "VAULT_TOKEN": vault.add_token()}


@pytest.mark.parametrize(
    ("case", "path", "problem"),
    [
        (_wrong_token, "secret/gensample/aws", "token login: permission denied"),
        (_missing_path, "secret/gensample/aws", "reading the keys: nothing at this path"),
        (_deleted_secret, "secret/gensample/aws", "reading the keys: nothing at this path"),
        (_sealed, "secret/gensample/aws", "Vault is sealed"),
        (_unreachable, "secret/gensample/aws", "Vault is unreachable (Connection refused)"),
        (_no_address, "secret/gensample/aws", "no Vault address: set [vault] url or VAULT_ADDR"),
        (
            _no_token,
            "secret/gensample/aws",
            "no Vault token: set VAULT_TOKEN or [vault] token_file",
        ),
        (_unreadable_token_file, "secret/gensample/aws", "cannot read [vault] token_file"),
        (
            _wrong_secret_id,
            "secret/gensample/aws",
            "approle login: Vault refused the request (Vault said: invalid role or secret ID)",
        ),
        (_no_role_id, "secret/gensample/aws", "no AppRole role id"),
        (_unknown_aws_role, "aws/creds/nobody", "Role 'nobody' not found"),
        (
            _secret_without_keys,
            "secret/gensample/aws",
            "the secret has no aws_access_key_id and no aws_secret_access_key",
        ),
    ],
    ids=lambda value: getattr(value, "__name__", "").strip("_") or None,
)
def test_each_vault_problem_stops_the_publish_before_any_upload(
    case, path, problem, vault, s3_spy, tmp_path
):
    settings, environ = case(vault, tmp_path)
    day = servers.write_day(tmp_path / "2026-11-23", {"data/customers.csv": b"id\n1\n"})
    target = PublishSettings(s3_bucket="day", endpoint_url=s3_spy.url, region="us-east-1")

    with pytest.raises(RunError) as failure:
        publish_day(target, settings, day, environ=environ)

    message = str(failure.value)
    assert failure.value.exit_code == 1
    assert f"Vault {path}" in message
    assert problem in message
    assert s3_spy.requests == []
    assert not any(
        value and value in message
        for value in environ.values()
        if value != environ.get("VAULT_ADDR")
    )
