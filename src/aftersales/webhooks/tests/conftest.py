"""Real HTTP servers on the loopback interface for the webhook tests, and a guard that no
test ever opens a connection anywhere else."""

import ipaddress
import socket

import pytest

from aftersales.webhooks import net
from aftersales.webhooks.tests.servers import serve


@pytest.fixture
def receiver():
    """The integrator's endpoint, on 127.0.0.1."""
    state, server = serve("127.0.0.1")
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def canary():
    """A server that must never be reached (RELIABILITY S08)."""
    state, server = serve("127.0.0.1")
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def outside(monkeypatch):
    """A server on 127.0.0.2 that the address check treats as a public host, to stand for
    an endpoint on the internet (redirects from outside back inside)."""
    state, server = serve("127.0.0.2")
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


@pytest.fixture(autouse=True)
def _english():
    """Refusals are asserted in English; the default language is Simplified Chinese."""
    from django.utils import translation

    with translation.override("en"):
        yield
