"""`make bench`: public pages under load, beside Django's own "hello world" in the same run.

    .venv/bin/python -m bench.pages_bench [--articles 10000] [--database-url URL]
                                          [--seconds 5] [--server gunicorn|granian]

Synthetic articles shaped like the seed (bench/synthetic.py: links of every shape, long
titles, tags shared by most articles) are imported into a fresh database; the production
server (gunicorn.conf.py: 2 workers, debug off, collectstatic done) serves them; wrk
(2 threads, 16 connections) loads each page in turn with a plain view (a fixed string
through the same middleware) between them, so that every figure is a ratio against a
baseline measured moments before and after, on the same machine.

- cached, in Redis (REDIS_URL) and in each worker's memory: articles (500 of them in
  turn; 100 in memory, which keeps 300 pages a worker), home, tags (100 in turn) vs plain;
  in Redis also 2,000 articles in turn, more than a worker keeps near (12 MB of pages):
  every hit then reads its page from Redis
- cache off: an article, home, the biggest tag vs plain
- page 50 (or the biggest tag's last, with fewer articles) vs page 1, of home and of the
  biggest tag (cache off)
- the API's list (/api/articles/): cached (100 tags' lists in turn, in Redis and in
  memory) and not (the newest articles) vs plain, and its page 1,000 vs page 1 (as many
  articles a page as make 1,000 pages: 10 for 10,000), cache off
- workers' resident memory after the load, server CPU per request
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.environment import served_site, server_environment, start_django
from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"cached": 1.0, "article": 0.3, "list": 0.2, "page 50": 1.2, "rss_mb": 100.0}
P99_MS = 20.0


@dataclass
class Load:
    rps: float
    p99_ms: float
    requests: int
    cpu_ms: float  # server CPU per request


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000, help="How many articles.")
    parser.add_argument("--database-url", help="Database to use (default: a new SQLite file).")
    parser.add_argument("--seconds", type=int, default=5, help="Length of each wrk run.")
    parser.add_argument("--server", choices=("gunicorn", "granian"), default="gunicorn")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="folio-pages-") as scratch:
        scratch = Path(scratch)
        start_django(args.database_url, scratch)
        return run(scratch, args)


def run(scratch: Path, args) -> int:
    from django.conf import settings
    from django.db import connection

    from articles.models import Article, Tag

    static = served_site(scratch, args.articles)
    rng = random.Random(3)
    articles = [a.get_absolute_url() for a in Article.objects.published().only("slug")]
    tags = list(Tag.objects.public().order_by("-id").values_list("slug", flat=True))
    biggest = Tag.objects.get(name="AI").slug
    # Page 50 of the biggest tag (10,000 articles: 6,000 tagged AI), or its last page.
    tagged = Article.objects.published().filter(tagged_items__tag__slug=biggest).count()
    deep = max(2, min(50, -(-tagged // settings.FOLIO_PAGE_SIZE)))
    sampled = rng.sample(tags, k=min(100, len(tags)))
    paths = {
        "api list": [f"/api/articles/?tag={slug}" for slug in sampled],
        "api pages": api_pages(len(articles)),
        "article": rng.sample(articles, k=min(500, len(articles))),
        "many articles": rng.sample(articles, k=min(2000, len(articles))),
        "home": ["/"],
        "tag": [f"/tags/{slug}/" for slug in sampled],
    }
    vendor = connection.vendor
    environ = {**server_environment(static, "bench"), "DJANGO_SETTINGS_MODULE": "bench.settings"}
    connection.close()
    try:
        rows = measure(scratch, args, environ, paths, biggest, deep)
    finally:  # the servers' pages: hundreds of MB, kept for days otherwise
        forget(environ["REDIS_URL"], environ["FOLIO_CACHE_PREFIX"])
    return report(vendor, args, rows)


def api_pages(count: int) -> tuple[str, str]:
    """The API list's page 1 and page 1,000, at as many articles a page as make 1,000."""
    from articles.api.reading import encode_cursor
    from articles.models import Article

    size = max(1, count // 1000)
    newest = Article.objects.published().order_by("-published_at", "-pk")
    when, pk = newest.values_list("published_at", "pk")[999 * size - 1]  # page 999's last
    first = f"/api/articles/?limit={size}"
    return first, f"{first}&cursor={encode_cursor([when.isoformat(), pk])}"


def measure(
    scratch: Path, args, environ: dict[str, str], paths: dict, biggest: str, deep: int
) -> list:
    """Each page's row of the report, cached (in Redis, then in memory) and not."""
    rows: list[tuple[str, str, float, float, str]] = []
    local = {k: v for k, v in environ.items() if k != "REDIS_URL"}
    cached_rss = cached_pss = 0.0
    # Each worker keeps its own 300 pages: 100 articles in turn, warmed in every worker.
    for store, env, articles in (("Redis", environ, 500), ("memory", local, 100)):
        with Server(scratch, args, env | {"FOLIO_PAGE_CACHE": "on"}) as server:
            for name in ("article", "home", "tag", "api list"):
                some = paths[name][:articles]
                server.warm(some * 3)
                ratio, load = server.against_plain(some)
                rows.append(row(f"cached in {store}: {name}", ratio, load, TARGETS["cached"], True))
            if store == "Redis":  # more than a worker keeps near: each hit read from Redis
                many = paths["many articles"]
                server.warm(many)
                ratio, load = server.against_plain(many)
                name = f"cached in Redis: {len(many):,} articles"
                rows.append(row(name, ratio, load, TARGETS["cached"], True))
            cached_rss = max(cached_rss, server.rss_mb())
            cached_pss = max(cached_pss, server.rss_mb("Pss"))
    with Server(scratch, args, environ | {"FOLIO_PAGE_CACHE": "off"}) as server:
        single = {"article": paths["article"][:1], "home": ["/"], "tag": [f"/tags/{biggest}/"]}
        single["api list"] = ["/api/articles/"]
        lists = (("home", "list"), ("tag", "list"), ("api list", "list"))
        for name, target in (("article", "article"), *lists):
            ratio, load = server.against_plain(single[name])
            rows.append(row(f"cache off: {name}", ratio, load, TARGETS[target]))
        for name, first in (("home", "/"), ("tag", f"/tags/{biggest}/")):
            page1 = server.load([first])
            far = server.load([f"{first}?page={deep}"])
            cost = page1.rps / far.rps
            detail = f"{far.cpu_ms:.1f} ms CPU vs {page1.cpu_ms:.1f}"
            limit = TARGETS["page 50"]
            figure = f"{cost:.2f}× the cost"
            label = f"{name} page {deep} vs page 1"
            rows.append((label, figure, cost <= limit, f"≤ {limit}×", detail))
        first, far = (server.load([path]) for path in paths["api pages"])
        cost, limit = first.rps / far.rps, TARGETS["page 50"]
        detail = f"{far.cpu_ms:.1f} ms CPU vs {first.cpu_ms:.1f}"
        figure = f"{cost:.2f}× the cost"
        rows.append(("API page 1,000 vs page 1", figure, cost <= limit, f"≤ {limit}×", detail))
        rss = max(cached_rss, server.rss_mb())
        pss = max(cached_pss, server.rss_mb("Pss"))
    # PSS counts the pages the workers share (the app loaded before the fork) once.
    shared = f"PSS {pss:.0f} MB"
    rows.append(
        ("worker RSS after load", f"{rss:.0f} MB", rss < TARGETS["rss_mb"], "< 100 MB", shared)
    )
    return rows


def forget(url: str, prefix: str) -> None:
    """Delete what was kept in Redis under `prefix`."""
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"*{prefix}*", count=1000))
    for start in range(0, len(keys), 1000):
        client.unlink(*keys[start : start + 1000])


