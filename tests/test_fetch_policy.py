"""Only audio, only from where M8Com can store it: the downloader's policy.

The address rules are tested on a real server on loopback with the real
session and resolver, so "refused" means no request reached the server.
"""

from __future__ import annotations

from http import HTTPStatus
from ipaddress import ip_network
import socket
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.test_utils import TestServer
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
)
from yarl import URL

from custom_components.m8com.fetch_policy import (
    ForbiddenAddressError,
    PolicyResolver,
    audio_extension,
    check_host,
    forbidden,
)

from .conftest import AUTH, PostFn, load_payload, stored

AUDIO = b"ID3" + bytes(200)


@pytest.mark.parametrize(
    ("content_type", "url", "ext"),
    [
        ("audio/mpeg", "https://x.test/a", "mp3"),
        ("audio/wav", "https://x.test/a", "wav"),
        ("audio/x-wav", "https://x.test/a", "wav"),
        ("audio/ogg", "https://x.test/a", "ogg"),
        ("audio/mp4", "https://x.test/a", "m4a"),
        ("audio/flac", "https://x.test/a", "flac"),
        ("audio/webm", "https://x.test/a", "webm"),
        ("audio/x-something", "https://x.test/a.oga", "oga"),
        ("application/octet-stream", "https://x.test/a.WAV?sig=1", "wav"),
        ("", "https://x.test/a.opus", "opus"),
        ("", "https://x.test/download", None),
        ("audio/svg", "https://x.test/a.svg", None),
        ("image/svg+xml", "https://x.test/a.mp3", None),
        ("text/html", "https://x.test/a.mp3", None),
        ("application/octet-stream", "https://x.test/a.exe", None),
        ("application/json", "https://x.test/a.wav", None),
    ],
)
def test_only_audio_gets_an_extension(
    content_type: str, url: str, ext: str | None
) -> None:
    assert audio_extension(content_type, url) == ext


@pytest.mark.parametrize(
    ("address", "allow_private", "refused"),
    [
        ("169.254.169.254", True, True),  # cloud metadata: never
        ("fe80::1", True, True),
        ("224.0.0.1", True, True),
        ("0.0.0.0", True, True),  # noqa: S104 - the address under test
        ("240.0.0.1", True, True),
        ("::ffff:169.254.169.254", True, True),
        ("127.0.0.1", True, False),
        ("192.168.1.10", True, False),
        ("127.0.0.1", False, True),
        ("10.0.0.5", False, True),
        ("::1", False, True),
        ("93.184.216.34", False, False),
        ("2606:4700::1111", False, False),
    ],
)
def test_address_rules(address: str, allow_private: bool, refused: bool) -> None:
    assert (forbidden(address, allow_private=allow_private) is not None) is refused


LOOPBACK_FORMS = [
    "2130706433",  # decimal
    "0177.0.0.1",  # octal
    "127.1",  # shorthand
    "017700000001",  # one octal number
    "127.000.000.001",  # zero-padded
    "0x7f.1",  # hex (this one goes to the resolver in aiohttp)
    "0x7f000001",
    "127.0.0.1.",  # trailing dot: not an address, yet all digits and dots
]
"""Every way a client library or the OS reads as 127.0.0.1 (or tries to)."""


@pytest.mark.parametrize(
    ("host", "allow_private", "reason"),
    [
        ("2130706433", False, "private or loopback"),
        ("2130706433", True, "not in dotted-decimal form"),
        ("0177.0.0.1", True, "not in dotted-decimal form"),
        ("127.1", False, "private or loopback"),
        ("127.000.000.001", True, "not in dotted-decimal form"),
        ("0x7f000001", False, "private or loopback"),
        ("0", True, "link-local, multicast or reserved"),
        ("0", False, "link-local, multicast or reserved"),
        ("10.1", False, "private or loopback"),
        ("10.1", True, "not in dotted-decimal form"),
        ("2852039166", True, "link-local"),  # 169.254.169.254
        ("169.254.43518", True, "link-local"),  # 169.254.169.254
        ("169.254.43518", False, "link-local"),
        ("127.0.0.1.", True, "not an IP address"),
        ("999999999999", True, "not an IP address"),
        ("[::ffff:127.0.0.1]", False, "private or loopback"),
        ("[::ffff:169.254.169.254]", True, "link-local"),
    ],
)
def test_every_numeric_host_form_is_read_as_the_os_does(
    host: str, allow_private: bool, reason: str
) -> None:
    with pytest.raises(ForbiddenAddressError, match=reason):
        check_host(URL(f"http://{host}/a.mp3"), allow_private=allow_private)


