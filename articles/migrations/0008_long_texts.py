"""Titles, sources, labels and paths are the author's text: no limit cuts them."""

from django.db import migrations, models

from ._sqlite import keeping_search_trigger

class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0007_identity_keys'),
    ]

    operations = keeping_search_trigger(
        migrations.AlterField(
            model_name='article',
            name='source_path',
            field=models.TextField(blank=True, default='', editable=False, verbose_name='vault file'),
        ),
        migrations.AlterField(
            model_name='article',
            name='source_platform',
            field=models.TextField(blank=True, help_text='Where the article first appeared, such as 微信公众号.', verbose_name='source'),
        ),
        migrations.AlterField(
            model_name='article',
            name='title',
            field=models.TextField(verbose_name='title'),
        ),
        migrations.AlterField(
            model_name='author',
            name='name',
            field=models.CharField(max_length=500, unique=True, verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='revision',
            name='comment',
            field=models.TextField(blank=True, verbose_name='what happened'),
        ),
        migrations.AlterField(
            model_name='summaryitem',
            name='label',
            field=models.TextField(blank=True, verbose_name='label'),
        ),
        migrations.AlterField(
            model_name='tag',
            name='vault_path',
            field=models.TextField(blank=True, help_text='The topic note this tag links to in the vault, such as 00-元语/AI.', verbose_name='vault path'),
        ),
)
