"""Who may do what: five people against every address of the admin and of the public site,
and against every action, each written as a table (one row a door, one column a person).

The people: anonymous, staff with no permission and no group, an Author, an Editor, a
superuser. The addresses are read from the URLconf and the bulk actions from the admin's
registry, so that one added without a row here fails `test_every_address_has_a_row` or
`test_every_action_has_a_row`.

A cell is what the person gets: a status code, or
    login   302 to the admin's login page
    edit    200, the change form with a Save button
    view    200, the form read only (no Save button)
    banner  200, the article under the preview banner (a bare 200 is without it)
For actions, a trailing "+" says the change asked for was made; a trailing "~" that it was
not but the request saved something (the form saved with the field it may not set
ignored); with neither, the database is exactly as it was: a refusal changes nothing.

Authors and each other's drafts: an Author views every article, and edits (so submits,
withdraws, restores a revision of) only drafts and articles in review that they created
(the user of the article's first revision) or that nobody of the newsroom created (an
import, an article whose creator's account is gone); never another person's, nor a
published, scheduled or archived article. Authors publish, archive, review summaries,
run bulk actions (but "fetch the missing images again") and delete nothing; Editors do
everything to articles, tags and authors; users, groups and login attempts are for
superusers.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.test import Client, RequestFactory, override_settings
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from articles import changes, publishing, tokens
from articles.models import (
    ApiToken,
    Article,
    ArticleRedirect,
    Author,
    RemoteImage,
    Revision,
    SummaryItem,
    Tag,
    TaggedArticle,
    TagRedirect,
)
from tests.helpers import committed, form_data
from tests.newsroom import person
from tests.public import future, make_article

pytestmark = pytest.mark.django_db
S = Article.Status
ACTORS = ("anonymous", "staff", "author", "editor", "superuser")
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def table(text: str) -> dict[str, dict[str, str]]:
    """Rows of a table under its heading line: the row's key, then a cell per person."""
    rows = {}
    for line in text.strip().splitlines()[1:]:
        key, *cells = line.split()
        assert len(cells) == len(ACTORS) and key not in rows, line
        rows[key] = dict(zip(ACTORS, cells, strict=True))
    return rows


# --- the newsroom and what it holds ------------------------------------------------------


@dataclass
class World:
    people: dict[str, User]
    things: dict[str, models.Model]
    boss: Client  # a superuser's browser, to fill the forms others post
    sessions: dict[str, str]  # each person's session cookie, logged in once
    forms: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def __getitem__(self, key: str) -> models.Model:
        return self.things[key] if key in self.things else self.people[key]

    def fresh(self, key: str) -> models.Model | None:
        """`key` as the database has it now (None: deleted)."""
        thing = self[key]
        return type(thing).objects.filter(pk=thing.pk).first()

    def form(self, url: str) -> dict[str, list[str]]:
        """The form at `url` as the admin fills it for a superuser (read once a test: each
        person starts from the same database)."""
        if url not in self.forms:
            self.forms[url] = form_data(self.boss.get(url).content.decode())
        return {name: list(values) for name, values in self.forms[url].items()}


def created(article: Article, user: User | None) -> Article:
    """`article`'s first revision, by `user` (None: as an import makes it)."""
    changes.saved(article, user=user, comment="Created", first=True)
    return article


def edited(article: Article, user: User, **fields) -> None:
    for name, value in fields.items():
        setattr(article, name, value)
    article.save()
    changes.saved(article, user=user, comment="Edited")


@pytest.fixture(scope="module")
def newsroom(django_db_setup, django_db_blocker):
    """The people and what they work on, made once for the module: each test (and each
    person in it) works in a transaction rolled back after."""
    hashers = override_settings(PASSWORD_HASHERS=FAST_HASHERS)  # as tests/conftest.py's
    with django_db_blocker.unblock(), transaction.atomic(), hashers:
        yield build()
        transaction.set_rollback(True)


@pytest.fixture
def world(newsroom, db) -> World:
    newsroom.forms.clear()
    return newsroom


def build() -> World:
    people = {
        "staff": User.objects.create_user("staff", "staff@example.invalid", "pw", is_staff=True),
        "author": person("author", "Author"),
        "editor": person("editor", "Editor"),
        "superuser": person("boss", None),
    }
    other = person("other", "Author")
    with committed():
        # The Author's draft: an Editor published it, then took it back with a new title.
        mine = created(
            make_article("作者的草稿", status=S.DRAFT, tags=["公开话题"]), people["author"]
        )
        publishing.set_status(mine, status=S.PUBLISHED, user=people["editor"])
        mine.title = "编辑改过的草稿"
        publishing.set_status(mine, status=S.DRAFT, user=people["editor"])
        theirs = make_article(
            "别人的草稿", status=S.DRAFT, author="未公开作者", tags=["未公开话题"]
        )
        edited(created(theirs, other), other, title="别人改过的草稿")
        things = {
            "mine": mine,
            "pending": created(make_article("作者送审的稿子", status=S.REVIEW), people["author"]),
            "theirs": theirs,
            "review": created(
                make_article("别人送审的稿子", status=S.REVIEW, author="公开作者"), other
            ),
            "imported": created(
                make_article("导入的草稿", status=S.DRAFT, tags=["闲置话题"]), None
            ),
            "published": created(
                make_article("公开的文章", author="公开作者", tags=["公开话题"]), people["editor"]
            ),
            "scheduled": make_article("定时的文章", published_at=future()),
            "archived": make_article("归档的文章", status=S.ARCHIVED),
        }
    things |= {
        "tag": Tag.objects.get(name="公开话题"),
        "hidden_tag": Tag.objects.get(name="未公开话题"),
        "spare_tag": Tag.objects.get(name="闲置话题"),
        "person": Author.objects.get(name="公开作者"),
        "hidden_person": Author.objects.get(name="未公开作者"),
        "spare_person": Author.objects.create(name="闲置作者"),
        "other": other,
        "authors": Group.objects.get(name="Author"),
        "spare_group": Group.objects.create(name="实习生"),
        "log": AccessLog.objects.create(username="intruder", ip_address="203.0.113.9"),
        "failure": AccessFailureLog.objects.create(username="intruder", ip_address="203.0.113.9"),
        "token": tokens.make(user=people["author"], name="作者的令牌")[0],
    }
    sessions = {}
    for actor, user in people.items():
        client = Client()
        client.force_login(user)
        sessions[actor] = client.cookies[settings.SESSION_COOKIE_NAME].value
    boss = Client()
    boss.force_login(people["superuser"])
    things["attempt"] = attempted("attempt", timedelta())  # after the logins, which clear
    return World(people, things, boss, sessions)  # the expired ones