@pytest.mark.parametrize(
    ("host", "allow_private"),
    [("127.0.0.1", True), ("93.184.216.34", False), ("rec.m8com.test", False)],
)
def test_canonical_addresses_and_names_pass_the_host_check(
    host: str, allow_private: bool
) -> None:
    check_host(URL(f"http://{host}/a.mp3"), allow_private=allow_private)


class FixedResolver(AbstractResolver):
    """Resolves every name to the given addresses."""

    def __init__(self, *addresses: str) -> None:
        self.addresses = addresses

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            {"hostname": host, "host": a, "port": port, "family": family, "proto": 0,
             "flags": 0}
            for a in self.addresses
        ]  # fmt: skip

    async def close(self) -> None:
        """Nothing to close."""


async def test_resolver_keeps_only_allowed_addresses() -> None:
    mixed = PolicyResolver(
        FixedResolver("10.0.0.1", "93.184.216.34"), allow_private=False
    )
    assert [r["host"] for r in await mixed.resolve("rec.test")] == ["93.184.216.34"]
    private = PolicyResolver(FixedResolver("10.0.0.1"), allow_private=False)
    with pytest.raises(ForbiddenAddressError, match="private or loopback"):
        await private.resolve("rec.test")
    await private.close()


hits: list[str] = []


async def serve(request: web.Request) -> web.Response:
    hits.append(request.path)
    if request.path.endswith(".svg"):
        return web.Response(body=b"<svg/>", content_type="audio/svg")
    return web.Response(body=AUDIO, content_type="audio/mpeg")


@pytest.fixture
async def server(loopback_server: Any) -> TestServer:
    """The recording store on 127.0.0.1: audio, or an ``audio/svg`` for ``.svg``."""
    hits.clear()
    started: TestServer = await loopback_server("/{name}", serve)
    return started


async def fetched(
    hass: HomeAssistant, entry: MockConfigEntry, deliver: Any, urls: list[str]
) -> Any:
    answer = await deliver({**load_payload("v2"), "fileUrls": urls})
    assert answer.status == HTTPStatus.OK
    await hass.async_block_till_done(wait_background_tasks=True)
    return stored(entry, 4711)


@pytest.mark.enable_socket
async def test_cloud_delivery_cannot_reach_loopback_by_ip_or_name(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    deliver: PostFn,
    server: TestServer,
) -> None:
    by_ip = str(server.make_url("/a.mp3"))
    by_name = by_ip.replace("127.0.0.1", "localhost")
    record = await fetched(hass, loaded_entry, deliver, [by_ip, by_name])
    if deliver.kind in {"http", "direct"}:  # type: ignore[attr-defined]
        # Over HTTP the test client posts from 127.0.0.1: a local delivery.
        assert record.status == "saved"
        assert len(hits) == 2
        return
    assert record.status == "failed"
    assert record.error.count("private or loopback address refused") == 2
    assert hits == []  # nothing reached the server


@pytest.mark.enable_socket
@pytest.mark.parametrize("host", [*LOOPBACK_FORMS, "0"])
async def test_numeric_forms_never_reach_a_local_server(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    deliver: PostFn,
    server: TestServer,
    host: str,
) -> None:
    """Over HTTP (a local delivery, private addresses allowed) and through the
    cloud (public only): the real server on 127.0.0.1 (which ``0`` reaches
    too, on Linux) gets no request for any odd form of its address."""
    url = str(server.make_url("/a.mp3")).replace("127.0.0.1", host, 1)
    record = await fetched(hass, loaded_entry, deliver, [url])
    assert record.status == "failed"
    assert "refused" in record.error
    assert hits == []


@pytest.mark.enable_socket
@pytest.mark.parametrize("host", ["2852039166", "169.254.43518", "10.1"])
async def test_numeric_forms_of_metadata_and_lan_are_refused(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, deliver: PostFn, host: str
) -> None:
    record = await fetched(hass, loaded_entry, deliver, [f"http://{host}/a.mp3"])
    assert record.status == "failed"
    assert "refused" in record.error


