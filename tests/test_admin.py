"""The admin, good enough to browse and edit what the import brought in."""

import shutil
from datetime import timedelta

import pytest
from django.contrib.admin.sites import site
from django.db.models import F
from django.utils.html import escape
from taggit.models import Tag as TaggitTag

from articles.models import Article, SummaryItem
from tests.conftest import SEED
from tests.helpers import form_data, import_seeds

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(admin_client):
    import_seeds()
    return Article.objects.get()


def test_change_list_shows_the_imported_article(admin_client, article):
    response = admin_client.get("/admin/articles/article/")
    assert response.status_code == 200
    assert escape(article.title) in response.content.decode()


@pytest.mark.parametrize("page", ["author", "tag"])
def test_author_and_tag_lists(admin_client, article, page):
    response = admin_client.get(f"/admin/articles/{page}/")
    assert response.status_code == 200
    assert "数字生命卡兹克" in response.content.decode()


def test_taggits_own_tag_model_is_not_offered():
    assert TaggitTag not in site._registry


def test_edit_a_summary_point_through_the_change_form(admin_client, article):
    url = f"/admin/articles/article/{article.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    data = form_data(page.content.decode())
    point = SummaryItem.objects.get(article=article, kind="point", position=0)
    rows = [k for k, v in data.items() if k.endswith("-id") and v == [str(point.pk)]]
    prefix = rows[0].removesuffix("-id")
    data[f"{prefix}-text"] = ["编辑改写的要点。"]
    data["title"] = ["编辑改过的标题"]
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    point.refresh_from_db()
    assert (article.title, point.text) == ("编辑改过的标题", "编辑改写的要点。")
    assert article.body.startswith("今天，OpenAI")  # untouched fields survive the round trip
    assert sorted(t.name for t in article.tags.all()) == ["AI", "llm", "数字生命卡兹克"]


def test_saving_the_form_unchanged_is_not_an_edit(admin_client, tmp_path):
    """Opening an article and pressing save must not block the next import."""
    shutil.copy(SEED, tmp_path / SEED.name)
    import_seeds(tmp_path)
    article = Article.objects.get()
    url = f"/admin/articles/article/{article.pk}/change/"
    response = admin_client.post(url, form_data(admin_client.get(url).content.decode()))
    assert response.status_code == 302
    note = tmp_path / SEED.name
    note.write_text(note.read_text().replace("今天", "昨天", 1))
    assert import_seeds(tmp_path)[1][-1].startswith("0 created, 1 updated")


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh-hans", ["文章", "作者", "标签", "一句话总结", "原文链接"]),
        ("en", ["Articles", "Authors"]),
    ],
)
def test_admin_speaks_the_editors_language(admin_client, article, language, words):
    page = admin_client.get(
        f"/admin/articles/article/{article.pk}/change/", headers={"accept-language": language}
    ).content.decode()
    assert all(word in page for word in words)
    index = admin_client.get("/admin/", headers={"accept-language": language}).content.decode()
    assert words[0] in index


def log_in(client, username: str, password: str, address: str = "203.0.113.7", **headers):
    form = {"username": username, "password": password, "next": "/admin/"}
    return client.post("/admin/login/?next=/admin/", form, REMOTE_ADDR=address, **headers)


def slowed(answer) -> int:
    """The seconds a login answered 'slowed' asks the client to wait (0 for any other)."""
    if answer.status_code == 429 and "Retry-After" in answer:
        return int(answer["Retry-After"])
    return 0


def wait(seconds: int) -> None:
    """As if `seconds` had passed since the failed logins."""
    from axes.models import AccessAttempt

    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(seconds=seconds))


def patient_log_in(client, *args, **headers):
    """A login sent again, after the wait it asks for, while it is slowed."""
    answer = log_in(client, *args, **headers)
    while slowed(answer):
        wait(slowed(answer))
        answer = log_in(client, *args, **headers)
    return answer


def test_failed_logins_are_slowed_a_try_at_a_time_without_holding_a_worker(
    client, django_user_model
):
    """After two failures, a try is refused at once (not counted, the password not looked
    at) until 1 s has passed, then 2 s after the third, 4 s after the fourth."""
    from axes.models import AccessAttempt

    django_user_model.objects.create_user("editor", password="the right one 1", is_staff=True)
    answers = [log_in(client, "editor", f"wrong {n}") for n in range(20)]  # a script's pace
    assert [a.status_code for a in answers[:2]] == [200, 200]
    assert [slowed(a) for a in answers[2:]] == [1] * 18
    page = answers[-1].content.decode()
    assert "登录失败次数过多：请 1 秒后再试。" in page and 'name="password"' in page
    assert sum(AccessAttempt.objects.values_list("failures_since_start", flat=True)) == 2
    assert slowed(log_in(client, "editor", "the right one 1")) == 1  # the right one too
    waits = []
    for n in range(3):
        waits.append(slowed(log_in(client, "editor", f"again {n}")))  # at once: slowed
        wait(waits[-1])
        answer = log_in(client, "editor", f"again {n}")  # counted
    assert waits == [1, 2, 4]
    assert answer.status_code == 429 and "15 分钟" in answer.content.decode()  # 5th: locked
    assert not slowed(answer)


def test_twenty_wrong_passwords_lock_the_login_until_a_superuser_unlocks_it(
    client, admin_client, django_user_model
):
    django_user_model.objects.create_user("editor", password="the right one 1", is_staff=True)
    django_user_model.objects.create_user("other", password="another right 1", is_staff=True)
    answers = [patient_log_in(client, "editor", f"wrong {n}") for n in range(20)]
    assert [a.status_code for a in answers[:4]] == [200] * 4  # the form again, with its error
    assert {a.status_code for a in answers[4:]} == {429}  # then locked, however many more
    locked = answers[-1].content.decode()
    assert "登录失败次数过多" in locked and "15 分钟" in locked and "Django" not in locked
    # Locked per user (from anywhere, even with the right password) and per address.
    assert log_in(client, "editor", "the right one 1", address="198.51.100.9").status_code == 429
    assert log_in(client, "other", "another right 1").status_code == 429
    assert log_in(client, "other", "another right 1", address="198.51.100.9").status_code == 302
    # A superuser unlocks them from the admin.
    attempts = admin_client.get("/admin/axes/accessattempt/")
    assert attempts.status_code == 200 and "editor" in attempts.content.decode()
    from axes.models import AccessAttempt

    chosen = [attempt.pk for attempt in AccessAttempt.objects.all()]
    action = {"action": "delete_selected", "_selected_action": chosen, "post": "yes"}
    assert admin_client.post("/admin/axes/accessattempt/", action).status_code == 302
    client.logout()
    assert patient_log_in(client, "editor", "the right one 1").status_code == 302


def test_behind_the_proxy_readers_are_counted_by_the_address_the_proxy_saw(
    client, settings, django_user_model
):
    """Behind the TLS proxy (DJANGO_HTTPS) every request comes from the proxy: the address
    that counts is the one it appended to X-Forwarded-For, not one a client wrote there."""
    settings.HTTPS = True
    django_user_model.objects.create_user("editor", password="the right one 1", is_staff=True)
    proxy = "127.0.0.1"
    for n in range(5):  # five names, five made-up addresses, one real one
        forwarded = f"10.0.0.{n}, 203.0.113.7"
        patient_log_in(client, f"guess{n}", "wrong", proxy, HTTP_X_FORWARDED_FOR=forwarded)
    locked = log_in(client, "editor", "the right one 1", proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert locked.status_code == 429
    other = log_in(client, "editor", "the right one 1", proxy, HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert other.status_code == 302
