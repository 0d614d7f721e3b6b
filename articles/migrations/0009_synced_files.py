"""What an article and its vault file last agreed on moves from two columns of the article
(which an import of an export overwrote, so that the original file then overwrote an
editor's edit) to one row per file. Agreements made before keep their vault path only."""

import hashlib

import django.db.models.deletion
from django.db import migrations, models

from ._sqlite import keeping_search_trigger


def copy_agreements(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    SyncedFile = apps.get_model("articles", "SyncedFile")
    rows = Article.objects.exclude(source_hash="").values_list(
        "pk", "source_path", "source_hash", "synced_hash", "version"
    )
    SyncedFile.objects.bulk_create(
        SyncedFile(
            article_id=pk,
            relative=path,
            location=hashlib.sha256(f"{pk}:{path}".encode()).hexdigest(),
            file_hash=file_hash,
            note_hash=note_hash,
            version=version,
        )
        for pk, path, file_hash, note_hash, version in rows.iterator()
    )


class Migration(migrations.Migration):
    dependencies = [("articles", "0008_long_texts")]

    operations = [
        migrations.CreateModel(
            name='SyncedFile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('path', models.TextField(blank=True, verbose_name='file')),
                ('location', models.CharField(editable=False, max_length=64, unique=True)),
                ('relative', models.TextField(verbose_name='vault path')),
                ('file_hash', models.CharField(max_length=64)),
                ('note_hash', models.CharField(max_length=64)),
                ('version', models.PositiveIntegerField(default=0)),
                ('synced_at', models.DateTimeField(auto_now=True, verbose_name='agreed')),
                ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='synced_files', to='articles.article', verbose_name='article')),
            ],
            options={'verbose_name': 'synced file', 'verbose_name_plural': 'synced files'},
        ),
        migrations.RunPython(copy_agreements, migrations.RunPython.noop),
        *keeping_search_trigger(
            migrations.RemoveField(model_name="article", name="source_hash"),
            migrations.RemoveField(model_name="article", name="synced_hash"),
        ),
    ]
