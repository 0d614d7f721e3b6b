"""Links that lack one of WeChat's four keys are no longer reduced to the bare host (which
took every such note for one article): each article imported from a link gets the key the
rule gives now, from the link its file had when last imported."""

import hashlib

from django.db import migrations

from articles.vault.identity import source_key


def path_key(path):
    return hashlib.sha256(f"path:{path}".encode()).hexdigest()


def rekey(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    rows = Article.objects.exclude(source_key="").order_by("pk")
    taken = set(Article.objects.exclude(source_key="").values_list("source_key", flat=True))
    for pk, key, path, url, layout in rows.values_list(
        "pk", "source_key", "source_path", "original_url", "vault_layout"
    ).iterator():
        if key == path_key(path):
            continue
        file_url = (layout or {}).get("baseline", {}).get("url", url)
        new = source_key(file_url or "", path)
        # Two articles the old rule told apart but the new one does not (a link without
        # idx and its idx=1 twin): the first keeps the new key, the other its old one.
        if new != key and new not in taken:
            Article.objects.filter(pk=pk).update(source_key=new)
            taken.discard(key)
            taken.add(new)


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_status_known")]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
