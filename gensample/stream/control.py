"""Control of a running stream over HTTP (loopback by default): its rate, pause and metrics.

``GET /rate`` and ``PUT /rate`` (body: events per second, or ``max``), ``POST /pause``,
``POST /resume``, ``GET /metrics`` (Prometheus text format). Answers are JSON but for metrics.
"""

import json
import logging
import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from gensample.errors import BadInputError
from gensample.output.lifetime import start_helper_thread
from gensample.stream.metrics import Metrics
from gensample.stream.pacer import UNLIMITED, Pacer, clock_factor

log = logging.getLogger(__name__)

MAX_RATE = 10_000_000
"""Highest rate a number may ask for (``max`` asks for no limit at all)."""


def parse_rate(text: str) -> float:
    """A rate: events per second (above 0, at most ``MAX_RATE``), or ``max`` for no limit."""
    if text.strip().lower() == "max":
        return UNLIMITED
    try:
        rate = float(text)
    except ValueError:
        rate = math.nan
    if not 0 < rate <= MAX_RATE:
        raise BadInputError(
            f"rate {text.strip()[:40]!r} is not allowed: expected events per second above 0 "
            f"and at most {MAX_RATE}, or max"
        )
    return rate


class Controller:
    """The stream's switches: target rate, pause, and the clock shape; safe from any thread."""

    def __init__(self, pacer: Pacer, metrics: Metrics, rate: float, follow_clock: bool) -> None:
        self.pacer, self.metrics, self.follow_clock = pacer, metrics, follow_clock
        self._lock = threading.Lock()
        self.target = rate
        self.resumed = threading.Event()
        self.resumed.set()
        metrics.target_rate = rate

    def set_rate(self, rate: float) -> None:
        """Aim at ``rate`` from now on."""
        with self._lock:
            self.target = self.metrics.target_rate = rate

    def pause(self) -> None:
        """Stop sending until :meth:`resume` (the open files stay open)."""
        self.resumed.clear()
        self.metrics.paused = True

    def resume(self) -> None:
        """Send again, without a burst for the time paused."""
        if not self.resumed.is_set():
            self.pacer.restart()
            self.metrics.paused = False
            self.resumed.set()

    def steer(self, moment) -> None:
        """Set the pacer to the target, shaped by the hour and weekday of ``moment`` if asked."""
        with self._lock:
            factor = clock_factor(moment) if self.follow_clock else 1.0
            rate = self.target * factor
        if rate != self.pacer.rate:
            self.pacer.set_rate(rate)

    def state(self) -> dict:
        """The answer of ``GET /rate``."""
        target = "max" if self.target == UNLIMITED else self.target
        return {
            "rate": target,
            "paused": not self.resumed.is_set(),
            "pacing": self.pacer.rate if self.pacer.rate != UNLIMITED else "max",
            "follow_clock": self.follow_clock,
        }


def parse_address(text: str) -> tuple[str, int]:
    """``HOST:PORT`` or ``PORT`` (loopback) as a (host, port) pair."""
    host, _, port = text.rpartition(":")
    if not port.isdigit() or int(port) > 65535:
        raise BadInputError(f"--control {text[:60]!r} is not allowed: expected HOST:PORT or PORT")
    return host or "127.0.0.1", int(port)


def serve(address: tuple[str, int], controller: Controller) -> ThreadingHTTPServer:
    """Answer control requests in a background thread; call ``shutdown()`` to stop. An
    address this machine cannot listen at (a port in use, another machine's host) is bad
    input."""
    handler = type("Handler", (_Handler,), {"controller": controller})
    try:
        server = ThreadingHTTPServer(address, handler)
    except OSError as error:  # socket.gaierror for a host that does not resolve
        raise BadInputError(
            f"--control {address[0]}:{address[1]} is not allowed: cannot listen there "
            f"({error.strerror or error}); expected a free port at an address of this machine"
        ) from None
    server.daemon_threads = True
    start_helper_thread(server.serve_forever, "stream-control")  # request threads inherit its mask
    log.info("stream control on http://%s:%d/", *server.server_address[:2])
    return server


class _Handler(BaseHTTPRequestHandler):
    controller: Controller

    def do_GET(self) -> None:
        if self.path == "/metrics":
            self._answer(200, self.controller.metrics.text(), "text/plain; version=0.0.4")
        elif self.path == "/rate":
            self._json(200, self.controller.state())
        else:
            self._json(404, {"error": f"no {self.path[:60]}: try /rate or /metrics"})

    def do_PUT(self) -> None:
        if self.path != "/rate":
            self._json(404, {"error": "PUT goes to /rate"})
            return
        body = self.rfile.read(min(int(self.headers.get("Content-Length") or 0), 100))
        try:
            self.controller.set_rate(parse_rate(body.decode("utf-8", "replace")))
        except BadInputError as error:
            self._json(400, {"error": str(error)})
            return
        self._json(200, self.controller.state())

    def do_POST(self) -> None:
        actions = {"/pause": self.controller.pause, "/resume": self.controller.resume}
        if self.path not in actions:
            self._json(404, {"error": "POST goes to /pause or /resume"})
            return
        actions[self.path]()
        self._json(200, self.controller.state())

    def _json(self, status: int, document: dict) -> None:
        self._answer(status, json.dumps(document) + "\n", "application/json")

    def _answer(self, status: int, text: str, kind: str) -> None:
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("control: " + format, *args)
