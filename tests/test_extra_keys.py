"""The front-matter keys Folio has no field for, edited in the admin as rows of a key and a
value: shown as the note has them, saved as typed, exported losing nothing."""

import json

import pytest
from django.contrib.admin.models import LogEntry

from articles.models import Article
from tests.helpers import import_seeds, note, run_command, write
from tests.newsroom import change_form, person, post_change
from tests.public import Page

pytestmark = pytest.mark.django_db

OTHER_KEYS = (
    "aliases: [语音交互, GPT-4o]\n"
    "rating: 5\n"
    "featured: true\n"
    "score: 4.5\n"
    "created: 2024-05-16T09:00:00+08:00\n"
    '备注: "原样保留"\n'
    "meta: {lang: zh, pages: [1, 2]}\n"
    "empty:\n"
)
KEYS = ["aliases", "rating", "featured", "score", "created", "备注", "meta", "empty"]
SHOWN = ["[语音交互, GPT-4o]", "5", "true", "4.5", "2024-05-16T09:00:00+08:00", "原样保留"]
SHOWN += ["{lang: zh, pages: [1, 2]}", ""]
IMPORTED = {
    "aliases": ["语音交互", "GPT-4o"],
    "rating": 5,
    "featured": True,
    "score": 4.5,
    "created": "2024-05-16T09:00:00+08:00",
    "备注": "原样保留",
    "meta": {"lang": "zh", "pages": [1, 2]},
    "empty": None,
}


@pytest.fixture
def editor(client):
    client.force_login(person("editor", "Editor"))
    return client


@pytest.fixture
def article(tmp_path):
    write(tmp_path / "vault" / "a.md", note("有其他键的文章", extra=OTHER_KEYS))
    assert import_seeds(tmp_path / "vault")[0] == 0
    return Article.objects.get()


def exported(article, tmp_path) -> str:
    status, _, err = run_command("export_articles", tmp_path / "export")
    assert (status, err) == (0, "")
    return (tmp_path / "export" / article.source_path).read_text(encoding="utf-8")


