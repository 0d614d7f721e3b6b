"""Fetching remote images safely (articles/images/fetch.py), against servers on 127.0.0.1
that the tests start: no database, no internet."""

import socket

import pytest

from articles.images import fetch
from articles.images.fetch import FetchError
from tests.imageserver import ImageServer, picture

MB = 1024 * 1024


@pytest.fixture
def server():
    with ImageServer() as started:
        yield started


def get(server, path, **options):
    options.setdefault("max_bytes", 5 * MB)
    return fetch.fetch(server.url(path), allowed=frozenset({server.address}), **options)


def refused(server, path, **options) -> FetchError:
    with pytest.raises(FetchError) as error:
        get(server, path, **options)
    return error.value


def test_an_image_is_fetched_with_its_type_and_size_from_its_bytes(server):
    server.routes["/a.png"] = png = picture("PNG", (120, 80))
    image = get(server, "/a.png")
    assert (image.format, image.width, image.height, image.data) == ("PNG", 120, 80, png)


def test_a_gif_named_jpeg_is_a_gif(server):
    server.routes["/640?wx_fmt=jpeg"] = picture("GIF", (30, 20))  # and served as image/jpeg
    assert get(server, "/640?wx_fmt=jpeg").format == "GIF"


@pytest.mark.parametrize("format", ["JPEG", "PNG", "GIF", "WEBP"])
def test_each_format_a_page_can_show(server, format):
    server.routes["/x"] = picture(format, (40, 30))
    assert get(server, "/x").format == format


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html>not found</html>", "type"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 200, "type"),  # the signature, then garbage
        (picture("PNG", (120, 80))[:-40], "type"),  # cut short
        (picture("BMP", (10, 10)), "type"),  # an image, not one pages show
    ],
)
def test_what_is_not_an_image_it_claims_to_be_is_refused(server, body, reason):
    server.routes["/x.jpg"] = body
    assert refused(server, "/x.jpg").reason == reason


def test_a_20_mb_image_is_refused_while_streaming(server):
    server.routes["/huge"] = ("stream", 20 * MB)
    error = refused(server, "/huge", max_bytes=2 * MB)
    assert error.reason == "size" and "while reading" in error.message
    server.routes["/declared"] = b"\xff\xd8\xff" + b"\0" * (3 * MB)  # says so up front
    assert refused(server, "/declared", max_bytes=2 * MB).reason == "size"


def test_redirects_are_followed_five_times_and_no_more(server):
    server.routes["/end"] = picture()
    for n in range(1, 7):
        server.routes[f"/r{n}"] = ("redirect", f"/r{n + 1}" if n < 6 else "/end")
    assert get(server, "/r2").url == server.url("/end")  # five redirects
    assert refused(server, "/r1").reason == "redirects"  # six


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{other}/a.png",  # loopback, another port than the one allowed
        "http://localhost:{other}/a.png",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://10.0.0.1/a.png",
        "http://192.168.1.1/a.png",
        "http://[::1]:{other}/a.png",
        "http://[::ffff:127.0.0.1]:{other}/a.png",
        "http://0.0.0.0:{other}/a.png",
        "file:///etc/passwd",
        "ftp://example.com/a.png",
    ],
)
def test_a_redirect_into_a_private_address_is_refused(server, target):
    with socket.socket() as other:  # a port nobody allowed: the test would see a connection
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        server.routes["/in"] = ("redirect", target.format(other=port))
        error = refused(server, "/in")
        assert error.reason == "address", error
        other.setblocking(False)
        with pytest.raises(BlockingIOError):
            other.accept()  # never connected to


def test_a_private_address_is_refused_without_a_redirect_too():
    for url in ("http://127.0.0.1:9/a.png", "http://[fd00:ec2::254]/", "http://100.64.0.1/"):
        with pytest.raises(FetchError) as error:
            fetch.fetch(url, max_bytes=MB)
        assert error.value.reason == "address"


def test_a_host_is_checked_at_each_of_its_addresses(monkeypatch):
    """A name that resolves to a public address and a private one is refused: the private
    one could be the one connected to."""
    answers = [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 80)) for a in ("8.8.8.8", "10.1.2.3")
    ]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answers)
    with pytest.raises(FetchError) as error:
        fetch.fetch("http://images.example/a.png", max_bytes=MB)
    assert error.value.reason == "address" and "10.1.2.3" in error.value.message


def test_errors_say_whether_trying_again_may_help(server):
    server.routes.update({"/busy": 503, "/slowly": 429, "/gone": 404, "/no": 403})
    assert (refused(server, "/busy").retry, refused(server, "/slowly").after) == (True, 2)
    assert (refused(server, "/gone").reason, refused(server, "/gone").retry) == ("gone", False)
    assert refused(server, "/no").retry is False


def test_a_server_that_does_not_answer_in_time(server):
    server.routes["/slow"] = ("slow", 2, picture())
    error = refused(server, "/slow", timeout=0.3)
    assert (error.reason, error.retry) == ("timeout", True)


def test_the_referer_is_sent_only_when_asked(server):
    server.routes["/hotlinked"] = ("referer", "https://mp.weixin.qq.com/s/abc", picture())
    assert refused(server, "/hotlinked").reason == "http"
    assert "Referer" not in server.headers["/hotlinked"][0]
    assert get(server, "/hotlinked", referer="https://mp.weixin.qq.com/s/abc").width == 64
