"""Search that understands Chinese, on SQLite's FTS5 and PostgreSQL's tsvector alike."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from articles import search
from articles.models import Article
from tests.helpers import import_seeds, run_command
from tests.newsroom import person, post_change
from tests.public import Page, future, make_article, queries

pytestmark = pytest.mark.django_db
S = Article.Status
postgres = connection.vendor == "postgresql"


def found(text: str) -> list[str]:
    """Titles the public search finds for `text`, best first (and it counts as many)."""
    results = search.Results(text)
    ids = results.ids(limit=50)
    assert results.count() == len(ids)
    titles = dict(Article.objects.filter(pk__in=ids).values_list("pk", "title"))
    return [titles[pk] for pk in ids]


@pytest.fixture
def seed():
    import_seeds()
    return Article.objects.get()


@pytest.mark.parametrize("word", ["语音", "延迟", "多模态", "GPT-4o", "gpt-4O", "API", "api"])
def test_the_seed_is_found_by_its_words(seed, word):
    assert found(word) == [seed.title]


def test_words_inside_longer_words(seed):
    make_article("人工智能的未来", body="讨论人工智能。")
    assert found("智能") == ["人工智能的未来"]
    assert found("人工智能") == ["人工智能的未来"]


def test_phrases(seed):
    make_article("分开的词", body="推理很重要。另外，实时系统也很重要。")
    assert found('"实时推理"') == [seed.title]
    assert set(found("实时 推理")) == {seed.title, "分开的词"}  # both words, anywhere


def test_every_field_is_searched():
    make_article("标题里有鲸鱼")
    make_article("摘要", summary="一句话里有海豚。")
    make_article("要点", points=[("海象", "要点里的动物")])
    make_article("标签", tags=["企鹅"])
    make_article("作者", author="北极熊工作室")
    make_article("正文", body="正文里有**水獭**。")
    for word, title in [("鲸鱼", "标题里有鲸鱼"), ("海豚", "摘要"), ("海象", "要点"),
                        ("企鹅", "标签"), ("北极熊", "作者"), ("水獭", "正文")]:  # fmt: skip
        assert found(word) == [title], word


def test_title_and_summary_rank_above_the_body():
    make_article("正文提到", body="这篇的正文里提到了量子计算。" * 3)
    make_article("量子计算入门", body="别的内容。")
    make_article("摘要提到", summary="关于量子计算的一句话。", body="别的内容。")
    assert found("量子计算") == ["量子计算入门", "摘要提到", "正文提到"]


@pytest.mark.parametrize(
    "hidden", [{"status": S.DRAFT}, {"status": S.REVIEW}, {"published_at": "later"}]
)
def test_unpublished_articles_are_never_found(hidden):
    if hidden.get("published_at") == "later":
        hidden = {"published_at": future()}
    article = make_article("秘密文章", body="独角兽。", **hidden)
    assert found("独角兽") == []
    Article.objects.filter(pk=article.pk).update(status=S.PUBLISHED, published_at=timezone.now())
    assert found("独角兽") == ["秘密文章"]


def test_the_index_follows_edits_and_deletions(client):
    article = make_article("旧标题讲貔貅")
    client.force_login(person("editor", "Editor"))
    assert post_change(client, article, title="新标题讲麒麟").status_code == 302
    assert found("麒麟") == ["新标题讲麒麟"] and found("貔貅") == []
    selected = {"action": "add_tag", "_selected_action": [article.pk], "tag": "凤凰"}
    client.post("/admin/articles/article/", selected)
    assert found("凤凰") == ["新标题讲麒麟"]
    Article.objects.get(pk=article.pk).delete()
    assert found("麒麟") == [] and found("凤凰") == []


@pytest.mark.django_db(transaction=True)  # a flush inside a test's transaction fails
def test_the_index_empties_with_the_articles_under_manage_py_flush():
    # PostgreSQL's flush is a TRUNCATE, which fires no row trigger: the index kept every
    # row, and the numbers it restarts gave them to new articles.
    import_seeds()
    assert found("语音")
    assert run_command("flush", "--no-input")[0] == 0
    assert not Article.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM articles_search")
        assert cursor.fetchone()[0] == 0


def test_rebuild_the_index(seed):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM articles_search")
    assert found("语音") == []
    status, out, _ = run_command("rebuild_search_index")
    assert (status, out) == (0, "1 articles indexed\n")
    assert found("语音") == [seed.title]


# --- the search page ---------------------------------------------------------------------------


def test_search_page_highlights_and_paginates(client, settings, seed):
    settings.FOLIO_PAGE_SIZE = 1
    make_article("另一篇讲多模态", summary="多模态的另一篇。")
    page = Page(client.get("/search/", {"q": "多模态"}).content.decode())
    assert page.find("input", name="q", value="多模态")
    assert len(page.find("li", class_="article-item")) == 1
    assert "多模态" in page.texts("mark")
    assert page.find("a", rel="next", href="?q=%E5%A4%9A%E6%A8%A1%E6%80%81&page=2")
    second = Page(client.get("/search/", {"q": "多模态", "page": "2"}).content.decode())
    assert len(second.find("li", class_="article-item")) == 1


def test_a_search_that_finds_nothing_says_so_and_keeps_the_query(client, seed):
    html = client.get("/search/", {"q": "区块链"}).content.decode()
    page = Page(html)
    assert page.find("input", name="q", value="区块链")
    said = " ".join(page.texts("p", class_="empty"))
    assert "没有找到与“区块链”相关的文章" in said and "请输入" not in said
    advice = html.split('class="search-empty"')[1].split("</div>")[0]  # elsewhere to look:
    assert 'href="/archive/"' in advice and 'href="/tags/"' in advice
    assert not page.find("li", class_="article-item")


def test_snippets_mark_latin_words_whole():
    query = search.tokenizer.query("GPT-4o api")
    text = search.snippet("ChatGPT 与 GPT-4o 的 API、rapid", query)
    assert text == "ChatGPT 与 <mark>GPT-4o</mark> 的 <mark>API</mark>、rapid"
    assert (
        search.snippet("讲多模态模型", search.tokenizer.query("模态"))
        == "讲多<mark>模态</mark>模型"
    )


def test_snippets_are_escaped():
    make_article("危险", body="```\n<script>alert('多模态')</script>\n```")
    query = search.tokenizer.query("多模态")
    text = search.snippet("<script>alert('多模态')</script>", query)
    assert text == "&lt;script&gt;alert(&#x27;<mark>多模态</mark>&#x27;)&lt;/script&gt;"


@pytest.mark.parametrize(
    "q",
    ['"', '""', "*", "AND", "OR NOT", "NEAR(a b)", "title:语音", "^语音", "-", "(", "'", "\\",
     "语音" * 500, "　", "&<>", "%", "x" * 5000, "' OR 1=1 --", '"语音'],
)  # fmt: skip
def test_hostile_queries_get_a_page(client, admin_client, seed, q):
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    assert admin_client.get("/admin/articles/article/", {"q": q}).status_code == 200


def test_an_empty_query_gets_the_search_box(client):
    page = Page(client.get("/search/").content.decode())
    assert page.find("input", name="q") and not page.find("li", class_="article-item")


def test_search_page_queries_do_not_grow(client, settings):
    settings.FOLIO_PAGE_SIZE = 50
    for n in range(3):
        make_article(f"第{n}篇海洋", tags=["海洋"], points=[("点", "海洋")])
    few = queries(client, "/search/?q=海洋")
    for n in range(20):
        make_article(f"更多{n}海洋", tags=["海洋", f"t{n}"], points=[("点", "海洋")])
    # count, ids, the articles, their tags, their summary items; on PostgreSQL, the
    # count and the ids each set the planner and put it back, and the plan of the ids
    # depends on the share of articles that match
    assert queries(client, "/search/?q=海洋") == few == (12 if postgres else 5)


def test_admin_search_uses_the_engine(admin_client, seed):
    def listed(q):
        page = Page(admin_client.get("/admin/articles/article/", {"q": q}).content.decode())
        return page.texts("th", class_="field-title")

    assert listed("多模态") == [seed.title]
    assert listed("音延") == []  # not a word: a LIKE search would have found it
    make_article("草稿里的语音", status=S.DRAFT)
    assert set(listed("语音")) == {seed.title, "草稿里的语音"}  # editors find drafts


def test_imports_index_in_worker_processes(tmp_path):
    from articles.importer import import_vault
    from tests.helpers import note, write

    for n in range(3):
        write(tmp_path / f"{n}.md", note(f"导入第{n}篇", body=f"长颈鹿第{n}次出现。"))
    import_vault([tmp_path], processes=2)
    assert sorted(found("长颈鹿")) == ["导入第0篇", "导入第1篇", "导入第2篇"]


def test_search_of_a_long_time_ago_is_the_same(seed):
    old = make_article("旧文章讲语音", published_at=timezone.now() - timedelta(days=3000))
    assert old.title in found("语音")


def test_a_query_matching_more_than_the_window_ranks_the_newest_then_the_rest(monkeypatch):
    monkeypatch.setattr(search, "WINDOW", 4)
    made = [make_article(f"第{n}篇", body="犀牛" + ("犀牛" * n)) for n in range(8)]
    results = search.Results("犀牛")
    assert results.count() == 8
    newest = {a.pk for a in made[4:]}
    first = results.ids(limit=4)
    assert set(first) == newest  # ranked among the newest four
    assert results.ids(limit=4, offset=4) == [a.pk for a in reversed(made[:4])]  # newest first
    straddle = results.ids(limit=4, offset=2)
    assert straddle[:2] == first[2:] and straddle[2:] == [made[3].pk, made[2].pk]


def test_unpublished_and_published_partition_the_articles():
    for status in Article.Status.values:
        make_article(status=status)
        make_article(status=status, published_at=future())
    shown = set(Article.objects.published().values_list("pk", flat=True))
    hidden = set(Article.objects.unpublished().values_list("pk", flat=True))
    assert shown.isdisjoint(hidden) and shown | hidden == set(
        Article.objects.values_list("pk", flat=True)
    )


@pytest.mark.skipif(not postgres, reason="PostgreSQL's planner")
def test_postgres_reads_matches_from_the_index_never_every_vector(client, admin_client, seed):
    # On a big archive, a plan that tests every article's vector takes seconds; with a
    # handful of rows it is what the planner picks, unless search says otherwise.
    setting = []

    def record(execute, sql, params, many, context):
        if "@@" in sql:
            setting.append(connection.connection.execute("SHOW enable_seqscan").fetchone()[0])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert seed.get_absolute_url() in client.get("/search/", {"q": "语音"}).content.decode()
        assert admin_client.get("/admin/articles/article/", {"q": "语音"}).status_code == 200
    assert len(setting) >= 3 and set(setting) == {"off"}
    sql, params = search._backend().ids(search.tokenizer.query("语音"))
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        assert "Seq Scan" in cursor.fetchone()[0]  # what it would do
        with search.planned():
            cursor.execute(f"EXPLAIN {sql}", params)
            assert "articles_search_vector" in "".join(row[0] for row in cursor.fetchall())
        cursor.execute("SHOW enable_seqscan")  # the test's transaction goes on as it was
        assert cursor.fetchone()[0] == "on"
