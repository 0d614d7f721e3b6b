"""Notes sent over the API (`PUT /api/notes/`): imported by the importer's rules (identity,
duplicates, conflicts with an editor's work, dry runs), as the token's user, with the
admin's permissions; each write a revision by its user."""

import os
import time
from pathlib import Path

import pytest
from django.utils import timezone

from articles import notes, tokens, vault
from articles.exporter import export_articles
from articles.models import Article, Revision, SyncedFile
from tests.helpers import committed, import_seeds, note, write
from tests.newsroom import person, post_change
from tests.public import make_article
from tests.test_api_writing import bearer, made

pytestmark = pytest.mark.django_db
S = Article.Status
SEED = next(Path(__file__).resolve().parent.parent.joinpath("seeds").glob("*.txt"))
URL = "https://mp.weixin.qq.com/s/api-note"


def put(client, key: str | None, body: bytes | str, content_type="text/markdown", **query):
    data = body.encode() if isinstance(body, str) else body
    headers = bearer(key) if key else {}
    params = "&".join(f"{name}={value}" for name, value in query.items())
    with committed():  # as each request commits: pages made anew, images queued
        return client.put(
            f"/api/notes/{'?' + params if params else ''}",
            data,
            content_type=content_type,
            headers=headers,
        )


@pytest.fixture
def editor(client):
    return made(client, person("editor", "Editor"))


def test_a_note_sent_is_an_article_with_its_address_and_a_revision_by_its_sender(client, editor):
    sent = put(client, editor, SEED.read_bytes())
    assert sent.status_code == 201, sent.content
    answer = sent.json()
    article = Article.objects.get()
    assert answer["verdict"] == "created" and answer["slug"] == article.slug
    assert answer["url"] == f"http://testserver{article.get_absolute_url()}" == sent["Location"]
    assert answer["status"] == "published" and answer["dry_run"] is False
    assert client.get(article.get_absolute_url()).status_code == 200  # public at once
    assert client.get(f"/api/articles/{article.slug}/").json()["title"] == article.title
    [revision] = Revision.objects.filter(article=article)
    assert revision.user.username == "editor" and article.source_path in revision.comment
    assert article.source_path == f"{article.slug}.md"  # where its export will go
    again = put(client, editor, SEED.read_bytes())
    assert again.status_code == 200 and again.json()["verdict"] == "unchanged"
    assert Article.objects.count() == 1 and Revision.objects.count() == 1


def test_a_changed_note_updates_its_article_and_comes_back_from_an_export_as_sent(
    client, editor, tmp_path
):
    # CRLF and a BOM, as a Windows clipper writes: read as a file's are, and the export
    # gives the note back as its file's would be (BOM and CRLF normalised).
    body = ("\ufeff" + note("剪藏", url=URL, body="第一版。")).replace("\n", "\r\n").encode()
    assert put(client, editor, body, path="剪藏/文章.md").status_code == 201
    changed = body.replace("第一版".encode(), "第二版".encode())
    sent = put(client, editor, changed, path="剪藏/文章.md")
    assert sent.status_code == 200 and sent.json()["verdict"] == "updated"
    article = Article.objects.get()
    assert "第二版" in article.body and article.revisions.count() == 2
    assert article.revisions.first().user.username == "editor"
    export_articles(tmp_path)
    exported = (tmp_path / "剪藏" / "文章.md").read_text(encoding="utf-8")
    assert exported == vault.decode(changed, path="sent")


