"""The newsroom through the admin's own doors: forms, actions, history, as each role."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from articles import changes
from articles.models import Article, Revision, Tag
from tests.helpers import committed, form_data, import_seeds, note, run_command, write
from tests.newsroom import change_form, person, post_change
from tests.public import Page, make_article

pytestmark = pytest.mark.django_db
S = Article.Status
ZH = {"headers": {"accept-language": "zh-hans"}}


def logged_in(client, role):
    client.force_login(person(role.lower() if role else "boss", role))
    return client


@pytest.fixture
def editor_client():
    return logged_in(Client(), "Editor")


@pytest.fixture
def author_client():
    return logged_in(Client(), "Author")


def errors(response) -> str:
    page = Page(response.content.decode())
    return " ".join(text for _, text in page.find("ul", class_="errorlist")) + " ".join(
        text for _, text in page.find("p", class_="errornote")
    )


def listed(client, query: str) -> list[str]:
    """The titles in the change list's results."""
    page = Page(client.get(f"/admin/articles/article/?{query}").content.decode())
    return page.texts("th", class_="field-title")


def add_form(client) -> dict[str, list[str]]:
    return form_data(client.get("/admin/articles/article/add/").content.decode())


# --- roles -------------------------------------------------------------------------------


def test_author_writes_a_draft_and_submits_it(author_client):
    data = add_form(author_client)
    data.update(title=["作者写的草稿"], body=["正文"], status=["draft"], _save=["Save"])
    data.update({"published_at_0": ["2024-05-14"], "published_at_1": ["10:00:00"]})
    response = author_client.post("/admin/articles/article/add/", data)
    assert response.status_code == 302, errors(response)
    article = Article.objects.get()
    assert (article.status, article.slug) == (S.DRAFT, "zuo-zhe-xie-de-cao-gao")
    assert post_change(author_client, article, status="review").status_code == 302
    assert Article.objects.get().status == S.REVIEW


def test_author_cannot_publish_by_crafting_a_post(author_client):
    article = make_article(status=S.REVIEW)
    response = post_change(author_client, article, status="published")
    assert response.status_code == 200  # the form again, with the refusal
    assert Article.objects.get().status == S.REVIEW
    choices = [o for o in Page(response.content.decode()).find("option") if o[0].get("value")]
    assert {"published", "archived"}.isdisjoint(attrs["value"] for attrs, _ in choices)


def test_author_cannot_change_a_published_article(author_client):
    article = make_article("已发布的文章", status=S.PUBLISHED)
    page = author_client.get(f"/admin/articles/article/{article.pk}/change/")
    assert page.status_code == 200 and not Page(page.content.decode()).find("input", name="_save")
    data = {"title": ["作者改的"], "status": ["published"], "_save": ["Save"]}
    response = author_client.post(f"/admin/articles/article/{article.pk}/change/", data)
    assert response.status_code == 403
    assert Article.objects.get().title == "已发布的文章"


@pytest.mark.parametrize("action", ["publish", "archive", "mark_reviewed", "add_tag"])
def test_author_cannot_run_editor_actions(author_client, action):
    article = make_article(status=S.DRAFT)
    data = {"action": action, "_selected_action": [article.pk], "tag": "新"}
    author_client.post("/admin/articles/article/", data)
    article.refresh_from_db()
    assert (article.status, article.summary_reviewed_at) == (S.DRAFT, None)
    assert not article.tagged_items.exists() and not article.revisions.exists()


def test_editor_publishes_with_the_form_and_schedules(editor_client):
    article = make_article(status=S.REVIEW)
    later = timezone.localtime(timezone.now() + timedelta(days=2))
    response = post_change(
        editor_client,
        article,
        status="published",
        published_at_0=later.strftime("%Y-%m-%d"),
        published_at_1=later.strftime("%H:%M:%S"),
    )
    assert response.status_code == 302, errors(response)
    assert Article.objects.get().status == S.PUBLISHED
    assert not Article.objects.published().exists()  # scheduled
    assert listed(editor_client, "state=scheduled") == [article.title]
    assert listed(editor_client, "state=published") == []


@pytest.mark.parametrize(
    ("action", "before", "after"),
    [
        ("publish", S.REVIEW, S.PUBLISHED),
        ("unpublish", S.PUBLISHED, S.DRAFT),
        ("archive", S.PUBLISHED, S.ARCHIVED),
    ],
)
def test_editor_bulk_actions(editor_client, action, before, after):
    articles = [make_article(status=before) for _ in range(3)]
    data = {"action": action, "_selected_action": [a.pk for a in articles[:2]]}
    assert editor_client.post("/admin/articles/article/", data).status_code == 302
    assert [Article.objects.get(pk=a.pk).status for a in articles] == [after, after, before]
    assert Revision.objects.count() == 2


