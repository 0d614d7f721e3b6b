"""Fetching a remote image safely: what a clipped article names is the internet's to
choose, so nothing here trusts it.

- http and https only, to a host whose every address is a public one (not private,
  loopback, link-local — cloud metadata at 169.254.169.254 among them — shared, reserved
  or multicast), checked for each redirect (at most 5) and connected to as checked: the
  socket opens to the address that passed, so a second lookup cannot answer another one.
- At most `max_bytes`, enforced while reading (a Content-Length is not believed, only
  used to refuse early).
- The type is read from the bytes and proven by decoding them (Pillow), never taken from
  the URL (`wx_fmt=jpeg`) or the headers.
- Timeouts on connecting and on each read, and one on the whole fetch.

`allowed` names addresses (`host:port`) that may be reached although not public: the tests'
servers on 127.0.0.1. Production passes none.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import socket
import ssl
import time
import warnings
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from .. import rendering

MAX_REDIRECTS = 5
USER_AGENT = "Folio image archiver (+https://github.com/folio-cms)"
CHUNK = 64 * 1024
# (magic bytes at the start, offset) -> the format Pillow must then find
SIGNATURES = (
    (b"\xff\xd8\xff", 0, "JPEG"),
    (b"\x89PNG\r\n\x1a\n", 0, "PNG"),
    (b"GIF87a", 0, "GIF"),
    (b"GIF89a", 0, "GIF"),
    (b"WEBP", 8, "WEBP"),  # after RIFF and a length
)
MAX_PIXELS = 25_000_000  # a decompression bomb is refused, not decoded (WeChat's longest
# pictures are 1080 by about 15,000)


class FetchError(Exception):
    """Why an image was not fetched: `reason` a short code the newsroom shows with the
    message, `retry` whether trying again later may succeed (a 5xx, a 429, a timeout)."""

    def __init__(self, reason: str, message: str, *, retry: bool = False, after: float = 0):
        super().__init__(message)
        self.reason, self.message, self.retry, self.after = reason, message, retry, after

    def __str__(self) -> str:
        return f"{self.reason}: {self.message}"


@dataclass(frozen=True)
class Fetched:
    url: str  # where the bytes came from, after redirects
    data: bytes
    format: str  # JPEG, PNG, GIF or WEBP, as decoded
    width: int
    height: int


def fetch(
    url: str,
    *,
    referer: str = "",
    max_bytes: int,
    timeout: float = 10.0,
    deadline: float = 60.0,
    allowed: frozenset[str] = frozenset(),
) -> Fetched:
    """The image at `url`, or FetchError saying why not."""
    ends = time.monotonic() + deadline
    for _ in range(MAX_REDIRECTS + 1):
        status, headers, data = _get(url, referer, max_bytes, timeout, ends, allowed)
        if status in {301, 302, 303, 307, 308}:
            location = headers.get("location", "")
            if not location:
                raise FetchError("http", f"{status} with no Location")
            url = urljoin(url, location)
            continue
        if status == 200:
            return _image(url, data)
        if status == 429 or status >= 500:
            after = _retry_after(headers.get("retry-after", ""))
            raise FetchError("http", f"{status} from {_host(url)}", retry=True, after=after)
        raise FetchError("gone" if status in {404, 410} else "http", f"{status} from {_host(url)}")
    raise FetchError("redirects", f"more than {MAX_REDIRECTS} redirects")


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


def address_allowed(address: str, port: int, allowed: frozenset[str]) -> bool:
    """Whether Folio may connect to `address`: a public address, or one `allowed` names."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if f"{ip}:{port}" in allowed:
        return True
    return ip.is_global and not ip.is_multicast


def _connect(url: str, timeout: float, allowed: frozenset[str]):
    """An HTTP(S) connection to `url`'s host, opened to an address that was checked."""
    if not rendering.link(url):
        raise FetchError("address", f"not an http(s) URL: {url[:200]}")
    parts = urlsplit(url)
    host, secure = parts.hostname, parts.scheme.lower() == "https"
    try:
        port = parts.port or (443 if secure else 80)
    except ValueError:
        raise FetchError("address", f"a bad port in {url[:200]}") from None
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise FetchError("dns", f"{host}: {error}", retry=True) from None
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    refused = [a for a in addresses if not address_allowed(a, port, allowed)]
    if refused or not addresses:
        raise FetchError(
            "address", f"{host} is at {', '.join(refused) or 'no address'}, not public"
        )
    connection_class = _PinnedHTTPS if secure else _PinnedHTTP
    return connection_class(host, port, address=addresses[0], timeout=timeout), parts


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to `address` (checked), whatever `host` resolves to now."""

    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPS(_PinnedHTTP):
    default_port = 443

    def connect(self):
        super().connect()
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(self.sock, server_hostname=self.host)


def _get(url, referer, max_bytes, timeout, ends, allowed):
    connection, parts = _connect(url, timeout, allowed)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    headers = {"User-Agent": USER_AGENT, "Accept": "image/*", "Accept-Encoding": "identity"}
    if referer:
        headers["Referer"] = referer
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        found = {name.lower(): value for name, value in response.getheaders()}
        if response.status != 200:
            return response.status, found, b""
        declared = found.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise FetchError("size", f"{int(declared):,} bytes, over {max_bytes:,}")
        data = bytearray()
        while chunk := response.read(CHUNK):
            data += chunk
            if len(data) > max_bytes:
                raise FetchError("size", f"over {max_bytes:,} bytes (stopped while reading)")
            if time.monotonic() > ends:
                raise FetchError("timeout", "took too long to download", retry=True)
        return response.status, found, bytes(data)
    except TimeoutError:
        raise FetchError("timeout", f"{_host(url)} did not answer in time", retry=True) from None
    except (OSError, http.client.HTTPException) as error:
        raise FetchError("network", f"{_host(url)}: {error}", retry=True) from None
    finally:
        connection.close()


def sniff(data: bytes) -> str:
    """The image format the bytes start as, or ""."""
    for magic, offset, name in SIGNATURES:
        if data[offset : offset + len(magic)] == magic and (name != "WEBP" or data[:4] == b"RIFF"):
            return name
    return ""


def _image(url: str, data: bytes) -> Fetched:
    """The fetched bytes as an image whose type they prove, or FetchError."""
    from PIL import Image  # here, not at the top: web workers never load Pillow (3 MB)

    kind = sniff(data)
    if not kind:
        raise FetchError("type", "not a JPEG, PNG, GIF or WebP image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind]) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise FetchError("size", f"{width}×{height} pixels, over {MAX_PIXELS:,}")
                image.verify()
            with Image.open(io.BytesIO(data), formats=[kind]) as image:
                # verify() reads the structure; this decodes the pixels (a JPEG's at an
                # eighth of its size: every byte of it still decoded, in less memory).
                image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
                image.load()
    except FetchError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise FetchError("size", "too many pixels to decode") from None
    except Exception as error:  # Pillow raises many kinds for broken files
        raise FetchError("type", f"a {kind} that does not decode: {error}") from None
    return Fetched(url=url, data=data, format=kind, width=width, height=height)


def _retry_after(value: str) -> float:
    return float(value) if value.isdigit() else 0.0
