"""The original URL is kept as the vault wrote it (a link only where it is http(s)), so
that an imported `mp.weixin.qq.com/s/…` does not block every other edit of its article."""

from django.db import migrations, models

from ._sqlite import keeping_search_trigger


class Migration(migrations.Migration):
    dependencies = [("articles", "0010_role_keys_out_of_extra")]

    operations = keeping_search_trigger(
        migrations.AlterField(
            model_name="article",
            name="original_url",
            field=models.CharField(blank=True, max_length=2000, verbose_name="original URL"),
        ),
    )