def test_editor_bulk_tags(editor_client):
    one, two = make_article(), make_article(tags=["旧"])
    editor_client.post(
        "/admin/articles/article/",
        {"action": "add_tag", "_selected_action": [one.pk, two.pk], "tag": "新"},
    )
    assert [t.name for t in two.tag_list()] == ["旧", "新"] and [
        t.name for t in one.tag_list()
    ] == ["新"]
    editor_client.post(
        "/admin/articles/article/",
        {"action": "remove_tag", "_selected_action": [two.pk], "tag": "旧"},
    )
    assert [t.name for t in two.tag_list()] == ["新"]


# --- editing -----------------------------------------------------------------------------


def test_live_preview_uses_the_public_renderer(editor_client, author_client):
    for client in (editor_client, author_client):
        response = client.post(
            "/admin/articles/article/preview/", {"body": "**粗体**\n<script>x()</script>"}
        )
        html = response.json()["html"]
        assert "<strong>粗体</strong>" in html and "<script" not in html
    assert editor_client.get("/admin/articles/article/preview/").status_code == 405


def test_the_preview_is_the_public_page_of_the_form_as_it_stands(editor_client):
    article = make_article(
        "旧标题",
        author="某公众号",
        tags=["AI"],
        points=[("甲", "第一点"), ("乙", "第二点")],
        risks=[("", "要删的风险")],
        body="## 第一节\n\n正文。\n\n## 第二节\n\n更多。\n\n## 第三节\n\n完。",
    )
    form = change_form(editor_client, article)
    form.update(
        {
            "title": ["新标题：尚未保存"],
            "summary": ["改过的一句话总结。"],
            "tags": ["ai", "新标签"],
            # The rows moved on screen (the editor numbers them before it asks) and one added.
            "summary-point-0-position": ["1"],
            "summary-point-1-position": ["0"],
            "summary-point-TOTAL_FORMS": ["3"],
            "summary-point-2-label": ["丙"],
            "summary-point-2-text": ["新加的要点"],
            "summary-point-2-position": ["2"],
            "summary-risk-0-DELETE": ["on"],
            "body": [
                "## 第一节\n\n改过的**正文**。\n\n## 第二节\n\n## 第三节\n<script>x()</script>"
            ],
        }
    )
    answer = editor_client.post("/admin/articles/article/preview/", form, **ZH).json()
    page = Page(answer["page"])
    assert page.texts("h1") == ["新标题：尚未保存"]
    assert page.texts("p", class_="summary-sentence") == ["改过的一句话总结。"]
    assert page.texts("li")[:3] == ["乙：第二点", "甲：第一点", "丙：新加的要点"]
    assert page.texts("h3") == ["核心要点"]  # the only risk deleted: no heading for risks
    assert page.links("/tags/") == ["/tags/ai/", "/tags/xin-biao-qian/"]
    assert page.links("/authors/") == [article.author.get_absolute_url()]
    assert "<strong>正文</strong>" in answer["page"] and "<script" not in answer["page"]
    assert page.texts("a", class_="toc-link") == ["第一节", "第二节", "第三节"]  # anchors too
    assert 'id="第一节"' in answer["page"]  # a document of its own: ids meet none of the admin's
    styles = [attrs["href"] for attrs, _ in page.find("link") if attrs.get("rel") == "stylesheet"]
    assert [href.rsplit("/", 1)[1].split(".")[0] for href in styles] == ["site", "highlight"]
    assert page.find("html")[0][0]["lang"] == "zh-Hans"
    # Saved unchanged.
    article.refresh_from_db()
    assert article.title == "旧标题" and [t.name for t in article.tag_list()] == ["AI"]
    assert not Tag.objects.filter(name="新标签").exists()


def test_the_preview_of_a_new_article_with_nothing_filled_in(editor_client):
    answer = editor_client.post("/admin/articles/article/preview/", add_form(editor_client))
    assert Page(answer.json()["page"]).texts("h1") == [""]


