"""A varied synthetic corpus for the search benchmark.

The seed is one article; a corpus made of its shuffled paragraphs would put every word
in every article. Here words follow a Zipf law over a vocabulary: the seed's own words,
most frequent first, then made-up two- and three-character words from its characters,
and a few hundred English and mixed terms. Each article draws a topic of its own, so
that words are common in some articles and absent from others, as in a real archive.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from dataclasses import dataclass

from articles import tokenizer
from bench.synthetic import SEED

ENGLISH = ["GPT-4o", "API", "ChatGPT", "OpenAI", "Sora", "Gemini", "LLM", "TTS", "Mac",
           "Google", "Transformer", "RAG", "Agent", "Python", "Rust", "GPU", "CUDA"]  # fmt: skip
PUNCTUATION = ["，", "，", "，", "。", "。", "、", "！", "？"]


@dataclass
class Vocabulary:
    words: list[str]
    weights: list[float]  # cumulative, for random.choices

    @classmethod
    def build(cls, rng: random.Random, size: int = 30_000) -> Vocabulary:
        text = SEED.read_text(encoding="utf-8").split("## 正文", 1)[1]
        counts = Counter(w for w in tokenizer.words(text) if len(w) > 1)
        real = [w for w, _ in counts.most_common()]
        chars = sorted({c for c in text if "\u4e00" <= c <= "\u9fff"})
        made = set()
        while len(made) < size:
            made.add("".join(rng.choice(chars) for _ in range(rng.choice((2, 2, 3)))))
        english = [f"{word}{n}" if n else word for n in range(12) for word in ENGLISH]
        words = [*real, *english, *sorted(made - set(real))]
        rng.shuffle(words[len(real) :])
        cumulative = list(
            itertools.accumulate(1 / (rank + 1) ** 1.05 for rank in range(len(words)))
        )
        return cls(words, cumulative)

    def text(self, rng: random.Random, characters: int, topic: list[str]) -> str:
        """About `characters` of text: Zipf words, a third of them from `topic`."""
        out, length = [], 0
        while length < characters:
            count = rng.randint(6, 16)
            pick = rng.choices(self.words, cum_weights=self.weights, k=count)
            pick = [rng.choice(topic) if rng.random() < 0.3 else w for w in pick]
            sentence = "".join(pick) + rng.choice(PUNCTUATION)
            out.append(sentence)
            length += len(sentence)
        return "".join(out)


@dataclass
class Fake:
    title: str
    summary: str
    points: list[tuple[str, str]]
    tags: list[str]
    author: str
    body: str


def articles(count: int, *, seed: int = 7, body: int = 2000):
    """`count` fake articles (bodies of about `body` characters, as the seed's)."""
    rng = random.Random(seed)
    vocab = Vocabulary.build(rng)
    middle = vocab.words[200:5000]
    tags = [f"主题{n}" for n in range(400)] + ENGLISH
    authors = [f"公众号{n:03d}" for n in range(300)]
    for _ in range(count):
        topic = rng.sample(middle, 12)
        yield Fake(
            title=vocab.text(rng, 24, topic)[:30],
            summary=vocab.text(rng, 80, topic),
            points=[
                (rng.choice(topic), vocab.text(rng, 50, topic)) for _ in range(rng.randint(3, 7))
            ],
            tags=rng.sample(tags, rng.randint(2, 5)),
            author=rng.choice(authors),
            body=vocab.text(rng, body, topic),
        )


def queries(rng: random.Random, vocab_words: list[str], count: int) -> list[str]:
    """A mix of Chinese and English queries: common, middling and rare words, two-word
    queries and quoted phrases."""
    fixed = ["语音", "延迟", "多模态", "GPT-4o", "API", "模型", "实时 推理", '"原生多模态"',
             "ChatGPT 语音", "OpenAI", "Transformer", "大模型"]  # fmt: skip
    mixed = []
    while len(fixed) + len(mixed) < count:
        band = rng.choice((vocab_words[10:200], vocab_words[200:3000], vocab_words[3000:20000]))
        kind = rng.random()
        if kind < 0.6:
            mixed.append(rng.choice(band))
        elif kind < 0.85:
            mixed.append(f"{rng.choice(band)} {rng.choice(vocab_words[10:3000])}")
        else:
            mixed.append(rng.choice(ENGLISH))
    return fixed + mixed
