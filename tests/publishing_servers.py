"""Real-protocol servers for the publishing tests, all on 127.0.0.1 with a free port.

- ``moto_s3()``: moto's S3 server (real HTTP; boto3 reaches it through ``endpoint_url``).
- ``FaultyS3``: an HTTP proxy in front of it that answers chosen requests with S3 errors (to
  test retries and a publish failing half-way) and logs every request it sees.
- ``FakeVault``: answers the Vault HTTP API endpoints gensample uses, with Vault's response
  shapes and status codes, so the real hvac client can be driven against it.
"""

import contextlib
import hashlib
import http.client
import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from moto.server import ThreadedMotoServer

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "expect", "content-length"}


@contextlib.contextmanager
def moto_s3() -> Iterator[str]:
    """Run moto's S3 server in a thread; yield its endpoint URL. Its buckets go with it (moto
    keeps them in this process, for the next server to find otherwise)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        connection = http.client.HTTPConnection(host, port, timeout=10)
        connection.request("POST", "/moto-api/reset")
        connection.getresponse().read()
        connection.close()
        server.stop()


@contextlib.contextmanager
def serving(handler: type[BaseHTTPRequestHandler], owner: object) -> Iterator[str]:
    """Serve ``handler`` (which reaches ``owner`` as ``self.server.owner``); yield the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.owner = owner
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 so that botocore's "Expect: 100-continue" is answered at once; no Nagle, so a
    # body written after its headers does not wait for a delayed ACK.
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""

    def read_body(self) -> bytes:
        """The request body."""
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def answer(self, status: int, body: bytes, headers: list, length: str | None = None) -> None:
        """Send a complete response (a HEAD answer states ``length`` but has no body)."""
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", length or str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@dataclass
class Fault:
    """Answer ``method`` requests on keys ending in ``key`` with an S3 error, ``times`` times."""

    method: str
    key: str
    status: int
    code: str
    times: int | None = None

    def body(self) -> bytes:
        """The S3 error document."""
        return (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{self.code}</Code>'
            f"<Message>injected by the test</Message><Key>{self.key}</Key>"
            "<RequestId>fault</RequestId></Error>"
        ).encode()


class FaultyS3:
    """A proxy in front of an S3 endpoint that logs requests and injects faults."""

    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, str]] = []
        self.access_keys: set[str] = set()
        self.lock = threading.Lock()
        self.url = ""

    def fail(self, method: str, key: str, status: int, code: str, times: int | None = None) -> None:
        """From now on, answer ``method`` on ``key`` with ``status``/``code`` (``times`` times)."""
        self.faults.append(Fault(method, key, status, code, times))

    def requested(self, method: str, key: str) -> int:
        """How many ``method`` requests reached (or were refused for) ``key``."""
        return sum(1 for seen, path in self.requests if seen == method and path.endswith(key))

    def take_fault(self, method: str, path: str, authorization: str) -> Fault | None:
        """Log a request; return the fault that answers it, if any (counting down ``times``)."""
        with self.lock:
            self.requests.append((method, path))
            self.access_keys.add(_access_key_id(authorization))
            for fault in self.faults:
                if fault.method == method and path.endswith("/" + fault.key) and fault.times != 0:
                    fault.times = None if fault.times is None else fault.times - 1
                    return fault
        return None

    @contextlib.contextmanager
    def serve(self) -> Iterator[str]:
        """Run the proxy; the context yields its endpoint URL (also kept as ``url``)."""
        with serving(_ProxyHandler, self) as url:
            self.url = url
            yield url


class _ProxyHandler(_Handler):
    def handle_any(self) -> None:
        proxy: FaultyS3 = self.server.owner
        body = self.read_body()
        path = unquote(urlsplit(self.path).path)
        fault = proxy.take_fault(self.command, path, self.headers.get("Authorization", ""))
        if fault is not None:
            self.answer(fault.status, fault.body(), [("Content-Type", "application/xml")])
            return
        upstream = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port)
        headers = {name: value for name, value in self.headers.items() if not _hop(name)}
        upstream.request(self.command, self.path, body=body, headers=headers)
        response = upstream.getresponse()
        payload = response.read()
        upstream.close()
        kept = [(name, value) for name, value in response.getheaders() if not _hop(name)]
        length = response.getheader("Content-Length") if self.command == "HEAD" else None
        self.answer(response.status, payload, kept, length)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


def _hop(header: str) -> bool:
    """Whether a header belongs to one connection (or its length), not to the message."""
    return header.lower() in _HOP_BY_HOP


def _access_key_id(authorization: str) -> str:
    """The access key id a SigV4 ``Authorization`` header was signed with."""
    _, _, credential = authorization.partition("Credential=")
    return credential.split("/", 1)[0]


