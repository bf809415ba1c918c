"""Real HTTP servers on the loopback interface for the webhook tests, and a guard that no
test ever opens a connection anywhere else."""

import http.server
import ipaddress
import socket
import threading
from dataclasses import dataclass, field

import pytest

from aftersales.webhooks import net


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Server:
    host: str
    port: int
    hits: list[Hit] = field(default_factory=list)
    # What the next POSTs are answered with: (status, headers, body); the last one repeats.
    answers: list[tuple[int, dict[str, str], bytes]] = field(
        default_factory=lambda: [(200, {}, b"ok")]
    )

    def url(self, path: str = "/hook", host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"


def _serve(host: str) -> tuple[Server, http.server.ThreadingHTTPServer]:
    state = Server(host=host, port=0)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            state.hits.append(Hit(self.path, dict(self.headers.items()), body))
            status, headers, answer = (
                state.answers.pop(0) if len(state.answers) > 1 else state.answers[0]
            )
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        do_GET = do_POST  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer((host, 0), Handler)
    state.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return state, server


@pytest.fixture
def receiver():
    """The integrator's endpoint, on 127.0.0.1."""
    state, server = _serve("127.0.0.1")
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def canary():
    """A server that must never be reached (RELIABILITY S08)."""
    state, server = _serve("127.0.0.1")
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def outside(monkeypatch):
    """A server on 127.0.0.2 that the address check treats as a public host, to stand for
    an endpoint on the internet (redirects from outside back inside)."""
    state, server = _serve("127.0.0.2")
    original = net.address_allowed
    stand_in = ipaddress.ip_address("127.0.0.2")

    def allowed(address, *, allow_private):  # type: ignore[no-untyped-def]
        return address == stand_in or original(address, allow_private=allow_private)

    monkeypatch.setattr(net, "address_allowed", allowed)
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def dns(monkeypatch):
    """A stub resolver: names in the dict resolve to the given addresses, any other name
    fails to resolve (no test depends on real DNS)."""
    table: dict[str, list[str]] = {"localhost": ["127.0.0.1", "::1"]}
    real = net.resolve

    def resolve(host: str, port: int):  # type: ignore[no-untyped-def]
        if host in table:
            return [ipaddress.ip_address(a) for a in table[host]]
        try:
            return [ipaddress.ip_address(host)]
        except ValueError:
            pass
        # Numeric forms such as 0x7f000001 are resolved by the system without DNS.
        if host.startswith("0x") or host.replace(".", "").isdigit():
            return real(host, port)
        raise socket.gaierror(f"{host} is not in the test resolver")

    monkeypatch.setattr(net, "resolve", resolve)
    return table


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch, dns):
    """Any connection the code under test opens must go to the loopback interface."""
    real = socket.create_connection

    def guarded(address, *args, **kwargs):  # type: ignore[no-untyped-def]
        host = address[0]
        assert ipaddress.ip_address(host).is_loopback, f"tried to connect to {host}"
        return real(address, *args, **kwargs)

    monkeypatch.setattr(net.socket, "create_connection", guarded)
