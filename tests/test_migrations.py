"""Migrations that change rows, run as `manage.py migrate` runs them on a deployed site."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(target: tuple[str, str]):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()
    return executor.loader.project_state([target]).apps


@pytest.fixture(autouse=True)
def latest():
    """The database as every other test finds it once this one is done: fully migrated."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_stored_html_is_rendered_again_so_that_images_link_to_their_originals():
    image = "https://mmbiz.qpic.cn/mmbiz_png/x/640?wx_fmt=png"
    before = migrate(("articles", "0015_search_rows_go_on_truncate"))
    Article = before.get_model("articles", "Article")
    old_html = f'<p>前文。</p>\n<p><img alt="" loading="lazy" src="{image}"></p>'
    article = Article.objects.create(
        title="旧的", slug="jiu-de", body=f"前文。\n\n![]({image})", body_html=old_html
    )
    unrenderable = Article.objects.create(
        title="超限", slug="chao-xian", body="> " * 200 + "深", body_html="<p>旧的HTML</p>"
    )
    saved = article.updated_at

    after = migrate(("articles", "0016_images_link_to_their_originals"))
    article = after.get_model("articles", "Article").objects.get(pk=article.pk)
    assert f'<a aria-label="查看原图" class="image" href="{image}"' in article.body_html
    assert article.body_html.count("<img") == 1 and "前文。" in article.body_html
    assert article.updated_at == saved  # a render is not an edit
    unrenderable.refresh_from_db()
    assert unrenderable.body_html == "<p>旧的HTML</p>"  # over today's limits: kept as it was