def attempted(username: str, age: timedelta) -> AccessAttempt:
    """Failed logins as login throttling records them, the last `age` ago."""
    attempt = AccessAttempt.objects.create(
        username=username, ip_address="203.0.113.9", failures_since_start=5
    )
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=timezone.now() - age)
    return attempt


def browser(world: World, actor: str) -> Client:
    client = Client(raise_request_exception=False)  # a 500 is an answer in the tables
    if actor != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[actor]
    return client


def snapshot() -> dict[str, list[tuple]]:
    """Every row a door here could change, to tell a refusal that changed nothing."""
    tables = [
        Article,
        Revision,
        SummaryItem,
        Tag,
        TaggedArticle,
        TagRedirect,
        ArticleRedirect,
        Author,
        User,
        User.groups.through,
        User.user_permissions.through,
        Group,
        Group.permissions.through,
        AccessAttempt,
        AccessLog,
        AccessFailureLog,
        ApiToken,
    ]
    return {
        model._meta.label: list(
            model.objects.order_by("pk").values_list(
                *[f.attname for f in model._meta.concrete_fields if f.attname != "last_login"]
            )
        )
        for model in tables
    }


def outcome(response, key: str = "") -> str:
    """The response as a table writes it."""
    status = response.status_code
    if status == 302 and response["Location"].startswith(reverse("admin:login")):
        return "login"
    name = _split(key)[0]
    if status == 200 and name.endswith("_change") and name.count("_") == 2:  # a change form
        return "edit" if 'name="_save"' in response.content.decode() else "view"
    if status == 200 and key.startswith("article("):
        return "banner" if 'class="preview-banner"' in response.content.decode() else "200"
    return str(status)


# --- every address -----------------------------------------------------------------------

ADMIN_PAGES = table("""
address                                       anonymous staff author editor superuser
index                                         login     200   200    200    200
login                                         200       302   302    302    302
logout                                        302       405   405    405    405
password_change                               login     200   200    200    200
password_change_done                          login     200   200    200    200
jsi18n                                        login     200   200    200    200
autocomplete                                  login     403   200    200    200
view_on_site(published)                       login     404   302    302    302
view_on_site(theirs)                          login     404   302    302    302
view_on_site(hidden_tag)                      login     404   302    302    302
view_on_site(other)                           login     404   404    404    404
app_list(articles)                            login     404   200    200    200
app_list(auth)                                login     404   404    404    200
app_list(axes)                                login     404   404    404    200
catch_all                                     login     404   404    404    404
articles_article_changelist                   login     403   200    200    200
articles_article_add                          login     403   200    200    200
articles_article_preview                      login     405   405    405    405
articles_article_slug                         login     403   200    200    200
articles_article_change(mine)                 login     403   edit   edit   edit
articles_article_change(pending)              login     403   edit   edit   edit
articles_article_change(imported)             login     403   edit   edit   edit
articles_article_change(theirs)               login     403   view   edit   edit
articles_article_change(review)               login     403   view   edit   edit
articles_article_change(published)            login     403   view   edit   edit
articles_article_change(scheduled)            login     403   view   edit   edit
articles_article_change(archived)             login     403   view   edit   edit
articles_article_object(theirs)               login     302   302    302    302
articles_article_history(mine)                login     403   200    200    200
articles_article_history(theirs)              login     403   200    200    200
articles_article_compare(theirs)              login     403   200    200    200
articles_article_restore(mine)                login     403   200    200    200
articles_article_images_again(published)      login     403   405    405    405
articles_article_delete(mine)                 login     403   403    200    200
articles_article_delete(published)            login     403   403    200    200
articles_author_changelist                    login     403   200    200    200
articles_author_add                           login     403   200    200    200
articles_author_change                        login     403   view   edit   edit
articles_author_object                        login     302   302    302    302
articles_author_history                       login     403   200    200    200
articles_author_delete                        login     403   403    200    200
articles_tag_names                            login     403   200    200    200
articles_tag_changelist                       login     403   200    200    200
articles_tag_add                              login     403   403    200    200
articles_tag_change                           login     403   view   edit   edit
articles_tag_object                           login     302   302    302    302
articles_tag_history                          login     403   200    200    200
articles_tag_delete                           login     403   403    200    200
auth_user_changelist                          login     403   403    403    200
auth_user_add                                 login     403   403    403    200
auth_user_change                              login     403   403    403    edit
auth_user_object                              login     302   302    302    302
auth_user_history                             login     403   403    403    200
auth_user_delete                              login     403   403    403    200
auth_user_password_change                     login     403   403    403    200
auth_group_changelist                         login     403   403    403    200
auth_group_add                                login     403   403    403    200
auth_group_change                             login     403   403    403    edit
auth_group_object                             login     302   302    302    302
auth_group_history                            login     403   403    403    200
auth_group_delete                             login     403   403    403    200
articles_apitoken_changelist                  login     403   200    200    200
articles_apitoken_add                         login     403   200    200    200
articles_apitoken_change                      login     403   edit   302    edit
articles_apitoken_object                      login     302   302    302    302
articles_apitoken_history                     login     302   200    302    200
articles_apitoken_delete                      login     403   403    403    200
axes_accessattempt_changelist                 login     403   403    403    200
axes_accessattempt_add                        login     403   403    403    403
axes_accessattempt_change                     login     403   403    403    edit
axes_accessattempt_object                     login     302   302    302    302
axes_accessattempt_history                    login     403   403    403    200
axes_accessattempt_delete                     login     403   403    403    200
axes_accesslog_changelist                     login     403   403    403    200
axes_accesslog_add                            login     403   403    403    403
axes_accesslog_change                         login     403   403    403    edit
axes_accesslog_object                         login     302   302    302    302
axes_accesslog_history                        login     403   403    403    200
axes_accesslog_delete                         login     403   403    403    200
axes_accessfailurelog_changelist              login     403   403    403    200
axes_accessfailurelog_add                     login     403   403    403    403
axes_accessfailurelog_change                  login     403   403    403    edit
axes_accessfailurelog_object                  login     302   302    302    302
axes_accessfailurelog_history                 login     403   403    403    200
axes_accessfailurelog_delete                  login     403   403    403    200
""")

