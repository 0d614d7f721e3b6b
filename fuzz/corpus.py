"""Seed inputs for each target, and the tokens mutations splice in: the seed note, the test
vault's edge cases (tests/vault/), and the slow families of Markdown (tests/pathological.py)
cut to a size a fuzzer can mutate quickly."""

from __future__ import annotations

from pathlib import Path

from fuzz.harness import ROOT
from tests.pathological import FAMILIES

FAMILY_SIZE = 256  # characters: each family's shape, quick to render (instrumented too)

# Pieces of the note format and of Markdown (front matter, sections, summary parts, wiki
# links, raw HTML, the syntax that costs the renderer most), for mutations to splice in.
NOTE_TOKENS = [
    "---\n", "title: ", "发布日期: ", "date: ", "作者: ", "来源: ", "原文链接: ", "url: ",
    "link: ", "source: ", "tags: ", "tags:\n  - ", "draft: true", "status: ", "审核中",
    "归档", "2024-05-14", "2024-05-14 10:30", "2024/05/14", "2024年5月14日", "T10:30:00+08:00",
    "https://mp.weixin.qq.com/s?__biz=MzA5&mid=1&idx=1&sn=a", "&quot;", "&amp;", "{", "}",
    "[", "]", "&a ", "*a", "!!binary ", "!!python/object ", "? ", "|\n", ">-\n",
    "# ", "## 摘要\n", "## 正文\n", "## 关联主题\n", "## Summary\n", "### 核心要点\n",
    "**1) 一句话总结**\n", "**2) 核心要点**\n", "**3) 风险/不足**\n", "*   **标签**：",
    "- [[00-元语/AI]]\n", "[[", "]]", "|人工智能", "#AI", "```\n", "~~~\n", "\r\n", "\ufeff",
]  # fmt: skip
MARKDOWN_TOKENS = [
    "[a](", "](b)", "![a](", "<http://", "<https://a.b>", "<a ", "<!--", "-->", "**", "*",
    "_", "__", "`", "```\n", "~~~\n", "> ", "- ", "* ", "+ ", "1. ", "1) ", "    ", "\t",
    "[^1]", "[^1]: n\n", "|a|b|\n", "|-|-|\n", "&#", "&#x", "&amp;", "  \n", "\\", "<", ">",
    "<script>", "</script>", "<img src=x onerror=alert(1)>", "javascript:", "java\tscript:",
    "data:text/html,", "vbscript:", '<a href="', '" onclick="', "<iframe ", "<svg onload=",
    "<style>", "<div class=", 'id="main"', "<h1 id=", "[x]: http://a\n", "[x]", "![x]",
    "中文", "，", "\n", "\n\n", "#", "## ", "===\n", "---\n", "***\n", "<br>", "<details>",
    ":::", "$$", "[TOC]", "{#id}", "<mark>", "<table>", "<td colspan=9>",
]  # fmt: skip


def notes() -> list[tuple[str, bytes]]:
    """Every note of the seed folder and the test vault (broken ones and junk included)."""
    folders = [ROOT / "seeds", ROOT / "tests" / "vault" / "corpus"]
    paths = sorted(path for folder in folders for path in folder.rglob("*") if path.is_file())
    return [(str(path.relative_to(ROOT)), path.read_bytes()) for path in paths]


def families() -> list[tuple[str, str]]:
    """Each family of slow Markdown, its first FAMILY_SIZE characters."""
    return [(name, text[:FAMILY_SIZE]) for name, text in FAMILIES.items()]


def seeds(target: str) -> list[tuple[str, bytes]]:
    """The seed inputs for `target`: notes for the parser and the importer (and the slow
    families as a note's body), Markdown bodies for the renderer."""
    from articles import vault

    found = notes()
    if target != "renderer":
        shaped = "---\ntitle: 病态\n---\n\n## 正文\n\n{}\n"
        return found + [(name, shaped.format(text).encode()) for name, text in families()]
    bodies = []
    for name, data in found:
        try:
            bodies.append((f"{name} (body)", vault.parse(vault.decode(data, path=name), path=name)))
        except vault.VaultError:
            continue
    return [(name, article.body.encode()) for name, article in bodies] + [
        (name, text.encode()) for name, text in [*families(), *_as_text(found)]
    ]


def _as_text(found: list[tuple[str, bytes]]) -> list[tuple[str, str]]:
    return [(f"{name} (whole)", data.decode("utf-8", errors="replace")) for name, data in found]


def tokens(target: str) -> list[str]:
    """The tokens mutations splice in, for `target`."""
    return MARKDOWN_TOKENS if target == "renderer" else NOTE_TOKENS + MARKDOWN_TOKENS


def write_seeds(target: str, folder: Path) -> Path:
    """The seeds as files in `folder` (emptied first), for libFuzzer."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for index, (_name, data) in enumerate(seeds(target)):
        (folder / f"seed-{index:03d}").write_bytes(data)
    return folder


def write_dictionary(target: str, path: Path) -> Path:
    """The tokens as a libFuzzer dictionary (`-dict=`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f'"{_escaped(token)}"\n' for token in tokens(target)))
    return path


def _escaped(token: str) -> str:
    return "".join(
        f"\\x{byte:02x}" if byte < 0x20 or byte >= 0x7F or byte in b'"\\' else chr(byte)
        for byte in token.encode()
    )
