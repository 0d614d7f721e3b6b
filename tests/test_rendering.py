"""Markdown to stored HTML: pure, so no database mark."""

import re
from functools import cache
from html.parser import HTMLParser

import markdown
import pytest
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
        self.texts: list[tuple[str, str]] = []  # (tag, text inside), as each element closes
        self.open: list[tuple[str, list[str]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))
        self.structure.append((tag, sorted(attrs, key=lambda a: (a[0], a[1] or ""))))
        if tag not in {"br", "hr", "img"}:
            self.open.append((tag, []))

    def handle_endtag(self, tag):
        self.structure.append(f"/{tag}")
        name, chunks = self.open.pop()
        assert name == tag, f"<{name}> closed by </{tag}>"
        self.texts.append((tag, "".join(chunks)))

    def handle_data(self, data):
        self.structure.append(data)
        for _, chunks in self.open:
            chunks.append(data)

    def handle_entityref(self, name):
        self.structure.append(f"&{name};")

    def handle_charref(self, name):
        self.structure.append(f"&#{name};")

    def of(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.found if name == tag]

    def text_of(self, tag: str) -> list[str]:
        return [text for name, text in self.texts if name == tag]

    def tags(self) -> list[str]:
        return [name for name, _ in self.found]


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


LINK_TO_IMAGE = {"class": "image", "rel": "noopener noreferrer"}


@pytest.mark.parametrize(
    ("text", "links"),
    [
        # An image on its own links to the original, named so when it has no alt text.
        ("![](https://x.cn/a.png)", [{**LINK_TO_IMAGE, "href": "https://x.cn/a.png",
                                      "aria-label": "查看原图"}]),
        ("文字![图表](https://x.cn/a.png)", [{**LINK_TO_IMAGE, "href": "https://x.cn/a.png"}]),
        # One in a link keeps the author's link, and nothing else.
        ("[![](https://x.cn/a.png)](https://x.cn/p)", [{"href": "https://x.cn/p",
                                                        "rel": "noopener noreferrer"}]),
        ("[**![](https://x.cn/a.png)**](https://x.cn/p)", [{"href": "https://x.cn/p",
                                                            "rel": "noopener noreferrer"}]),
        # No link where there is no original to go to.
        ("![](assets/a.png)", []),
        ("![](javascript:alert(1))", []),
        ("<img src=https://x.cn/a.png>", []),  # raw HTML is left as written
    ],
)  # fmt: skip
def test_an_image_links_to_its_original(text, links):
    assert Elements(rendering.render(text)).of("a") == links


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


# --- Chinese line breaks ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        ("大杀特杀的\n之前", "大杀特杀的之前"),
        (
            "这样的方式，\n有绝对逃不开的延时\n，现在的业界",
            "这样的方式，有绝对逃不开的延时，现在的业界",
        ),
        ("写着\n“我爱你”\n。", "写着“我爱你”。"),
        ("《流浪地球2》\n中", "《流浪地球2》中"),
        ("等等——\n还有……\n还有", "等等——还有……还有"),
        ("全角ＡＢＣ\n１２３", "全角ＡＢＣ１２３"),
        ("中文 \n   中文", "中文中文"),
    ],
)
def test_a_line_break_between_chinese_characters_goes(text, joined):
    assert Elements(rendering.render(text)).structure == [("p", []), joined, "/p"]


@pytest.mark.parametrize(
    "text",
    ["还基本能跟\nGPT-4 Turbo打平", "就是这个玩意\nim-also", "chatbot\n，就是", "提高了\n2 倍",
     '写下了一句话："\n我消灭你\n"'],
)  # fmt: skip
def test_a_line_break_between_chinese_and_latin_stays(text):
    assert Elements(rendering.render(text)).structure == [("p", []), text, "/p"]


@pytest.mark.parametrize(
    ("text", "structure"),
    [
        ("中文**粗体**\n中文", ["中文", ("strong", []), "粗体", "/strong", "中文"]),
        ("中文\n**粗体**中文", ["中文", ("strong", []), "粗体", "/strong", "中文"]),
        ("**粗**\n*斜*", [("strong", []), "粗", "/strong", ("em", []), "斜", "/em"]),
        ("[***链接***](https://x.cn)\n中文", [
            ("a", [("href", "https://x.cn"), ("rel", "noopener noreferrer")]),
            ("strong", []), ("em", []), "链接", "/em", "/strong", "/a", "中文"]),
        ("中文  \n中文", ["中文", ("br", []), "\n中文"]),
        # Code and images interrupt the text: a break beside them stays.
        ("中文`代码`\n中文", ["中文", ("code", []), "代码", "/code", "\n中文"]),
        ("中文![图](https://x.cn/a.png)\n中文", ["中文", ("a", [
            ("class", "image"), ("href", "https://x.cn/a.png"), ("rel", "noopener noreferrer")]),
            ("img", [("alt", "图"), ("loading", "lazy"), ("referrerpolicy", "no-referrer"),
            ("src", "https://x.cn/a.png")]), "/a", "\n中文"]),
    ],
)  # fmt: skip
def test_chinese_line_breaks_next_to_inline_markup(text, structure):
    assert Elements(rendering.render(text)).structure == [("p", []), *structure, "/p"]


def test_wrapped_lines_of_a_list_item_join():
    assert Elements(rendering.render("- 第一行\n  第二行")).text_of("li") == ["第一行第二行"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("```\n中文\n中文\n```", "中文\n中文\n"),
        ("~~~\n中文\n  中文\n~~~", "中文\n  中文\n"),
        ("段落\n\n    中文\n    中文", "中文\n中文\n"),
        ("中文`代码\n代码`中文", "代码\n代码"),
    ],
)
def test_code_keeps_its_line_breaks(text, code):
    assert Elements(rendering.render(text)).text_of("code") == [code]


