"""`make bench`: archive the images of 1,000 articles with two workers.

10,000 image URLs (ten an article, a few shared between articles), fewer distinct
addresses, fewer distinct pictures still (some served at two addresses), from a server on
127.0.0.1 that answers as an image host does: 20 to 120 ms before the first byte, sizes
as WeChat's (most 50 to 400 KB, a tail of 2 to 6 MB pictures, long PNG screenshots, GIFs,
1×1 trackers). Two `manage.py worker` processes archive them as production runs them.

Figures, each beside a baseline measured in the same run:
- images/s with 2 workers  vs  the same addresses downloaded by 2 plain threads (no
  checks, no decoding, no storage, no database): what archiving costs over the network
- each worker's peak memory (VmHWM)  vs  its memory started and idle: what the images
  add, bounded by the largest one (at most FOLIO_IMAGE_MAX_BYTES and 25 M pixels), not
  by how many there are
- bytes stored  vs  bytes fetched: what storing each picture once saves
"""

from __future__ import annotations

import argparse
import io
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench.environment import database_url, fresh_database, start_django

ROOT = Path(__file__).resolve().parent.parent


def pictures(count: int, seed: int) -> list[bytes]:
    """`count` distinct pictures: a few dozen drawn with Pillow, each made distinct by a
    comment (JPEG) or a text chunk (PNG), as re-saved copies of one picture are."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    bases = []
    for _ in range(40):
        kind = rng.choices(["JPEG", "PNG", "GIF", "BIG", "LONG"], [70, 10, 6, 8, 6])[0]
        width = rng.choice([640, 720, 1080])
        height = {"BIG": 2400, "LONG": 4000}.get(kind, rng.randint(300, 1400))
        image = Image.effect_noise((width, height), rng.randint(20, 90)).convert("RGB")
        draw = ImageDraw.Draw(image)
        for _ in range(30):
            x, y = rng.randrange(width), rng.randrange(height)
            draw.rectangle((x, y, x + 200, y + 80), fill=tuple(rng.randrange(256) for _ in "rgb"))
        out = io.BytesIO()
        if kind == "GIF":
            image.resize((width // 2, height // 2)).convert("P").save(out, "GIF")
        elif kind == "LONG":
            image.save(out, "PNG")
        else:
            image.save(out, "JPEG", quality=95 if kind == "BIG" else rng.randint(70, 90))
        bases.append(out.getvalue())
    made = []
    for n in range(count):
        base = bases[n % len(bases)]
        mark = f"folio-bench-{n}".encode()
        if base[:2] == b"\xff\xd8":  # a JPEG comment segment after the start marker
            made.append(
                base[:2] + b"\xff\xfe" + (len(mark) + 2).to_bytes(2, "big") + mark + base[2:]
            )
        elif base[:4] == b"\x89PNG":  # a tEXt chunk after IHDR (33 bytes in)
            import zlib

            chunk = b"tEXt" + b"bench\0" + mark
            crc = zlib.crc32(chunk).to_bytes(4, "big")
            made.append(base[:33] + (len(chunk) - 4).to_bytes(4, "big") + chunk + crc + base[33:])
        else:  # a GIF: its comment extension before the trailer
            made.append(base[:-1] + b"\x21\xfe" + bytes([len(mark)]) + mark + b"\x00\x3b")
    return made


TRACKER = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


class Host:
    """The image host: `routes` maps a path to its bytes; latency before each answer."""

    def __init__(self, routes: dict[str, bytes]) -> None:
        self.routes, self.sent, self.lock = routes, 0, threading.Lock()
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                time.sleep(random.uniform(0.02, 0.12))
                body = host.routes.get(self.path)
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    return self.end_headers()
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                with host.lock:
                    host.sent += len(body)
                return None

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def plan(articles: int, per_article: int, seed: int):
    """The articles' image addresses and what each address serves."""
    rng = random.Random(seed)
    urls = articles * per_article
    distinct_urls = urls * 2 // 5  # 4,000 of 10,000: addresses shared between articles
    distinct_pictures = distinct_urls * 3 // 4  # 3,000: some pictures at two addresses
    made = pictures(distinct_pictures, seed)
    routes = {}
    for n in range(distinct_urls):
        routes[f"/mmbiz_jpg/{n}/640?wx_fmt=jpeg"] = (
            TRACKER if n % 50 == 0 else made[n % distinct_pictures]
        )
    paths = list(routes)
    bodies = []
    for a in range(articles):
        chosen = [paths[(a * per_article + k) % distinct_urls] for k in range(per_article - 2)]
        chosen += rng.sample(paths, 2)  # and two shared with other articles anywhere
        bodies.append(chosen)
    return routes, bodies


