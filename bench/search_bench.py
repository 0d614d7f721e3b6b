"""`make bench`, search: query times over many synthetic articles, beside LIKE '%term%'.

Loads --articles varied synthetic articles (bench/corpus.py; 2% of them drafts) straight
into a fresh database (SQLite under a temporary folder, or the one --database-url names,
its test database), then times what the search page asks of the engine for each query of
a mix of Chinese and English queries (the count, and the ids of the first page), and the
same query as LIKE '%word%' over title, summary and body on the same data.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.environment import fresh_database, start_django

TARGETS = {"median": 0.020, "p95": 0.050}  # seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000, help="How many articles.")
    parser.add_argument("--queries", type=int, default=200, help="Queries to time.")
    parser.add_argument("--like-queries", type=int, default=30, help="Of them, timed as LIKE.")
    parser.add_argument("--database-url", help="Database to use (default: a new SQLite file).")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="With --database-url: keep the loaded data, reuse it next time.",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="folio-search-bench-") as scratch:
        scratch = Path(scratch)
        start_django(args.database_url, scratch)
        return run(args)


def _documents(job: tuple[int, int, int]):
    """Fake articles number `start`… and their search documents (in a worker)."""
    from articles import tokenizer
    from bench.corpus import articles

    start, count, seed = job
    out = []
    for fake in articles(count, seed=seed * 1_000_003 + start):
        document = tokenizer.document(
            title=fake.title,
            summary=fake.summary,
            items=fake.points,
            tags=fake.tags,
            author=fake.author,
            body=fake.body,
        )
        out.append((fake, document))
    return start, out


def load(count: int) -> None:
    from django.db import transaction

    from articles import search
    from articles.models import Article, Author

    authors = {
        a.name: a
        for a in Author.objects.bulk_create(
            Author(name=f"公众号{n:03d}", slug=f"gzh{n}") for n in range(300)
        )
    }
    base = datetime(2020, 1, 1, tzinfo=UTC)
    jobs = [(start, min(1000, count - start), 7) for start in range(0, count, 1000)]
    context = multiprocessing.get_context("forkserver")
    with context.Pool(os.cpu_count() or 1) as pool, search.bulk_load():
        for start, rows in pool.imap(_documents, jobs):
            with transaction.atomic():
                made = Article.objects.bulk_create(
                    Article(
                        title=fake.title,
                        slug=f"s{start + n}",
                        author=authors[fake.author],
                        status="draft" if (start + n) % 50 == 0 else "published",
                        published_at=base + timedelta(minutes=start + n),
                        summary=fake.summary,
                        body=fake.body,
                    )
                    for n, (fake, _) in enumerate(rows)
                )
                search.index_many(
                    (article.pk, doc) for article, (_, doc) in zip(made, rows, strict=True)
                )
            print(f"\rloaded {start + len(rows):,}/{count:,}", end="", flush=True)
    print()


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def engine(text: str) -> None:
    from articles import search

    results = search.Results(text)
    results.count()
    results.ids(limit=20)


def like(text: str) -> None:
    from django.db.models import Q

    from articles import tokenizer
    from articles.models import Article

    matches = Article.objects.published()
    for word in tokenizer.query(text).texts:
        word = word.strip('"')
        matches = matches.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
        )
    matches.count()
    list(matches.order_by("-published_at").values_list("pk", flat=True)[:20])


def run(args) -> int:
    from django.db import connection

    from articles.models import Article, Author
    from bench.corpus import Vocabulary, queries

    fresh_database(keep=args.keep)
    if args.keep and Article.objects.count() == args.articles:
        print(f"reusing the {args.articles:,} articles loaded before")
    else:
        started = time.perf_counter()
        Article.objects.all().delete()
        Author.objects.all().delete()
        load(args.articles)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        print(f"loaded and indexed in {time.perf_counter() - started:.0f} s")
    rng = random.Random(11)
    mix = queries(rng, Vocabulary.build(random.Random(7)).words, args.queries)
    for text in mix[:5]:  # warm the caches, as a running site's are
        engine(text)
    # Each query's time is the median of three runs: this machine's speed wanders.
    fts = [statistics.median(timed(lambda t=text: engine(t)) for _ in range(3)) for text in mix]
    slow = [timed(lambda t=text: like(t)) for text in mix[: args.like_queries]]
    return report(connection.vendor, args.articles, fts, slow)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(vendor: str, count: int, fts: list[float], slow: list[float]) -> int:
    rows = [
        ("median", statistics.median(fts), statistics.median(slow)),
        ("p95", percentile(fts, 0.95), percentile(slow, 0.95)),
    ]
    print(f"\n{count:,} articles, {vendor}: {len(fts)} queries, {len(slow)} of them also as LIKE")
    print(f"{'':<8}{'search':>10}{'LIKE':>10}{'ratio':>9}{'target':>9}")
    ok = True
    for name, ours, theirs in rows:
        target = TARGETS[name]
        ok &= ours < target
        mark = "ok" if ours < target else "SLOW"
        print(
            f"{name:<8}{ours * 1000:>8.1f}ms{theirs * 1000:>8.0f}ms{theirs / ours:>8.0f}x"
            f"{target * 1000:>7.0f}ms {mark}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
