"""The public pages, through the test client, as readers and staff see them."""

import json
from datetime import datetime

import pytest
from django.utils import timezone

from articles.models import Article, Tag
from tests.public import SHANGHAI, Page, expire_pages, future, make_article

pytestmark = pytest.mark.django_db
ZH = {"headers": {"accept-language": "zh-hans"}}


def page(client, url, **kwargs) -> Page:
    response = client.get(url, **{**ZH, **kwargs})
    assert response.status_code == 200, (url, response.status_code)
    return Page(response.content.decode())


def titles(client, url) -> list[str]:
    return page(client, url).texts("h2", class_="article-item-title")


# --- home -------------------------------------------------------------------------------


def test_home_lists_what_is_published_newest_first(client):
    old = make_article("旧文", published_at=datetime(2023, 1, 1, tzinfo=SHANGHAI))
    new = make_article("新文", published_at=datetime(2024, 1, 1, tzinfo=SHANGHAI))
    draft = make_article("草稿", status=Article.Status.DRAFT)
    scheduled = make_article("定时", published_at=future())
    assert titles(client, "/") == ["新文", "旧文"]
    draft.status = Article.Status.PUBLISHED
    draft.save()
    scheduled.published_at = timezone.now()
    scheduled.save()
    expire_pages()
    assert titles(client, "/") == ["定时", "草稿", "新文", "旧文"]
    assert draft.published_at > new.published_at > old.published_at


def test_home_item_shows_title_date_author_summary_and_tags(client):
    article = make_article("标题", author="数字生命卡兹克", tags=["AI", "语音"], summary="一句话。")
    home = page(client, "/")
    assert home.find("a", href=article.get_absolute_url())
    assert home.find("time", datetime=article.published_at.isoformat())
    assert home.texts("a", href="/authors/shu-zi-sheng-ming-ka-zi-ke/") == ["数字生命卡兹克"]
    assert home.texts("p", class_="lede") == ["一句话。"]
    assert home.texts("a", href="/tags/ai/") == ["AI"]
    assert home.texts("a", href="/tags/yu-yin/") == ["语音"]


def test_an_article_without_a_summary_is_listed_with_the_start_of_its_body(client):
    body = "![图](https://mmbiz.qpic.cn/a.png)\n\n**开头**这段话讲清楚了来龙去脉。" + "后文。" * 400
    make_article("没有摘要", summary="", body=body, tags=["AI"])
    for url in ("/", "/tags/ai/", "/archive/2024/05/"):
        (lede,) = page(client, url).texts("p", class_="lede")
        assert lede.startswith("开头这段话讲清楚了来龙去脉。后文。") and len(lede) <= 120, url


def test_home_points_at_the_feeds(client):
    make_article()
    home = page(client, "/")
    kinds = {a["type"]: a["href"] for a, _ in home.find("link", rel="alternate")}
    assert kinds == {"application/rss+xml": "/rss/", "application/atom+xml": "/atom/"}


def test_home_is_paginated(client, settings):
    settings.FOLIO_PAGE_SIZE = 3
    for _ in range(7):
        make_article()
    assert len(titles(client, "/")) == 3
    assert len(titles(client, "/?page=3")) == 1
    second = page(client, "/?page=2")
    assert second.find("a", rel="prev", href="?page=1") and second.find("a", rel="next")
    for bad in ("4", "0", "x"):
        assert client.get(f"/?page={bad}").status_code == 404


def test_page_language_is_chinese(client):
    make_article(published_at=datetime(2024, 5, 14, 10, 30, tzinfo=SHANGHAI))
    home = page(client, "/")
    assert home.find("html", lang="zh-Hans")
    assert "最新文章" in home.texts("h1")
    assert home.texts("time") == ["2024年5月14日"]
    english = Page(client.get("/", headers={"accept-language": "en"}).content.decode())
    assert english.find("html", lang="en") and "Latest articles" in english.texts("h1")
    # The header, rendered once a process, once for each language.
    assert "首页" in home.texts("a") and "Home" not in home.texts("a")
    assert "Home" in english.texts("a") and "首页" not in english.texts("a")
    assert "首页" in page(client, "/archive/").texts("a")


def test_the_site_name_is_what_settings_say(client, settings):
    settings.FOLIO_PAGE_CACHE = False  # (whose keys hold the name as a worker starts)
    make_article()
    assert page(client, "/").texts("a", class_="site-name") == ["Folio"]
    settings.FOLIO_SITE_NAME = "档案馆"
    assert page(client, "/").texts("a", class_="site-name") == ["档案馆"]


# --- the article page ----------------------------------------------------------------------


