"""The newsroom's roles: Authors write and submit drafts; Editors do everything to
articles, publishing included. Superusers need no group."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ("article", "author", "tag", "summaryitem", "revision", "articleredirect", "tagredirect")
EDITOR = {f"{action}_{model}" for action in ("add", "change", "delete", "view") for model in MODELS}
EDITOR |= {"publish_article"}
AUTHOR = {
    "add_article",
    "change_article",  # drafts and articles in review only: see ArticleAdmin
    "view_article",
    "add_author",
    "view_author",
    "view_tag",
    "add_summaryitem",
    "change_summaryitem",
    "delete_summaryitem",
    "view_summaryitem",
    "view_revision",
}
ROLES = {"Editor": EDITOR, "Author": AUTHOR}


def create_roles(apps, schema_editor):
    # Permissions are made after the last migration; these groups need them now.
    app = apps.get_app_config("articles")
    app.models_module = True  # a migration's app stub lacks it; create_permissions asks
    create_permissions(app, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="articles", codename__in=codenames
        )
        assert permissions.count() == len(codenames), name
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_newsroom"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
