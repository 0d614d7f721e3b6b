"""Archiving articles' remote images (articles/images/), through the doors users take: an
import, the admin's form, the pages and feeds; images served by servers on 127.0.0.1 the
tests start, stored in a folder of the test's own."""

import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.images import archive
from articles.models import Article, RemoteImage, StoredImage
from tests.helpers import committed, import_seeds, note, write
from tests.imageserver import ImageServer, picture
from tests.newsroom import person, post_change
from tests.public import Page, make_article

pytestmark = pytest.mark.django_db
ZH = {"headers": {"accept-language": "zh-hans"}}
Status = RemoteImage.Status


@pytest.fixture
def kept(tmp_path, settings) -> Path:
    """Where stored images go in this test."""
    folder = tmp_path / "images"
    settings.STORAGES = {
        **settings.STORAGES,
        "images": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folder, "base_url": "/images/"},
        },
    }
    return folder


@pytest.fixture
def server(settings):
    with ImageServer() as started:
        settings.FOLIO_IMAGE_FETCH_ALLOWED = frozenset({started.address})
        yield started


def tasks() -> list[int]:
    """The images waiting in the task queue, by their row's id."""
    return [pk for row in DBTaskResult.objects.ready() for pk in row.args_kwargs["args"][0]]


def run_tasks() -> None:
    """What a worker does: run each task that is due (and those they enqueue)."""
    while due := list(DBTaskResult.objects.ready()):
        for row in due:
            row.delete()
            with committed():
                for pk in row.args_kwargs["args"][0]:
                    archive.archive(pk)


def test_an_import_records_each_image_and_enqueues_its_fetch_once_committed(tmp_path):
    body = "![](https://mmbiz.qpic.cn/a/640)\n\n文字\n\n![](https://mmbiz.qpic.cn/b/640)"
    write(tmp_path / "v" / "一.md", note("一", body=body))
    write(tmp_path / "v" / "二.md", note("二", body="![](https://mmbiz.qpic.cn/a/640)"))
    # committed(): what follows the transaction's commit, done at the end of the block
    with committed(), transaction.atomic():
        call_command("import_seeds", tmp_path / "v", stdout=StringIO())
        assert RemoteImage.objects.count() == 2 and tasks() == []  # not before the commit
    images = RemoteImage.objects.order_by("pk").values_list("pk", flat=True)
    assert sorted(tasks()) == list(images)  # enqueued once committed: once for each URL
    assert DBTaskResult.objects.count() == 1  # a few images to a task
    one, two = Article.objects.order_by("title")
    assert [i.url for i in one.images.order_by("url")] == [
        "https://mmbiz.qpic.cn/a/640",
        "https://mmbiz.qpic.cn/b/640",
    ]
    assert [i.url for i in two.images.all()] == ["https://mmbiz.qpic.cn/a/640"]
    import_seeds(tmp_path / "v")  # again: nothing new, nothing enqueued
    assert RemoteImage.objects.count() == 2 and len(tasks()) == 2


def test_images_are_fetched_once_committed_and_stored_once_by_their_bytes(server, kept):
    png = picture("PNG", (1200, 800))
    server.routes.update({"/a.png": png, "/same.png": png, "/b.gif": picture("GIF", (300, 200))})
    with committed():
        first = make_article(body=f"![]({server.url('/a.png')})\n\n![]({server.url('/b.gif')})")
        archive.follow(first)
        second = make_article(body=f"![]({server.url('/same.png')})")
        archive.follow(second)
    assert len(tasks()) == 3
    run_tasks()
    assert set(RemoteImage.objects.values_list("status", flat=True)) == {Status.ARCHIVED}
    assert StoredImage.objects.count() == 2  # the same picture at two addresses: kept once
    files = sorted(str(p.relative_to(kept)) for p in kept.rglob("*.*"))
    stored = StoredImage.objects.get(format="PNG")
    assert files == sorted(
        [stored.name, stored.small_name, StoredImage.objects.get(format="GIF").name]
    )
    assert (kept / stored.name).read_bytes() == png
    assert (stored.width, stored.height, stored.small_width) == (1200, 800, 720)
    assert server.hits["/a.png"] == 1 and server.hits["/same.png"] == 1  # fetched once each


