"""The network guard: private addresses refused in every spelling, and a connection made
only to the address that was checked."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest

from audiogen import fetch
from audiogen.errors import SourceError
from audiogen.fetch import fetch_url, is_private_address


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "169.254.169.254",  # cloud metadata
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:169.254.169.254",
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "64:ff9b::7f00:1",
        "64:ff9b:1::a00:1",  # local-use NAT64
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
        "2002:c0a8:0101::1",  # 6to4 of 192.168.1.1
        "::a9fe:a9fe",  # IPv4-compatible
        "::7f00:1",
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    ],
)
def test_private_addresses_in_every_spelling(address: str) -> None:
    assert is_private_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:4700::1111", "64:ff9b::808:808", "2002:808:808::1"])
def test_public_addresses(address: str) -> None:
    assert not is_private_address(ipaddress.ip_address(address))


def _resolving(monkeypatch: pytest.MonkeyPatch, answers: list[str]) -> list[str]:
    """getaddrinfo for *.test names answers from ``answers`` in turn (the last one then stays)."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if not str(host).endswith(".test"):
            return real(host, port, *args, **kwargs)
        asked.append(host)
        address = answers[min(len(asked), len(answers)) - 1]
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, int(port)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_an_answer_that_changes_after_the_check_changes_nothing(web_server, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """DNS rebinding: public when checked, the machine itself when asked again. The
    connection goes to the address that was checked (here it is stopped before any
    packet leaves: the test only records where it would have gone)."""
    base, routes = web_server
    routes["/secret"] = (200, "text/html", b"<p>internal</p>")
    port = base.rsplit(":", 1)[1]
    _resolving(monkeypatch, ["93.184.216.34", "127.0.0.1"])
    tried: list[tuple[str, int]] = []

    def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        tried.append(address)
        raise ConnectionRefusedError("not connecting in a test")

    monkeypatch.setattr(socket, "create_connection", create_connection)
    with pytest.raises(SourceError, match="cannot reach"):
        fetch_url(f"http://rebind.test:{port}/secret")
    assert tried == [("93.184.216.34", int(port))]


def test_the_connection_goes_to_the_checked_address(web_server, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    base, routes = web_server
    routes["/page"] = (200, "text/html", b"<p>hello</p>")
    port = base.rsplit(":", 1)[1]
    asked = _resolving(monkeypatch, ["127.0.0.1"])
    monkeypatch.setattr(fetch, "is_private_address", lambda address: False)  # the test server counts as public
    fetched = fetch_url(f"http://pinned.test:{port}/page")
    assert fetched.body == b"<p>hello</p>"
    assert asked == ["pinned.test"]  # resolved once: the connection goes to the address checked