PUBLIC_PAGES = table("""
address                  anonymous staff author editor superuser
home                     200       200   200    200    200
article(published)       200       200   200    200    200
article(mine)            404       404   banner banner banner
article(pending)         404       404   banner banner banner
article(theirs)          404       404   banner banner banner
article(review)          404       404   banner banner banner
article(imported)        404       404   banner banner banner
article(scheduled)       404       404   banner banner banner
article(archived)        404       404   banner banner banner
tags                     200       200   200    200    200
tag(tag)                 200       200   200    200    200
tag(hidden_tag)          404       404   404    404    404
tag-rss(tag)             200       200   200    200    200
tag-rss(hidden_tag)      404       404   404    404    404
tag-atom(tag)            200       200   200    200    200
tag-atom(hidden_tag)     404       404   404    404    404
authors                  200       200   200    200    200
author(person)           200       200   200    200    200
author(hidden_person)    404       404   404    404    404
archive                  200       200   200    200    200
archive-year             200       200   200    200    200
archive-month            200       200   200    200    200
search                   200       200   200    200    200
rss                      200       200   200    200    200
atom                     200       200   200    200    200
sitemap                  200       200   200    200    200
robots                   200       200   200    200    200
stored-image             404       404   404    404    404
api:index                200       200   200    200    200
api:api-root             200       200   200    200    200
api:articles             200       200   200    200    200
api:article(published)   200       200   200    200    200
api:article(mine)        404       404   404    404    404
api:article(review)      404       404   404    404    404
api:article(imported)    404       404   404    404    404
api:article(scheduled)   404       404   404    404    404
api:article(archived)    404       404   404    404    404
api:tags                 200       200   200    200    200
api:authors              200       200   200    200    200
api:openapi-json         200       200   200    200    200
api:openapi-view         200       200   200    200    200
api:missing              404       404   404    404    404
api:article-status(published) 405  405   405    405    405
api:notes                405       405   405    405    405
""")

# Pages that list articles: the published one is there, for everyone, and no other.
PUBLIC_HIDDEN = ["mine", "pending", "theirs", "review", "imported", "scheduled", "archived"]
LISTS = {
    "home",
    "tag(tag)",
    "tag-rss(tag)",
    "tag-atom(tag)",
    "author(person)",
    "authors",  # each author's latest article
    "archive-year",
    "archive-month",
    "search",
    "rss",
    "atom",
    "sitemap",
    "api:articles",  # JSON, the articles' addresses in it
}
# The model each admin screen shows, when the row does not name an article.
ADMIN_THINGS = {
    "articles_author": "person",
    "articles_tag": "tag",
    "auth_user": "other",
    "auth_group": "authors",
    "axes_accessattempt": "attempt",
    "axes_accesslog": "log",
    "axes_accessfailurelog": "failure",
    "articles_apitoken": "token",  # the Author's
}
OBJECT_VIEWS = ("_change", "_history", "_delete", "_password_change", "_images_again")


def _split(key: str) -> tuple[str, str]:
    name, _, target = key.partition("(")
    return name, target.rstrip(")")


def admin_address(key: str, world: World) -> str:
    name, target = _split(key)
    screen = next((s for s in ("articles_article", *ADMIN_THINGS) if name.startswith(s)), "")
    thing = world.things.get(target or ADMIN_THINGS.get(screen, ""))
    if name == "autocomplete":
        query = "?app_label=articles&model_name=article&field_name=author"  # the form's
        return reverse("admin:autocomplete") + query
    if name == "view_on_site":
        kind = ContentType.objects.get_for_model(thing)
        return reverse("admin:view_on_site", args=[kind.pk, thing.pk])
    if name == "app_list":
        return reverse("admin:app_list", args=[target])
    if name == "catch_all":
        return "/admin/no/such/page/"
    if name == "articles_article_compare":
        return reverse(f"admin:{name}", args=[thing.pk]) + "?a=1&b=2"
    if name == "articles_article_restore":
        return reverse(f"admin:{name}", args=[thing.pk, 1])
    if name.endswith("_object"):
        return reverse(f"admin:{screen}_change", args=[thing.pk]).removesuffix("change/")
    if thing is not None and name.endswith(OBJECT_VIEWS):
        return reverse(f"admin:{name}", args=[thing.pk])
    query = {"articles_tag_names": "?term=话题", "articles_article_slug": "?title=标题"}
    return reverse(f"admin:{name}") + query.get(name, "")


