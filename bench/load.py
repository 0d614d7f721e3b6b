"""`make load`: mixed traffic against the production server while an import and an
editor's saves run; fails on any 5xx, socket error, stale page, lost edit or lost article.

    .venv/bin/python -m bench.load [--seconds 60] [--articles 2000] [--database-url URL]

Synthetic articles shaped like the seed (bench/synthetic.py) are imported into a fresh
database, and gunicorn (gunicorn.conf.py: 2 workers, debug off, pages in Redis) serves
them. For `--seconds`, wrk (2 threads, 16 connections) asks in turn for home and its
pages, articles, tags, authors, archives, searches, feeds and the sitemap. Meanwhile:
- an import of the same vault with every body changed, plus new notes (`import_seeds`
  in a process of its own): it updates the articles nobody edited, creates the new ones,
  and must keep every edit made in the admin;
- an editor logged in to the admin saves a new title on one of 30 articles after another,
  and reads the public page after each save (it must show the new title at once).
At the end every title the admin said it saved must be the article's title in the
database, with one revision for each save: otherwise an edit was lost.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from bench.environment import served_site, server_environment, start_django
from bench.pages_bench import forget
from tests.helpers import form_data
from tests.servers import Browser, free_port

ROOT = Path(__file__).resolve().parent.parent
EDITED = 30  # articles the editor takes turns on
WRK = ["wrk", "-t2", "-c16", "--timeout", "10s", "--latency"]
PASSWORD = "load-test password 1"

# wrk: each thread asks for the paths in turn from its own place, and counts statuses.
WRK_SCRIPT = """
local paths = {%s}
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("start", #threads * 997)
end
function init(args)
  i = start
  statuses = {}
end
function request()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if headers["X-Cache"] == "hit" then statuses[0] = (statuses[0] or 0) + 1 end
end
function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + n
    end
  end
  for status, n in pairs(total) do
    io.write(string.format("status %%d %%d\\n", status, n))  -- 0: cache hits
  end
end
"""


@dataclass
class Edits:
    saved: dict[int, str] = field(default_factory=dict)  # article -> the title last saved
    count: int = 0
    refused: list[str] = field(default_factory=list)  # the form's error, when it refused
    errors: list[str] = field(default_factory=list)  # 5xx, or a page that was no answer
    stale: list[str] = field(default_factory=list)  # public pages without the new title
    seconds: list[float] = field(default_factory=list)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="Length of the traffic.")
    parser.add_argument("--articles", type=int, default=2000, help="Articles to start with.")
    parser.add_argument(
        "--import-notes",
        type=int,
        default=500,
        help="Notes the import under load changes (the edited articles' among them); "
        "a fifth as many more are new.",
    )
    parser.add_argument("--database-url", help="Database to use (default: a new SQLite file).")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    with tempfile.TemporaryDirectory(prefix="folio-load-") as scratch:
        scratch = Path(scratch)
        start_django(args.database_url, scratch)
        return run(scratch, args)


def run(scratch: Path, args) -> int:
    from django.contrib.auth.models import Group, User
    from django.db import connection

    from articles.models import Article, Author, Tag

    static = served_site(scratch, args.articles)
    editor = User.objects.create_user("editor", password=PASSWORD, is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    published = Article.objects.published().order_by("pk")
    edited = {a.pk: a.get_absolute_url() for a in published.only("slug")[:EDITED]}
    others = Article.objects.exclude(pk__in=edited).order_by("pk").values_list("source_path")
    ours = Article.objects.filter(pk__in=edited).values_list("source_path")
    changed = [path for (path,) in [*ours, *others[: max(0, args.import_notes - EDITED)]]]
    new = args.import_notes // 5
    changed_vault(scratch / "vault", scratch / "again", changed, new=new, first=args.articles)
    paths = traffic(
        [a.get_absolute_url() for a in published.only("slug")[:600]],
        list(Tag.objects.public().values_list("slug", flat=True)[:100]),
        list(Author.objects.public().values_list("slug", flat=True)[:50]),
        [title[:2] for title in published.values_list("title", flat=True)[:20]],
    )
    vendor = connection.vendor
    environ = server_environment(static, "load")
    connection.close()
    try:
        figures = load(scratch, args, environ, paths, edited)
    finally:
        forget(environ["REDIS_URL"], environ["FOLIO_CACHE_PREFIX"])
    return verdict(vendor, args, figures, edited, editor)


def changed_vault(source: Path, target: Path, paths: list[str], *, new: int, first: int) -> None:
    """The notes at `paths` in `source` with their bodies changed, and `new` notes more
    (numbered from `first`: other articles than those in `source`)."""
    from bench.synthetic import write_vault

    for relative in paths:
        text = (source / relative).read_text(encoding="utf-8")
        moved = target / relative
        moved.parent.mkdir(parents=True, exist_ok=True)
        moved.write_text(text.replace("\n## 关联主题", "\n导入时新增的一段。\n\n## 关联主题"))
    write_vault(target / "new", new, seed=99, first=first)


def traffic(articles: list[str], tags: list[str], authors: list[str], words: list[str]):
    """What readers ask for, in the proportions a site sees: mostly articles."""
    lists = ["/", "/?page=2", "/?page=5", "/archive/", "/archive/2021/", "/archive/2022/03/"]
    feeds = ["/rss/", "/atom/", "/sitemap.xml", "/robots.txt"]
    paths = list(articles)
    paths += [f"/tags/{slug}/" for slug in tags] + [f"/tags/{slug}/rss/" for slug in tags[:10]]
    paths += [f"/authors/{slug}/" for slug in authors]
    paths += [f"/search/?q={quote(word)}" for word in words] * 3
    paths += (lists + feeds) * 10
    return paths


@dataclass
class Figures:
    wrk: str
    statuses: dict[int, int]
    import_seconds: float
    import_status: int
    import_summary: str
    edits: Edits


def load(scratch: Path, args, environ, paths: list[str], edited: dict[int, str]) -> Figures:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (scratch / "server.log").open("w")
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]
    server = subprocess.Popen(
        command, cwd=ROOT, env=environ | {"FOLIO_BIND": f"127.0.0.1:{port}"}, stderr=log
    )
    try:
        wait_for(base)
        script = scratch / "traffic.lua"
        script.write_text(WRK_SCRIPT % ", ".join(f'"{path}"' for path in paths))
        wrk = subprocess.Popen(
            [*WRK, f"-d{args.seconds}s", "-s", str(script), base],
            stdout=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + args.seconds
        edits = Edits()
        editing = threading.Thread(target=edit, args=(base, edited, deadline, edits))
        editing.start()
        time.sleep(min(5, args.seconds / 10))  # the import starts on a site under load
        started = time.monotonic()
        importing = subprocess.run(
            [sys.executable, "manage.py", "import_seeds", str(scratch / "again")],
            cwd=ROOT,
            env=environ,
            capture_output=True,
            text=True,
        )
        import_seconds = time.monotonic() - started
        out = wrk.communicate()[0]
        editing.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    statuses = {int(s): int(n) for s, n in re.findall(r"status (\d+) (\d+)", out)}
    errors = (scratch / "server.log").read_text()
    if errors.strip():
        print("the server's log:\n" + errors[-5000:])
    summary = importing.stdout.strip().splitlines()[-1] if importing.stdout.strip() else ""
    if importing.returncode:
        print("the import's errors:\n" + importing.stderr[-3000:])
    return Figures(out, statuses, import_seconds, importing.returncode, summary, edits)


def wait_for(base: str) -> None:
    for _ in range(300):
        try:
            Browser().get(f"{base}/robots.txt")
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def edit(base: str, articles: dict[int, str], deadline: float, edits: Edits) -> None:
    """Save a new title on each article in turn until `deadline`, as an editor in the
    admin does; after each save, read the article's public page as a reader."""
    editor, reader = Browser(), Browser()
    editor.log_in(base, "editor", PASSWORD)
    n, order = 0, list(articles)
    while time.monotonic() < deadline:
        pk = order[n % len(order)]
        n += 1
        change = f"{base}/admin/articles/article/{pk}/change/"
        started = time.monotonic()
        status, _, page = editor.get(change)
        if status != 200:
            edits.errors.append(f"GET {change}: {status}")
            continue
        form = form_data(page)
        title = re.sub(r"【编辑\d+】$", "", form["title"][0]) + f"【编辑{n}】"
        form.update(title=[title], _save=["Save"])
        status, _, page = editor.post(change, form)
        edits.seconds.append(time.monotonic() - started)
        edits.count += 1
        if status >= 500 or status != 200:
            edits.errors.append(f"POST {change}: {status}")
        elif 'class="errornote"' in page or 'name="title"' in page:
            found = re.search(r'<ul class="errorlist[^"]*"[^>]*><li>(.*?)</li>', page)
            edits.refused.append(found[1] if found else "refused")
        else:
            edits.saved[pk] = title
            status, _, page = reader.get(base + articles[pk])  # (a new slug redirects)
            if title not in html.unescape(page):
                shown = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
                edits.stale.append(f"{pk}: {status} {shown[1].strip() if shown else page[:80]}")


def verdict(vendor: str, args, figures: Figures, edited: dict[int, str], editor) -> int:
    from articles.models import Article, Revision

    edits = figures.edits
    titles = dict(Article.objects.filter(pk__in=edited).values_list("pk", "title"))
    lost = [pk for pk, title in edits.saved.items() if titles[pk] != title]
    # A save undone by someone else (the import) and saved over again later is lost too.
    last_by = {}
    for revision in Revision.objects.filter(article__in=edited).order_by("article", "number"):
        if (
            "title" in revision.changed
            and revision.user_id != editor.pk
            and last_by.get(revision.article_id)
        ):
            lost.append(f"{revision.article_id}: revision {revision.number} undid a save")
        last_by[revision.article_id] = revision.user_id == editor.pk
    revisions = Revision.objects.filter(user=editor).count()
    expected, articles = args.articles + args.import_notes // 5, Article.objects.count()
    saves = edits.count - len(edits.refused) - len(edits.errors)
    out = figures.wrk
    requests = int(re.search(r"(\d+) requests in", out)[1])
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    latency = dict(re.findall(r"(50|99)%\s+([\d.]+\w+)", out))
    socket_errors = re.search(r"Socket errors:.*", out)
    statuses = dict(figures.statuses)
    hits = statuses.pop(0, 0)
    server_errors = sum(n for status, n in statuses.items() if status >= 500)
    rows = [
        (
            "reads",
            f"{requests:,} in {args.seconds} s, {rps:,.0f}/s, "
            f"p50 {latency.get('50')}, p99 {latency.get('99')}",
        ),
        ("statuses", ", ".join(f"{s}: {n:,}" for s, n in sorted(statuses.items()))),
        ("page cache hits", f"{hits / max(requests, 1):.0%}"),
        ("5xx", f"{server_errors}"),
        ("socket errors", socket_errors[0] if socket_errors else "none"),
        (
            "import",
            f"{figures.import_summary} in {figures.import_seconds:.0f} s "
            f"(exit {figures.import_status})",
        ),
        (
            "admin saves",
            f"{saves} saved, {len(edits.refused)} refused "
            f"({'; '.join(sorted(set(edits.refused)))[:200] or 'none'}), "
            f"{len(edits.errors)} errors, median {statistics.median(edits.seconds or [0]):.2f} s",
        ),
        (
            "lost edits",
            f"{len(lost)} (revisions by the editor: {revisions} for {saves} saves) "
            + "; ".join(map(str, lost))[:300],
        ),
        ("stale pages after a save", f"{len(edits.stale)} {'; '.join(edits.stale)[:300]}"),
        ("articles at the end", f"{articles:,} (expected {expected:,})"),
    ]
    print(f"\n{args.articles:,} articles, {vendor}, gunicorn (2 workers), wrk -t2 -c16")
    print("| | |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    failed = (
        server_errors
        or socket_errors
        or lost
        or revisions != saves
        or edits.errors
        or edits.stale
        or figures.import_status
        or saves == 0
        or articles != expected
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