def row(name: str, ratio: float, load: Load, target: float, p99: bool = False):
    ok = ratio >= target and (not p99 or load.p99_ms < P99_MS)
    aim = f"≥ {target}×" + (f", p99 < {P99_MS:.0f} ms" if p99 else "")
    detail = f"{load.rps:,.0f} req/s, p99 {load.p99_ms:.1f} ms, {load.cpu_ms:.2f} ms CPU/req"
    return (name, f"{ratio:.2f}×", ok, aim, detail)


def report(vendor: str, args, rows) -> int:
    print(f"\n{args.articles:,} articles, {vendor}, {args.server} (2 workers), wrk -t2 -c16")
    print("| page | vs plain view | target | ok | measured |")
    print("|---|---|---|---|---|")
    for name, figure, ok, aim, detail in rows:
        print(f"| {name} | {figure} | {aim} | {'ok' if ok else 'MISSED'} | {detail} |")
    return 0 if all(ok for _, _, ok, _, _ in rows) else 1


class Server:
    """The production server in a process of its own, and wrk against it."""

    def __init__(self, scratch: Path, args, environ: dict[str, str]) -> None:
        self.scratch, self.args = scratch, args
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        if args.server == "granian":
            command = ["granian", "--interface", "wsgi", "--workers", "2", "--host", "127.0.0.1"]
            command += ["--port", str(port), "cms.wsgi:application"]
            command[0] = str(Path(sys.executable).with_name("granian"))
        else:
            command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]
        environ = environ | {"FOLIO_BIND": f"127.0.0.1:{port}"}
        self.process = subprocess.Popen(command, cwd=ROOT, env=environ)

    def __enter__(self) -> Server:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{self.base}/plain/", timeout=2).read()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)

    def warm(self, paths: list[str]) -> None:
        for path in paths:
            urllib.request.urlopen(self.base + path, timeout=30).read()

    def against_plain(self, paths: list[str]) -> tuple[float, Load]:
        """The load of `paths`, and its requests/s over the plain view's (the mean of a
        run just before and one just after)."""
        before = self.load(["/plain/"])
        load = self.load(paths)
        after = self.load(["/plain/"])
        return load.rps / ((before.rps + after.rps) / 2), load

    def load(self, paths: list[str]) -> Load:
        script = self.scratch / "paths.lua"
        listed = ", ".join(f'"{path}"' for path in paths)
        script.write_text(
            f"local paths = {{{listed}}}\nlocal i = 0\n"
            "request = function()\n  i = i % #paths + 1\n"
            '  return wrk.format("GET", paths[i])\nend\n'
        )
        cpu = self.cpu_seconds()
        seconds = self.args.seconds
        command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "-s", str(script)]
        out = subprocess.run([*command, self.base], capture_output=True, text=True).stdout
        if "Non-2xx" in out or "Socket errors" in out:
            raise RuntimeError(f"errors under load on {paths[:3]}:\n{out}")
        requests = int(re.search(r"(\d+) requests in", out).group(1))
        value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()
        p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        used = (self.cpu_seconds() - cpu) * 1000 / requests
        return Load(rps, p99, requests, used)

    def workers(self) -> list[int]:
        """The server's processes under its master (all descendants)."""
        children: dict[int, list[int]] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            found += children.get(pid, [])
            todo += children.get(pid, [])
        return found

    def cpu_seconds(self) -> float:
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in [self.process.pid, *self.workers()]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def rss_mb(self, kind: str = "Rss") -> float:
        """The largest worker's resident memory (Rss), or its proportional share (Pss:
        pages shared with the other processes divided among them)."""
        sizes = []
        for pid in self.workers():
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            sizes.append(int(re.search(rf"^{kind}:\s+(\d+) kB", rollup, re.M).group(1)) / 1024)
        return max(sizes)


if __name__ == "__main__":
    sys.exit(main())