def typed(value) -> str:
    """The value as JSON: 1 and true, 4.5 and "4.5" told apart (keys sorted: PostgreSQL's
    jsonb keeps an order of its own)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def rows(data, **changes) -> dict[str, list[str]]:
    """`data` with the rows of other keys replaced by `changes` (key -> value text), in
    the order given, and one empty row."""
    return {**data, "extra-key": [*changes, ""], "extra-value": [*changes.values(), ""]}


def errors(response) -> str:
    page = Page(response.content.decode())
    return " ".join(page.texts("ul", class_="errorlist") + page.texts("p", class_="errornote"))


def post_rows(client, article, data):
    return post_change(client, article, **{k: data[k] for k in ("extra-key", "extra-value")})


def test_the_form_shows_a_row_for_each_other_key_in_the_notes_order(editor, article):
    data = change_form(editor, article)
    assert data["extra-key"] == [*KEYS, "", "", ""]  # and three empty rows, to add keys
    assert data["extra-value"] == [*SHOWN, "", "", ""]
    assert "extra" not in data  # no JSON to type
    page = Page(editor.get(f"/admin/articles/article/{article.pk}/change/").content.decode())
    boxes = page.find("input", name="extra-key") + page.find("textarea", name="extra-value")
    labels = [attrs.get("aria-label") or "" for attrs, _ in boxes]
    # each box named with its row's number ("键 1", "值 1"), keys and values told apart
    numbers = [label.rsplit(" ", 1)[-1] for label in labels]
    assert numbers == [str(n) for n in range(1, 12)] * 2, labels
    assert len(set(labels)) == 22


def test_an_imported_note_saved_unchanged_exports_byte_for_byte(editor, article, tmp_path):
    before = exported(article, tmp_path)
    assert OTHER_KEYS in before
    assert post_change(editor, article).status_code == 302
    article.refresh_from_db()
    assert typed(article.extra) == typed(IMPORTED)  # 5 still 5, true still true, null null
    logged = LogEntry.objects.latest("action_time").get_change_message()
    assert "其他" not in logged and "other" not in logged  # the rows are not a change
    assert exported(article, tmp_path) == before


def test_a_value_edited_a_key_added_and_a_key_removed_are_saved_and_exported(
    editor, article, tmp_path
):
    before = exported(article, tmp_path)
    changed = dict(zip(KEYS, SHOWN, strict=True))
    changed["备注"] = "改过的备注"
    del changed["rating"]
    changed["新键"] = "新的值"
    response = post_rows(editor, article, rows(change_form(editor, article), **changed))
    assert response.status_code == 302, errors(response)
    article.refresh_from_db()
    expected = {k: v for k, v in IMPORTED.items() if k != "rating"}
    expected |= {"备注": "改过的备注", "新键": "新的值"}
    assert typed(article.extra) == typed(expected)
    text = exported(article, tmp_path)
    assert '备注: "改过的备注"\n' in text and '新键: "新的值"\n' in text
    assert "rating:" in before and "rating:" not in text
    # the keys left as they were are written as the note had them
    unchanged = OTHER_KEYS.replace("rating: 5\n", "").replace('备注: "原样保留"\n', "")
    lines = unchanged.splitlines(keepends=True)
    assert [line for line in text.splitlines(keepends=True) if line in lines] == lines
    # and the export reads back as the article is
    assert import_seeds(tmp_path / "export")[1][-1].startswith("0 created, 0 updated, 1 unchanged")


@pytest.mark.parametrize(
    ("key", "text", "value"),
    [
        ("rating", "6", 6),  # a number typed as a number stays a number
        ("rating", "六", "六"),  # one that is no longer a number is text
        ("featured", "false", False),
        ("featured", "maybe", "maybe"),
        ("score", "4.75", 4.75),
        ("备注", "42", "42"),  # text stays text, however it looks
        ("备注", "[a, b]", "[a, b]"),
        ("aliases", "[语音, 视频]", ["语音", "视频"]),  # lists and mappings are YAML
        ("meta", "{lang: en}", {"lang": "en"}),
        ("empty", "7", 7),
        ("created", "2024-06-01", "2024-06-01"),
    ],
)
def test_an_edited_value_keeps_its_type_while_its_text_reads_as_it(
    editor, article, key, text, value
):
    data = change_form(editor, article)
    data["extra-value"][KEYS.index(key)] = text
    response = post_rows(editor, article, data)
    assert response.status_code == 302, errors(response)
    article.refresh_from_db()
    assert typed(article.extra) == typed({**IMPORTED, key: value})


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("42", 42),
        ("true", True),
        ("1.5", 1.5),
        ('"42"', "42"),  # quoted: text
        ("[1, 二]", [1, "二"]),
        ("{a: 1}", {"a": 1}),
        ("a: b # 不是注释", "a: b # 不是注释"),  # anything else is text as typed
        ("多行\n文字", "多行\n文字"),
    ],
)
def test_a_new_keys_value_is_a_number_true_false_yaml_collection_or_text(
    editor, article, text, value
):
    data = change_form(editor, article)
    data["extra-key"][len(KEYS)] = "新键"
    data["extra-value"][len(KEYS)] = text.replace("\n", "\r\n")  # as a browser sends it
    response = post_rows(editor, article, data)
    assert response.status_code == 302, errors(response)
    article.refresh_from_db()
    assert typed(article.extra["新键"]) == typed(value)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[语音交互, GPT-4o", "“aliases”"),
        ("[a, *b]", "“aliases”"),
        ("[" * 70 + "]" * 70, "“aliases”"),
    ],
)
def test_a_list_that_is_not_yaml_is_refused_naming_its_key(editor, article, text, words):
    data = change_form(editor, article)
    data["extra-value"][0] = text
    response = post_rows(editor, article, data)
    assert response.status_code == 200
    message = errors(response)
    assert words in message and "YAML" in message, message
    assert "aliases" in Page(response.content.decode()).texts("ul", class_="errorlist")[0]
    article.refresh_from_db()
    assert typed(article.extra) == typed(IMPORTED)
    # the form keeps what was typed, to fix it
    assert change_form_from(response)["extra-value"][0] == text


def change_form_from(response):
    from tests.helpers import form_data

    return form_data(response.content.decode())


@pytest.mark.parametrize(
    ("keys", "refused"),
    [
        (["rating", "rating"], "“rating”"),
        (["作者"], "“作者”"),
        (["Link"], "“Link”"),
        (["title"], "“title”"),
    ],
)
def test_a_repeated_key_or_one_with_a_field_of_its_own_is_refused(editor, article, keys, refused):
    data = change_form(editor, article)
    for offset, key in enumerate(keys):
        data["extra-key"][len(KEYS) + offset] = key
        data["extra-value"][len(KEYS) + offset] = "x"
    response = post_rows(editor, article, data)
    assert response.status_code == 200
    assert refused in errors(response), errors(response)
    article.refresh_from_db()
    assert typed(article.extra) == typed(IMPORTED)


def test_keys_are_told_apart_by_case_as_yaml_does(editor, article):
    data = change_form(editor, article)
    data["extra-key"][len(KEYS)] = "Rating"
    data["extra-value"][len(KEYS)] = "x"
    response = post_rows(editor, article, data)
    assert response.status_code == 302, errors(response)
    article.refresh_from_db()
    assert (article.extra["rating"], article.extra["Rating"]) == (5, "x")


def test_a_value_with_no_key_is_refused(editor, article):
    data = change_form(editor, article)
    data["extra-value"][len(KEYS)] = "没有键的值"
    response = post_rows(editor, article, data)
    assert response.status_code == 200
    assert "9" in Page(response.content.decode()).texts("ul", class_="errorlist")[0]
    data["extra-key"][len(KEYS)] = "有了键"
    assert post_rows(editor, article, data).status_code == 302
    article.refresh_from_db()
    assert article.extra["有了键"] == "没有键的值"


@pytest.mark.parametrize(
    "value",
    [
        ["语音交互", "GPT-4o"],
        {"lang": "zh", "pages": [1, 2.5, True, None]},
        ["2024-05-14", "42", "true", "a: b", "# 不是注释", "[x]", "多行\n文字", ""],
        [],
        {},
        {"嵌套": {"更深": [{"a": "b"}]}},
    ],
)
def test_a_list_or_mapping_reads_back_from_its_box_as_it_was(value):
    from articles import vault

    text = vault.flow_text(value)
    assert typed(vault.read_value(text)) == typed(value)
    assert typed(vault.read_value(text + " ")) == typed(value)


def test_a_value_that_python_finds_equal_but_yaml_writes_otherwise_is_exported(
    editor, article, tmp_path
):
    # 1 == True in Python: the exporter took `featured: true` edited to 1 for unchanged.
    data = change_form(editor, article)
    data["extra-value"][KEYS.index("featured")] = "1"
    assert post_rows(editor, article, data).status_code == 302
    article.refresh_from_db()
    assert typed(article.extra["featured"]) == "1"
    assert "\nfeatured: 1\n" in exported(article, tmp_path)
