"""Keys with a role (status, link, …) never live among the other front matter: those a
file repeated are kept as it wrote them, read by nobody; those typed into the admin go."""

from django.db import migrations

from articles.vault import role_of


def move_out(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    for article in Article.objects.exclude(extra={}).only("extra", "vault_layout").iterator():
        if not isinstance(article.extra, dict):  # the form took any JSON before
            continue
        taken = [key for key in article.extra if role_of(key)]
        if not taken:
            continue
        layout = article.vault_layout or {}
        for entry in (layout.get("front_matter") or {}).get("entries", []):
            if entry["role"] == "extra" and role_of(entry["key"]):
                entry.update(role="repeat", value=article.extra.get(entry["key"]))
        baseline = layout.get("baseline", {}).get("extra", {})
        for key in taken:
            article.extra.pop(key)
            baseline.pop(key, None)
        article.save(update_fields=["extra", "vault_layout"])


class Migration(migrations.Migration):
    dependencies = [("articles", "0009_synced_files")]

    operations = [migrations.RunPython(move_out, migrations.RunPython.noop)]
