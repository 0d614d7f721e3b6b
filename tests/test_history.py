"""An article's history that reads: two revisions side by side, lines aligned, unchanged
stretches folded, the changed characters (CJK) or words (Latin) marked; a restore that
first says what it will change."""

import pytest
from django.test import Client
from django.utils import translation

from articles import changes, revisions
from articles.models import Article
from articles.revisions import Part
from tests.newsroom import person, post_change
from tests.public import Page, make_article

pytestmark = pytest.mark.django_db
EN = {"headers": {"accept-language": "en"}}  # the new words are not translated yet here


@pytest.fixture
def editor_client():
    client = Client()
    client.force_login(person("editor", "Editor"))
    return client


def history(article) -> str:
    return f"/admin/articles/article/{article.pk}/history/"


def revised(title="春季发布会", body="第一段。", **fields) -> Article:
    """An article with two revisions: #1 as made, #2 with `fields` changed."""
    article = make_article(title, body=body)
    changes.saved(article, user=None, comment="导入", first=True)
    return revise(article, **fields)


def revise(article: Article, **fields) -> Article:
    """A new revision of `article`, with `fields` changed."""
    for name, value in fields.items():
        setattr(article, name, value)
    article.save()
    changes.saved(article, user=None, comment="改")
    return article


# --- the pure functions ---------------------------------------------------------------------


def test_tokens_cut_cjk_by_character_and_latin_by_word():
    assert revisions.tokens("OpenAI发布了GPT-4o，快 3 倍") == (
        ["OpenAI", "发", "布", "了", "GPT", "-", "4o", "，", "快", " ", "3", " ", "倍"]
    )
    assert "".join(revisions.tokens("混合 text\t与 123.5％")) == "混合 text\t与 123.5％"


def test_word_diff_marks_the_changed_characters_of_a_chinese_sentence_only():
    old, new = revisions.word_diff("今天天气很好，适合出门。", "今天天气不好，不适合出门。")
    assert old == [Part("今天天气"), Part("很", "del"), Part("好，适合出门。")]
    assert new == [
        Part("今天天气"),
        Part("不", "ins"),
        Part("好，"),
        Part("不", "ins"),
        Part("适合出门。"),
    ]


def test_word_diff_marks_whole_latin_words():
    old, new = revisions.word_diff("The quick brown fox", "The quiet brown fox")
    assert old == [Part("The "), Part("quick", "del"), Part(" brown fox")]
    assert new == [Part("The "), Part("quiet", "ins"), Part(" brown fox")]


def test_align_faces_changed_lines_and_sets_added_and_removed_against_nothing():
    rows = revisions.align(["甲", "乙", "丙", "丁"], ["甲", "乙二", "丁", "戊"], context=5)
    assert [row.kind for row in rows] == ["same", "changed", "removed", "same", "added"]
    assert (rows[1].old.number, rows[1].new.number) == (2, 2)
    assert rows[2].new is None and rows[2].old.number == 3
    assert rows[4].old is None and rows[4].new.number == 4


def test_align_folds_long_unchanged_stretches_to_their_context():
    old = [f"第{n}行" for n in range(1, 41)]
    new = [*old[:19], "改过的第20行", *old[20:]]
    rows = revisions.align(old, new, context=3)
    assert [row.kind for row in rows] == ["fold", *["same"] * 3, "changed", *["same"] * 3, "fold"]
    assert (rows[0].hidden, rows[-1].hidden) == (16, 17)
    assert rows[1].old.number == 17 and rows[-2].new.number == 23
    # A stretch no longer than its context on both sides stays whole.
    short = revisions.align(["1", "2", "3", "x", "4"], ["1", "2", "3", "y", "4"], context=3)
    assert "fold" not in [row.kind for row in short]


def test_compare_lists_each_changed_field_and_names_the_unchanged():
    article = revised(summary="新的一句话。")
    revise(article, body="第一段。\n\n第二段。")
    first, *_, second = article.revisions.order_by("number")
    with translation.override("zh-hans"):
        comparison = revisions.compare(
            first.note, second.note, old_slug=first.slug, new_slug=second.slug
        )
    assert [f.name for f in comparison.fields] == ["summary", "body"]
    assert "标题" in [str(label) for label in comparison.unchanged]
    assert "正文" not in [str(label) for label in comparison.unchanged]


# --- the compare page -----------------------------------------------------------------------