class FakeVault:
    """A small Vault: sys/health, token lookup-self, AppRole login, KV v2 reads, AWS creds."""

    def __init__(self) -> None:
        self.sealed = False
        self.tokens: set[str] = set()
        self.approles: dict[tuple[str, str], str] = {}
        self.kv: dict[str, dict] = {}
        self.deleted: set[str] = set()
        self.aws_roles: dict[str, dict] = {}
        self.requests: list[tuple[str, str]] = []
        self.url = ""

    def add_token(self) -> str:
        """A new valid token."""
        token = "hvs." + uuid.uuid4().hex
        self.tokens.add(token)
        return token

    def add_approle(self, mount: str = "approle") -> tuple[str, str]:
        """A new AppRole (role id, secret id) at ``mount``."""
        role_id, secret_id = str(uuid.uuid4()), str(uuid.uuid4())
        self.approles[(mount, role_id)] = secret_id
        return role_id, secret_id

    def put_secret(self, mount: str, path: str, data: dict) -> None:
        """Store a KV version 2 secret."""
        self.kv[f"{mount}/data/{path}"] = data

    def put_aws_role(self, mount: str, role: str, data: dict) -> None:
        """Make the AWS secrets engine at ``mount`` hand out ``data`` for ``role``."""
        self.aws_roles[f"{mount}/creds/{role}"] = data

    @contextlib.contextmanager
    def serve(self) -> Iterator[str]:
        """Run the fake Vault; the context yields its address (also kept as ``url``)."""
        with serving(_VaultHandler, self) as url:
            self.url = url
            yield url


_HEALTH = {
    "initialized": True,
    "sealed": False,
    "standby": False,
    "version": "1.17.2",
    "cluster_name": "vault-cluster-test",
}


class _VaultHandler(_Handler):
    def handle_any(self) -> None:
        vault: FakeVault = self.server.owner
        path = urlsplit(self.path).path
        vault.requests.append((self.command, path))
        status, document = self.route(vault, path.removeprefix("/v1/"), self.read_body())
        self.answer(status, json.dumps(document).encode(), [("Content-Type", "application/json")])

    def route(self, vault: FakeVault, path: str, body: bytes) -> tuple[int, dict]:
        if path == "sys/health":
            return (
                (503, {**_HEALTH, "sealed": True, "standby": True})
                if vault.sealed
                else (200, _HEALTH)
            )
        if vault.sealed:
            return 503, {"errors": ["Vault is sealed"]}
        if path.startswith("auth/") and path.endswith("/login") and self.command == "POST":
            return self.login(vault, path.split("/")[1], json.loads(body or b"{}"))
        if self.headers.get("X-Vault-Token") not in vault.tokens:
            return 403, {"errors": ["permission denied"]}
        if path == "auth/token/lookup-self":
            return 200, _response(
                data={
                    "id": self.headers["X-Vault-Token"],
                    "policies": ["default", "gensample"],
                    "ttl": 3600,
                    "display_name": "token",
                    "accessor": "acc",
                }
            )
        if path in vault.kv and path not in vault.deleted:
            return 200, _response(data={"data": vault.kv[path], "metadata": _metadata("")})
        if path in vault.deleted:
            return 404, {"data": {"data": None, "metadata": _metadata("2026-11-20T10:00:00Z")}}
        if path in vault.aws_roles:
            return 200, _response(
                data=vault.aws_roles[path],
                lease_id=f"{path}/lease1",
                lease_duration=900,
                renewable=True,
            )
        if "/creds/" in path:
            return 400, {"errors": [f"Role {path.rsplit('/', 1)[1]!r} not found"]}
        return 404, {"errors": []}

    def login(self, vault: FakeVault, mount: str, body: dict) -> tuple[int, dict]:
        expected = vault.approles.get((mount, body.get("role_id", "")))
        if expected is None or expected != body.get("secret_id"):
            return 400, {"errors": ["invalid role or secret ID"]}
        token = vault.add_token()
        auth = {
            "client_token": token,
            "accessor": "acc",
            "policies": ["default", "gensample"],
            "token_policies": ["default", "gensample"],
            "lease_duration": 3600,
            "renewable": True,
            "metadata": {"role_name": "gensample"},
        }
        return 200, _response(auth=auth)

    do_GET = do_POST = do_PUT = handle_any


def _response(**fields: object) -> dict:
    base = {
        "request_id": str(uuid.uuid4()),
        "lease_id": "",
        "renewable": False,
        "lease_duration": 0,
        "data": None,
        "wrap_info": None,
        "warnings": None,
        "auth": None,
        "mount_type": "",
    }
    return {**base, **fields}


def _metadata(deletion_time: str) -> dict:
    return {
        "created_time": "2026-11-01T09:00:00Z",
        "custom_metadata": None,
        "deletion_time": deletion_time,
        "destroyed": False,
        "version": 1,
    }


def write_day(day_dir: Path, files: dict[str, bytes], date: str = "2026-11-23") -> Path:
    """Write a finished day like the run orchestrator does: files, then a manifest listing them."""
    for name, content in files.items():
        (day_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (day_dir / name).write_bytes(content)
    entries = {
        name: {
            "sha256": hashlib.sha256(content).hexdigest(),
            "bytes": len(content),
            "rows": max(content.count(b"\n") - 1, 0),
        }
        for name, content in files.items()
    }
    manifest = {
        "gensample_version": "0.1.0",
        "date": date,
        "seed": 42,
        "settings": {"seed": 42, "customers": 3},
        "dupe_rate_drawn": 15.2,
        "counts": {"customers": 3, "duplicates": 1},
        "files": entries,
    }
    (day_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return day_dir