@pytest.fixture
def seed_article(client):
    from tests.helpers import import_seeds

    import_seeds()
    return Article.objects.get()


def test_article_page_shows_everything_the_source_holds(client, seed_article):
    article = page(client, seed_article.get_absolute_url())
    assert article.texts("h1") == ['OpenAI春季发布会：这是"Moss"的诞生，我们人类究竟该何去何从。']
    assert article.find("a", rel="author", href="/authors/shu-zi-sheng-ming-ka-zi-ke/")
    assert article.find("time", datetime="2024-05-14T00:00:00+08:00")
    assert "微信公众号" in article.texts("p", class_="byline")[0]
    assert article.find("a", href=seed_article.original_url)
    summary = article.texts("p", class_="summary-sentence")[0]
    assert summary.startswith("OpenAI在春季发布会上推出了原生多模态大模型GPT-4o")
    points = article.texts("strong")
    assert points[:2] == ["发布新模型GPT-4o", "实时端到端推理"] and "服务器稳定性" in points
    assert len(article.find("img", referrerpolicy="no-referrer")) == 14
    tags = [a["href"] for a, _ in article.find("a", rel="tag")]
    assert tags == ["/tags/shu-zi-sheng-ming-ka-zi-ke/", "/tags/ai/", "/tags/llm/"]


def test_a_long_article_has_a_table_of_contents_with_chinese_anchors(client):
    body = "开头。\n\n## 第一部分\n\n文字。\n\n### 一个 *小节*\n\n文字。\n\n## 结论 & 展望\n\n完。"
    article = make_article("有目录", body=body)
    shown = page(client, article.get_absolute_url())
    ids = [attrs["id"] for attrs, _ in shown.find("h2") + shown.find("h3") if "id" in attrs]
    assert shown.find("nav", class_="toc")
    links = [(a["href"], text) for a, text in shown.find("a", class_="toc-link")]
    expected = [("#第一部分", "第一部分"), ("#一个-小节", "一个 小节")]
    expected.append(("#结论-展望", "结论 & 展望"))
    assert links == expected
    assert {href[1:] for href, _ in links} <= set(ids)
    short = make_article("两节", body="## 甲\n\n文字。\n\n## 乙\n\n文字。")
    assert not page(client, short.get_absolute_url()).find("nav", class_="toc")


def test_article_page_reading_time_counts_characters(client, seed_article):
    byline = page(client, seed_article.get_absolute_url()).texts("p", class_="byline")[0]
    assert "阅读约 5 分钟" in byline
    english = page(client, seed_article.get_absolute_url(), headers={"accept-language": "en"})
    assert "5 min read" in english.texts("p", class_="byline")[0]


def test_article_page_tells_search_engines_and_chat_apps_about_itself(client, seed_article):
    url = seed_article.get_absolute_url()
    article = page(client, url)
    canonical = f"http://testserver{url}"
    assert article.find("link", rel="canonical", href=canonical)
    assert article.meta("og:type") == "article"
    assert article.meta("og:url") == canonical
    assert article.meta("og:title") == seed_article.title
    assert article.meta("og:description").startswith("OpenAI在春季发布会上")
    assert len(article.meta("description")) <= 120
    assert article.meta("og:image").startswith("https://mmbiz.qpic.cn/")
    assert article.meta("twitter:card") == "summary_large_image"
    [(_, text)] = article.find("script", type="application/ld+json")
    data = json.loads(text)
    assert data["@type"] == "Article" and data["headline"] == seed_article.title
    assert data["author"] == {
        "@type": "Person",
        "name": "数字生命卡兹克",
        "url": "http://testserver/authors/shu-zi-sheng-ming-ka-zi-ke/",
    }
    assert data["datePublished"].startswith("2024-05-13T16:00:00")  # UTC
    assert data["keywords"] == ["数字生命卡兹克", "AI", "llm"]


def test_article_related_by_most_shared_tags_and_previous_next(client):
    one = make_article("一", tags=["a", "b", "c"])
    two = make_article("二", tags=["a", "b"])
    three = make_article("三", tags=["a"])
    make_article("无关", tags=["z"])
    make_article("草稿同标签", tags=["a", "b", "c"], status=Article.Status.DRAFT)
    view = page(client, one.get_absolute_url())
    [(_, related)] = view.find("aside", class_="related")
    assert "无关" not in related and "草稿" not in related
    assert 0 <= related.index("二") < related.index("三")  # most shared tags first
    middle = page(client, two.get_absolute_url())
    assert middle.find("a", rel="prev", href=one.get_absolute_url())
    assert middle.find("a", rel="next", href=three.get_absolute_url())


