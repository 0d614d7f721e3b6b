"""Chinese words for the index and for queries: pure, so no database mark."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from articles import tokenizer


def test_words_are_segmented_lower_cased_and_cut_at_punctuation():
    assert tokenizer.words("OpenAI春季发布会：GPT-4o来了！") == [
        "openai",
        "春季",
        "发布会",
        "gpt",
        "4o",
        "来",
        "了",
    ]
    assert tokenizer.words("原生多模态大模型") == ["原生", "多", "模态", "大", "模型"]


def test_a_field_holds_its_words_and_the_words_inside_them():
    field = tokenizer.field("人工智能发布会")
    assert field.exact == ("人工智能", "发布会")  # in order: phrases match
    assert {"人工", "智能", "发布"} == set(field.inside)
    assert field.text().split()[:2] == ["人工智能", "发布会"]


def test_word_pairs_stand_for_phrases():
    assert tokenizer.field("实时推理音频").pairs() == "实时推理 推理音频"
    assert tokenizer.field("GPT-4o").pairs() == "gpt4o"
    assert tokenizer.field("语音").pairs() == ""


def test_query_terms_and_phrases():
    query = tokenizer.query('语音  "实时 推理" GPT-4o 语音 多模态')
    assert query.terms == (("语音",), ("实时", "推理"), ("gpt", "4o"), ("多", "模态"))
    assert query.texts == ("语音", "实时 推理", "GPT-4o", "多模态")


def test_query_syntax_is_only_punctuation():
    query = tokenizer.query('NEAR(语音 延迟) title:api "unclosed ^a* -b OR c')
    assert query.terms == (
        ("near", "语音"),
        ("延迟",),
        ("title", "api"),
        ("unclosed",),
        ("a",),
        ("b",),
        ("or",),
        ("c",),
    )


def test_empty_and_long_queries():
    assert not tokenizer.query("")
    assert not tokenizer.query('  " * ( ) ： ，。 ')
    long = tokenizer.query("语音 " * 1000)
    assert long.terms == (("语音",),)
    many = tokenizer.query(" ".join(f"w{n}" for n in range(100)))
    assert len(many.terms) == tokenizer.MAX_TERMS


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_query_is_words_only(text):
    query = tokenizer.query(text)
    assert all(re.fullmatch(r"[^\W_]+", word) for term in query.terms for word in term)
    assert len(query.terms) <= tokenizer.MAX_TERMS
