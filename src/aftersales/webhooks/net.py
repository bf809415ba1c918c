"""Outgoing HTTP for webhooks, safe against server-side request forgery (RELIABILITY S08).

- only http and https, no credentials in the URL;
- the host is resolved here, and every address it resolves to must be public (not private,
  loopback, link-local, multicast, reserved or unspecified) unless the subscription allows
  private addresses; a cloud metadata address is never allowed;
- the connection goes to the address that was checked, with the name in the Host header and
  in TLS (SNI and certificate check), so a second DNS answer cannot switch it elsewhere;
- redirects are not followed by the HTTP client: each hop is checked the same way, up to
  AFTERSALES_WEBHOOK_MAX_REDIRECTS;
- short timeouts, and at most a few kilobytes of the answer are read.

The standard library's http.client is used: its connect() step is where the checked address
is pinned, which the higher-level clients hide.
"""

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

ALLOWED_SCHEMES = ("http", "https")
REDIRECT_CODES = (301, 302, 303, 307, 308)
# Instance metadata services: credentials live there. Refused even where private
# addresses are allowed.
METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
}
EXCERPT_BYTES = 2048

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class Blocked(Exception):
    """The URL may not be called: the reason is for the administrator."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Answer:
    status: int
    excerpt: str
    url: str


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (tests replace this with a stub resolver)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def address_allowed(address: IPAddress, *, allow_private: bool) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES or address.is_multicast or address.is_unspecified:
        return False
    if allow_private:
        return True
    return address.is_global and not address.is_reserved


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: IPAddress


def check_url(url: str, *, allow_private: bool) -> Target:
    """Parse and resolve `url`; raise Blocked unless it may be called."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Blocked(_("This is not a valid URL.")) from None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise Blocked(_("Only http and https URLs are allowed."))
    if parts.username or parts.password:
        raise Blocked(_("Credentials in the URL are not allowed; the payload is signed."))
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise Blocked(_("The URL has no host."))
    if not host.isascii():
        # An internationalised name travels as its ASCII (IDNA) form, in DNS and in Host.
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise Blocked(_("This is not a valid URL.")) from None
    port = port or (443 if scheme == "https" else 80)
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError, ValueError):
        raise Blocked(_("The host name %(host)s does not resolve.") % {"host": host}) from None
    if not addresses:
        raise Blocked(_("The host name %(host)s does not resolve.") % {"host": host})
    # Every answer must pass: a name that also points inside would be tried there next.
    for address in addresses:
        if not address_allowed(address, allow_private=allow_private):
            raise Blocked(
                _(
                    "%(host)s resolves to %(address)s, a private, loopback or otherwise "
                    "internal address; an administrator must allow private addresses for "
                    "this webhook."
                )
                % {"host": host, "address": address}
            )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=scheme, host=host, port=port, path=path, address=addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((str(self._address), self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((str(self._address), self.port), self.timeout)
        # SNI and the certificate check use the name, not the address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, *, body: bytes, headers: dict[str, str], allow_private: bool) -> Answer:
    """POST `body` to `url`, following redirects hop by hop with the same checks.

    Raises Blocked for a refused URL (first or later hop), OSError for network failures.
    """
    timeout = float(settings.WEBHOOK_TIMEOUT_SECONDS)
    for _hop in range(settings.WEBHOOK_MAX_REDIRECTS + 1):
        target = check_url(url, allow_private=allow_private)
        connection_class = (
            _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
        )
        connection = connection_class(target, timeout)
        try:
            connection.request(
                "POST", target.path, body=body, headers={**headers, "Connection": "close"}
            )
            response = connection.getresponse()
            excerpt = response.read(EXCERPT_BYTES).decode("utf-8", "replace")
            location = response.getheader("Location")
            status = response.status
        except http.client.HTTPException as exc:
            raise OSError(f"{type(exc).__name__}: {exc}") from exc
        finally:
            connection.close()
        if status in REDIRECT_CODES and location:
            url = urljoin(url, location)
            continue
        return Answer(status=status, excerpt=excerpt, url=url)
    raise Blocked(_("More than %(count)s redirects.") % {"count": settings.WEBHOOK_MAX_REDIRECTS})