def test_what_cannot_be_kept_is_recorded_with_its_reason(server, kept, settings):
    server.routes.update(
        {"/gone": 404, "/pixel.gif": picture("GIF", (1, 1)), "/page": b"<html>", "/busy": 503}
    )
    article = make_article(
        body="\n\n".join(f"![]({server.url(p)})" for p in ("/gone", "/pixel.gif", "/page", "/busy"))
    )
    with committed():
        archive.follow(article)
    for image in RemoteImage.objects.all():
        archive.archive(image.pk)
    found = {i.url.rsplit("/", 1)[1]: (i.status, i.reason) for i in RemoteImage.objects.all()}
    assert found["gone"] == (Status.FAILED, "gone: 404 from 127.0.0.1")
    assert found["pixel.gif"] == (Status.SKIPPED, "1×1: a tracker")
    assert found["page"][0] == Status.FAILED and found["page"][1].startswith("type: not a JPEG")
    assert found["busy"] == (Status.PENDING, "http: 503 from 127.0.0.1")  # to be tried again
    assert StoredImage.objects.count() == 0


def test_a_failure_that_may_pass_is_tried_again_later_waiting_longer_each_time(
    server, kept, settings
):
    settings.FOLIO_IMAGE_ATTEMPTS = 3
    server.routes["/busy"] = 503
    article = make_article(body=f"![]({server.url('/busy')})")
    archive.follow(article)
    image = RemoteImage.objects.get()
    waits = []
    for _ in range(3):
        with committed():
            archive.archive(image.pk)
        retry = DBTaskResult.objects.first()  # enqueued to run later, or none: given up
        waits.append(retry and (retry.run_after - timezone.now()).total_seconds())
        DBTaskResult.objects.all().delete()
    image.refresh_from_db()
    assert (image.status, image.attempts) == (Status.FAILED, 3)
    assert 25 < waits[0] < 31 and 55 < waits[1] < 61 and waits[2] is None  # 30 s, 60 s, given up
    server.routes["/busy"] = picture()
    with committed():
        assert archive.again(RemoteImage.objects.all()) == 1  # the newsroom's "fetch again"
    run_tasks()
    image.refresh_from_db()
    assert (image.status, image.attempts, image.reason) == (Status.ARCHIVED, 1, "")


def test_wechat_images_are_asked_for_with_no_referer_then_with_the_articles_own(
    server, kept, settings
):
    settings.FOLIO_IMAGE_REFERER_HOSTS = frozenset({"127.0.0.1"})  # as mmbiz.qpic.cn is
    page = "https://mp.weixin.qq.com/s/abc"
    server.routes["/hotlinked"] = ("referer", page, picture())
    article = make_article(body=f"![]({server.url('/hotlinked')})", original_url=page)
    with committed():
        archive.follow(article)
    run_tasks()
    assert RemoteImage.objects.get().status == Status.ARCHIVED
    asked = [headers.get("Referer") for headers in server.headers["/hotlinked"]]
    assert asked == [None, page]


# --- what readers see -------------------------------------------------------------------


def test_pages_show_the_copy_with_its_size_and_a_rendition_for_phones(client, server, kept):
    server.routes.update({"/big.jpg": picture("JPEG", (1600, 900)), "/gone.png": 404})
    remote, gone = server.url("/big.jpg"), server.url("/gone.png")
    article = make_article(body=f"前文。\n\n![图表]({remote})\n\n![]({gone})")
    with committed():
        archive.follow(article)
    before = Page(client.get(article.get_absolute_url()).content.decode())
    assert [img["src"] for img, _ in before.find("img")] == [remote, gone]  # until archived
    run_tasks()
    page = Page(client.get(article.get_absolute_url()).content.decode())
    copy, still = [img for img, _ in page.find("img")]
    stored = StoredImage.objects.get()
    assert copy["src"] == f"/images/{stored.name}"
    assert (copy["width"], copy["height"], copy["alt"]) == ("1600", "900", "图表")
    assert copy["srcset"] == f"/images/{stored.small_name} 720w, /images/{stored.name} 1600w"
    assert still["src"] == gone and "width" not in still  # failed: the remote one, as today
    assert [a["href"] for a, _ in page.find("a", **{"class": "image"})] == [remote, gone]
    served = client.get(copy["src"])
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content) == server.routes["/big.jpg"]
    assert "immutable" in served["Cache-Control"]
    assert client.get(f"/images/{stored.name[:-3]}png").status_code == 404
    assert client.get("/images/../../etc/passwd").status_code == 404
    # The feed links the copy absolutely; the note exports as it was written.
    feed = client.get("/rss/").content.decode()
    assert f'src="http://testserver/images/{stored.name}"' in feed.replace("&quot;", '"')
    assert Article.objects.get(pk=article.pk).body == article.body