def public_address(key: str, world: World) -> str:
    name, target = _split(key)
    special = {"archive-year": "/archive/2024/", "archive-month": "/archive/2024/05/"}
    if name in special:
        return special[name]
    if name == "search":
        return reverse("articles:search") + "?q=正文"
    if name in ("sitemap", "robots"):
        return reverse(name)
    if name == "api:missing":
        return "/api/no/such/address/"
    if name.startswith("api:"):
        return reverse(name, args=[world[target].slug] if target else [])
    if name == "stored-image":  # one nobody stored (tests/test_images.py serves some)
        return reverse(f"articles:{name}", args=[f"ab/{'ab' * 32}.jpg"])
    return reverse(f"articles:{name}", args=[world[target].slug] if target else [])


def _patterns(resolver=None, prefix="", namespace=""):
    """(namespace, name or None, route) of every URL pattern."""
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, route, pattern.namespace or namespace)
        else:
            yield namespace, pattern.name, route


def addresses() -> tuple[set[str], set[str]]:
    """The names of the admin's addresses and of the public ones; for the admin's unnamed
    ones, what they are: an object's address redirecting to its form, the catch-all."""
    admin_names, public_names = set(), set()
    for namespace, name, route in _patterns():
        if namespace == "admin":
            if name is None and route.endswith("/<path:object_id>/"):
                name = "_".join(route.split("/")[1:3]) + "_object"
            elif name is None and route.endswith("(?P<url>.*)$"):
                name = "catch_all"
            admin_names.add(name or route)
        elif namespace == "api":  # its names are the site's again (articles, tags…)
            public_names.add(f"api:{name}")
        else:
            public_names.add(name or route)
    return admin_names, public_names


def test_every_address_has_a_row():
    admin_names, public_names = addresses()
    assert {_split(key)[0] for key in ADMIN_PAGES} == admin_names
    assert {_split(key)[0] for key in PUBLIC_PAGES} == public_names
    assert len(admin_names) > 60 and "articles_article_restore" in admin_names  # can fail
    assert {"home", "sitemap", "search"} <= public_names


def test_the_admin_shows_the_models_it_is_meant_to():
    """Redirects (articles' and tags') have no screen: their rows are made by renames and
    merges. A screen added here needs its rows in the tables above."""
    shown = {model._meta.label for model in admin.site._registry}
    assert shown == {
        "articles.ApiToken",
        "articles.Article",
        "articles.Author",
        "articles.Tag",
        "auth.User",
        "auth.Group",
        "axes.AccessAttempt",
        "axes.AccessLog",
        "axes.AccessFailureLog",
    }


@pytest.mark.parametrize("actor", ACTORS)
def test_every_address_as_each_person(world, actor):
    client = browser(world, actor)
    before = snapshot()
    wrong = []
    for rows, address in ((ADMIN_PAGES, admin_address), (PUBLIC_PAGES, public_address)):
        for key, expected in rows.items():
            url = address(key, world)
            response = client.get(url)
            got = outcome(response, key)
            if got != expected[actor]:
                wrong.append(f"{key} {url}: expected {expected[actor]}, got {got}")
            if key in LISTS and response.status_code == 200:
                wrong += _leaks(key, response.content.decode(), world)
    assert not wrong, f"{actor}:\n" + "\n".join(wrong)
    assert snapshot() == before  # looking changes nothing


def _leaks(key: str, page: str, world: World) -> list[str]:
    """What a list shows that it should not, or does not show that it should."""
    slugs = {name: f"/articles/{world[name].slug}/" for name in [*PUBLIC_HIDDEN, "published"]}
    wrong = [f"{key} shows {name}" for name in PUBLIC_HIDDEN if slugs[name] in page]
    if slugs["published"] not in page:
        wrong.append(f"{key} does not show the published article")
    return wrong


# --- every action ------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    perform: Callable[[Client, World], object]
    done: Callable[[World], bool]
    prepare: Callable[[World], object] = lambda world: None  # before the snapshot


def bulk(changelist: str, action: str, *selected: str, **extra) -> Callable:
    """The change list's action `action` on `selected`, confirmed."""

    def perform(client, world):
        data = {"action": action, ACTION_CHECKBOX_NAME: [world[key].pk for key in selected]}
        data |= {k: v(world) if callable(v) else v for k, v in extra.items()}
        return client.post(reverse(f"admin:{changelist}"), data)

    return perform


def crafted(door: str, thing: str | None = None, /, **changes) -> Callable:
    """The form at `door` as the admin fills it for a superuser, with `changes` (values,
    or functions of the world), posted by someone else."""

    def perform(client, world):
        url = reverse(f"admin:{door}", args=[world[thing].pk] if thing else [])
        data = world.form(url)
        for name, value in changes.items():
            value = value(world) if callable(value) else value
            data[name] = value if isinstance(value, list) else [value]
        data.setdefault("_save", ["Save"])
        return client.post(url, data)

    return perform


def posted(url: Callable[[World], str], data: dict | None = None) -> Callable:
    return lambda client, world: client.post(url(world), data or {})


def deleted(name: str, thing: str) -> Callable:
    return posted(lambda w: reverse(f"admin:{name}", args=[w[thing].pk]), {"post": "yes"})


def restore(thing: str, number: int) -> Callable:
    return posted(lambda w: reverse("admin:articles_article_restore", args=[w[thing].pk, number]))