def test_the_stored_head_of_an_article_names_the_address_it_was_asked_at(client, settings):
    """The head is stored HTML: kept once per site address, never another's."""
    settings.ALLOWED_HOSTS = ["a.example", "b.example"]
    settings.FOLIO_PAGE_CACHE = False  # the head's own store, not the page's
    article = make_article("两个地址")
    for host in ("a.example", "b.example", "a.example"):
        view = page(client, article.get_absolute_url(), headers={**ZH["headers"], "host": host})
        expected = f"http://{host}{article.get_absolute_url()}"
        assert view.find("link", rel="canonical")[0][0]["href"] == expected
        assert view.meta("og:url") == expected


def test_titles_with_entities_and_markup_are_shown_as_text(client):
    article = make_article('<script>alert(1)</script>"引号"&')
    view = page(client, article.get_absolute_url())
    assert view.texts("h1") == ['<script>alert(1)</script>"引号"&']
    scripts = view.find("script")
    assert [attrs.get("type") for attrs, _ in scripts] == ["application/ld+json"]
    assert json.loads(scripts[0][1])["headline"] == '<script>alert(1)</script>"引号"&'


def test_hostile_body_cannot_run_script(client, corpus):
    from tests.helpers import import_seeds

    import_seeds(corpus)
    hostile = Article.objects.get(source_path="hostile.md")
    view = page(client, hostile.get_absolute_url())
    assert [attrs.get("type") for attrs, _ in view.find("script")] == ["application/ld+json"]
    for _, attrs, _ in view.elements:
        assert not any(name.startswith("on") for name in attrs)
        assert not attrs.get("href", "").startswith("javascript:")
    assert not view.find("iframe") and not view.find("div", style="position:fixed")


# --- visibility ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hidden",
    [{"status": Article.Status.DRAFT}, {"published_at": "future"}],
    ids=["draft", "scheduled"],
)
def test_unpublished_articles_are_absent_everywhere(client, hidden):
    if hidden.get("published_at") == "future":
        hidden = {"published_at": future()}
    shown = make_article("公开", tags=["共享"], author="作者")
    secret = make_article("秘密", tags=["共享", "独有"], author="秘密作者", **hidden)
    assert client.get(secret.get_absolute_url()).status_code == 404
    for url in ["/", "/tags/gong-xiang/", "/authors/zuo-zhe/", shown.get_absolute_url()]:
        assert "秘密" not in client.get(url).content.decode(), url
    for url in ["/tags/du-you/", "/authors/mi-mi-zuo-zhe/"]:
        assert client.get(url).status_code == 404, url
    for url in ["/rss/", "/atom/", "/tags/gong-xiang/rss/", "/sitemap.xml"]:
        body = client.get(url).content.decode()
        assert "秘密" not in body and secret.slug not in body, url
    archive = client.get("/archive/").content.decode()
    month = f"/archive/{secret.published_at:%Y}/{secret.published_at:%m}/"
    assert secret.published_at.year == shown.published_at.year or month not in archive
    # and once it is published and due, it is everywhere
    Article.objects.filter(pk=secret.pk).update(status="published", published_at=timezone.now())
    expire_pages()
    assert client.get(secret.get_absolute_url()).status_code == 200
    assert "秘密" in client.get("/").content.decode()
    assert "秘密" in client.get("/tags/du-you/").content.decode()
    assert "秘密" in client.get("/rss/").content.decode()


def test_a_tag_page_shows_no_draft_whatever_its_tag_rows_say(client, settings):
    """Tag pages find their articles by the copies of status and publish time on the tag's
    rows; whether readers may see each is still the article's to say."""
    settings.FOLIO_PAGE_CACHE = False
    make_article("公开", tags=["共享"])
    secret = make_article("秘密", tags=["共享"])
    assert "秘密" in client.get("/tags/gong-xiang/").content.decode()
    Article.objects.filter(pk=secret.pk).update(status=Article.Status.DRAFT)  # rows not told
    body = client.get("/tags/gong-xiang/").content.decode()
    assert "秘密" not in body and "公开" in body


def test_staff_preview_unpublished_articles_under_a_banner(client, admin_client):
    draft = make_article("草稿", status=Article.Status.DRAFT)
    scheduled = make_article("定时", published_at=future())
    for article, words in ((draft, "草稿预览"), (scheduled, "预览")):
        response = admin_client.get(article.get_absolute_url(), **ZH)
        assert response.status_code == 200
        banner = Page(response.content.decode()).texts("p", class_="preview-banner")
        assert banner and words in banner[0]
        assert response.headers["X-Robots-Tag"] == "noindex"
        assert "no-store" in response.headers["Cache-Control"]
    public = make_article("公开")
    response = admin_client.get(public.get_absolute_url())
    assert not Page(response.content.decode()).find("p", class_="preview-banner")
    assert "X-Robots-Tag" not in response.headers