@pytest.mark.enable_socket
async def test_link_local_is_never_fetched(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, post: PostFn
) -> None:
    answer = await post(
        {**load_payload("v2"), "fileUrls": ["http://169.254.169.254/latest/a.mp3"]}
    )
    assert answer.status == HTTPStatus.OK
    await hass.async_block_till_done(wait_background_tasks=True)
    record = stored(loaded_entry, 4711)
    assert record.status == "failed"
    assert "link-local" in str(record.error)


@pytest.mark.enable_socket
async def test_svg_is_not_stored(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post: PostFn,
    server: TestServer,
    media_dir: Any,
) -> None:
    await post({**load_payload("v2"), "fileUrls": [str(server.make_url("/x.svg"))]})
    await hass.async_block_till_done(wait_background_tasks=True)
    record = stored(loaded_entry, 4711)
    assert (record.status, record.error) == ("failed", "not an audio file (audio/svg)")
    assert not [p for p in media_dir.rglob("*") if p.is_file()]


@pytest.mark.enable_socket
async def test_at_most_ten_links_a_call(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, post: PostFn, server: TestServer
) -> None:
    urls = [str(server.make_url(f"/{n}.mp3")) for n in range(11)]
    await post({**load_payload("v2"), "fileUrls": urls})
    await hass.async_block_till_done(wait_background_tasks=True)
    record = stored(loaded_entry, 4711)
    assert record.status == "saved"
    assert len(record.files) == 10
    assert len(hits) == 10
    assert record.error == "1 more recording links ignored (at most 10 a call)"


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("http://rec.m8com.test/b.mp3", "redirect from https to http refused"),
        ("ftp://rec.m8com.test/b.mp3", "bad redirect: NonHttpUrlRedirectClientError"),
    ],
)
async def test_redirect_rules(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post: PostFn,
    aioclient_mock: AiohttpClientMocker,
    location: str,
    reason: str,
) -> None:
    aioclient_mock.get(
        "https://rec.m8com.test/a.mp3", status=302, headers={"Location": location}
    )
    await post({**load_payload("v2"), "fileUrls": ["https://rec.m8com.test/a.mp3"]})
    await hass.async_block_till_done(wait_background_tasks=True)
    record = stored(loaded_entry, 4711)
    assert (record.status, record.error) == ("failed", reason)
    assert aioclient_mock.call_count == 1


async def test_too_many_redirects(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post: PostFn,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    for n in range(7):
        aioclient_mock.get(
            f"https://rec.m8com.test/{n}.mp3",
            status=307,
            headers={"Location": f"/{n + 1}.mp3"},
        )
    await post({**load_payload("v2"), "fileUrls": ["https://rec.m8com.test/0.mp3"]})
    await hass.async_block_till_done(wait_background_tasks=True)
    record = stored(loaded_entry, 4711)
    assert (record.status, record.error) == ("failed", "more than 5 redirects")
    assert aioclient_mock.call_count == 6


@pytest.mark.enable_socket
@pytest.mark.parametrize("via", ["trusted proxy", "X-Real-IP", "Forwarded"])
async def test_a_delivery_through_a_proxy_is_not_local(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    post: PostFn,
    server: TestServer,
    via: str,
) -> None:
    """Behind a reverse proxy on this host, a delivery from the internet arrives
    from 127.0.0.1: it may not reach loopback or the LAN for that. HA's
    ``trusted_proxies`` (even without ``X-Forwarded-For``) or any forwarding
    header makes it an internet delivery."""
    headers = dict(AUTH)
    if via == "trusted proxy":
        hass.http.trusted_proxies = [ip_network("127.0.0.1/32")]
    else:
        headers[via] = "203.0.113.9"
    url = str(server.make_url("/a.mp3"))
    answer = await post({**load_payload("v2"), "fileUrls": [url]}, headers=headers)
    assert answer.status == HTTPStatus.OK
    await hass.async_block_till_done(wait_background_tasks=True)
    record = stored(loaded_entry, 4711)
    assert record.status == "failed"
    assert "private or loopback address refused" in (record.error or "")
    assert hits == []