def status_of(thing: str, status: str) -> Callable[[World], bool]:
    return lambda w: w.fresh(thing).status == status


def title_of(thing: str, title: str) -> Callable[[World], bool]:
    return lambda w: w.fresh(thing).title == title


def gone(thing: str) -> Callable[[World], bool]:
    return lambda w: w.fresh(thing) is None


def tagged(thing: str, name: str) -> Callable[[World], bool]:
    return lambda w: w.fresh(thing).tagged_items.filter(tag__name=name).exists()


def publish_permission(world):
    return [str(p.pk) for p in world["authors"].permissions.all()] + [
        str(Permission.objects.get(codename="publish_article").pk)
    ]


def _failed_image(article) -> None:
    image = RemoteImage.objects.create(
        url="https://x.cn/a.png", url_hash="a" * 64, status=RemoteImage.Status.FAILED
    )
    image.articles.add(article)


NEW_PASSWORD = "a long new pass phrase 7"
ACTIONS = {
    # bulk actions on the change lists
    "articles_article_changelist/publish(review)": Action(
        bulk("articles_article_changelist", "publish", "review"),
        status_of("review", S.PUBLISHED),
    ),
    "articles_article_changelist/unpublish(published)": Action(
        bulk("articles_article_changelist", "unpublish", "published"),
        status_of("published", S.DRAFT),
    ),
    "articles_article_changelist/archive(published)": Action(
        bulk("articles_article_changelist", "archive", "published"),
        status_of("published", S.ARCHIVED),
    ),
    "articles_article_changelist/mark_reviewed(mine)": Action(
        bulk("articles_article_changelist", "mark_reviewed", "mine"),
        lambda w: w.fresh("mine").summary_reviewed_at is not None,
    ),
    "articles_article_changelist/add_tag(mine)": Action(
        bulk("articles_article_changelist", "add_tag", "mine", tag="新话题"),
        tagged("mine", "新话题"),
    ),
    "articles_article_changelist/remove_tag(published)": Action(
        bulk("articles_article_changelist", "remove_tag", "published", tag="公开话题"),
        lambda w: not tagged("published", "公开话题")(w),
    ),
    "articles_article_changelist/fetch_images_again(mine)": Action(
        lambda client, world: (
            _failed_image(world["mine"]),
            bulk("articles_article_changelist", "fetch_images_again", "mine")(client, world),
        )[1],
        lambda w: RemoteImage.objects.filter(status=RemoteImage.Status.PENDING).exists(),
    ),
    "articles_article_changelist/delete_selected(mine)": Action(
        bulk("articles_article_changelist", "delete_selected", "mine", post="yes"), gone("mine")
    ),
    "articles_article_changelist/delete_selected(published)": Action(
        bulk("articles_article_changelist", "delete_selected", "published", post="yes"),
        gone("published"),
    ),
    "articles_tag_changelist/merge(spare_tag)": Action(
        bulk(
            "articles_tag_changelist",
            "merge",
            "tag",
            "spare_tag",
            into=lambda w: w["tag"].pk,
            confirm="yes",
        ),
        gone("spare_tag"),
    ),
    "articles_tag_changelist/delete_selected(spare_tag)": Action(
        bulk("articles_tag_changelist", "delete_selected", "spare_tag", post="yes"),
        gone("spare_tag"),
    ),
    "articles_author_changelist/delete_selected(spare_person)": Action(
        bulk("articles_author_changelist", "delete_selected", "spare_person", post="yes"),
        gone("spare_person"),
    ),
    "auth_user_changelist/delete_selected(other)": Action(
        bulk("auth_user_changelist", "delete_selected", "other", post="yes"), gone("other")
    ),
    "auth_group_changelist/delete_selected(spare_group)": Action(
        bulk("auth_group_changelist", "delete_selected", "spare_group", post="yes"),
        gone("spare_group"),
    ),
    "axes_accessattempt_changelist/delete_selected(attempt)": Action(
        bulk("axes_accessattempt_changelist", "delete_selected", "attempt", post="yes"),
        gone("attempt"),
    ),
    "axes_accessattempt_changelist/cleanup_expired_attempts(attempt)": Action(
        bulk("axes_accessattempt_changelist", "cleanup_expired_attempts", "attempt"),
        lambda w: not AccessAttempt.objects.filter(username="stale").exists(),
        prepare=lambda w: attempted("stale", timedelta(days=1)),
    ),
    "axes_accesslog_changelist/delete_selected(log)": Action(
        bulk("axes_accesslog_changelist", "delete_selected", "log", post="yes"), gone("log")
    ),
    "axes_accessfailurelog_changelist/delete_selected(failure)": Action(
        bulk("axes_accessfailurelog_changelist", "delete_selected", "failure", post="yes"),
        gone("failure"),
    ),
    # articles: the form, crafted as a browser could post it
    "articles_article_add/draft": Action(
        crafted("articles_article_add", title="新写的草稿", body="正文", status="draft"),
        lambda w: Article.objects.filter(title="新写的草稿").exists(),
    ),
    "articles_article_add/published": Action(
        crafted("articles_article_add", title="新写的文章", body="正文", status="published"),
        lambda w: Article.objects.filter(title="新写的文章").exists(),
    ),
    "articles_article_change/submit(mine)": Action(
        crafted("articles_article_change", "mine", status="review"), status_of("mine", S.REVIEW)
    ),
    "articles_article_change/edit(mine)": Action(
        crafted("articles_article_change", "mine", title="作者改的标题"),
        title_of("mine", "作者改的标题"),
    ),
    "articles_article_change/publish(mine)": Action(
        crafted("articles_article_change", "mine", status="published"),
        status_of("mine", S.PUBLISHED),
    ),
    "articles_article_change/review_summary(mine)": Action(
        crafted("articles_article_change", "mine", summary_reviewed="on"),
        lambda w: w.fresh("mine").summary_reviewed_at is not None,
    ),
    "articles_article_change/smuggle_status(mine)": Action(
        crafted(
            "articles_article_change", "mine", **{"extra-key": "status", "extra-value": "published"}
        ),
        lambda w: "status" in w.fresh("mine").extra or w.fresh("mine").status != S.DRAFT,
    ),
    "articles_article_change/withdraw(pending)": Action(
        crafted("articles_article_change", "pending", status="draft"),
        status_of("pending", S.DRAFT),
    ),
    "articles_article_change/edit(imported)": Action(
        crafted("articles_article_change", "imported", title="改过的导入稿"),
        title_of("imported", "改过的导入稿"),
    ),
    "articles_article_change/edit(theirs)": Action(
        crafted("articles_article_change", "theirs", title="作者改了别人的稿"),
        title_of("theirs", "作者改了别人的稿"),
    ),
    "articles_article_change/submit(theirs)": Action(
        crafted("articles_article_change", "theirs", status="review"),
        status_of("theirs", S.REVIEW),
    ),
    "articles_article_change/withdraw(review)": Action(
        crafted("articles_article_change", "review", status="draft"),
        status_of("review", S.DRAFT),
    ),
    "articles_article_change/publish(review)": Action(
        crafted("articles_article_change", "review", status="published"),
        status_of("review", S.PUBLISHED),
    ),
    "articles_article_change/edit(published)": Action(
        crafted("articles_article_change", "published", title="改过的公开文章"),
        title_of("published", "改过的公开文章"),
    ),
    "articles_article_change/unpublish(published)": Action(
        crafted("articles_article_change", "published", status="draft"),
        status_of("published", S.DRAFT),
    ),
    "articles_article_change/archive(published)": Action(
        crafted("articles_article_change", "published", status="archived"),
        status_of("published", S.ARCHIVED),
    ),
    "articles_article_change/edit(archived)": Action(
        crafted("articles_article_change", "archived", title="改过的归档文章"),
        title_of("archived", "改过的归档文章"),
    ),
    # history: restore #1 of mine is a draft; #2 was published by an Editor
    "articles_article_restore/1(mine)": Action(restore("mine", 1), title_of("mine", "作者的草稿")),
    "articles_article_restore/2(mine)": Action(restore("mine", 2), status_of("mine", S.PUBLISHED)),
    "articles_article_restore/1(theirs)": Action(
        restore("theirs", 1), title_of("theirs", "别人的草稿")
    ),
    "articles_article_restore/99(mine)": Action(
        restore("mine", 99), lambda w: w.fresh("mine").revisions.count() > 3
    ),
    "articles_article_images_again/published": Action(
        lambda client, world: (
            _failed_image(world["published"]),
            posted(
                lambda w: reverse("admin:articles_article_images_again", args=[w["published"].pk])
            )(client, world),
        )[1],
        lambda w: RemoteImage.objects.filter(status=RemoteImage.Status.PENDING).exists(),
    ),
    "articles_article_delete/mine": Action(
        deleted("articles_article_delete", "mine"), gone("mine")
    ),
    "articles_article_delete/published": Action(
        deleted("articles_article_delete", "published"), gone("published")
    ),
    "articles_article_preview/body": Action(
        posted(lambda w: reverse("admin:articles_article_preview"), {"body": "**粗体**"}),
        lambda w: False,  # it changes nothing: the cells say who gets an answer
    ),
    # tags and authors: rename (an edit of each article), add, delete
    "articles_apitoken_changelist/revoke(token)": Action(
        bulk("articles_apitoken_changelist", "revoke", "token"),
        lambda w: w.fresh("token").revoked_at is not None,
    ),
    "articles_apitoken_changelist/delete_selected(token)": Action(
        bulk("articles_apitoken_changelist", "delete_selected", "token", post="yes"),
        gone("token"),
    ),
    "articles_apitoken_add/new": Action(
        crafted("articles_apitoken_add", name="新的令牌"),
        lambda w: ApiToken.objects.filter(name="新的令牌").exists(),
    ),
    "articles_apitoken_change/rename": Action(
        crafted("articles_apitoken_change", "token", name="改名的令牌"),
        lambda w: w.fresh("token").name == "改名的令牌",
    ),
    "articles_apitoken_delete/token": Action(
        deleted("articles_apitoken_delete", "token"), gone("token")
    ),
    "articles_tag_add/new": Action(
        crafted("articles_tag_add", name="新的话题", vault_path="新的话题"),
        lambda w: Tag.objects.filter(name="新的话题").exists(),
    ),
    "articles_tag_change/rename": Action(
        crafted("articles_tag_change", "tag", name="改名的话题"),
        lambda w: w.fresh("tag").name == "改名的话题",
    ),
    "articles_tag_delete/spare_tag": Action(
        deleted("articles_tag_delete", "spare_tag"), gone("spare_tag")
    ),
    "articles_author_add/new": Action(
        crafted("articles_author_add", name="新作者", slug="xin-zuo-zhe"),
        lambda w: Author.objects.filter(name="新作者").exists(),
    ),
    "articles_author_change/rename": Action(
        crafted("articles_author_change", "person", name="改名的作者"),
        lambda w: w.fresh("person").name == "改名的作者",
    ),
    "articles_author_delete/spare_person": Action(
        deleted("articles_author_delete", "spare_person"), gone("spare_person")
    ),
    # users and groups
    "auth_user_add/new": Action(
        crafted(
            "auth_user_add",
            username="newcomer",
            password1=NEW_PASSWORD,
            password2=NEW_PASSWORD,
            usable_password="true",
        ),
        lambda w: User.objects.filter(username="newcomer").exists(),
    ),
    "auth_user_change/promote(author)": Action(
        crafted("auth_user_change", "author", is_superuser="on"),
        lambda w: User.objects.get(username="author").is_superuser,
    ),
    "auth_user_password_change/other": Action(
        crafted(
            "auth_user_password_change", "other", password1=NEW_PASSWORD, password2=NEW_PASSWORD
        ),
        lambda w: w.fresh("other").check_password(NEW_PASSWORD),
    ),
    "auth_user_delete/other": Action(deleted("auth_user_delete", "other"), gone("other")),
    "auth_group_add/new": Action(
        crafted("auth_group_add", name="新组"),
        lambda w: Group.objects.filter(name="新组").exists(),
    ),
    "auth_group_change/grant_publishing(authors)": Action(
        crafted("auth_group_change", "authors", permissions=publish_permission),
        lambda w: w["authors"].permissions.filter(codename="publish_article").exists(),
    ),
    "auth_group_delete/spare_group": Action(
        deleted("auth_group_delete", "spare_group"), gone("spare_group")
    ),
    # login throttling's records
    "axes_accessattempt_add/new": Action(
        posted(lambda w: reverse("admin:axes_accessattempt_add"), {"username": "made_up"}),
        lambda w: AccessAttempt.objects.filter(username="made_up").exists(),
    ),
    "axes_accessattempt_change/attempt": Action(
        crafted("axes_accessattempt_change", "attempt", username="renamed"),
        lambda w: w.fresh("attempt").username != "attempt",
    ),
    "axes_accessattempt_delete/attempt": Action(
        deleted("axes_accessattempt_delete", "attempt"), gone("attempt")
    ),
    "axes_accesslog_add/new": Action(
        posted(lambda w: reverse("admin:axes_accesslog_add"), {"username": "made_up"}),
        lambda w: AccessLog.objects.filter(username="made_up").exists(),
    ),
    "axes_accesslog_change/log": Action(
        crafted("axes_accesslog_change", "log", username="renamed"),
        lambda w: w.fresh("log").username != "intruder",
    ),
    "axes_accesslog_delete/log": Action(deleted("axes_accesslog_delete", "log"), gone("log")),
    "axes_accessfailurelog_add/new": Action(
        posted(lambda w: reverse("admin:axes_accessfailurelog_add"), {"username": "made_up"}),
        lambda w: AccessFailureLog.objects.filter(username="made_up").exists(),
    ),
    "axes_accessfailurelog_change/failure": Action(
        crafted("axes_accessfailurelog_change", "failure", username="renamed"),
        lambda w: w.fresh("failure").username != "intruder",
    ),
    "axes_accessfailurelog_delete/failure": Action(
        deleted("axes_accessfailurelog_delete", "failure"), gone("failure")
    ),
    # one's own account
    "password_change/own": Action(
        crafted(
            "password_change",
            old_password="pw",
            new_password1=NEW_PASSWORD,
            new_password2=NEW_PASSWORD,
        ),
        lambda w: any(u.check_password(NEW_PASSWORD) for u in User.objects.all()),
    ),
    "logout/own": Action(
        posted(lambda w: reverse("admin:logout")),
        lambda w: AccessLog.objects.filter(logout_time__isnull=False).exists(),
    ),
}

