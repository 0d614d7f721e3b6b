"""Synthetic vault notes shaped like the seed: same sections, sizes and kinds of text, and
what real vaults have besides: links of every shape, a tenth of the titles past 255
characters, and a few tags shared by most articles (AI on about 60%, 大模型 on 25%)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from articles import vault
from bench.link_shapes import SHAPES, link

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_92e8f43f664c5b24.txt"


def _material() -> tuple[list[str], list[str], list[str]]:
    note = vault.parse(SEED.read_text(encoding="utf-8"), path=SEED.name)
    paragraphs = [p for p in note.body.split("\n\n") if p.strip()]
    sentences = [s.strip() for p in paragraphs if not p.startswith("!") for s in p.split("。")]
    points = [item.text for item in note.summary.key_points]
    return paragraphs, [s for s in sentences if s], points


def write_vault(folder: Path, count: int, *, seed: int = 1, first: int = 0) -> list[Path]:
    """Write `count` notes under `folder` (in year/month folders), numbered from `first`
    (a number names the note's link, title and file: other numbers, other articles); their
    paths."""
    rng = random.Random(seed)
    paragraphs, sentences, points = _material()
    authors = [f"公众号{n:03d}" for n in range(200)]
    tags = [f"主题{n:03d}" for n in range(300)] + ["llm", "GPT-4o"]
    shapes = [shape for shape in SHAPES if shape != "shared twice"]  # no duplicates here
    paths = []
    for n in range(first, first + count):
        day = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(1800))
        title = rng.choice(sentences)[:30] + f"（{n}）"
        if n % 10 == 0:
            title = "，".join(rng.sample(sentences, k=12))[:300] + f"（{n}）"
        shared = [name for name, share in (("AI", 0.6), ("大模型", 0.25)) if rng.random() < share]
        note = vault.VaultArticle(
            path=f"{n:05d}.md",
            title=title,
            date=day,
            author=rng.choice(authors),
            source="微信公众号",
            url=link(shapes[n % len(shapes)], n),
            summary=vault.Summary(
                rng.choice(sentences) + "。",
                [
                    vault.SummaryItem(f"要点{i}", rng.choice(points))
                    for i in range(rng.randint(5, 8))
                ],
                [vault.SummaryItem("风险", rng.choice(points))],
            ),
            body="\n\n".join(rng.sample(paragraphs, k=len(paragraphs))),
            tags=[
                vault.VaultTag(t, f"00-元语/{t}")
                for t in [*shared, *rng.sample(tags, k=rng.randint(1, 4))]
            ],
        )
        path = folder / f"{day.year}" / f"{day.month:02d}" / note.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(vault.dump(note), encoding="utf-8")
        paths.append(path)
    return paths