def test_an_editors_change_is_not_overwritten_unless_forced(client, editor):
    assert put(client, editor, note("剪藏", url=URL, body="原文。")).status_code == 201
    article = Article.objects.get()
    other = person("copyeditor", "Editor")
    client.force_login(other)
    assert post_change(client, article, title="编辑改过的标题").status_code == 302
    client.logout()
    newer = note("剪藏", url=URL, body="新剪的正文。")
    refused = put(client, editor, newer)
    assert refused.status_code == 409, refused.content
    assert refused["Content-Type"] == "application/problem+json"
    problem = refused.json()
    assert problem["verdict"] == "conflict" and "force=true" in problem["detail"]
    assert set(problem["differs"]) == {"title", "body"}  # what sending it would change
    [edit] = problem["edits"]  # what was done in Folio since the note came
    assert edit["by"] == "copyeditor" and edit["changed"] == ["title"]
    assert problem["url"].endswith(article.get_absolute_url())
    article.refresh_from_db()
    assert article.title == "编辑改过的标题" and "原文" in article.body  # nothing lost
    forced = put(client, editor, newer, force="true")
    assert forced.status_code == 200 and forced.json()["verdict"] == "updated"
    article.refresh_from_db()
    assert article.title == "剪藏" and "新剪的正文" in article.body


def test_a_note_of_an_article_another_file_stands_for_is_a_duplicate(client, editor):
    key = editor
    status, _, _ = import_seeds(SEED)
    assert status == 0
    article = Article.objects.get()
    changed = SEED.read_text(encoding="utf-8").replace("生命卡兹克", "生命")
    refused = put(client, key, changed, path="elsewhere/a.md")
    assert refused.status_code == 409 and refused.json()["verdict"] == "duplicate"
    assert SEED.name in refused.json()["detail"]  # the file that stands for it
    assert refused.json()["url"].endswith(article.get_absolute_url())
    # Without a path, the note is its article's own: the vault's file stands for it, and
    # the note sent changed where the file did not: an update.
    sent = put(client, key, changed)
    assert sent.status_code == 200 and sent.json()["verdict"] == "updated"
    assert SyncedFile.objects.filter(article=article).count() == 2  # the file's, the API's
    assert Article.objects.get().author.name == "数字生命"


def test_a_dry_run_says_what_would_happen_and_writes_nothing(client, editor):
    tried = put(client, editor, note("剪藏", url=URL), dry_run="true")
    assert tried.status_code == 200 and tried.json()["verdict"] == "created"
    assert tried.json()["dry_run"] is True and tried.json()["url"] is None
    assert not Article.objects.exists() and not SyncedFile.objects.exists()
    assert put(client, editor, note("剪藏", url=URL)).status_code == 201
    article = Article.objects.get()
    tried = put(client, editor, note("剪藏", url=URL, body="改了。"), dry_run="true")
    assert tried.json()["verdict"] == "updated" and tried.json()["slug"] == article.slug
    assert "改了" not in Article.objects.get().body and article.revisions.count() == 1


def test_an_authors_token_sends_drafts_and_reviews_but_never_publishes(client, editor):
    author = made(client, person("author", "Author"))
    published = put(client, author, note("作者的剪藏", url=URL))
    assert published.status_code == 403, published.content
    assert "status: review" in published.json()["detail"]  # how to send it
    assert not Article.objects.exists()
    draft = note("作者的剪藏", url=URL, extra="status: review\n")
    assert put(client, author, draft).status_code == 201
    article = Article.objects.get()
    assert article.status == S.REVIEW and article.revisions.get().user.username == "author"
    again = note("作者的剪藏", url=URL, extra="status: review\n", body="改过。")
    assert put(client, author, again).status_code == 200  # their own, in review
    publishing = note("作者的剪藏", url=URL, body="改过。")
    assert put(client, author, publishing).status_code == 403
    assert put(client, editor, publishing).json()["verdict"] == "updated"  # an editor may
    assert Article.objects.get().status == S.PUBLISHED
    once_more = note("作者的剪藏", url=URL, extra="status: draft\n", body="再改。")
    refused = put(client, author, once_more)  # published: only editors change it
    assert refused.status_code == 403 and "只有编辑" in refused.json()["detail"]
    assert "再改" not in Article.objects.get().body


def test_a_draft_sent_is_never_shown_to_anonymous_clients(client, editor):
    sent = put(client, editor, note("草稿剪藏", url=URL, extra="draft: true\n"))
    assert sent.status_code == 201 and sent.json()["status"] == "draft"
    slug = sent.json()["slug"]
    assert client.get(f"/api/articles/{slug}/").status_code == 404
    assert client.get("/api/articles/").json()["results"] == []
    assert client.get(f"/articles/{slug}/").status_code == 404