def worker(environ: dict[str, str]) -> subprocess.Popen:
    command = [sys.executable, "manage.py", "worker", "--no-startup-delay", "--interval", "0.2"]
    return subprocess.Popen(command, cwd=ROOT, env=environ, stdout=subprocess.DEVNULL)


def peak_memory(pid: int) -> int:
    """The process's peak resident memory, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=3, help="Another draw of the same shape.")
    parser.add_argument("--database-url", help="Database to use (default: a new SQLite file).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="folio-bench-") as scratch:
        scratch = Path(scratch)
        start_django(args.database_url, scratch)
        return run(scratch, args.articles, args.seed)


def run(scratch: Path, count: int, seed: int) -> int:
    from django.db import transaction
    from django.db.models import Count

    from articles.images import archive
    from articles.models import Article, RemoteImage

    fresh_database()
    print(f"drawing the pictures of {count:,} articles ...", flush=True)
    routes, bodies = plan(count, 10, seed)
    host = Host(routes)
    base = f"http://{host.address}"
    distinct = len(routes)
    largest = max(len(body) for body in routes.values())

    # The baseline: the same addresses, downloaded by two plain threads.
    started = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda path: urllib.request.urlopen(base + path).read(), routes))
    plain = distinct / (time.perf_counter() - started)
    host.sent = 0

    folder = scratch / "images"
    environ = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_DEBUG": "0",
        "FOLIO_IMAGE_FETCH_ALLOWED": host.address,
        "FOLIO_IMAGES_ROOT": str(folder),
    }
    workers = [worker(environ) for _ in range(2)]
    try:
        time.sleep(5)  # started, and waiting: their memory before any image
        idle = [peak_memory(each.pid) for each in workers]
        with transaction.atomic():  # the tasks enqueued together, as the commit comes
            for n, chosen in enumerate(bodies):
                lines = (f"第{k}段。\n\n![]({base}{path})" for k, path in enumerate(chosen))
                body = "\n\n".join(lines)
                article = Article.objects.create(title=f"图片文章{n}", slug=f"tu-{n}", body=body)
                archive.follow(article)
        started = time.perf_counter()
        urls = sum(len(chosen) for chosen in bodies)
        pictures_count = len(set(routes.values()))
        print(
            f"{count:,} articles, {urls:,} image URLs, {distinct:,} addresses, "
            f"{pictures_count:,} distinct pictures (largest {largest / 2**20:.1f} MB)",
            flush=True,
        )
        while RemoteImage.objects.filter(status=RemoteImage.Status.PENDING).exists():
            time.sleep(0.5)
        took = time.perf_counter() - started
        peaks = [peak_memory(each.pid) for each in workers]
    finally:
        for each in workers:
            each.terminate()
            each.wait(timeout=60)
    counts = dict(RemoteImage.objects.values_list("status").annotate(n=Count("pk")).order_by())
    archived, skipped, failed = (counts.get(s, 0) for s in ("archived", "skipped", "failed"))
    tracked = sum(counts.values())
    stored = sum(path.stat().st_size for path in folder.rglob("*.*") if "-" not in path.stem)
    renditions = sum(path.stat().st_size for path in folder.rglob("*-*.webp"))
    rate = tracked / took
    print(f"\narchived {archived:,}, skipped {skipped:,} (trackers), failed {failed:,}")
    mb = 2**20
    row("", "Folio", "baseline", "ratio")
    row("addresses a second (2 workers)", f"{rate:.1f}", f"{plain:.1f}", f"{rate / plain:.2f}")
    for n, (peak, before) in enumerate(zip(peaks, idle, strict=True), 1):
        ratio = f"{peak / before:.2f}"
        row(f"worker {n} peak memory (MB)", f"{peak / mb:.1f}", f"{before / mb:.1f}", ratio)
    row(f"(largest picture {largest / mb:.1f} MB)", "", "", "")
    saved = f"{stored / host.sent:.2f}" if host.sent else "-"
    row("bytes stored / fetched (MB)", f"{stored / mb:.1f}", f"{host.sent / mb:.1f}", saved)
    row("WebP renditions (MB)", f"{renditions / mb:.1f}", "", "")
    return 0 if failed == 0 else 1


def row(name: str, folio: str, baseline: str, ratio: str) -> None:
    print(f"{name:34}{folio:>12}{baseline:>12}{ratio:>8}")


if __name__ == "__main__":
    sys.exit(main())
