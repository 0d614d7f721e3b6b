"""The editorial state machine, scheduling, revisions and tag hygiene, as functions."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from articles import publishing
from articles.models import Article, Revision, Tag
from tests.newsroom import person
from tests.public import make_article

pytestmark = pytest.mark.django_db
S = Article.Status


@pytest.fixture
def editor():
    return person("editor", "Editor")


@pytest.fixture
def author():
    return person("author", "Author")


def test_roles_come_from_a_migration():
    editor, author = person("e", "Editor"), person("a", "Author")
    assert editor.has_perm("articles.publish_article")
    assert not author.has_perm("articles.publish_article")
    assert author.has_perm("articles.add_article") and not author.has_perm(
        "articles.delete_article"
    )


@pytest.mark.parametrize(
    ("old", "new", "allowed"),
    [
        (S.DRAFT, S.REVIEW, True),
        (S.REVIEW, S.PUBLISHED, True),
        (S.DRAFT, S.PUBLISHED, True),
        (S.PUBLISHED, S.DRAFT, True),
        (S.PUBLISHED, S.ARCHIVED, True),
        (S.ARCHIVED, S.PUBLISHED, True),
        (S.PUBLISHED, S.REVIEW, False),
        (S.ARCHIVED, S.REVIEW, False),
    ],
)
def test_state_machine(editor, old, new, allowed):
    article = make_article(status=old)
    if allowed:
        publishing.set_status(article, status=new, user=editor)
        assert Article.objects.get(pk=article.pk).status == new
    else:
        with pytest.raises(ValidationError):
            publishing.set_status(article, status=new, user=editor)
        assert Article.objects.get(pk=article.pk).status == old


def test_authors_write_and_submit_but_never_publish(author):
    article = make_article(status=S.DRAFT)
    publishing.set_status(article, status=S.REVIEW, user=author)
    publishing.set_status(article, status=S.DRAFT, user=author)
    for forbidden in (S.PUBLISHED, S.ARCHIVED):
        with pytest.raises(PermissionDenied):
            publishing.set_status(article, status=forbidden, user=author)
    live = make_article(status=S.PUBLISHED)
    with pytest.raises(PermissionDenied):
        publishing.set_status(live, status=S.DRAFT, user=author)
    assert not publishing.may_edit(author, live) and publishing.may_edit(author, article)


def test_scheduled_publishing_needs_no_job(editor):
    article = make_article(status=S.DRAFT)
    soon = timezone.now() + timedelta(hours=1)
    publishing.set_status(article, status=S.PUBLISHED, user=editor, publish_at=soon)
    assert article.status == S.PUBLISHED
    assert not Article.objects.published().filter(pk=article.pk).exists()
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert Article.objects.published().filter(pk=article.pk).exists()


def test_each_change_of_state_is_a_revision(editor):
    article = make_article(status=S.DRAFT)
    publishing.set_status(article, status=S.REVIEW, user=editor)
    publishing.set_status(article, status=S.PUBLISHED, user=editor)
    assert publishing.set_status(article, status=S.PUBLISHED, user=editor) is None  # no change
    history = list(article.revisions.order_by("number"))
    assert [(r.number, r.status, r.user) for r in history] == [
        (1, S.REVIEW, editor),
        (2, S.PUBLISHED, editor),
    ]
    assert history[1].changed == ["status"]
    assert 'status: "review"' in history[0].note  # the note says the state, as a vault would
    assert "status" not in history[1].note  # published is what a note without one is


def test_bulk_status_passes_over_what_cannot_move(editor):
    for status in (S.DRAFT, S.PUBLISHED, S.ARCHIVED):
        make_article(status=status)
    moved, passed = publishing.set_status_of_many(
        Article.objects.all(), status=S.PUBLISHED, user=editor
    )
    assert (moved, passed) == (2, 1)
    assert set(Article.objects.values_list("status", flat=True)) == {S.PUBLISHED}


def test_restore_is_a_new_revision(editor):
    article = make_article("原标题", tags=["旧"], points=[("要点", "原来的")])
    publishing.set_status(article, status=S.DRAFT, user=editor)
    article.title = "改过的标题"
    article.save()
    article.tags.set([Tag.objects.create(name="新")])
    first = publishing.set_status(article, status=S.REVIEW, user=editor)
    assert first.number == 2
    restored = publishing.restore(article, revision=article.revisions.get(number=1), user=editor)
    article = Article.objects.get(pk=article.pk)
    assert (article.title, article.status) == ("原标题", S.DRAFT)
    assert [t.name for t in article.tag_list()] == ["旧"]
    assert [(i.label, i.text) for i in article.key_points()] == [("要点", "原来的")]
    assert restored.number == 3 and "1" in restored.comment
    assert set(restored.changed) >= {"title", "status", "tags"}


def test_authors_cannot_restore_a_published_revision(editor, author):
    article = make_article(status=S.DRAFT)
    publishing.set_status(article, status=S.PUBLISHED, user=editor)
    publishing.set_status(article, status=S.DRAFT, user=editor)
    published = article.revisions.get(number=1)
    with pytest.raises(PermissionDenied):
        publishing.restore(article, revision=published, user=author)


def test_bulk_tagging(editor):
    one, two = make_article(tags=["AI"]), make_article()
    assert publishing.tag_many(Article.objects.all(), name="ai", user=editor) == 1
    assert [t.name for t in two.tag_list()] == ["AI"]  # one tag, whatever the case
    assert publishing.tag_many(Article.objects.all(), name="AI", user=editor, add=False) == 2
    assert not one.tagged_items.exists() and not two.tagged_items.exists()
    with pytest.raises(ValidationError):
        publishing.tag_many(Article.objects.all(), name=" ", user=editor)
    assert Revision.objects.filter(article=two).count() == 2


def test_rename_a_tag_keeps_its_old_address(client, editor):
    make_article(tags=["大模型"])
    tag = Tag.objects.get()
    publishing.edit_tag(tag, name="LLM", vault_path=tag.vault_path, user=editor)
    assert tag.slug == "llm"
    response = client.get("/tags/da-mo-xing/")
    assert (response.status_code, response["Location"]) == (301, "/tags/llm/")
    assert client.get("/tags/llm/").status_code == 200


def test_merge_tags(client, editor):
    make_article(tags=["AI", "人工智能"])
    make_article(tags=["人工智能"])
    make_article(tags=["AI"])
    ai, zh = Tag.objects.get(name="AI"), Tag.objects.get(name="人工智能")
    assert publishing.merge_preview([ai, zh], into=ai) == 1
    assert publishing.merge_tags([ai, zh], into=ai, user=editor) == 1
    assert list(Tag.objects.values_list("name", flat=True)) == ["AI"]
    assert ai.tagged_articles.count() == 3
    assert client.get("/tags/ren-gong-zhi-neng/")["Location"] == "/tags/ai/"


def test_mark_summaries_reviewed(editor):
    make_article(), make_article()
    assert publishing.mark_summaries_reviewed(Article.objects.all(), user=editor) == 2
    assert set(Article.objects.values_list("summary_reviewed_by", flat=True)) == {editor.pk}