@pytest.mark.parametrize("last", ["archived", "failed"])
def test_the_article_page_changes_once_its_last_image_is_settled(client, server, kept, last):
    second = picture(colour="red") if last == "archived" else 404
    server.routes.update({"/1.png": picture(), "/2.png": second})
    article = make_article(body=f"![]({server.url('/1.png')})\n\n![]({server.url('/2.png')})")
    with committed():
        archive.follow(article)
    saved = Article.objects.get(pk=article.pk).updated_at
    first, second = RemoteImage.objects.order_by("url")
    with committed():
        archive.archive(first.pk)
    assert Article.objects.get(pk=article.pk).updated_at == saved  # one still to come
    with committed():
        archive.archive(second.pk)
    assert Article.objects.get(pk=article.pk).updated_at > saved
    page = client.get(article.get_absolute_url()).content.decode()
    assert page.count('src="/images/') == (2 if last == "archived" else 1)


def test_the_admin_saves_and_previews_with_the_copies(client, server, kept):
    server.routes["/a.png"] = picture("PNG", (100, 80))
    article = make_article(body="正文。")
    editor = person("editor", "Editor")
    client.force_login(editor)
    post_change(client, article, body=f"正文。\n\n![]({server.url('/a.png')})")
    assert [i.url for i in Article.objects.get(pk=article.pk).images.all()] == [
        server.url("/a.png")
    ]
    run_tasks()
    answer = client.post(
        "/admin/articles/article/preview/", {"body": f"![]({server.url('/a.png')})"}
    ).json()
    assert 'src="/images/' in answer["page"] and 'width="100"' in answer["page"]


def test_an_old_task_for_an_image_gone_with_its_articles_does_nothing():
    assert archive.archive(12345) is None


def test_follow_keeps_up_with_a_body_that_drops_an_image(server):
    article = make_article(body=f"![]({server.url('/1.png')})\n\n![]({server.url('/2.png')})")
    archive.follow(article)
    article.set_body(f"![]({server.url('/2.png')})")
    article.save()
    archive.follow(article)
    assert [i.url for i in article.images.all()] == [server.url("/2.png")]
    assert RemoteImage.objects.count() == 2  # kept: another article may show it again


# --- the newsroom and the command ------------------------------------------------------


def test_the_newsroom_shows_each_articles_images_and_fetches_the_missing_again(
    client, server, kept
):
    server.routes.update({"/kept.png": picture(), "/gone.png": 404})
    missing = make_article(
        "缺图的文章", body=f"![]({server.url('/kept.png')})\n\n![]({server.url('/gone.png')})"
    )
    whole = make_article("图都在的文章", body=f"![]({server.url('/kept.png')})")
    with committed():
        archive.follow(missing)
        archive.follow(whole)
    run_tasks()
    client.force_login(person("editor", "Editor"))
    answer = client.get(f"/admin/articles/article/{missing.pk}/change/", **ZH)
    fields = Page(answer.content.decode()).texts("div", class_="readonly")
    [shown] = [text for text in fields if "保存" in text]
    assert "已保存 1 张，待抓取 0 张，缺失 1 张" in shown
    assert "gone: 404 from 127.0.0.1" in shown and server.url("/gone.png") in shown

    def listed(query):
        page = Page(client.get(f"/admin/articles/article/?{query}").content.decode())
        return page.texts("th", class_="field-title")

    assert listed("images=missing") == ["缺图的文章"]
    assert listed("images=kept") == ["图都在的文章"]
    assert listed("images=waiting") == []

    server.routes["/gone.png"] = picture(colour="red")  # back again
    with committed():
        client.post(
            "/admin/articles/article/",
            {"action": "fetch_images_again", "_selected_action": [missing.pk, whole.pk]},
        )
    assert listed("images=waiting") == ["缺图的文章"]
    run_tasks()
    assert listed("images=missing") == [] and len(listed("images=kept")) == 2


