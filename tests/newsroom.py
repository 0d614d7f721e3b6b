"""People of the newsroom, for the editorial tests."""

import importlib

from django.apps import apps
from django.contrib.auth.models import Group, User

from tests.helpers import committed, form_data


def person(username: str, role: str | None) -> User:
    """A staff user in the Author or Editor group (a superuser for role None)."""
    if role is None:
        return User.objects.create_superuser(username, f"{username}@example.invalid", "pw")
    user = User.objects.create_user(username, f"{username}@example.invalid", "pw", is_staff=True)
    user.groups.add(_group(role))
    return user


def _group(role: str) -> Group:
    """The role's group, made again as its migrations make it when a transactional test's
    flush emptied the table (restoring it by serialized rollback broke on content types the
    flush had numbered anew)."""
    if not Group.objects.filter(name=role).exists():
        importlib.import_module("articles.migrations.0004_roles").create_roles(apps, None)
        tokens = importlib.import_module("articles.migrations.0018_api_tokens")
        tokens.give_roles_tokens(apps, None)
    return Group.objects.get(name=role)


def change_form(client, article) -> dict[str, list[str]]:
    """The article's change form, filled in as the admin shows it."""
    response = client.get(f"/admin/articles/article/{article.pk}/change/")
    assert response.status_code == 200
    return form_data(response.content.decode())


def post_change(client, article, **changes):
    """Submit the change form with `changes` (field name -> value or list of values)."""
    data = change_form(client, article)
    for name, value in changes.items():
        data[name] = value if isinstance(value, list) else [value]
    data.setdefault("_save", ["Save"])
    with committed():
        return client.post(f"/admin/articles/article/{article.pk}/change/", data)
