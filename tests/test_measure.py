"""Chinese text measured: pure, so no database mark."""

import pytest

from articles import measure, rendering
from tests.conftest import SEED


def test_reading_time_counts_characters_not_spaces():
    assert measure.reading_minutes("中" * 400) == 1
    assert measure.reading_minutes("中" * 2000) == 5
    # one unbroken "word" to a space-counting measure, 5 minutes of Chinese here
    assert measure.reading_minutes("中文" * 1000) == 5
    assert measure.reading_minutes("word " * 1100) == 5
    assert measure.reading_minutes("短") == 1
    assert measure.reading_minutes("   ") == 0


def test_reading_time_of_the_seed():
    body = SEED.read_text().split("## 正文", 1)[1].split("## 关联主题")[0]
    text = measure.plain_text(rendering.render(body))  # image URLs are not read
    assert len(text) > 2000
    assert measure.reading_minutes(text) == 5


def test_plain_text_drops_tags_and_decodes_entities():
    assert measure.plain_text("<p>A &amp; B</p><img src='x'>中文").split() == [
        "A",
        "&",
        "B",
        "中文",
    ]


def test_plain_text_keeps_words_whole_across_inline_tags():
    # "**开头**这段" read "开头 这段" in descriptions, excerpts and search text.
    html = "<p><strong>开头</strong>这段<a href='x'>链接</a><code>x</code>。</p><p>下段</p>"
    assert measure.plain_text(html).split() == ["开头这段链接x。", "下段"]


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("短句。", 120, "短句。"),
        ("第一句话很长很长。第二句话也很长很长很长。", 16, "第一句话很长很长。…"),
        ("一二三四五六七八，九十一二三四五六七八九十", 16, "一二三四五六七八…"),
        ("一二三四五六七八九十一二三四五六七八九十", 10, "一二三四五六七八九…"),
        ("  多余的\n\n空白   被折叠。", 120, "多余的 空白 被折叠。"),
    ],
)
def test_excerpt_cuts_on_punctuation(text, limit, expected):
    out = measure.excerpt(text, limit)
    assert out == expected
    assert len(out) <= limit


def test_excerpt_never_splits_a_character_from_its_marks():
    family = "👨\u200d👩\u200d👧"
    text = "一" * 8 + family + "二" * 20
    out = measure.excerpt(text, 11)
    assert out == "一" * 8 + "…"
    accented = "e\u0301" * 20
    assert not measure.excerpt(accented, 10).removesuffix("…").endswith("e")
