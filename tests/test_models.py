from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from articles import rendering
from articles.models import Article, Author, Tag, unique_slug

pytestmark = pytest.mark.django_db


def make(**fields) -> Article:
    fields = {"title": "春季发布会", "status": Article.Status.PUBLISHED, **fields}
    return Article.objects.create(**fields)


def test_published_means_published_and_due():
    now = timezone.now()
    live = make(published_at=now - timedelta(minutes=1))
    draft = make(status=Article.Status.DRAFT, published_at=now - timedelta(minutes=1))
    scheduled = make(published_at=now + timedelta(hours=1))
    assert list(Article.objects.published()) == [live]
    draft.status = Article.Status.PUBLISHED
    draft.save()
    scheduled.published_at = now - timedelta(seconds=1)
    scheduled.save()
    assert set(Article.objects.published()) == {live, draft, scheduled}


def test_body_is_rendered_on_save_and_only_when_it_changed(monkeypatch):
    article = make(body="**粗体**")
    assert article.body_html == "<p><strong>粗体</strong></p>"
    calls = []
    real = rendering.render
    monkeypatch.setattr(
        rendering, "render", lambda text, **kw: calls.append(text) or real(text, **kw)
    )
    article = Article.objects.get(pk=article.pk)
    article.title = "新标题"
    article.save()
    assert calls == []
    article.body = "*斜体*"
    article.save()
    assert calls == ["*斜体*"]
    assert Article.objects.get(pk=article.pk).body_html == "<p><em>斜体</em></p>"


def test_given_html_is_stored_without_rendering_again(monkeypatch):
    article = Article(title="t")
    article.set_body("x", html="<p>x</p>")
    monkeypatch.setattr(rendering, "render", lambda text, **kw: pytest.fail("rendered"))
    article.save()
    assert Article.objects.get(pk=article.pk).body_html == "<p>x</p>"


def test_windows_line_endings_from_forms_are_normalised():
    article = make(body="第一行\r\n第二行", summary="一句\r\n话")
    assert (article.body, article.summary) == ("第一行\n第二行", "一句\n话")


def test_slug_is_pinyin_unique_and_stable():
    first = make()
    second = make()
    assert (first.slug, second.slug) == ("chun-ji-fa-bu-hui", "chun-ji-fa-bu-hui-2")
    first.title = "改了标题"
    first.save()
    assert Article.objects.get(pk=first.pk).slug == "chun-ji-fa-bu-hui"
    assert make(title="🎉").slug == "article"


def test_unique_slug_counts_only_its_own_numbers():
    for slug in ("ai", "ai-2", "ai-agent", "aix"):
        make(title=slug, slug=slug)
    assert unique_slug(Article, "ai") == "ai-3"
    assert unique_slug(Article, "ai-agent") == "ai-agent-2"
    assert unique_slug(Article, "llm") == "llm"


def test_tags_are_unique_in_any_case_and_have_pinyin_slugs():
    tag = Tag.objects.create(name="语音交互")
    assert tag.slug == "yu-yin-jiao-hu"
    Tag.objects.create(name="AI")
    with pytest.raises(IntegrityError):
        Tag.objects.create(name="ai")


def test_taggit_folds_case_when_tagging():
    article = make()
    Tag.objects.create(name="AI")
    article.tags.add("ai")
    assert [t.name for t in article.tags.all()] == ["AI"]


def test_author_slug():
    assert Author.objects.create(name="数字生命卡兹克").slug == "shu-zi-sheng-ming-ka-zi-ke"
    assert Author.objects.create(name="🎉").slug == "author"


def test_summary_items_in_order():
    article = make()
    article.summary_items.create(kind="risk", position=0, text="风险")
    article.summary_items.create(kind="point", position=1, label="乙", text="二")
    article.summary_items.create(kind="point", position=0, label="甲", text="一")
    assert [str(i) for i in article.key_points()] == ["甲：一", "乙：二"]
    assert [str(i) for i in article.risks()] == ["风险"]