def test_a_note_without_a_url_is_known_by_its_path(client, editor):
    missing = put(client, editor, note("无链接"))
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["parameter"] == "path"
    assert put(client, editor, note("无链接"), path="笔记/无链接.md").status_code == 201
    sent = put(client, editor, note("无链接", body="第二版。"), path="笔记/无链接.md")
    assert sent.json()["verdict"] == "updated" and Article.objects.count() == 1
    other = put(client, editor, note("无链接"), path="笔记/另一个.md")
    assert other.json()["verdict"] == "created" and Article.objects.count() == 2


@pytest.mark.parametrize(
    "path",
    ["../up.md", "/etc/passwd.md", "a//b.md", "a/./b.md", "note.exe", ".hidden/a.md", "a\0.md"],
)
def test_a_path_outside_the_vault_or_not_a_note_is_refused(client, editor, path):
    refused = put(client, editor, note("剪藏", url=URL), path=path.replace("\0", "%00"))
    assert refused.status_code == 400, refused.content
    assert refused.json()["errors"][0]["parameter"] == "path"
    assert not Article.objects.exists()


def test_a_bad_note_is_refused_naming_its_line(client, editor):
    broken = put(client, editor, '---\ntitle: "坏的\n---\n\n正文\n', path="坏/笔记.md")
    assert broken.status_code == 400, broken.content
    problem = broken.json()
    assert problem["verdict"] == "failed" and problem["detail"].startswith("坏/笔记.md:")
    empty = put(client, editor, b" \n", path="空.md")
    assert empty.status_code == 400 and "空.md" in empty.json()["detail"]
    assert not Article.objects.exists()


def test_only_markdown_within_the_size_limit_is_taken(client, editor, settings):
    wrong = put(client, editor, '{"title": "x"}', content_type="application/json")
    assert wrong.status_code == 415 and "text/markdown" in wrong.json()["detail"]
    plain = put(client, editor, note("纯文本", url=URL), content_type="text/plain; charset=utf-8")
    assert plain.status_code == 201  # what curl --data-binary and many clippers send
    settings.FOLIO_MAX_NOTE_BYTES = 1000
    big = put(client, editor, note("大", url=URL + "2", body="字" * 1000))
    assert big.status_code == 413 and "1,000" in big.json()["detail"]
    assert Article.objects.count() == 1


def test_sending_notes_needs_a_token_and_permission_to_add_articles(client, editor):
    assert put(client, None, note("剪藏", url=URL)).status_code == 401
    nobody = person("nobody", "Author")
    nobody.groups.clear()  # staff, with no role: may not add articles
    _, key = tokens.make(user=nobody, name="没有角色")
    refused = put(client, key, note("剪藏", url=URL, extra="draft: true\n"))
    assert refused.status_code == 403
    assert client.get("/api/notes/").status_code == 405
    assert "PUT" in client.get("/api/notes/")["Allow"]
    assert not Article.objects.exists()


def test_notes_count_against_the_tokens_rate(client, editor, settings):
    settings.FOLIO_API_WRITE_RATE = "1/m"
    assert put(client, editor, note("剪藏", url=URL)).status_code == 201
    assert put(client, editor, note("剪藏", url=URL)).status_code == 429


def test_a_note_without_a_date_keeps_its_articles_or_is_dated_when_it_came(client, editor):
    undated = note("无日期", url=URL).replace("发布日期: 2024-05-14\n", "")
    before = timezone.now().replace(microsecond=0)
    assert put(client, editor, undated).status_code == 201
    dated = Article.objects.get().published_at
    assert dated >= before
    assert put(client, editor, undated.replace("正文。", "新正文。")).status_code == 200
    assert Article.objects.get().published_at == dated