# --- tags, authors, archive ---------------------------------------------------------------------


def test_tag_page(client, settings):
    settings.FOLIO_PAGE_SIZE = 2
    for n in range(3):
        make_article(f"AI文{n}", tags=["AI"])
    make_article("别的", tags=["其他"])
    make_article("草稿", tags=["AI"], status=Article.Status.DRAFT)
    make_article("定时", tags=["AI"], published_at=future())
    tag_page = page(client, "/tags/ai/")
    assert tag_page.texts("h1")[0].endswith("AI")
    assert "共 3 篇" in tag_page.texts("p", class_="page-meta")[0]  # not the draft, nor later
    assert titles(client, "/tags/ai/") == ["AI文2", "AI文1"]
    assert titles(client, "/tags/ai/?page=2") == ["AI文0"]
    assert tag_page.find("link", type="application/rss+xml", href="/tags/ai/rss/")
    assert client.get("/tags/nothing/").status_code == 404
    assert client.get("/tags/ai/?page=3").status_code == 404


def test_tag_urls_are_pinyin_and_case_blind(client):
    make_article(tags=["大模型"])
    make_article(tags=["大模型"])
    assert Tag.objects.get().slug == "da-mo-xing"
    assert len(titles(client, "/tags/da-mo-xing/")) == 2


def test_author_page(client):
    make_article("甲的文章", author="作者甲")
    make_article("乙的文章", author="作者乙")
    assert titles(client, "/authors/zuo-zhe-jia/") == ["甲的文章"]
    assert client.get("/authors/nobody/").status_code == 404


def test_date_archive(client):
    make_article("五月", published_at=datetime(2024, 5, 14, tzinfo=SHANGHAI))
    make_article("六月", published_at=datetime(2024, 6, 1, tzinfo=SHANGHAI))
    make_article("去年", published_at=datetime(2023, 12, 31, 23, 30, tzinfo=SHANGHAI))
    html = client.get("/archive/").content.decode()
    index = Page(html.rsplit("</svg>", 1)[-1])  # the list under the chart (test_archive_chart)
    assert index.links("/archive/2") == [
        "/archive/2024/",
        "/archive/2024/06/",
        "/archive/2024/05/",
        "/archive/2023/",
        "/archive/2023/12/",  # Shanghai time, not UTC
    ]
    assert titles(client, "/archive/2024/") == ["六月", "五月"]
    assert titles(client, "/archive/2024/05/") == ["五月"]
    assert titles(client, "/archive/2023/12/") == ["去年"]
    assert client.get("/archive/2022/").status_code == 404
    assert client.get("/archive/2024/07/").status_code == 404


# --- errors ----------------------------------------------------------------------------------


def test_not_found_is_our_own_page(client):
    response = client.get("/no/such/page/", **ZH)
    assert response.status_code == 404
    view = Page(response.content.decode())
    assert view.texts("p", class_="error-code") == ["404"]
    assert view.find("a", href="/")


def test_server_error_is_our_own_page(client, monkeypatch):
    article = make_article()
    monkeypatch.setattr("articles.views.measure.excerpt", lambda *a: 1 / 0)
    client.raise_request_exception = False
    response = client.get(article.get_absolute_url(), **ZH)
    assert response.status_code == 500
    view = Page(response.content.decode())
    assert view.texts("p", class_="error-code") == ["500"]
    assert "Traceback" not in response.content.decode()


def test_body_html_cannot_break_the_page_layout(client):
    article = make_article(
        body='</div></article></main><footer class="site-footer">假页脚</footer>\n\n'
        "<div><div><table><tr><td>未闭合\n\n<b>粗<i>斜\n\n正常的一段。"
    )
    view = page(client, article.get_absolute_url())
    # the page's own structure survives: one main, one footer, and the body stays inside
    assert len(view.find("main")) == 1
    assert len(view.find("footer", class_="site-footer")) == 1
    [(_, prose)] = view.find("div", class_="prose")
    assert "正常的一段。" in prose
    [(_, footer)] = view.find("footer", class_="site-footer")
    assert "假页脚" not in footer


def test_a_site_with_no_article_yet_serves_its_pages(client):
    """A new deployment, before its first import: every list is empty, none fails."""
    for url in ["/", "/?page=1", "/archive/", "/rss/", "/atom/", "/sitemap.xml", "/robots.txt"]:
        assert client.get(url).status_code == 200, url
    assert client.get("/?page=2").status_code == 404
    assert client.get("/search/?q=" + "区块链").status_code == 200
