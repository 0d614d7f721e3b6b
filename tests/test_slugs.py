"""Pinyin slugs: pure, so no database mark."""

import pytest

from articles import slugs


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("春季发布会", "chun-ji-fa-bu-hui"),
        (
            'OpenAI春季发布会：这是"Moss"的诞生',
            "openai-chun-ji-fa-bu-hui-zhe-shi-moss-de-dan-sheng",
        ),
        ("GPT-4o 发布", "gpt-4o-fa-bu"),
        ("Café 咖啡", "cafe-ka-fei"),
        ("数字生命卡兹克", "shu-zi-sheng-ming-ka-zi-ke"),
        ("🎉🎉", ""),
        ("", ""),
    ],
)
def test_slugify(text, slug):
    assert slugs.slugify(text) == slug


def test_long_titles_are_cut_at_a_word():
    slug = slugs.slugify("我们人类究竟该何去何从" * 5)
    assert len(slug) <= slugs.READABLE_LENGTH
    assert slug.startswith("wo-men-ren-lei-jiu-jing") and not slug.endswith("-")
    assert slugs.slugify("这是一个" * 20).split("-")[-1] in {"zhe", "shi", "yi", "ge"}


def test_a_single_overlong_word_is_cut():
    assert slugs.slugify("a" * 100) == "a" * slugs.READABLE_LENGTH


def test_numbered():
    assert slugs.numbered("ai", set()) == "ai"
    assert slugs.numbered("ai", {"ai"}) == "ai-2"
    assert slugs.numbered("ai", {"ai", "ai-2", "ai-3"}) == "ai-4"


def test_numbered_variants_are_known_as_such():
    assert slugs.is_numbered("llm", "llm") and slugs.is_numbered("llm-2", "llm")
    assert not slugs.is_numbered("llm-2b", "llm") and not slugs.is_numbered("aigc", "ai")
    assert not slugs.is_numbered("ai-gc-2", "ai")
