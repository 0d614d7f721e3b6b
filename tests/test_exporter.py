"""`export_articles`: the vault given back, losing nothing."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from articles import vault
from articles.models import Article, SummaryItem
from tests.conftest import SEED
from tests.helpers import import_seeds, note, run_command, write
from tests.newsroom import person, post_change

pytestmark = pytest.mark.django_db


def export(directory):
    status, out, err = run_command("export_articles", directory)
    assert (status, err) == (0, "")
    return out


def readable_notes(folder):
    return {
        path.relative_to(folder).as_posix(): path
        for path in folder.rglob("*")
        if path.suffix in {".md", ".txt"}
        and "broken" not in path.parts
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    }


def test_export_gives_back_every_unedited_note(corpus, tmp_path):
    import_seeds(corpus)
    out = export(tmp_path / "export")
    sources = readable_notes(corpus)
    assert out == f"{len(sources)} articles written to {tmp_path / 'export'}\n"
    exported = readable_notes(tmp_path / "export")
    assert exported.keys() == sources.keys()
    for name, source in sources.items():
        expected = vault.decode(source.read_bytes(), path=name)  # BOM and CRLF normalised
        assert exported[name].read_text(encoding="utf-8") == expected, name


def test_export_of_the_seed_is_the_seed(tmp_path):
    import_seeds()
    export(tmp_path)
    assert (tmp_path / SEED.name).read_bytes() == SEED.read_bytes()


def test_importing_an_export_creates_nothing(corpus, tmp_path):
    import_seeds(corpus)
    export(tmp_path / "export")
    status, out, _ = import_seeds(tmp_path / "export")
    assert (status, out[-1]) == (0, "0 created, 0 updated, 10 unchanged, 0 conflicts, 0 failed")
    assert Article.objects.count() == 10


def test_export_carries_the_editors_work_and_reimports_cleanly(corpus, tmp_path):
    import_seeds(corpus)
    article = Article.objects.get(source_path="2024/05/000_92e8f43f664c5b24.txt")
    article.title = "编辑后的标题"
    article.save()
    article.tags.add("语音")
    SummaryItem.objects.filter(article=article, kind="risk").update(text="编辑改写的风险。")
    export(tmp_path / "export")
    text = (tmp_path / "export" / article.source_path).read_text()
    assert text.splitlines()[1] == 'title: "编辑后的标题"'
    assert "*   **服务器稳定性**：编辑改写的风险。\n" in text
    # tags in the order they were added: the file's, then the editor's
    assert text.split("## 关联主题\n\n")[1].splitlines() == [
        "- [[00-元语/数字生命卡兹克]]",
        "- [[00-元语/AI]]",
        "- [[00-元语/llm]]",
        "- [[语音]]",
    ]
    # the export is the article as it is now: importing it is a no-op, and it is in sync
    assert import_seeds(tmp_path / "export")[1][-1].startswith("0 created, 0 updated, 10 unchanged")
    again = tmp_path / "export" / article.source_path
    again.write_text(text.replace("今天，OpenAI", "今天，OpenAI公司", 1))
    assert import_seeds(tmp_path / "export")[1][-1].startswith("0 created, 1 updated")


def test_article_written_in_the_admin_exports_in_the_vaults_shape(tmp_path):
    article = Article.objects.create(
        title="后台新写的文章", body="正文", summary="一句话。", status=Article.Status.PUBLISHED
    )
    export(tmp_path)
    text = (tmp_path / f"{article.slug}.md").read_text()
    assert text.startswith('---\ntitle: "后台新写的文章"\n发布日期: ')
    assert "## 摘要\n\n**1) 一句话总结**\n一句话。\n\n## 正文\n\n正文\n" in text
    # importing the export adopts the article rather than copying it
    assert import_seeds(tmp_path)[1][-1].startswith("0 created, 0 updated, 1 unchanged")
    article.refresh_from_db()
    assert article.source_path == f"{article.slug}.md"
    assert Article.objects.count() == 1


def test_export_never_writes_through_a_link(corpus, tmp_path):
    import_seeds(corpus)
    target = tmp_path / "export"
    outside, elsewhere = tmp_path / "outside.txt", tmp_path / "elsewhere"
    outside.write_text("do not touch")
    elsewhere.mkdir()
    (target / "english").mkdir(parents=True)
    (target / "english" / "english-keys.md").symlink_to(outside)  # a note's place
    (target / "2024").symlink_to(elsewhere)  # a folder on the way
    status, out, err = run_command("export_articles", target)
    assert status == 1
    assert outside.read_text() == "do not touch" and list(elsewhere.iterdir()) == []
    assert err.splitlines() == [
        f"{target / '2024/05/000_92e8f43f664c5b24.txt'}: '2024' on the way is a link or a "
        "file, not written",
        f"{target / '2024/05/aliases-and-case.md'}: '2024' on the way is a link or a file, "
        "not written",
        f"{target / 'english/english-keys.md'}: the note's place is taken by a link, not written",
        "3 article(s) not written",
    ]
    assert out == f"7 articles written to {target}\n"
    assert (target / "hostile.md").is_file()


def test_a_drafts_export_imports_as_a_draft(tmp_path):
    """Before, a draft whose other front matter held `status: published` exported as
    `draft: true` then `status: published`, and came back published."""
    article = Article.objects.create(
        title="草稿", body="正文", status=Article.Status.DRAFT, extra={"status": "published"}
    )
    export(tmp_path)
    text = (tmp_path / f"{article.slug}.md").read_text()
    assert "draft: true" in text and "published" not in text
    Article.objects.all().delete()
    import_seeds(tmp_path)
    assert Article.objects.get().status == Article.Status.DRAFT


def test_export_never_overwrites_a_file_changed_since_it_was_agreed(corpus, tmp_path):
    """Exporting into the vault writes back what Folio changed, but not over a file edited
    since its last import (its edit would be lost), nor over one Folio never saw."""
    import_seeds(corpus)
    edited = corpus / "2024/05/aliases-and-case.md"
    edited.write_text(edited.read_text() + "\n文件里的新段落。\n")
    stranger = tmp_path / "other"
    stranger.mkdir()
    (stranger / "hostile.md").write_text("别人的文件")
    status, _, err = run_command("export_articles", corpus)
    assert status == 1
    assert "文件里的新段落" in edited.read_text()
    assert err.splitlines()[0] == (
        f"{edited}: changed since it was last imported or exported; import it first, or "
        "move it away"
    )
    status, _, err = run_command("export_articles", stranger)
    assert status == 1 and (stranger / "hostile.md").read_text() == "别人的文件"
    assert f"{stranger / 'hostile.md'}: a file Folio did not write is in the way; move it " in err


def test_export_where_the_disk_says_no_fails_each_file_and_says_why(tmp_path):
    import_seeds()
    (tmp_path / "a-file").write_text("不是文件夹")
    status, out, err = run_command("export_articles", tmp_path / "a-file")
    assert status == 1 and out == f"0 articles written to {tmp_path / 'a-file'}\n"
    assert err.splitlines()[0].startswith(f"{tmp_path / 'a-file'}: cannot write here (")


def test_a_body_with_a_related_topics_section_of_its_own_comes_back_whole(tmp_path):
    """Found by `make fuzz`: the last 关联主题 (相关主题) section of a note lists its tags, so
    a body holding one, in an article with no tags, came back cut short at it, its items
    made tags. Folio now closes such a body with an empty section of its own."""
    body = "正文。\n\n## 相关主题\n\n- 另一篇文章\n\n后文。"
    article = Article.objects.create(title="正文里的相关主题", body=body)
    export(tmp_path)
    assert (tmp_path / f"{article.slug}.md").read_text().endswith("\n\n## 关联主题\n")
    Article.objects.all().delete()
    assert import_seeds(tmp_path)[1][-1].startswith("1 created, 0 updated")
    again = Article.objects.get()
    assert (again.body, list(again.tags.names())) == (body, [])
    again.tags.add("话题")  # with a tag, the section that lists it closes the body
    export(tmp_path / "tagged")
    text = (tmp_path / "tagged" / f"{again.slug}.md").read_text()
    assert text.endswith(f"\n\n{body}\n\n## 关联主题\n\n- [[话题]]\n")


def test_a_note_ending_in_an_empty_heading_comes_back_as_it_was(tmp_path):
    """Found by `make fuzz`: a body that is only `## ` (an empty heading, its space outside
    the body) after the 摘要 was taken for text the summary would swallow, and exported
    under a `## 正文` of Folio's."""
    text = '---\ntitle: "空标题"\n---\n\n## 摘要\n\n一句话。\n\n## '
    (tmp_path / "vault").mkdir()
    (tmp_path / "vault" / "note.md").write_text(text)
    assert import_seeds(tmp_path / "vault")[1][-1].startswith("1 created")
    export(tmp_path / "export")
    assert (tmp_path / "export" / "note.md").read_text() == text


