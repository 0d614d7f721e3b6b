"""The admin, good enough to browse and edit what the import brought in."""

import shutil

import pytest
from django.contrib.admin.sites import site
from django.utils.html import escape
from taggit.models import Tag as TaggitTag

from articles.models import Article, SummaryItem
from tests.conftest import SEED
from tests.helpers import form_data, import_seeds

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(admin_client):
    import_seeds()
    return Article.objects.get()


def test_change_list_shows_the_imported_article(admin_client, article):
    response = admin_client.get("/admin/articles/article/")
    assert response.status_code == 200
    assert escape(article.title) in response.content.decode()


@pytest.mark.parametrize("page", ["author", "tag"])
def test_author_and_tag_lists(admin_client, article, page):
    response = admin_client.get(f"/admin/articles/{page}/")
    assert response.status_code == 200
    assert "数字生命卡兹克" in response.content.decode()


def test_taggits_own_tag_model_is_not_offered():
    assert TaggitTag not in site._registry


def test_edit_a_summary_point_through_the_change_form(admin_client, article):
    url = f"/admin/articles/article/{article.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    data = form_data(page.content.decode())
    point = SummaryItem.objects.get(article=article, kind="point", position=0)
    rows = [k for k, v in data.items() if k.endswith("-id") and v == [str(point.pk)]]
    prefix = rows[0].removesuffix("-id")
    data[f"{prefix}-text"] = ["编辑改写的要点。"]
    data["title"] = ["编辑改过的标题"]
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    point.refresh_from_db()
    assert (article.title, point.text) == ("编辑改过的标题", "编辑改写的要点。")
    assert article.body.startswith("今天，OpenAI")  # untouched fields survive the round trip
    assert sorted(t.name for t in article.tags.all()) == ["AI", "llm", "数字生命卡兹克"]


def test_saving_the_form_unchanged_is_not_an_edit(admin_client, tmp_path):
    """Opening an article and pressing save must not block the next import."""
    shutil.copy(SEED, tmp_path / SEED.name)
    import_seeds(tmp_path)
    article = Article.objects.get()
    url = f"/admin/articles/article/{article.pk}/change/"
    response = admin_client.post(url, form_data(admin_client.get(url).content.decode()))
    assert response.status_code == 302
    note = tmp_path / SEED.name
    note.write_text(note.read_text().replace("今天", "昨天", 1))
    assert import_seeds(tmp_path)[1][-1].startswith("0 created, 1 updated")


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh-hans", ["文章", "作者", "标签", "一句话总结", "原文链接"]),
        ("en", ["Articles", "Authors"]),
    ],
)
def test_admin_speaks_the_editors_language(admin_client, article, language, words):
    page = admin_client.get(
        f"/admin/articles/article/{article.pk}/change/", headers={"accept-language": language}
    ).content.decode()
    assert all(word in page for word in words)
    index = admin_client.get("/admin/", headers={"accept-language": language}).content.decode()
    assert words[0] in index
