"""What hypothesis generates for each target, as bytes: notes made of the lines the parser
knows (tests/test_vault_properties.py's), in every encoding and line ending vaults have;
the seeds with lines spliced in; Markdown made of the syntax that costs the renderer most;
and long runs of one piece after a line's start, where a pattern that backtracks shows."""

from __future__ import annotations

from hypothesis import strategies as st

from fuzz import corpus
from tests.test_vault_properties import NOTE_LINES

ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "utf-16"]
NEWLINES = ["\n", "\r\n", "\r"]
# A line's start (after the heading of the section that reads it, where one does), a piece
# repeated after it, and its end: a date and a thousand spaces, a heading and a thousand
# tabs, a summary's part, a tag, a bracket and a thousand more ...
HEADS = [
    "", "# a", "###### a", "## 摘要\n**2) 核心要点**", "## 摘要\n### 核心要点", "## 摘要\n- **a",
    "## 摘要\n**2) 核心要点**\n*   **a**：", "## 关联主题\n- a", "## 关联主题\n- [[a", "- a",
    "> ", "1. ", "```", "|a", "[a](", "<a ", "<!--", "&#", "`", "**",
]  # fmt: skip
UNITS = [
    " ", "\t", "a", "a ", " a", "0", "[[", "]]", "[", "](", "#", "*", "**", "_", "- ", ">",
    "`", "年", ":", "：", "\\", "&amp;", "{", '"', "|", "<", "!", "\n", "  \n", "1. ",
]  # fmt: skip
TAILS = ["", "x", "#", "\t", "]]", ":", "**", ")", "\n"]
# The same in a front-matter value, where each key's value has a reader of its own.
KEYS = ["date", "发布日期", "title", "author", "url", "source", "tags", "status", "draft", "x"]
VALUES = ["", "2024-05-14", "2024年5月14日", "2024-05-14 10:30", "a", "[", "{", '"', "&#"]
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


def runs(longest: int) -> st.SearchStrategy[str]:
    """A line's start, up to `longest` of one piece, an end (short runs mostly)."""
    return st.builds(
        lambda head, unit, count, tail: head + unit * count + tail,
        st.sampled_from(HEADS),
        st.sampled_from(UNITS),
        st.integers(0, 100) | st.integers(0, longest),
        st.sampled_from(TAILS),
    )


def front_runs(longest: int) -> st.SearchStrategy[str]:
    """Front matter whose one value is a run (see `runs`)."""
    return st.builds(
        lambda key, head, unit, count, tail: f"---\n{key}: {head}{unit * count}{tail}\n---\n",
        st.sampled_from(KEYS),
        st.sampled_from(VALUES),
        st.sampled_from(UNITS),
        st.integers(0, 100) | st.integers(0, longest),
        st.sampled_from(TAILS),
    )


def _encoded(text: str, encoding: str, newline: str) -> bytes:
    return text.replace("\n", newline).encode(encoding, errors="replace")


def _spliced(seed: bytes, edits: list[tuple[float, str]]) -> bytes:
    """`seed` with each piece of text put in at its place (a share of the way through)."""
    text = seed.decode("utf-8", errors="replace")
    for where, piece in edits:
        at = int(where * len(text))
        text = text[:at] + piece + text[at:]
    return text.encode()


def _note_bytes(lines: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    notes = st.lists(lines, max_size=30).map("\n".join)
    return st.builds(
        _encoded, notes, st.sampled_from(ENCODINGS), st.sampled_from(NEWLINES)
    ) | notes.map(str.encode)


def _seed_edits(target: str, pieces: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    seeds = [data for _name, data in corpus.seeds(target)]
    edits = st.lists(st.tuples(st.floats(0, 1), pieces), max_size=6)
    return st.builds(_spliced, st.sampled_from(seeds), edits)


# How long a run may be: what shows a pattern that backtracks in the parser (which has no
# time budget) within its time limit; the renderer stops at its budget anyway.
LONGEST = {"parser": 20_000, "renderer": 3000, "importer": 3000}


def for_target(target: str) -> st.SearchStrategy[bytes]:
    """The inputs hypothesis draws for `target`."""
    tokens = st.sampled_from(corpus.tokens(target))
    pieces = st.lists(tokens | TEXT, max_size=8).map("".join)
    long = runs(LONGEST[target])
    if target == "renderer":
        markdown = st.lists(pieces | long, max_size=30).map("\n".join)
        return st.one_of(
            markdown.map(str.encode),
            _seed_edits(target, pieces | long),
            TEXT.map(str.encode),
        )
    lines = NOTE_LINES | pieces | long
    rest = st.lists(lines, max_size=10).map("\n".join)
    front = st.builds(str.__add__, front_runs(LONGEST[target]), rest)
    return st.one_of(
        _note_bytes(lines),
        _seed_edits(target, lines),
        front.map(str.encode),
        st.binary(max_size=2000),
    )