def test_the_article_form_fetches_its_missing_images_again(client, server, kept):
    server.routes.update({"/kept.png": picture(), "/gone.png": 404, "/also.png": 404})
    article = make_article(
        body="\n\n".join(f"![]({server.url(name)})" for name in ("/kept.png", "/gone.png"))
    )
    other = make_article(body=f"![]({server.url('/also.png')})")
    with committed():
        archive.follow(article)
        archive.follow(other)
    run_tasks()
    form = f"/admin/articles/article/{article.pk}/change/"

    def button(page) -> tuple[str, str] | None:
        """The form's "fetch again" button: where it posts, what it says."""
        found = Page(page.content.decode()).find("form", class_="folio-fetch-again")
        return (found[0][0]["action"], found[0][1]) if found else None

    client.force_login(person("chief", None))
    action, text = button(client.get(form, **ZH))
    assert text == "重新抓取缺失的 1 张图片"
    client.force_login(person("author", "Author"))  # may not edit a published article,
    assert button(client.get(form, **ZH)) == (action, text)  # but may have it fetch again

    server.routes["/gone.png"] = picture(colour="red")
    with committed():
        answer = client.post(action, follow=True, **ZH)
    assert answer.redirect_chain == [(form, 302)]
    assert "将重新抓取 1 张图片" in answer.content.decode()
    assert tasks() == [RemoteImage.objects.get(url=server.url("/gone.png")).pk]  # not other's
    run_tasks()
    assert set(article.images.values_list("status", flat=True)) == {Status.ARCHIVED}
    assert button(client.get(form, **ZH)) is None  # nothing missing: no button
    assert client.get(action).status_code == 405
    client.logout()
    assert client.post(action).status_code == 302  # to the login page
    assert RemoteImage.objects.get(url=server.url("/also.png")).status == Status.FAILED


def test_archive_images_keeps_the_images_of_a_vault_imported_before(server, kept, settings):
    from tests.helpers import run_command

    server.routes.update({"/a.png": picture(), "/b.png": 404, "/c.png": picture(colour="red")})
    first = make_article(body=f"![]({server.url('/a.png')})\n\n![]({server.url('/b.png')})")
    make_article(body=f"![]({server.url('/c.png')})", slug="qi-ta")
    assert RemoteImage.objects.count() == 0  # made before Folio kept images
    status, out, err = run_command("archive_images", "--article", first.slug)
    assert (
        status == 0
        and out.strip() == "1 archived, 0 skipped (trackers), 1 failed, 0 to be tried again later"
    )
    assert err.strip() == f"{server.url('/b.png')}: gone: 404 from 127.0.0.1"
    server.routes["/b.png"] = picture(colour="blue")
    status, out, err = run_command("archive_images")
    assert out.strip().startswith("2 archived") and "1 failed" in out  # failures kept unless asked
    status, out, err = run_command("archive_images", "--retry-failed")
    assert out.strip().startswith("3 archived") and err == ""
    assert server.hits["/a.png"] == 1  # never twice
    assert run_command("archive_images", "--article", "no-such")[0] == 1


