"""Import a vault whose notes link to their articles in every shape real vaults have, and
check that each distinct article becomes one article: none merged, none refused.

    .venv/bin/python -m bench.link_shapes [--notes 2000] [--database-url URL]

Shapes: WeChat links with all four keys (some shared twice, with other share noise),
without `idx`, short `/s/<id>` links, temporary `/s?src=…&signature=…` links, old
`/mp/appmsg/show?…` links, other sites with `utm_*`, and no link at all; a tenth of the
titles run past 255 characters; every note shares tags with others.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

from bench.environment import fresh_database, start_django

WECHAT = "https://mp.weixin.qq.com"


def link(shape: str, n: int) -> str:
    """The link of the `n`th note of `shape`."""
    biz = f"MzI{n:07d}=="
    if shape == "four keys":
        return f"{WECHAT}/s?__biz={biz}&mid={2650000000 + n}&idx={n % 4 + 1}&sn={n:032x}"
    if shape == "shared twice":  # the same article as "four keys" n, with share noise
        return link("four keys", n) + f"&chksm=a{n:x}&scene=21&sharer_shareid={n}#rd"
    if shape == "no idx":
        return f"{WECHAT}/s?__biz={biz}&mid={2660000000 + n}&sn={n:032x}&chksm=b{n:x}&scene=27"
    if shape == "short":
        return f"{WECHAT}/s/{n:06d}Ab-C_{n % 7}xYz"
    if shape == "temporary":
        return (
            f"{WECHAT}/s?src=11&timestamp={1715000000 + n}&ver=5{n % 9}&signature=S{n:030x}&new=1"
        )
    if shape == "appmsg":
        return f"{WECHAT}/mp/appmsg/show?__biz={biz}&appmsgid={10000000 + n}&itemidx=1&sign=s{n}"
    if shape == "other site":
        return f"https://example.com/posts/{n}?utm_source=wechat&utm_medium=share"
    return ""


SHAPES = ["four keys", "shared twice", "no idx", "short", "temporary", "appmsg", "other site", ""]


def write(folder: Path, count: int, shapes: list[str]) -> Counter:
    """Write `count` notes, their links taking `shapes` in turn; how many distinct
    articles each shape should give."""
    from articles import vault

    expected: Counter = Counter()
    tags = [f"主题{t:02d}" for t in range(40)] + ["AI", "ai", "LLM"]
    for n in range(count):
        shape = shapes[n % len(shapes)]
        number = n // len(shapes)
        long = n % 10 == 0
        title = f"第{n}篇：" + ("很长的标题，" * 60 if long else "一篇文章")
        note = vault.VaultArticle(
            path=f"{n:05d}.md",
            title=title,
            author=f"公众号{n % 50:02d}",
            source="微信公众号",
            url=link(shape, number),
            summary=vault.Summary(f"第{n}篇的一句话总结。"),
            body=f"第{n}篇的正文。",
            tags=[vault.VaultTag(t, f"00-元语/{t}") for t in (tags[n % 43], tags[(n * 7) % 43])],
        )
        path = folder / f"{n % 12:02d}" / note.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(vault.dump(note), encoding="utf-8")
        expected[shape or "no link"] += shape != "shared twice"
    return expected


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=2000, help="How many notes.")
    parser.add_argument(
        "--shape", choices=SHAPES[:-1], help="Only links of this shape (default: every shape)."
    )
    parser.add_argument("--database-url", help="Database to use (default: a new SQLite file).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="folio-links-") as scratch:
        scratch = Path(scratch)
        start_django(args.database_url, scratch)
        return run(scratch / "vault", args.notes, [args.shape] if args.shape else SHAPES)


def run(folder: Path, count: int, shapes: list[str]) -> int:
    from django.db import connection

    from articles.importer import Verdict, import_vault
    from articles.models import Article

    fresh_database()
    expected = write(folder, count, shapes)
    report = import_vault([folder])
    verdicts = Counter(result.verdict for result in report.results)
    print(f"{count:,} notes, {connection.vendor}: {report.summary()}")
    print(f"duplicates skipped: {verdicts[Verdict.DUPLICATE]}")
    print(f"articles: {Article.objects.count():,} (expected {sum(expected.values()):,})")
    for result in report.of(Verdict.FAILED)[:5]:
        print("  failed:", result.detail[:160])
    return 0 if Article.objects.count() == sum(expected.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
