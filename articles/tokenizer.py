"""Words of Chinese (and mixed) text, the same for the index and for a query. PURE: imports
nothing from Django, so that import workers can segment in their own processes.

Chinese is written without spaces, so text is segmented with jieba's Rust port (rjieba).
An indexed field is its words in order, so that phrases match, and the shorter words
jieba finds inside long ones, so that 智能 finds 人工智能. Words are lower-cased and cut
at punctuation (GPT-4o is `gpt 4o`); the database's own tokenizer then only has to split
on spaces.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

MAX_QUERY = 200  # characters of a query that count
MAX_TERMS = 12  # words or "phrases" of a query that count

_WORD = re.compile(r"[^\W_]+")  # letters and digits of any script
_TERM = re.compile(r'"([^"]*)"|(\S+)')


def _jieba():
    """rjieba, imported at the first text to segment: its dictionary costs 32 MB, which a
    worker that only serves pages never needs."""
    import rjieba

    return rjieba


def words(text: str) -> list[str]:
    """`text` segmented, in order: lower-case words without punctuation."""
    return _words(_jieba().cut(text.lower()))


def _words(pieces: list[str]) -> list[str]:
    out = []
    for piece in pieces:
        if piece.isalnum():  # most are: a word, as _WORD would find it
            out.append(piece)
        else:
            out += _WORD.findall(piece)
    return out


@dataclass(frozen=True)
class Field:
    """A field's words as an index holds them."""

    exact: tuple[str, ...]  # in order, so that phrases match
    inside: tuple[str, ...]  # the shorter words jieba finds inside long ones

    def text(self) -> str:
        """The words, then the words inside them."""
        return " ".join([*self.exact, *self.inside])

    def pairs(self) -> str:
        """Each two neighbouring words as one (实时推理): a phrase as single words, for
        an index that would otherwise have to check positions."""
        return " ".join(a + b for a, b in itertools.pairwise(self.exact))


def field(text: str) -> Field:
    """`text` segmented for the index."""
    text = text.lower()
    jieba = _jieba()
    exact = _words(jieba.cut(text))
    inside = Counter(_words(jieba.cut_for_search(text)))
    inside.subtract(Counter(exact))
    return Field(tuple(exact), tuple(inside.elements()))


@dataclass(frozen=True)
class Document:
    """The fields of an article that search reads."""

    title: Field
    summary: Field
    tags: Field
    author: Field
    body: Field

    def fields(self) -> tuple[Field, ...]:
        return (self.title, self.summary, self.tags, self.author, self.body)


def document(
    *,
    title: str,
    summary: str,
    items: Iterable[tuple[str, str]],
    tags: Iterable[str],
    author: str,
    body: str,
) -> Document:
    """The search document of an article: `summary` is its one-sentence summary and
    `items` the (label, text) of its key points and risks; `body` the plain text of its
    HTML, so that image addresses are not words."""
    summary = " ".join([summary, *(f"{label} {text}" for label, text in items)])
    return Document(
        title=field(title),
        summary=field(summary),
        tags=field(" ".join(tags)),
        author=field(author),
        body=field(body),
    )


@dataclass(frozen=True)
class Query:
    """A query read: its terms (each a phrase of words, all required) and the text of
    each term, to highlight."""

    terms: tuple[tuple[str, ...], ...]
    texts: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.terms)


def query(text: str) -> Query:
    """A search box's text as terms: each space-separated word or "quoted phrase" is one
    term, whose words must all appear, in order. Syntax characters of the databases'
    query languages are punctuation here, so a query can only ever be words."""
    terms, texts = [], []
    for quoted, bare in _TERM.findall(text[:MAX_QUERY]):
        term = tuple(words(quoted or bare))
        if term and term not in terms:
            terms.append(term)
            texts.append((quoted or bare).strip())
    return Query(tuple(terms[:MAX_TERMS]), tuple(texts[:MAX_TERMS]))
