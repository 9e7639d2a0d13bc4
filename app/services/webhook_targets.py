"""Where webhooks may go: public addresses only, unless the desk allows more.

A webhook makes the server send requests wherever an admin points it. Left
open, that reaches what only the server can reach: its own admin ports,
the cloud's metadata service (169.254.169.254), the office network. So a
target must resolve to public addresses only, checked when it is
registered and again on every connection, on the address actually
connected to: a name that resolved to a public address at registration
and to 127.0.0.1 later (DNS rebinding) is refused then. The desk setting
``webhooks_allow_private`` lifts the rule (a receiver on the same network).
"""

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from app.errors import ChatError

MAX_URL_CHARS = 2048


class TargetRefused(ValueError):
    """The target's address is not one webhooks may reach."""


def check_url(url: str, allow_private: bool) -> str:
    """The URL, if webhooks may be sent to it now; ``invalid`` otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ChatError("invalid", "url is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ChatError("invalid", "url must be an http:// or https:// address")
    if parts.username is not None or parts.password is not None:
        raise ChatError("invalid", "url must not hold a user name or password")
    if len(url) > MAX_URL_CHARS:
        raise ChatError("invalid", f"url is longer than {MAX_URL_CHARS} characters")
    try:
        vetted_address(parts.hostname, port, allow_private)
    except TargetRefused as refused:
        raise ChatError("invalid", str(refused)) from None
    return url


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether an address is on the public internet: not loopback, private,
    link-local, shared (CGNAT), reserved, multicast or unspecified."""
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    return address.is_global and not address.is_multicast


def vetted_address(host: str, port: int, allow_private: bool) -> str:
    """The address to connect to for ``host``; ``TargetRefused`` if the name
    does not resolve, or resolves to any address webhooks may not reach."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise TargetRefused(f"{host[:100]} does not resolve") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in found]
    if not addresses:
        raise TargetRefused(f"{host[:100]} does not resolve")
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise TargetRefused(
                    f"{host[:100]} is a loopback, private or otherwise non-public address"
                    f" ({address}); the desk setting webhooks_allow_private allows it"
                )
    return str(addresses[0])


# --- connections that check the address they connect to ----------------------------


class _Vetted:
    allow_private = False

    def _new_conn(self):
        # urllib3 connects to _dns_host and speaks to host (Host header, TLS
        # name): connect to the very address that was checked.
        self._dns_host = vetted_address(self.host, self.port, self.allow_private)
        return super()._new_conn()


def _pool_classes(allow_private: bool) -> dict:
    http = type("VettedHTTPConnection", (_Vetted, HTTPConnection), {})
    https = type("VettedHTTPSConnection", (_Vetted, HTTPSConnection), {})
    http.allow_private = https.allow_private = allow_private
    return {
        "http": type("VettedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http}),
        "https": type("VettedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https}),
    }


_POOLS = {allow: _pool_classes(allow) for allow in (False, True)}


class _VettedAdapter(HTTPAdapter):
    def __init__(self, allow_private: bool):
        self.allow_private = allow_private
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS[self.allow_private]


def session(allow_private: bool) -> requests.Session:
    """A requests session whose connections go to vetted addresses only,
    never through a proxy from the environment (which would connect for us)."""
    http = requests.Session()
    http.trust_env = False
    adapter = _VettedAdapter(allow_private)
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    return http
