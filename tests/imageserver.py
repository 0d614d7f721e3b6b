"""An HTTP server on 127.0.0.1 that answers as image hosts do, and worse: started by the
tests that need it and stopped by them (there is no internet here)."""

from __future__ import annotations

import io
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image


def picture(format: str = "PNG", size: tuple[int, int] = (64, 48), colour="teal") -> bytes:
    """An image of `size` in `format`, as bytes."""
    out = io.BytesIO()
    image = Image.new("RGB", size, colour)
    image.save(out, format=format)
    return out.getvalue()


class ImageServer:
    """`routes` maps a path (with its query) to what to answer: bytes (200), an int status,
    ("redirect", location), ("slow", seconds, bytes), ("stream", total bytes),
    ("referer", wanted, bytes) — 403 unless the Referer is `wanted` — or a callable taking
    the handler. Counts requests by path in `hits`, and keeps each request's headers."""

    def __init__(self, routes: dict | None = None) -> None:
        self.routes: dict = dict(routes or {})
        self.hits: Counter[str] = Counter()
        self.headers: dict[str, list[dict[str, str]]] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.hits[self.path] += 1
                server.headers.setdefault(self.path, []).append(dict(self.headers))
                server.answer(self, server.routes.get(self.path, 404))

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.address = f"127.0.0.1:{self.port}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def url(self, path: str) -> str:
        return f"http://{self.address}{path}"

    def __enter__(self) -> ImageServer:
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @staticmethod
    def answer(handler, route) -> None:
        if callable(route):
            return route(handler)
        if isinstance(route, int):
            handler.send_response(route)
            if route == 429:
                handler.send_header("Retry-After", "2")
            handler.send_header("Content-Length", "0")
            return handler.end_headers()
        kind = route[0] if isinstance(route, tuple) else "bytes"
        if kind == "redirect":
            handler.send_response(302)
            handler.send_header("Location", route[1])
            handler.send_header("Content-Length", "0")
            return handler.end_headers()
        if kind == "referer":
            if handler.headers.get("Referer") != route[1]:
                return ImageServer.answer(handler, 403)
            route = route[2]
        if kind == "slow":
            time.sleep(route[1])
            route = route[2]
        if kind == "stream":  # no Content-Length: only reading tells how much
            handler.send_response(200)
            handler.send_header("Content-Type", "image/jpeg")
            handler.end_headers()
            block = b"\xff\xd8\xff" + b"\0" * (64 * 1024 - 3)
            try:
                for _ in range(route[1] // len(block)):
                    handler.wfile.write(block)
            except OSError:
                pass  # the client stopped reading, as it should
            return None
        handler.send_response(200)
        handler.send_header("Content-Type", "image/jpeg")  # whatever it is: never believed
        handler.send_header("Content-Length", str(len(route)))
        handler.end_headers()
        handler.wfile.write(route)
        return None
