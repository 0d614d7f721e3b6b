"""Tag rows copy their article's status and publish time, for an index that lists a
tag's public articles in order (see TaggedArticle)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    TaggedArticle = apps.get_model("articles", "TaggedArticle")
    article = Article.objects.filter(pk=OuterRef("content_object_id"))
    TaggedArticle.objects.update(
        status=Subquery(article.values("status")[:1]),
        published_at=Subquery(article.values("published_at")[:1]),
    )


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0013_count_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='taggedarticle',
            name='published_at',
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name='taggedarticle',
            name='status',
            field=models.CharField(blank=True, editable=False, max_length=20),
        ),
        migrations.AddIndex(
            model_name='taggedarticle',
            index=models.Index(fields=['tag', 'status', 'published_at', 'content_object'], name='tagged_public'),
        ),
        migrations.RunPython(copy, migrations.RunPython.noop),
    ]
