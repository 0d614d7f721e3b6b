"""The API's writes (articles/api/writing.py) with tokens made in the newsroom: each
person's token acts as them, with their permissions, and can be revoked."""

import re

import pytest

from articles.models import ApiToken, Article
from tests.helpers import committed
from tests.newsroom import person
from tests.public import make_article

pytestmark = pytest.mark.django_db
S = Article.Status


def made(client, user, name="剪藏工具") -> str:
    """A token made in the admin by `user`: the key its page shows, once."""
    client.force_login(user)
    page = client.post("/admin/articles/apitoken/add/", {"name": name, "user": user.pk})
    assert page.status_code == 200
    [key] = re.findall(r'value="(folio_[A-Za-z0-9_-]+)"', page.content.decode())
    client.logout()
    return key


def bearer(key: str) -> dict:
    return {"authorization": f"Bearer {key}"}


def move(client, key: str, slug: str, status: str, **more):
    with committed():  # as each request commits: what follows (the pages made anew) runs
        return client.post(
            f"/api/articles/{slug}/status/",
            {"status": status, **more},
            content_type="application/json",
            headers=bearer(key),
        )


def test_a_token_is_shown_once_and_kept_only_as_its_hash(client):
    author = person("author", "Author")
    key = made(client, author)
    token = ApiToken.objects.get()
    assert token.user == author and key.startswith(token.prefix) and len(key) > 40
    assert key not in str(ApiToken.objects.values_list()[0])  # nowhere in its row
    client.force_login(author)
    listed = client.get("/admin/articles/apitoken/").content.decode()
    assert token.prefix in listed and key not in listed
    assert key not in client.get(f"/admin/articles/apitoken/{token.pk}/change/").content.decode()


def test_each_person_sees_and_revokes_their_own_tokens(client):
    author, editor = person("author", "Author"), person("editor", "Editor")
    mine, theirs = made(client, author, "我的"), made(client, editor, "编辑的")
    client.force_login(author)
    listed = client.get("/admin/articles/apitoken/").content.decode()
    assert "我的" in listed and "编辑的" not in listed
    editors = ApiToken.objects.get(user=editor)
    client.post(
        "/admin/articles/apitoken/",
        {"action": "revoke", "_selected_action": [editors.pk]},  # not shown to them
    )
    draft = make_article("草稿", status=S.DRAFT)
    assert move(client, theirs, draft.slug, "review").status_code == 200  # still opens
    client.post(
        "/admin/articles/apitoken/",
        {"action": "revoke", "_selected_action": [ApiToken.objects.get(user=author).pk]},
    )
    refused = move(client, mine, draft.slug, "draft")
    assert refused.status_code == 401 and refused["WWW-Authenticate"].startswith("Bearer")


def test_status_changes_as_the_admin_allows_and_each_is_a_revision(client):
    author, editor = person("author", "Author"), person("editor", "Editor")
    authors, editors = made(client, author), made(client, editor)
    draft = make_article("作者的草稿", status=S.DRAFT)
    answer = move(client, authors, draft.slug, "review")
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "review" and answer.json()["state"] == "review"
    assert draft.revisions.latest("number").user == author
    refused = move(client, authors, draft.slug, "published")  # an Author's token
    assert refused.status_code == 403
    assert refused.json()["detail"] == "只有编辑可以发布、撤回和归档文章。"  # as the admin says
    draft.refresh_from_db()
    assert draft.status == S.REVIEW
    assert "作者的草稿" not in client.get("/api/articles/?fields=title").content.decode()
    assert move(client, editors, draft.slug, "published").status_code == 200
    assert draft.revisions.latest("number").user == editor
    assert "作者的草稿" in client.get("/api/articles/?fields=title").content.decode()  # fresh
    assert move(client, editors, draft.slug, "review").status_code == 409  # no such move
    scheduled = move(client, editors, draft.slug, "draft")
    assert scheduled.status_code == 200
    later = move(client, editors, draft.slug, "published", publish_at="2099-01-01T08:00+08:00")
    assert later.json()["state"] == "scheduled"
    assert later.json()["published_at"] == "2099-01-01T08:00:00+08:00"
    move(client, editors, draft.slug, "draft")
    local = move(client, editors, draft.slug, "published", publish_at="2099-01-02T08:00")
    assert local.status_code == 200, local.content  # in Folio's time zone
    assert local.json()["published_at"] == "2099-01-02T08:00:00+08:00"
    assert move(client, editors, "no-such-article", "review").status_code == 404
    assert move(client, editors, draft.slug, "gone").status_code == 400


def test_no_token_a_wrong_one_or_an_inactive_user_opens_nothing(client):
    draft = make_article("草稿", status=S.DRAFT)
    editor = person("editor", "Editor")
    key = made(client, editor)
    nothing = client.post(
        f"/api/articles/{draft.slug}/status/", {"status": "review"}, content_type="application/json"
    )
    assert nothing.status_code == 401 and nothing["Content-Type"] == "application/problem+json"
    assert move(client, key[:-1] + "x", draft.slug, "review").status_code == 401
    editor.is_active = False
    editor.save()
    assert move(client, key, draft.slug, "review").status_code == 401
    editor.is_active = True
    editor.save()
    assert ApiToken.objects.get().last_used_at is None  # refused tries are no use
    assert move(client, key, draft.slug, "review").status_code == 200
    assert ApiToken.objects.get().last_used_at is not None  # shown in the admin's list


def test_a_token_writes_at_most_its_rate(client, settings):
    settings.FOLIO_API_WRITE_RATE = "2/m"
    key = made(client, person("editor", "Editor"))
    draft = make_article("草稿", status=S.DRAFT)
    assert [move(client, key, draft.slug, s).status_code for s in ("review", "draft")] == [200] * 2
    third = move(client, key, draft.slug, "review")
    assert third.status_code == 429 and int(third["Retry-After"]) > 0
    assert made(client, person("other", "Editor"))  # another token: its own count