def test_compare_shows_both_revisions_side_by_side_with_the_changed_characters_marked(
    editor_client,
):
    article = revised(body="今天天气很好，适合出门。\n\n第二段。", title="春季发布会")
    post_change(editor_client, article, body="今天天气不好，不适合出门。\n\n第二段。")
    last = article.revisions.order_by("-number").first().number
    page = Page(editor_client.get(f"{history(article)}compare/?a=1&b={last}").content.decode())
    assert len(page.find("tr", class_="changed")) == 1  # the one line changed, facing
    assert page.texts("td", class_="old") == ["今天天气很好，适合出门。", "", "第二段。"]
    assert page.texts("td", class_="new") == ["今天天气不好，不适合出门。", "", "第二段。"]
    assert page.texts("del") == ["很"] and page.texts("ins") == ["不", "不"]
    # unchanged characters are not in a mark, and the unchanged title is only named
    assert "天气" not in "".join(page.texts("del") + page.texts("ins"))
    assert page.texts("h2") == ["正文"]  # the one field that changed (an older msgid)
    for number in ("²", "９", "x"):  # digits to str.isdigit, not to int(): no 500
        assert editor_client.get(f"{history(article)}compare/?a={number}").status_code == 404


def test_compare_folds_long_unchanged_stretches(editor_client):
    body = "\n".join(f"第{n}段。" for n in range(1, 61))
    article = revise(revised(body=body), body=body.replace("第30段。", "第三十段。"))
    page = Page(editor_client.get(f"{history(article)}compare/?a=2&b=3", **EN).content.decode())
    folds = page.texts("td", class_="fold")
    assert folds == ["26 unchanged lines hidden", "27 unchanged lines hidden"]
    assert "第1段。" not in page.texts("td", class_="old")  # folded away
    assert "第29段。" in page.texts("td", class_="old")  # context of the change
    assert page.texts("del") == ["30"] and page.texts("ins") == ["三十"]


def test_compare_escapes_what_revisions_hold(editor_client):
    article = revised(body="<b>旧</b>", title="<script>alert(1)</script>")
    revise(article, body="<img src=x onerror=alert(1)>")
    html = editor_client.get(f"{history(article)}compare/?a=2&b=3").content.decode()
    assert "<img" not in html and "<b>" not in html
    assert Page(html).texts("td", class_="new") == ["<img src=x onerror=alert(1)>"]
    assert "<script>alert(1)" not in html


# --- restore asks first ---------------------------------------------------------------------


def test_restore_asks_first_and_shows_what_it_will_change(editor_client):
    article = revised(title="第一版标题")
    post_change(editor_client, article, title="第二版标题")
    url = f"{history(article)}1/restore/"
    count = article.revisions.count()
    response = editor_client.get(url, **EN)
    assert response.status_code == 200
    page = Page(response.content.decode())
    assert page.texts("td", class_="old") == ["第二版标题"]  # the article as it is now
    assert page.texts("td", class_="new") == ["第一版标题"]  # the revision to restore
    assert page.texts("del") == ["二"] and page.texts("ins") == ["一"]
    assert [form for form, _ in page.find("form", method="post")][1:] == [
        {"method": "post", "action": url, "class": "folio-restore"}
    ]
    assert "csrfmiddlewaretoken" in response.content.decode()
    assert page.texts("button", type="submit")[-1] == "Restore revision 1"
    assert history(article) in page.links()  # cancel
    # Asking changes nothing.
    article.refresh_from_db()
    assert article.title == "第二版标题" and article.revisions.count() == count


def test_restore_of_what_the_article_is_says_it_changes_nothing(editor_client):
    article = revised(title="一样")
    last = article.revisions.order_by("-number").first().number
    html = editor_client.get(f"{history(article)}{last}/restore/", **EN).content.decode()
    assert "restoring it will change nothing" in html and not Page(html).texts("td", class_="old")


def test_restore_confirmed_by_post_restores(editor_client):
    article = revised(title="第一版标题")
    post_change(editor_client, article, title="第二版标题")
    response = editor_client.post(f"{history(article)}1/restore/")
    assert response.status_code == 302 and response["Location"] == history(article)
    article.refresh_from_db()
    assert article.title == "第一版标题"


def test_restore_is_asked_for_from_compare_and_history_by_a_link(editor_client):
    article = revised(title="第一版标题")
    post_change(editor_client, article, title="第二版标题")
    compare = Page(editor_client.get(f"{history(article)}compare/?a=1&b=2").content.decode())
    assert f"{history(article)}1/restore/" in compare.links()
    assert not compare.find("form", action=f"{history(article)}1/restore/")
    listed = Page(editor_client.get(history(article)).content.decode())
    assert f"{history(article)}1/restore/" in listed.links()