EXPECTED = table("""
action                                                       anonymous staff author editor superuser
articles_article_changelist/publish(review)                  login     403   302    302+   302+
articles_article_changelist/unpublish(published)             login     403   302    302+   302+
articles_article_changelist/archive(published)               login     403   302    302+   302+
articles_article_changelist/mark_reviewed(mine)              login     403   302    302+   302+
articles_article_changelist/add_tag(mine)                    login     403   302    302+   302+
articles_article_changelist/remove_tag(published)            login     403   302    302+   302+
articles_article_changelist/fetch_images_again(mine)         login     403   302+   302+   302+
articles_article_changelist/delete_selected(mine)            login     403   302    302+   302+
articles_article_changelist/delete_selected(published)       login     403   302    302+   302+
articles_tag_changelist/merge(spare_tag)                     login     403   200    302+   302+
articles_tag_changelist/delete_selected(spare_tag)           login     403   200    302+   302+
articles_author_changelist/delete_selected(spare_person)     login     403   200    302+   302+
auth_user_changelist/delete_selected(other)                  login     403   403    403    302+
auth_group_changelist/delete_selected(spare_group)           login     403   403    403    302+
axes_accessattempt_changelist/delete_selected(attempt)       login     403   403    403    302+
axes_accessattempt_changelist/cleanup_expired_attempts(attempt) login  403   403    403    302+
axes_accesslog_changelist/delete_selected(log)               login     403   403    403    302+
axes_accessfailurelog_changelist/delete_selected(failure)    login     403   403    403    302+
articles_article_add/draft                                   login     403   302+   302+   302+
articles_article_add/published                               login     403   200    302+   302+
articles_article_change/submit(mine)                         login     403   302+   302+   302+
articles_article_change/edit(mine)                           login     403   302+   302+   302+
articles_article_change/publish(mine)                        login     403   200    302+   302+
articles_article_change/review_summary(mine)                 login     403   302~   302+   302+
articles_article_change/smuggle_status(mine)                 login     403   200    200    200
articles_article_change/withdraw(pending)                    login     403   302+   302+   302+
articles_article_change/edit(imported)                       login     403   302+   302+   302+
articles_article_change/edit(theirs)                         login     403   403    302+   302+
articles_article_change/submit(theirs)                       login     403   403    302+   302+
articles_article_change/withdraw(review)                     login     403   403    302+   302+
articles_article_change/publish(review)                      login     403   403    302+   302+
articles_article_change/edit(published)                      login     403   403    302+   302+
articles_article_change/unpublish(published)                 login     403   403    302+   302+
articles_article_change/archive(published)                   login     403   403    302+   302+
articles_article_change/edit(archived)                       login     403   403    302+   302+
articles_article_restore/1(mine)                             login     403   302+   302+   302+
articles_article_restore/2(mine)                             login     403   302    302+   302+
articles_article_restore/1(theirs)                           login     403   403    302+   302+
articles_article_restore/99(mine)                            login     403   404    404    404
articles_article_images_again/published                      login     403   302+   302+   302+
articles_article_delete/mine                                 login     403   403    302+   302+
articles_article_delete/published                            login     403   403    302+   302+
articles_article_preview/body                                login     403   200    200    200
articles_apitoken_changelist/revoke(token)                   login     403   302+   302    302+
articles_apitoken_changelist/delete_selected(token)          login     403   302    302    302+
articles_apitoken_add/new                                    login     403   200+   200+   200+
articles_apitoken_change/rename                              login     403   302+   302    302+
articles_apitoken_delete/token                               login     403   403    403    302+
articles_tag_add/new                                         login     403   403    302+   302+
articles_tag_change/rename                                   login     403   403    302+   302+
articles_tag_delete/spare_tag                                login     403   403    302+   302+
articles_author_add/new                                      login     403   302+   302+   302+
articles_author_change/rename                                login     403   403    302+   302+
articles_author_delete/spare_person                          login     403   403    302+   302+
auth_user_add/new                                            login     403   403    403    302+
auth_user_change/promote(author)                             login     403   403    403    302+
auth_user_password_change/other                              login     403   403    403    302+
auth_user_delete/other                                       login     403   403    403    302+
auth_group_add/new                                           login     403   403    403    302+
auth_group_change/grant_publishing(authors)                  login     403   403    403    302+
auth_group_delete/spare_group                                login     403   403    403    302+
axes_accessattempt_add/new                                   login     403   403    403    403
axes_accessattempt_change/attempt                            login     403   403    403    302
axes_accessattempt_delete/attempt                            login     403   403    403    302+
axes_accesslog_add/new                                       login     403   403    403    403
axes_accesslog_change/log                                    login     403   403    403    302
axes_accesslog_delete/log                                    login     403   403    403    302+
axes_accessfailurelog_add/new                                login     403   403    403    403
axes_accessfailurelog_change/failure                         login     403   403    403    302
axes_accessfailurelog_delete/failure                         login     403   403    403    302+
password_change/own                                          login     302+  302+   302+   302+
logout/own                                                   302       200+  200+   200+   200+
""")