def test_preview_and_tag_names_are_for_staff_only(client):
    response = client.post("/admin/articles/article/preview/", {"body": "x"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_tag_autocomplete(editor_client):
    make_article(tags=["大模型", "大模型应用"])
    make_article(tags=["大模型"])
    make_article(tags=["语音"])
    results = editor_client.get("/admin/articles/tag/names/", {"term": "大模"}).json()["results"]
    assert results == [
        {"id": "大模型", "text": "大模型"},
        {"id": "大模型应用", "text": "大模型应用"},
    ]


def test_slug_is_prefilled_from_the_title(editor_client):
    assert editor_client.get("/admin/articles/article/slug/", {"title": "春季发布会"}).json() == {
        "slug": "chun-ji-fa-bu-hui"
    }
    page = Page(editor_client.get("/admin/articles/article/add/").content.decode())
    assert page.find("input", name="slug", **{"data-slug-url": "/admin/articles/article/slug/"})


def test_tags_typed_in_any_case_are_one_tag_and_new_ones_are_made(editor_client):
    Tag.objects.create(name="AI")
    article = make_article()
    response = post_change(editor_client, article, tags=["ai", "新标签", "新标签"])
    assert response.status_code == 302, errors(response)
    assert [t.name for t in article.tag_list()] == ["AI", "新标签"]
    assert Tag.objects.count() == 2


def test_summary_rows_are_edited_added_removed_and_reordered(editor_client):
    article = make_article(points=[("甲", "一"), ("乙", "二")])
    data = change_form(editor_client, article)
    data["summary-point-0-position"], data["summary-point-1-position"] = ["1"], ["0"]  # swap
    data["summary-point-0-text"] = ["一（改）"]
    data.update(
        {
            "summary-point-TOTAL_FORMS": ["3"],
            "summary-point-2-position": ["2"],
            "summary-point-2-label": ["丙"],
            "summary-point-2-text": ["三"],
            "summary-risk-TOTAL_FORMS": ["1"],
            "summary-risk-0-position": ["0"],
            "summary-risk-0-label": [""],
            "summary-risk-0-text": ["新风险"],
            "_save": ["Save"],
        }
    )
    response = editor_client.post(f"/admin/articles/article/{article.pk}/change/", data)
    assert response.status_code == 302, errors(response)
    assert [(i.position, i.label, i.text) for i in article.key_points()] == [
        (0, "乙", "二"),
        (1, "甲", "一（改）"),
        (2, "丙", "三"),
    ]
    assert [i.text for i in article.risks()] == ["新风险"]
    data = change_form(editor_client, article)
    data["summary-point-0-DELETE"] = ["on"]
    data["_save"] = ["Save"]
    editor_client.post(f"/admin/articles/article/{article.pk}/change/", data)
    assert [(i.position, i.label) for i in article.key_points()] == [(0, "甲"), (1, "丙")]


def test_two_editors_on_one_article_the_second_is_refused(client, editor_client):
    article = make_article("原标题")
    first_form = change_form(editor_client, article)
    other = logged_in(Client(), None)  # a superuser, in another browser
    assert post_change(other, article, title="第一位编辑的标题").status_code == 302
    first_form.update(title=["第二位编辑的标题"], body=["第二位编辑的正文"], _save=["Save"])
    response = editor_client.post(f"/admin/articles/article/{article.pk}/change/", first_form, **ZH)
    assert response.status_code == 200
    assert "boss" in errors(response) and "没有保存" in errors(response)
    assert Article.objects.get().title == "第一位编辑的标题"  # the first save stands
    page = Page(response.content.decode())
    assert page.find("input", name="title", value="第二位编辑的标题")  # nothing lost
    assert "第二位编辑的正文" in page.texts("textarea", name="body")[0]


# --- summaries ---------------------------------------------------------------------------


def test_summary_review_state_filter_and_bulk(editor_client):
    reviewed, unreviewed = make_article("已审"), make_article("未审")
    assert post_change(editor_client, reviewed, summary_reviewed="on").status_code == 302
    reviewed.refresh_from_db()
    assert reviewed.summary_reviewed_by.username == "editor" and reviewed.summary_reviewed_at
    assert listed(editor_client, "summary=unreviewed") == ["未审"]
    assert listed(editor_client, "summary=reviewed") == ["已审"]
    editor_client.post(
        "/admin/articles/article/", {"action": "mark_reviewed", "_selected_action": [unreviewed.pk]}
    )
    assert not Article.objects.filter(summary_reviewed_at__isnull=True).exists()


def test_a_new_machine_summary_from_the_vault_wants_a_new_review(editor_client, tmp_path):
    from tests.conftest import SEED

    (tmp_path / SEED.name).write_text(SEED.read_text())
    import_seeds(tmp_path)
    Article.objects.update(summary_reviewed_at=timezone.now())
    path = tmp_path / SEED.name
    path.write_text(path.read_text().replace("实时、低延迟交互", "实时交互"))
    assert import_seeds(tmp_path)[1][-1].startswith("0 created, 1 updated")
    assert Article.objects.get().summary_reviewed_at is None


# --- history -----------------------------------------------------------------------------


def test_every_save_is_a_revision_listed_compared_and_restored(editor_client):
    article = make_article("第一版", tags=["甲"])
    post_change(editor_client, article, title="第二版")
    post_change(editor_client, article, body="新正文", tags=["甲", "乙"])
    history = Page(
        editor_client.get(f"/admin/articles/article/{article.pk}/history/", **ZH).content.decode()
    )
    rows = [text for _, text in history.find("tr") if text.startswith("#")]
    assert len(rows) == 2 and "editor" in rows[0]
    assert "标签、正文" in rows[0]  # what changed since #1
    diff = Page(
        editor_client.get(
            f"/admin/articles/article/{article.pk}/history/compare/?a=1&b=2"
        ).content.decode()
    )
    assert "第二版" not in diff.texts("td", class_="old")  # the title did not change
    assert "新正文" in diff.texts("td", class_="new")  # the body did
    response = editor_client.post(f"/admin/articles/article/{article.pk}/history/1/restore/")
    assert response.status_code == 302
    article = Article.objects.get(pk=article.pk)
    assert (article.title, [t.name for t in article.tag_list()]) == ("第二版", ["甲"])
    latest = article.revisions.order_by("-number").first()
    assert latest.number == 3 and latest.user.username == "editor"


def test_restore_needs_a_post_and_the_right(editor_client, author_client):
    article = make_article(status=S.PUBLISHED)
    post_change(editor_client, article, title="改")
    url = f"/admin/articles/article/{article.pk}/history/1/restore/"
    asked = editor_client.get(url)  # a GET asks first (tests/test_history.py), restores nothing
    assert asked.status_code == 200 and 'class="folio-restore"' in asked.content.decode()
    assert Article.objects.get().revisions.count() == 1
    assert author_client.get(url).status_code == 403  # not theirs to restore
    assert author_client.post(url).status_code == 403


@pytest.mark.parametrize("object_id", ["abc", "1abc", "1.5", "%E6%96%87", "9999"])
def test_history_of_an_address_that_is_no_article_is_not_found(editor_client, object_id):
    make_article(status=S.PUBLISHED)
    base = f"/admin/articles/article/{object_id}/history/"
    assert editor_client.get(base).status_code == 404
    assert editor_client.get(f"{base}compare/?a=1&b=2").status_code == 404
    assert editor_client.post(f"{base}1/restore/").status_code == 404


# --- addresses ---------------------------------------------------------------------------


def test_changing_a_published_slug_keeps_the_old_url(editor_client):
    client = Client()
    article = make_article("春季发布会", status=S.PUBLISHED)
    assert post_change(editor_client, article, slug="spring-event").status_code == 302
    assert post_change(editor_client, article, slug="spring-2024").status_code == 302
    for old in ("chun-ji-fa-bu-hui", "spring-event"):
        response = client.get(f"/articles/{old}/")
        assert (response.status_code, response["Location"]) == (301, "/articles/spring-2024/")
    assert client.get("/articles/spring-2024/").status_code == 200
    make_article("新文章", slug="spring-event")  # a new article may take an old address
    assert client.get("/articles/spring-event/").status_code == 200


def test_a_drafts_old_address_tells_readers_nothing(editor_client):
    client = Client()
    article = make_article("草稿", status=S.DRAFT)
    post_change(editor_client, article, slug="new-draft")
    assert client.get("/articles/cao-gao/").status_code == 404


def test_rename_and_merge_tags_in_the_admin(editor_client):
    client = Client()
    make_article(tags=["大模型", "LLM"])
    make_article(tags=["大模型"])
    tag = Tag.objects.get(name="大模型")
    form = form_data(editor_client.get(f"/admin/articles/tag/{tag.pk}/change/").content.decode())
    form.update(name=["大语言模型"], _save=["Save"])
    assert editor_client.post(f"/admin/articles/tag/{tag.pk}/change/", form).status_code == 302
    assert client.get("/tags/da-mo-xing/")["Location"] == "/tags/da-yu-yan-mo-xing/"
    both = list(Tag.objects.values_list("pk", flat=True))
    preview = editor_client.post(
        "/admin/articles/tag/", {"action": "merge", "_selected_action": both}, **ZH
    )
    labels = Page(preview.content.decode()).texts("label")
    assert any("1 篇文章将改用" in label or "1" in label for label in labels)
    keep = Tag.objects.get(name="大语言模型")
    editor_client.post(
        "/admin/articles/tag/",
        {"action": "merge", "_selected_action": both, "into": keep.pk, "confirm": "yes"},
    )
    assert list(Tag.objects.values_list("name", flat=True)) == ["大语言模型"]
    assert client.get("/tags/llm/")["Location"] == "/tags/da-yu-yan-mo-xing/"


def test_a_label_ending_in_a_colon_reads_back_from_the_vault(editor_client, tmp_path):
    """The vault writes `**label**：text`; a label typed as `要点：` read back as `要点`, so
    the exported note never matched its article."""
    article = make_article("有标签的文章")
    data = change_form(editor_client, article)
    data.update(
        {
            "summary-point-TOTAL_FORMS": ["1"],
            "summary-point-0-position": ["0"],
            "summary-point-0-label": ["要点："],
            "summary-point-0-text": ["内容"],
            "_save": ["Save"],
        }
    )
    response = editor_client.post(f"/admin/articles/article/{article.pk}/change/", data)
    assert response.status_code == 302, errors(response)
    assert [i.label for i in article.key_points()] == ["要点"]
    run_command("export_articles", tmp_path)
    assert import_seeds(tmp_path)[1][-1].startswith("0 created, 0 updated, 1 unchanged")


# --- every way of editing counts as an edit since the import -----------------------------


@pytest.mark.parametrize("how", ["form", "bulk action", "restore"])
def test_every_way_of_editing_blocks_an_overwriting_import(editor_client, tmp_path, how):
    from tests.conftest import SEED

    (tmp_path / SEED.name).write_text(SEED.read_text())
    import_seeds(tmp_path)
    article = Article.objects.get()
    if how == "form":
        assert post_change(editor_client, article, status="draft").status_code == 302
    elif how == "bulk action":
        editor_client.post(
            "/admin/articles/article/",
            {"action": "add_tag", "_selected_action": [article.pk], "tag": "新"},
        )
    else:  # revision 1 is the import; 2 changes the title; 3 the body; back to 2
        post_change(editor_client, article, title="编辑改的标题")
        post_change(editor_client, article, body="编辑改的正文")
        editor_client.post(f"/admin/articles/article/{article.pk}/history/1/restore/")
        assert Article.objects.get().title.startswith("OpenAI")  # restored to the import
        editor_client.post(f"/admin/articles/article/{article.pk}/history/2/restore/")
        assert Article.objects.get().title == "编辑改的标题"
    path = tmp_path / SEED.name
    path.write_text(path.read_text().replace("今天，", "今日，", 1))
    assert (
        import_seeds(tmp_path)[1][-1] == "0 created, 0 updated, 0 unchanged, 1 conflicts, 0 failed"
    )


# --- the change list ---------------------------------------------------------------------


def test_change_list_search_filters_sorting_and_counts(editor_client):
    make_article("甲文", author="作者甲", tags=["AI"], status=S.DRAFT)
    make_article("乙文", author="作者乙", tags=["语音"])
    assert listed(editor_client, "q=甲") == ["甲文"]
    assert listed(editor_client, "status=draft") == ["甲文"]
    assert listed(editor_client, "tag=yu-yin") == ["乙文"]
    assert listed(editor_client, "o=1") == ["乙文", "甲文"]  # by title (乙 U+4E59 < 甲 U+7532)
    assert listed(editor_client, "o=-1") == ["甲文", "乙文"]
    author = Article.objects.get(title="乙文").author_id
    assert listed(editor_client, f"author__id__exact={author}") == ["乙文"]
    assert sorted(listed(editor_client, "published_at__year=2024")) == ["乙文", "甲文"]
    facets = Page(editor_client.get("/admin/articles/article/?_facets=True", **ZH).content.decode())
    assert "草稿 (1)" in facets.texts("a")


# --- keys with a role never hide among the other front matter --------------------------------


def test_an_author_cannot_smuggle_a_status_or_link_through_the_other_front_matter(author_client):
    article = make_article("作者的草稿", status=S.DRAFT)
    smuggled = {  # rows of the other front matter
        "extra-key": ["status", "Link", "来源", "ok"],
        "extra-value": ["published", "javascript:alert(1)", "x", "1"],
    }
    response = post_change(author_client, article, **smuggled)
    assert response.status_code == 200
    message = errors(response)
    for key in ("status", "Link", "来源"):
        assert f"“{key}”" in message
    assert "“ok”" not in message
    article.refresh_from_db()
    assert (article.status, article.extra) == (S.DRAFT, {})
    ok = {"extra-key": ["ok"], "extra-value": ["1"]}
    assert post_change(author_client, article, **ok).status_code == 302
    assert Article.objects.get().extra == {"ok": 1}


def test_restore_checks_the_status_it_will_apply(author_client):
    """A revision saved before the fix, whose note says `draft: true` then
    `status: published`: restoring it would publish."""
    article = make_article("作者的草稿", status=S.DRAFT)
    note = '---\ntitle: "作者的草稿"\ndraft: true\nstatus: "published"\n---\n\n## 正文\n\n正文\n'
    Revision.objects.create(article=article, number=1, status=S.DRAFT, slug=article.slug, note=note)
    url = f"/admin/articles/article/{article.pk}/history/1/restore/"
    response = author_client.post(url, follow=True, **ZH)
    assert "只有编辑可以发布" in response.content.decode()
    assert Article.objects.get().status == S.DRAFT


# --- links from content are http(s) or not links ---------------------------------------------

HOSTILE_LINKS = [
    "javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    "java\tscript:alert(1)",
    " data:text/html,<script>alert(1)</script>",
    "\x01javascript:alert(1)",
    "vbscript:msgbox(1)",
]


@pytest.mark.parametrize("link", HOSTILE_LINKS)
def test_an_original_link_that_is_not_http_is_never_a_link(client, editor_client, tmp_path, link):
    write(
        tmp_path / "a.md", note("危险链接", url=link.replace("\t", "\\t").replace("\x01", "\\x01"))
    )
    assert import_seeds(tmp_path)[0] == 0
    article = Article.objects.get()
    assert article.original_url == link.strip()  # kept as written, for the export
    pages = [
        client.get(article.get_absolute_url()).content.decode(),
        client.get("/rss/").content.decode(),
        client.get("/atom/").content.decode(),
        editor_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode(),
    ]
    for html in pages:
        assert not any(
            "script:" in attrs.get(name, "").replace("\t", "").lower()
            or attrs.get(name, "").strip().lower().startswith("data:")
            for _, attrs, _ in Page(html).elements
            for name in ("href", "src", "content", "action")
        )
    data = json.loads(Page(pages[0]).find("script", type="application/ld+json")[0][1])
    assert "isBasedOn" not in data
    assert not Page(pages[0]).find("p", class_="source")
    # a good link in the same place is a link
    post_change(editor_client, article, original_url="https://mp.weixin.qq.com/s/ok")
    reader = Page(client.get(article.get_absolute_url()).content.decode())
    assert reader.find("a", href="https://mp.weixin.qq.com/s/ok")


@pytest.mark.parametrize("link", HOSTILE_LINKS)
def test_the_form_takes_only_http_links(editor_client, link):
    article = make_article("文章")
    response = post_change(editor_client, article, original_url=link)
    assert response.status_code == 200 and "http" in errors(response)
    assert Article.objects.get().original_url == ""


# --- nothing stale: each door updates the search index itself --------------------------------


def found(query: str) -> list[str]:
    """The titles a reader's search finds."""
    page = Page(Client().get("/search/", {"q": query}).content.decode())
    return page.texts("h2", class_="article-item-title")


def tag_form(client, tag, **changes):
    url = f"/admin/articles/tag/{tag.pk}/change/"
    form = form_data(client.get(url).content.decode())
    form.update({name: [value] for name, value in changes.items()}, _save=["Save"])
    return client.post(url, form)


def test_search_follows_a_tag_renamed(editor_client):
    make_article("某文", tags=["旧名字"])
    assert found("旧名字") == ["某文"] and found("新叫法") == []
    assert tag_form(editor_client, Tag.objects.get(), name="新叫法").status_code == 302
    assert found("新叫法") == ["某文"] and found("旧名字") == []


def test_search_follows_tags_merged(editor_client):
    make_article("甲文", tags=["并入者"])
    make_article("乙文", tags=["留下者"])
    both = list(Tag.objects.values_list("pk", flat=True))
    keep = Tag.objects.get(name="留下者")
    data = {"action": "merge", "_selected_action": both, "into": keep.pk, "confirm": "yes"}
    editor_client.post("/admin/articles/tag/", data)
    assert sorted(found("留下者")) == ["乙文", "甲文"] and found("并入者") == []


def test_search_follows_an_author_renamed(editor_client):
    make_article("某文", author="旧署名")
    author = Article.objects.get().author
    url = f"/admin/articles/author/{author.pk}/change/"
    form = form_data(editor_client.get(url).content.decode())
    form.update(name=["新署名"], _save=["Save"])
    assert editor_client.post(url, form).status_code == 302
    assert found("新署名") == ["某文"] and found("旧署名") == []
    assert Article.objects.get().revisions.exists()  # an edit of the article, recorded


def test_search_follows_bulk_tags_restore_import_and_delete(editor_client, tmp_path):
    write(tmp_path / "a.md", note("导入的文章", body="原来的词语。"))
    import_seeds(tmp_path)
    article = Article.objects.get()
    editor_client.post(
        "/admin/articles/article/",
        {"action": "add_tag", "_selected_action": [article.pk], "tag": "批量标签"},
    )
    assert found("批量标签") == ["导入的文章"]
    post_change(editor_client, Article.objects.get(), title="改过的标题")
    assert found("改过的标题") == ["改过的标题"]
    editor_client.post(f"/admin/articles/article/{article.pk}/history/1/restore/")
    assert found("导入的文章") == ["导入的文章"] and found("改过的标题") == []
    write(tmp_path / "a.md", note("导入的文章", body="后来的说法。"))
    import_seeds(tmp_path, "--force")
    assert found("后来的说法") == ["导入的文章"] and found("原来的词语") == []
    url = f"/admin/articles/article/{article.pk}/delete/"
    assert editor_client.post(url, {"post": "yes"}).status_code == 302
    assert found("后来的说法") == []


# --- nothing silently undone -------------------------------------------------------------------


def test_a_bulk_review_is_an_edit_a_form_opened_before_cannot_undo(client, editor_client):
    article = make_article("待审的摘要")
    other = Client()
    other.force_login(person("second", "Editor"))
    form = change_form(other, article)  # opened before the bulk action
    editor_client.post(
        "/admin/articles/article/", {"action": "mark_reviewed", "_selected_action": [article.pk]}
    )
    article.refresh_from_db()
    assert article.summary_reviewed_at and article.revisions.count() == 1
    form.update(title=["第二位编辑改的标题"], _save=["Save"])
    response = other.post(f"/admin/articles/article/{article.pk}/change/", form, **ZH)
    assert response.status_code == 200 and "保存了这篇文章" in errors(response)
    assert Article.objects.get().summary_reviewed_at == article.summary_reviewed_at


# --- a renamed tag's address -----------------------------------------------------------------


@pytest.mark.parametrize(
    "old, new, slug",
    [
        ("AIGC", "AI", "ai"),  # the old slug starts with the new one's: it still follows
        ("大模型", "大模型们", "da-mo-xing-men"),
        ("AI", "ai", "ai"),  # the same name's slug stays
        ("LLM 2", "LLM", "llm-2"),  # a numbered variant of the new name's slug stays
    ],
)
def test_a_renamed_tags_address_follows_its_name(editor_client, client, old, new, slug):
    make_article(tags=[old])
    tag = Tag.objects.get()
    if old == "LLM 2":
        Tag.objects.filter(pk=tag.pk).update(slug="llm-2")  # as if "llm" was taken then
    assert tag_form(editor_client, tag, name=new).status_code == 302
    tag.refresh_from_db()
    assert (tag.name, tag.slug) == (new, slug)
    assert client.get(f"/tags/{slug}/").status_code == 200


# --- permissions said once ----------------------------------------------------------------------


def test_staff_without_the_view_permission_cannot_preview(client):
    draft = make_article("草稿", status=S.DRAFT)
    staff = person("staff", "Author")
    staff.groups.clear()
    client.force_login(staff)
    assert client.get(draft.get_absolute_url()).status_code == 404
    staff.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(staff)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_only_editors_mark_a_summary_reviewed(author_client, editor_client):
    article = make_article("作者的草稿", status=S.DRAFT)
    page = Page(author_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode())
    [(checkbox, _)] = page.find("input", name="summary_reviewed")
    assert "disabled" in checkbox
    post_change(author_client, article, summary_reviewed="on")
    assert Article.objects.get().summary_reviewed_at is None
    post_change(editor_client, article, summary_reviewed="on")
    assert Article.objects.get().summary_reviewed_at is not None


@pytest.mark.parametrize("suffix", ["", "rss/", "atom/"])
def test_a_tag_only_unpublished_articles_carry_is_not_there(client, editor_client, suffix):
    article = make_article("草稿", status=S.DRAFT, tags=["未公开的话题"])
    url = Tag.objects.get().get_absolute_url() + suffix
    assert client.get(url).status_code == 404
    with committed():  # as the publish commits
        editor_client.post(
            "/admin/articles/article/", {"action": "publish", "_selected_action": [article.pk]}
        )
    response = client.get(url)
    assert response.status_code == 200 and "未公开的话题" in response.content.decode()


# --- one definition of an article's public state ---------------------------------------------


STATES = {
    "draft": ({"status": S.DRAFT}, "草稿"),
    "review": ({"status": S.REVIEW}, "审核中"),
    "scheduled": (
        {"status": S.PUBLISHED, "published_at": timezone.now() + timedelta(days=1)},
        "定时发布",
    ),
    "archived": ({"status": S.ARCHIVED}, "已归档"),
}


@pytest.mark.parametrize("state", sorted(STATES))
def test_one_state_for_the_banner_the_badge_and_the_filter(editor_client, state):
    fields, label = STATES[state]
    article = make_article("某文", **fields)
    assert article.state == state
    preview = Page(editor_client.get(article.get_absolute_url(), **ZH).content.decode())
    [banner] = preview.texts("p", class_="preview-banner")
    assert ("对读者公开" in banner) == (state == "scheduled")
    assert label in banner
    listing = Page(
        editor_client.get(f"/admin/articles/article/?state={state}", **ZH).content.decode()
    )
    assert listing.texts("th", class_="field-title") == ["某文"]
    assert listing.texts("span", class_="folio-state") == [label]
    other = "draft" if state != "draft" else "review"
    assert listing.texts("th", class_="field-title") != listed(editor_client, f"state={other}")


def test_an_authors_change_to_a_reviewed_summary_wants_a_new_review(author_client, editor_client):
    article = make_article("待修改", status=S.REVIEW, points=[("甲", "一")])
    changes.saved(article, user=None, comment="Imported", first=True)  # nobody's: any Author's
    editor_client.post(
        "/admin/articles/article/", {"action": "mark_reviewed", "_selected_action": [article.pk]}
    )
    post_change(author_client, Article.objects.get(), title="作者只改了标题")
    assert Article.objects.get().summary_reviewed_at is not None
    post_change(author_client, Article.objects.get(), summary="作者改写的一句话总结。")
    assert Article.objects.get().summary_reviewed_at is None
    editor_client.post(
        "/admin/articles/article/", {"action": "mark_reviewed", "_selected_action": [article.pk]}
    )
    data = change_form(author_client, article)
    data.update({"summary-point-0-text": ["作者改写的要点"], "_save": ["Save"]})
    author_client.post(f"/admin/articles/article/{article.pk}/change/", data)
    assert Article.objects.get().summary_reviewed_at is None


def test_an_imported_link_without_a_scheme_does_not_block_other_edits(editor_client, tmp_path):
    write(tmp_path / "a.md", note("没有协议的链接", url="mp.weixin.qq.com/s/abc"))
    import_seeds(tmp_path)
    article = Article.objects.get()
    response = post_change(editor_client, article, title="改了标题")
    assert response.status_code == 302, errors(response)
    assert Article.objects.get().original_url == "mp.weixin.qq.com/s/abc"
    # typed without a scheme, it is taken as https
    post_change(editor_client, Article.objects.get(), original_url="mp.weixin.qq.com/s/def")
    assert Article.objects.get().original_url == "https://mp.weixin.qq.com/s/def"


def test_deleting_a_tag_is_an_edit_of_its_articles(editor_client):
    make_article("某文", tags=["将删除的标签"])
    tag = Tag.objects.get()
    assert found("将删除的标签") == ["某文"]
    response = editor_client.post(f"/admin/articles/tag/{tag.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert found("将删除的标签") == []
    assert Article.objects.get().revisions.count() == 1
    make_article("另一篇", tags=["批量删除的标签"])
    editor_client.post(
        "/admin/articles/tag/",
        {"action": "delete_selected", "_selected_action": [Tag.objects.get().pk], "post": "yes"},
    )
    assert not Tag.objects.exists() and found("批量删除的标签") == []
    assert Article.objects.get(title="另一篇").revisions.count() == 1