def test_a_file_imported_after_a_note_was_sent_keeps_what_the_note_changed(
    client, editor, tmp_path
):
    vault = tmp_path / "vault"
    write(vault / "剪藏.md", note("剪藏", url=URL, body="文件里的。"))
    assert import_seeds(vault)[0] == 0
    sent = put(client, editor, note("剪藏", url=URL, body="API 发来的。"), path="剪藏.md")
    assert sent.json()["verdict"] == "updated"
    status, _, _ = import_seeds(vault)  # the file is as it was: the note's change stays
    assert status == 0 and "API 发来的" in Article.objects.get().body


def test_a_date_outside_what_databases_hold_is_refused_naming_its_line(client, editor, tmp_path):
    # 0001-01-01 in Shanghai is before year 1 in UTC: saved, it broke every list.
    ancient = note("远古", url=URL).replace("2024-05-14", "0001-01-01")
    refused = put(client, editor, ancient, path="远古.md")
    assert refused.status_code == 400 and refused.json()["detail"].startswith("远古.md:3:")
    assert not Article.objects.exists()
    write(tmp_path / "远古.md", ancient)
    _, _, err = import_seeds(tmp_path)
    assert "远古.md:3:" in "\n".join(err) and not Article.objects.exists()
    assert client.get("/api/articles/").status_code == 200


def test_a_note_in_step_with_an_article_its_sender_may_not_edit_changes_nothing(client, editor):
    sent = put(client, editor, note("剪藏", url=URL))
    article = Article.objects.get(slug=sent.json()["slug"])
    client.force_login(person("copyeditor", "Editor"))
    assert post_change(client, article, title="编辑改过的标题").status_code == 302
    client.logout()
    assert put(client, editor, note("剪藏", url=URL, body="新的。")).status_code == 409
    author = made(client, person("author", "Author"))
    article.refresh_from_db()
    its_export = notes.note_text(article)  # published: not the Author's to change
    assert put(client, author, its_export).json()["verdict"] == "unchanged"
    # The Author's send did not make the edited article the note's new base.
    assert put(client, editor, note("剪藏", url=URL, body="新的。")).status_code == 409
    assert Article.objects.get().title == "编辑改过的标题"


def test_without_a_role_nothing_is_said_of_the_archive(client, editor):
    put(client, editor, note("草稿", url=URL, extra="draft: true\n"))
    client.force_login(person("copyeditor", "Editor"))  # edited since: a conflict
    assert post_change(client, Article.objects.get(), title="改过").status_code == 302
    client.logout()
    nobody = person("nobody", "Author")
    nobody.groups.clear()
    _, key = tokens.make(user=nobody, name="没有角色")
    refused = put(client, key, note("猜标题", url=URL), dry_run="true")
    assert refused.status_code == 403 and "url" not in refused.json()


def test_an_undated_note_keeps_the_date_of_the_article_a_file_made(client, editor, tmp_path):
    undated = note("剪藏", url=URL).replace("发布日期: 2024-05-14\n", "")
    os.utime(write(tmp_path / "剪藏.md", undated), (time.time() - 400 * 86400,) * 2)
    assert import_seeds(tmp_path)[0] == 0
    dated = Article.objects.get().published_at
    sent = put(client, editor, undated.replace("正文。", "新正文。"))
    assert sent.json()["verdict"] == "updated" and Article.objects.get().published_at == dated


def test_a_conflict_lists_the_edits_since_the_note_came_even_after_an_export(
    client, editor, tmp_path
):
    undated = note("剪藏", url=URL).replace("发布日期: 2024-05-14\n", "")
    assert put(client, editor, undated).status_code == 201
    client.force_login(person("copyeditor", "Editor"))
    assert post_change(client, Article.objects.get(), title="改过").status_code == 302
    export_articles(tmp_path)  # an agreement with the export, made after the edit
    refused = put(client, editor, undated.replace("正文。", "新正文。"))
    assert refused.status_code == 409
    assert refused.json()["differs"] == ["title", "body"]  # not the date it keeps
    assert [edit["by"] for edit in refused.json()["edits"]] == ["copyeditor"]


def test_the_export_of_an_article_written_in_folio_is_that_article(client, editor):
    article = make_article("写在Folio里")
    sent = put(client, editor, notes.note_text(article), path=f"{article.slug}.md")
    assert sent.status_code == 200 and sent.json()["slug"] == article.slug
    assert Article.objects.count() == 1