# The doors that change something when posted to (the others only show).
WRITES = re.compile(
    r"_(add|change|delete|restore|preview|images_again)$|^password_change$|^logout$"
)


def test_every_action_has_a_row(world):
    """Each bulk action the admin offers a superuser, and each door that writes, has a row."""
    assert set(ACTIONS) == set(EXPECTED)
    request = RequestFactory().post("/")
    request.user = world.people["superuser"]
    offered = {
        f"{model._meta.app_label}_{model._meta.model_name}_changelist/{name}"
        for model, model_admin in admin.site._registry.items()
        for name in model_admin.get_actions(request)
    }
    assert {key.partition("(")[0] for key in ACTIONS if "changelist/" in key} == offered
    assert "articles_article_changelist/publish" in offered  # can fail
    writes = {name for name in addresses()[0] if WRITES.search(name)}
    assert {key.partition("/")[0] for key in ACTIONS} - {
        key.partition("/")[0] for key in ACTIONS if "changelist/" in key
    } == writes


def attempt(world: World, key: str, actor: str) -> str:
    """What `actor` gets doing `key`, as a table writes it; the database as it was after."""
    action = ACTIONS[key]
    with transaction.atomic():
        client = browser(world, actor)
        action.prepare(world)
        before = snapshot()
        with committed():
            response = action.perform(client, world)
        got = outcome(response)
        if action.done(world):
            got += "+"
        elif snapshot() != before:
            got += "~"
        transaction.set_rollback(True)
    return got


