"""Markdown to stored HTML: pure, so no database mark."""

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from articles import rendering
from tests.conftest import CORPUS, SEED


class Elements(HTMLParser):
    """The (tag, attributes) of every element in a piece of HTML, and its structure with
    attributes in a fixed order (nh3 adds forced attributes in no particular order)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=False)
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.structure: list[object] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))
        self.structure.append((tag, sorted(attrs, key=lambda a: (a[0], a[1] or ""))))

    def handle_endtag(self, tag):
        self.structure.append(f"/{tag}")

    def handle_data(self, data):
        self.structure.append(data)

    def handle_entityref(self, name):
        self.structure.append(f"&{name};")

    def handle_charref(self, name):
        self.structure.append(f"&#{name};")

    def of(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.found if name == tag]


def test_images_load_lazily_and_without_a_referer():
    html = rendering.render("![图](https://mmbiz.qpic.cn/a/640?wx_fmt=png&from=appmsg)")
    assert Elements(html).of("img") == [
        {
            "src": "https://mmbiz.qpic.cn/a/640?wx_fmt=png&from=appmsg",
            "alt": "图",
            "referrerpolicy": "no-referrer",
            "loading": "lazy",
        }
    ]


def test_links_do_not_leak_the_opener_or_referer():
    html = rendering.render("[原文](https://mp.weixin.qq.com/s/x)")
    assert Elements(html).of("a") == [
        {"href": "https://mp.weixin.qq.com/s/x", "rel": "noopener noreferrer"}
    ]


def test_hostile_html_is_removed():
    html = rendering.render(
        (CORPUS / "hostile.md").read_text().split("## 正文", 1)[1]
        + '\n\n<a href="javascript:alert(1)">x</a> <svg onload="alert(1)"></svg>'
        + '\n\n<form action="/x"><input name="a"></form> <object data="x"></object>'
    )
    tags = {tag for tag, _ in Elements(html).found}
    assert tags <= rendering.ALLOWED_TAGS
    assert not tags & {"script", "iframe", "svg", "form", "input", "object", "style"}
    for _, attrs in Elements(html).found:
        assert not any(name.startswith("on") or name == "style" for name in attrs)
        assert not (attrs.get("href") or "").startswith("javascript")
    assert "正常的一段话。" in html


def test_tables_code_and_footnotes():
    html = rendering.render(
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nprint('中文')\n```\n\n注释[^1]\n\n[^1]: 脚注"
    )
    found = Elements(html)
    assert found.of("table") and found.of("td")
    assert any("highlight" in (attrs.get("class") or "") for attrs in found.of("div"))
    assert found.of("sup")


def test_headings_get_anchors_that_keep_chinese():
    assert Elements(rendering.render("## 新模型 GPT-4o")).of("h2") == [{"id": "新模型-gpt-4o"}]


def test_seed_renders_every_image_without_referer():
    html = rendering.render(SEED.read_text().split("## 正文", 1)[1])
    images = Elements(html).of("img")
    assert len(images) == SEED.read_text().count("![](https://mmbiz.qpic.cn/") == 14
    assert all(img["referrerpolicy"] == "no-referrer" for img in images)


# --- the plain-text fast path changes nothing ------------------------------------------------


def plain(text: str) -> str:
    md = rendering.converter(fast=False)
    try:
        return rendering.sanitize(md.convert(text))
    finally:
        md.reset()


def same_html(one: str, other: str) -> bool:
    return Elements(one).structure == Elements(other).structure


def test_fast_path_knows_every_inline_pattern():
    """A new inline pattern must be added to the fast path's list of syntax."""
    names = {item.name for item in rendering.converter(fast=False).inlinePatterns._priority}
    assert names == rendering.INLINE_PATTERNS


def test_fast_path_gives_the_same_html_for_the_corpus():
    for path in [SEED, *CORPUS.rglob("*.md")]:
        text = path.read_bytes().decode("utf-8", "replace")
        assert same_html(rendering.render(text), plain(text)), path


MARKDOWN_BITS = st.sampled_from(
    ["中文", "English", "*", "**", "_", "`", "\\", "[", "]", "(", ")", "!", "<", ">", "&",
     "amp;", "  \n", "\n", "\n\n", "# ", "- ", "1. ", "> ", "    ", "http://x.y", "[^1]",
     "<b>", "</b>", "&#1;", "|", "---", "```", "~~~", ":", "\t"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(MARKDOWN_BITS | st.text(max_size=5), max_size=40).map("".join))
def test_fast_path_gives_the_same_html_for_any_text(text):
    assert same_html(rendering.render(text), plain(text))