def test_a_note_sent_without_a_path_moves_when_its_path_comes(client, editor):
    assert put(client, editor, note("剪藏", url=URL)).status_code == 201
    moved = put(client, editor, note("剪藏", url=URL), path="剪藏/真正的位置.md")
    assert moved.status_code == 200, moved.content  # no file of the vault stood for it
    assert Article.objects.get().source_path == "剪藏/真正的位置.md"


def test_a_file_import_after_a_note_was_sent_sees_the_vaults_own_files(client, editor, tmp_path):
    sent = note("无链接", body="发来的。")
    assert put(client, editor, sent, path="A.md").status_code == 201
    write(tmp_path / "A.md", note("无链接", body="改过的。"))
    write(tmp_path / "B.md", sent)  # a copy; A.md is still there
    status, out, _ = import_seeds(tmp_path)
    assert status == 0 and "1 created, 1 updated" in "\n".join(out)


def test_a_dry_run_answers_with_the_article_as_it_would_be(client, editor):
    assert put(client, editor, note("剪藏", url=URL, extra="draft: true\n")).status_code == 201
    tried = put(client, editor, note("剪藏", url=URL), dry_run="true")
    assert tried.json()["verdict"] == "updated" and tried.json()["status"] == "published"
    assert Article.objects.get().status == S.DRAFT


def test_a_path_an_export_could_not_write_is_refused(client, editor):
    long = put(client, editor, note("长", url=URL), path="长" * 90 + ".md")
    assert long.status_code == 400 and long.json()["errors"][0]["parameter"] == "path"
    assert put(client, editor, note("甲", url=URL), path="a.md").status_code == 201
    inside = put(client, editor, note("乙", url=URL + "2"), path="a.md/b.md")
    assert inside.status_code == 400 and "a.md" in inside.json()["detail"]


def test_a_content_length_that_is_no_number_is_a_bad_request(client, editor):
    with committed():
        answer = client.put(
            "/api/notes/",
            note("剪藏", url=URL).encode(),
            content_type="text/markdown",
            headers=bearer(editor),
            CONTENT_LENGTH="abc",
        )
    assert answer.status_code == 400


def test_a_note_is_sent_from_the_docs_with_a_token(live_server, client):
    """Swagger UI at /api/docs takes a token (Authorize) and sends a note with it."""
    from tests.test_browser import Reader, chromium

    _, key = tokens.make(user=person("editor", "Editor"), name="docs")
    with chromium() as browser:
        reader = Reader(browser, viewport={"width": 1280, "height": 900})
        page = reader.page
        page.goto(live_server.url + "/api/docs")
        page.get_by_role("button", name="Authorize").first.click()
        page.locator(".auth-container input").fill(key)
        page.locator(".auth-btn-wrapper button.authorize").click()
        page.locator(".btn-done").click()
        operation = page.locator("#operations-writing-articles_api_writing_note")
        operation.locator("button.opblock-summary-control").click()
        operation.get_by_role("button", name="Try it out").click()
        operation.locator("textarea.body-param__text").fill(note("从文档发来", url=URL))
        operation.get_by_role("button", name="Execute").click()
        status = operation.locator(".live-responses-table tbody .response-col_status")
        status.first.wait_for()
        assert status.first.inner_text().strip() == "201"
        if shots := os.environ.get("FOLIO_SCREENSHOTS"):
            page.screenshot(path=f"{shots}/api-docs-put-1280.png", full_page=False)
        assert reader.errors == []
    assert Article.objects.get().title == "从文档发来"
    assert Article.objects.get().revisions.get().user.username == "editor"


def test_a_path_a_note_moved_away_from_is_free_again(client, editor):
    assert put(client, editor, note("甲", url=URL), path="old.md/n.md").status_code == 201
    assert put(client, editor, note("甲", url=URL), path="new.md").status_code == 200
    assert put(client, editor, note("乙", url=URL + "2"), path="old.md").status_code == 201