def test_a_date_before_the_year_1000_exports_as_a_date_that_reads(tmp_path):
    """Found by `make fuzz`: a date with a time was written with strftime, whose `%Y` gives
    the year 224 (a typo for 2024 in a clipped note, say) as `224`, which no import reads:
    the export of such an article failed to import."""
    shanghai = ZoneInfo("Asia/Shanghai")
    article = Article.objects.create(
        title="公元二二四年", body="正文", published_at=datetime(224, 5, 18, 8, 5, tzinfo=shanghai)
    )
    export(tmp_path)
    assert "\n发布日期: 0224-05-18 08:05\n" in (tmp_path / f"{article.slug}.md").read_text()
    assert import_seeds(tmp_path)[1][-1].startswith("0 created, 0 updated, 1 unchanged")


# --- tags added in Folio follow the vault's folder of topic notes --------------------------


@pytest.fixture
def editor(client):
    client.force_login(person("editor", "Editor"))
    return client


def _tags_section(path):
    return path.read_text().split("## 关联主题\n\n")[1].splitlines()


def _add_tag_in_the_admin(editor, title, name):
    article = Article.objects.get(title=title)
    tags = [tag.name for tag in article.tags.order_by("tagged_articles__pk")]
    assert post_change(editor, article, tags=[*tags, name]).status_code == 302
    return article