@cache
def without_joining() -> markdown.Markdown:
    md = markdown.Markdown(
        extensions=[*rendering.EXTENSIONS, rendering._FolioExtension(fast=False)],
        extension_configs=rendering.EXTENSION_CONFIGS,
    )
    md.treeprocessors.deregister("cjk_line_breaks")
    return md


def unjoined(text: str) -> str:
    try:
        return rendering.sanitize(without_joining().convert(text))
    finally:
        without_joining().reset()


def without_line_breaks(html: str) -> str:
    return re.sub(r"[ \t]*\n[ \t]*", "", html)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["中文", "，", "。", "“", "”", "**", "*", "`", "```", "~~~",
                                 "[a](b)", "  \n", "\n", "\n\n", "    ", " ", "- ", "1. ",
                                 "> ", "x", "2"]), max_size=30).map("".join))  # fmt: skip
def test_joining_only_removes_line_breaks_and_never_in_code(text):
    joined, kept = Elements(rendering.render(text)), Elements(unjoined(text))
    assert joined.found == kept.found
    assert joined.text_of("code") == kept.text_of("code")
    assert joined.text_of("pre") == kept.text_of("pre")
    assert without_line_breaks(rendering.render(text)) == without_line_breaks(unjoined(text))


# --- a list right under a line of text -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("要点：\n- 一\n- 二", ["p", "ul", "li", "li"]),
        ("要点：\n* 一\n+ 二", ["p", "ul", "li", "li"]),
        ("人跟AI进行语音对话，基本上都经历3步：\n1. 你说的话\n2. 大模型拿到这段文本",
         ["p", "ol", "li", "li"]),
        ("第一行\n第二行\n   - 一", ["p", "ul", "li"]),
        ("> 要点：\n> - 一", ["blockquote", "p", "ul", "li"]),
        ("- 一\n\n段落\n- 二", ["ul", "li", "p", "ul", "li"]),
    ],
)  # fmt: skip
def test_a_list_may_start_right_under_a_line_of_text(text, tags):
    assert Elements(rendering.render(text)).tags() == tags


def test_the_paragraph_above_a_list_keeps_its_text():
    found = Elements(rendering.render("要点：\n1. 一\n2. 二"))
    assert found.text_of("p") == ["要点："]
    assert found.text_of("li") == ["一", "二"]
    assert found.of("ol") == [{}]


@pytest.mark.parametrize(
    "text",
    [
        "要点：\n2. 二",  # only an ordered item numbered 1 interrupts a paragraph
        "要点：\n* \n下文",  # nor does an empty item
        "要点：\n-一",  # a marker needs a space after it
        "要点：\n    - 一",  # indented 4: a continuation line
        "要点：\n1) 一",  # Python-Markdown makes no list of 1)
    ],
)
def test_lines_that_do_not_start_a_list_under_text(text):
    assert Elements(rendering.render(text)).tags() == ["p"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("```\n要点：\n- 一\n1. 二\n```", "要点：\n- 一\n1. 二\n"),
        ("~~~\n要点：\n- 一\n~~~", "要点：\n- 一\n"),
        ("段落\n\n    要点：\n    - 一", "要点：\n- 一\n"),
    ],
)
def test_list_markers_in_code_stay_code(text, code):
    found = Elements(rendering.render(text))
    assert found.text_of("code") == [code]
    assert not found.of("ul") and not found.of("ol")


def test_list_markers_in_a_table_stay_cells():
    found = Elements(rendering.render("| 甲 | 乙 |\n|---|---|\n| 要点： | 一 |\n- 一"))
    assert found.text_of("td") == ["要点：", "一", "- 一", ""]
    assert not found.of("ul")


def test_a_lazy_line_and_the_next_item_stay_one_list():
    found = Elements(rendering.render("- 一\n接着一\n- 二"))
    assert found.tags() == ["ul", "li", "li"]
    assert found.text_of("li") == ["一接着一", "二"]


def test_nested_items_still_nest():
    # An ordered line right under a bullet item stays that item's, as it always was.
    found = Elements(rendering.render("- 一\n    - 一之一\n- 二\n1. 不是新列表"))
    assert found.tags() == ["ul", "li", "ul", "li", "li"]
    assert found.text_of("li")[-1] == "二\n1. 不是新列表"


def test_list_numbering_is_kept_across_paragraphs():
    found = Elements(rendering.render("1. 一\n\n段落\n\n2. 二"))
    assert found.tags() == ["ol", "li", "p", "ol", "li"]
    assert found.of("ol") == [{}, {"start": "2"}]


def test_seed_wraps_and_lists_render_as_meant():
    found = Elements(rendering.render(SEED.read_text().split("## 正文", 1)[1]))
    [wrapped] = [text for text in found.text_of("p") if "大杀特杀的" in text]
    assert "就是这个玩意。之前所有人" in wrapped
    assert re.search(r"大杀特杀的\s+im-also", wrapped)
    ordered = list(zip(found.of("ol"), found.text_of("ol"), strict=True))  # none nested
    assert ({}, "\n新模型GPT-4o\n") in ordered
    assert ({"start": "2"}, "\n新ChatGPT\n") in ordered


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
     "<b>", "</b>", "&#1;", "|", "---", "```", "~~~", ":", "\t", "，", "“"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(MARKDOWN_BITS | st.text(max_size=5), max_size=40).map("".join))
def test_fast_path_gives_the_same_html_for_any_text(text):
    assert same_html(rendering.render(text), plain(text))
