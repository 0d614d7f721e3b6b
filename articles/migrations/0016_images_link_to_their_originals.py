"""Stored HTML rendered again, for what the renderer now gives an image: a link to its
original, which the page's placeholder for an image that cannot load leaves to the reader.
Only `body_html` changes: not the Markdown, not the last-save time (a render is not an
edit); pages and stored fragments render afresh with the new release this file is part
of (pagecache.release)."""

from django.db import migrations

from articles import rendering

BATCH = 500


def render_again(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    pks = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH):
        changed = []
        for article in Article.objects.filter(pk__in=pks[start : start + BATCH]).only("body"):
            try:
                html = rendering.render(article.body)
            except rendering.RenderError:
                continue  # kept as it was rendered: a body over today's limits is not lost
            if html != article.body_html:
                article.body_html = html
                changed.append(article)
        Article.objects.bulk_update(changed, ["body_html"])


class Migration(migrations.Migration):
    dependencies = [("articles", "0015_search_rows_go_on_truncate")]

    operations = [migrations.RunPython(render_again, migrations.RunPython.noop, elidable=True)]