BARE = note("无前缀的文章").replace("[[00-元语/AI]]", "[[LLM]]")


def _tags_after_adding(editor, tmp_path, notes: dict[str, str], title: str) -> list[str]:
    """The 关联主题 lines of `title`'s exported note, once 多模态 is added to it in the
    admin, in a vault of `notes` (file name -> text)."""
    for name, text in notes.items():
        write(tmp_path / "vault" / name, text)
    import_seeds(tmp_path / "vault")
    article = _add_tag_in_the_admin(editor, title, "多模态")
    export(tmp_path / "export")
    return _tags_section(tmp_path / "export" / article.source_path)


def test_a_tag_added_in_the_admin_goes_in_the_folder_of_the_articles_own_tags(editor, tmp_path):
    notes = {"a.md": note("有前缀的文章")}
    assert _tags_after_adding(editor, tmp_path, notes, "有前缀的文章") == [
        "- [[00-元语/AI]]",
        "- [[00-元语/多模态]]",
    ]
    # the export is the article as it is now: importing it changes nothing
    assert import_seeds(tmp_path / "export")[1][-1].startswith("0 created, 0 updated, 1 unchanged")


def test_a_tag_added_to_an_article_with_no_folder_goes_in_the_vaults(editor, tmp_path):
    notes = {"a.md": note("有前缀的文章"), "b.md": BARE}
    # the article's own bare link stays as the vault wrote it
    assert _tags_after_adding(editor, tmp_path, notes, "无前缀的文章") == [
        "- [[LLM]]",
        "- [[00-元语/多模态]]",
    ]


def test_a_tag_added_where_no_tag_has_a_folder_is_a_plain_link(editor, tmp_path):
    notes = {"b.md": BARE}
    assert _tags_after_adding(editor, tmp_path, notes, "无前缀的文章") == [
        "- [[LLM]]",
        "- [[多模态]]",
    ]


def test_a_tags_folder_is_decided_once_when_it_is_made(editor, tmp_path):
    """One path a tag, whatever the article or the vault becomes: decided at export, the
    same tag went into each article's folder, and a note changed with the vault's counts
    (a conflict with no edit)."""
    write(tmp_path / "vault" / "a.md", note("有前缀的文章"))
    other = note("另一个文件夹的文章").replace("[[00-元语/AI]]", "[[主题/语音]]\n- [[主题/AI]]")
    write(tmp_path / "vault" / "b.md", other)
    import_seeds(tmp_path / "vault")
    first = _add_tag_in_the_admin(editor, "有前缀的文章", "多模态")
    export(tmp_path / "export")
    before = (tmp_path / "export" / first.source_path).read_text()
    second = _add_tag_in_the_admin(editor, "另一个文件夹的文章", "多模态")
    for n in range(3):  # the vault's folder of most links becomes 主题
        write(tmp_path / "more" / f"{n}.md", other.replace("另一个文件夹的文章", f"更多{n}"))
    import_seeds(tmp_path / "more")
    export(tmp_path / "export")
    assert (tmp_path / "export" / first.source_path).read_text() == before
    assert "- [[00-元语/多模态]]" in _tags_section(tmp_path / "export" / second.source_path)