@pytest.mark.parametrize("key", list(EXPECTED))
def test_every_action_as_each_person(world, key):
    got = {actor: attempt(world, key, actor) for actor in ACTORS}
    assert got == EXPECTED[key]


# --- the operations hold the line themselves ------------------------------------------------


def test_the_operations_keep_authors_off_each_others_drafts(world):
    """Not only the admin's screens: a state change or a restore by an Author of another
    person's draft is refused by the operation; their own, or nobody's, is not."""
    author, theirs = world["author"], world.fresh("theirs")
    with pytest.raises(PermissionDenied):
        publishing.set_status(theirs, status=S.REVIEW, user=author)
    with pytest.raises(PermissionDenied):
        publishing.restore(theirs, revision=theirs.revisions.get(number=1), user=author)
    assert (world.fresh("theirs").status, world.fresh("theirs").revisions.count()) == (S.DRAFT, 2)
    for key in ("mine", "imported"):
        publishing.set_status(world.fresh(key), status=S.REVIEW, user=author)
        assert world.fresh(key).status == S.REVIEW
    User.objects.filter(pk=world["other"].pk).delete()  # a creator gone: a draft nobody's
    publishing.set_status(world.fresh("theirs"), status=S.REVIEW, user=author)
    assert world.fresh("theirs").status == S.REVIEW