def test_export_with_images_writes_an_offline_vault_and_the_plain_export_stays_the_source(
    tmp_path, server, kept
):
    from tests.helpers import run_command

    png, gone = picture("PNG", (300, 200)), server.url("/gone.png")
    server.routes.update({"/a.png": png, "/gone.png": 404})
    source = note("有图", body=f"![]({server.url('/a.png')})\n\n![]({gone})")
    write(tmp_path / "vault" / "科技" / "有图.md", source)
    import_seeds(tmp_path / "vault")
    run_tasks()
    run_command("export_articles", tmp_path / "plain")
    assert (tmp_path / "plain" / "科技" / "有图.md").read_text(encoding="utf-8") == source
    assert run_command("export_articles", tmp_path / "offline", "--with-images")[0] == 0
    stored = StoredImage.objects.get()
    offline = (tmp_path / "offline" / "科技" / "有图.md").read_text(encoding="utf-8")
    name = stored.name.split("/")[1]
    assert offline == source.replace(server.url("/a.png"), f"../_images/{name}")
    assert f"]({gone})" in offline  # never archived: the original address kept
    assert (tmp_path / "offline" / "_images" / name).read_bytes() == png


@pytest.mark.django_db(transaction=True)
def test_a_page_keeps_the_place_of_its_archived_images_while_they_load(live_server, server, kept):
    """In Chromium at 390 and 1280 px: the copies come with their size, so nothing moves
    when they arrive (no layout shift), and a phone takes the WebP rendition."""
    from tests.test_browser import Reader, chromium

    for n in range(3):
        server.routes[f"/{n}.jpg"] = picture("JPEG", (1600, 900), colour=(n * 80, 40, 40))
    text = "这一段文字。" * 40
    body = "\n\n".join(f"{text}\n\n![]({server.url(f'/{n}.jpg')})" for n in range(3))
    article = make_article(body=body + "\n\n" + text)
    with committed():
        archive.follow(article)
    run_tasks()
    with chromium() as browser:
        for width, height in ((390, 844), (1280, 900)):
            reader = Reader(browser, viewport={"width": width, "height": height})
            page = reader.page
            page.add_init_script(
                "window.shifts = 0; new PerformanceObserver(list => list.getEntries()"
                ".forEach(e => { if (!e.hadRecentInput) window.shifts += e.value; }))"
                ".observe({type: 'layout-shift', buffered: true});"
            )
            page.route("**/images/**", lambda route: (time.sleep(0.3), route.continue_()))
            page.goto(live_server.url + article.get_absolute_url())
            reader.scroll_to_the_end()
            images = page.locator(".prose img")
            assert images.count() == 3
            for n in range(3):
                box = images.nth(n).bounding_box()
                assert abs(box["height"] - box["width"] * 900 / 1600) < 2  # the right shape
                assert images.nth(n).evaluate("img => img.naturalWidth") > 0
            assert page.evaluate("window.shifts") < 0.01
            chosen = images.first.evaluate("img => img.currentSrc")
            assert chosen.endswith("-720.webp") if width == 390 else chosen
            assert reader.errors == []


def test_a_host_gets_at_most_its_share_of_fetches_at_once(settings):
    """FOLIO_IMAGE_PER_HOST slots a host, shared through the cache: one more waits, and
    gives up (to be tried again later) if none frees in time; another host is not held."""
    settings.FOLIO_IMAGE_PER_HOST = 2
    with archive._host_slot("a.cn"), archive._host_slot("a.cn"):
        with pytest.raises(archive.fetch.FetchError) as error, archive._host_slot("a.cn", 0.2):
            pass
        assert (error.value.reason, error.value.retry) == ("busy", True)
        with archive._host_slot("b.cn"):
            pass
    with archive._host_slot("a.cn", wait=0.2):  # freed
        pass


def test_a_feed_asks_for_its_images_copies_once_whatever_its_length(client, server, kept):
    from tests.public import expire_pages, queries

    def articles(n):
        for k in range(n):
            server.routes[f"/{n}-{k}.png"] = picture(colour=(n * 40, k * 40, 0))
            article = make_article(body=f"![]({server.url(f'/{n}-{k}.png')})")
            with committed():
                archive.follow(article)
        run_tasks()
        expire_pages()

    articles(1)
    one = queries(client, "/rss/")
    articles(4)
    assert queries(client, "/rss/") == one
    assert client.get("/rss/").content.decode().count("http://testserver/images/") == 5
