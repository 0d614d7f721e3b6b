"""The vault parser and writer: pure functions, so no database mark anywhere here."""

import copy
import dataclasses
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from articles.vault import (
    Summary,
    SummaryItem,
    VaultArticle,
    VaultError,
    VaultTag,
    canonical_url,
    decode,
    dump,
    parse,
    parse_date,
)
from tests.conftest import CORPUS, SEED

SHANGHAI = ZoneInfo("Asia/Shanghai")
READABLE = sorted(
    p.relative_to(CORPUS).as_posix()
    for p in CORPUS.rglob("*")
    if p.suffix in {".md", ".txt"}
    and not any(part.startswith(".") for part in p.parts)
    and "broken" not in p.parts
)


def read(name: str) -> tuple[str, VaultArticle]:
    text = decode((CORPUS / name).read_bytes(), path=name)
    return text, parse(text, path=name, tz=SHANGHAI)


def parse_text(text: str, path: str = "note.md") -> VaultArticle:
    return parse(text, path=path, tz=SHANGHAI)


def edited(article: VaultArticle, **changes) -> VaultArticle:
    return dataclasses.replace(copy.deepcopy(article), **changes)


def values(article: VaultArticle) -> dict:
    """What Folio stores of an article, tags folded the way the database folds them."""
    data = dataclasses.asdict(article)
    data.pop("layout")
    data.pop("body_line")  # where the file has it, as the layout: not stored
    data["tags"] = sorted(tag["name"].casefold() for tag in data["tags"])
    return data


# --- the seed -----------------------------------------------------------------------------


def test_seed_front_matter():
    text = decode(SEED.read_bytes(), path=SEED.name)
    article = parse(text, path=SEED.name, tz=SHANGHAI)
    assert article.title == 'OpenAI春季发布会：这是"Moss"的诞生，我们人类究竟该何去何从。'
    assert article.date == datetime(2024, 5, 14, tzinfo=SHANGHAI)
    assert article.author == "数字生命卡兹克"
    assert article.source == "微信公众号"
    assert article.url.startswith("https://mp.weixin.qq.com/s?__biz=MzIyMzA5NjEyMA==&mid=")
    assert article.status == "published"
    assert article.extra == {}


def test_seed_summary():
    article = parse_text(SEED.read_text())
    summary = article.summary
    assert summary.one_sentence.startswith("OpenAI在春季发布会上推出了原生多模态大模型GPT-4o")
    assert len(summary.key_points) == 7
    assert summary.key_points[0] == SummaryItem(
        "发布新模型GPT-4o",
        "“o”代表“Omni（全面）”，是统一了文字、语音、图片和视频的原生多模态模型。",
    )
    assert summary.key_points[-1].label == "发布节奏与彩蛋"
    assert summary.risks == [
        SummaryItem("服务器稳定性", "文中明确指出OpenAI的服务器存在不稳定、容易崩溃的问题。")
    ]


def test_seed_body_and_tags():
    article = parse_text(SEED.read_text())
    assert article.body.startswith("今天，OpenAI又又又又开发布会了。")
    assert article.body.endswith("OpenAI，你们的服务器，到底什么时候才能稳定不崩啊？？？\n\n。")
    assert "## 摘要" not in article.body and "关联主题" not in article.body
    assert "1. 新模型GPT-4o" in article.body
    assert article.tags == [
        VaultTag("数字生命卡兹克", "00-元语/数字生命卡兹克"),
        VaultTag("AI", "00-元语/AI"),
        VaultTag("llm", "00-元语/llm"),
    ]


def test_seed_summary_is_written_in_the_vaults_own_shape():
    """An edited summary is written the way the seed writes one, so the vault stays uniform."""
    text = SEED.read_text()
    article = parse_text(text)
    article.summary.key_points[0].text += "！"
    out = dump(article)
    assert out == text.replace("原生多模态模型。\n", "原生多模态模型。！\n", 1)


# --- the lossless round trip ---------------------------------------------------------------


@pytest.mark.parametrize("name", READABLE)
def test_dump_gives_back_every_readable_note(name):
    text, article = read(name)
    assert dump(article) == text


@pytest.mark.parametrize("name", READABLE)
def test_dump_of_a_fresh_article_reads_back_to_the_same_values(name):
    _, article = read(name)
    fresh = edited(article, layout=None)
    again = parse_text(dump(fresh), path=name)
    assert values(again) == values(fresh)


def test_assumptions_about_the_corpus():
    assert "2024/05/000_92e8f43f664c5b24.txt" in READABLE
    assert not any(".trash" in name or "broken" in name for name in READABLE)


# --- what real vaults contain ----------------------------------------------------------------


def test_english_keys_front_matter_tags_and_entities():
    _, article = read("english/english-keys.md")
    assert article.title == "GPT-4o & the end of turn-taking"
    assert article.date == datetime(2024, 5, 14, 10, 30, tzinfo=SHANGHAI)
    assert (article.author, article.source) == ("Latent Space", "Substack")
    assert article.url.startswith("https://www.latent.space/p/gpt4o")
    # front-matter tags first, then 关联主题; `AI` twice is one tag
    assert [t.name for t in article.tags] == ["AI", "voice", "LLM"]
    assert article.summary.key_points == [
        SummaryItem("Latency", "232 ms audio response."),
        SummaryItem("", "Plain point without a label."),
    ]
    # a front-matter title leaves the `#` heading in the body
    assert article.body.startswith("Audio in, audio out.")


def test_windows_file_with_bom_and_crlf():
    raw = (CORPUS / "windows-crlf-bom.md").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    text, article = read("windows-crlf-bom.md")
    assert "\r" not in text and not text.startswith("\ufeff")
    assert article.title == "Windows 下保存的笔记"
    assert article.date == datetime(2024, 5, 18, 8, 5, tzinfo=SHANGHAI)
    assert article.body == "第一行\n第二行"
    assert [t.name for t in article.tags] == ["Windows"]


def test_gbk_file():
    raw = (CORPUS / "old-gbk.md").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    _, article = read("old-gbk.md")
    assert article.title == "旧文件：GBK 编码"
    assert article.body == "简体中文内容，编码是 GBK。"


def test_utf16_file_with_bom():
    text = decode(b"\xff\xfe" + "# 标题\r\n\r\n正文".encode("utf-16-le"), path="u.md")
    assert text == "# 标题\n\n正文"


def test_title_from_first_heading_when_no_front_matter():
    _text, article = read("no-front-matter.md")
    assert article.title == "没有元数据的笔记"
    assert article.body == "只有正文，没有摘要，也没有关联主题。\n\n第二段。"
    assert article.date is None and article.summary.is_empty() and article.tags == []


def test_title_from_file_name_when_nothing_else():
    _, article = read("无标题笔记.md")
    assert article.title == "无标题笔记"
    assert article.body.startswith("这条笔记既没有 front matter")


def test_default_date_for_a_note_without_one():
    when = datetime(2023, 1, 2, 3, 4, tzinfo=SHANGHAI)
    article = parse("# t\n\nx", path="a.md", default_date=when)
    assert article.date == when


def test_summary_missing_a_part():
    _, article = read("drafts-status.md")
    assert article.summary.one_sentence == "一篇草稿。"
    assert article.summary.key_points == []
    assert article.summary.risks == [SummaryItem("未完成", "正文只写了一半。")]


def test_summary_without_part_headings_is_the_one_sentence_summary():
    article = parse_text("## 摘要\n\n一段没有分节的摘要。\n\n## 正文\n\n正文")
    assert article.summary == Summary(one_sentence="一段没有分节的摘要。")
    assert article.body == "正文"


def test_summary_items_in_other_shapes():
    article = parse_text(
        "## 摘要\n\n### 核心要点\n\n1. **甲：**第一条\n   接着写\n2. 第二条\n\n"
        "### 风险/不足\n\n文中未提及明显风险。\n\n## 正文\n\n正文"
    )
    assert article.summary.key_points == [
        SummaryItem("甲", "第一条\n接着写"),
        SummaryItem("", "第二条"),
    ]
    assert article.summary.risks == [SummaryItem("", "文中未提及明显风险。")]


def test_wiki_links_with_aliases_bare_links_and_case_variants():
    _, article = read("2024/05/aliases-and-case.md")
    assert [t.name for t in article.tags] == ["ai", "语音", "语音交互", "Voice"]
    assert article.tags[0] == VaultTag("ai", "ai")
    assert article.tags[3] == VaultTag("Voice", "Voice")


def test_headings_inside_code_fences_are_not_sections():
    _, article = read("2024/05/aliases-and-case.md")
    assert '## 关联主题\nprint("这也不是")' in article.body
    assert article.body.endswith("```")


def test_a_line_of_inline_code_opens_no_fence_and_text_after_a_fence_closes_none():
    # Three backticks with a backtick after them are inline code, not a fence (CommonMark);
    # a fence closes only on a line of its marker alone. Read otherwise, the first note's
    # 关联主题 was swallowed into its body and the second's 关联主题 read as tags.
    inline = "## 正文\n\n```html <script>x</script>```\n\n## 关联主题\n\n- [[甲]]\n"
    assert [tag.name for tag in parse_text(inline).tags] == ["甲"]
    fenced = "## 正文\n\n```\n``` not the end\n## 关联主题\n- [[乙]]\n```\n"
    article = parse_text(fenced)
    assert article.tags == [] and "## 关联主题\n- [[乙]]" in article.body


def test_unknown_keys_are_kept():
    _, article = read("2024/05/aliases-and-case.md")
    assert article.extra == {
        "aliases": ["语音交互", "voice UX"],
        "created": "2024-05-16T09:00:00+08:00",
        "rating": 4,
    }


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("drafts-status.md", "draft"),
        ("draft-flag.md", "draft"),
        ("no-front-matter.md", "published"),
    ],
)
def test_drafts(name, status):
    assert read(name)[1].status == status


@pytest.mark.parametrize(
    ("front_matter", "status"),
    [
        ("draft: false", "published"),
        ("draft: yes", "draft"),
        ("status: published", "published"),
        ("status: 草稿", "draft"),
        ("status: review", "review"),
        ("status: 审核中", "review"),
        ("status: archived", "archived"),
        ("status: 完成", "published"),  # a status Folio does not know: published
        ("draft: true\nstatus: review", "review"),  # status says most
        ("status: review\ndraft: true", "review"),
    ],
)
def test_statuses(front_matter, status):
    assert parse_text(f"---\n{front_matter}\n---\nx").status == status


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2024-05-14", datetime(2024, 5, 14, tzinfo=SHANGHAI)),
        ("2024-05-14 10:30", datetime(2024, 5, 14, 10, 30, tzinfo=SHANGHAI)),
        ("2024-05-14 10:30:15", datetime(2024, 5, 14, 10, 30, 15, tzinfo=SHANGHAI)),
        ("2024/05/14", datetime(2024, 5, 14, tzinfo=SHANGHAI)),
        ("2024/5/4 9:05", datetime(2024, 5, 4, 9, 5, tzinfo=SHANGHAI)),
        ("2024年5月14日", datetime(2024, 5, 14, tzinfo=SHANGHAI)),
        ("2024年5月14日 10:30", datetime(2024, 5, 14, 10, 30, tzinfo=SHANGHAI)),
        ("2024-05-14T02:30:00Z", datetime(2024, 5, 14, 10, 30, tzinfo=SHANGHAI)),
        ("2024-05-14T10:30:00+08:00", datetime(2024, 5, 14, 10, 30, tzinfo=SHANGHAI)),
        ("", None),
    ],
)
def test_date_forms(written, expected):
    assert parse_date(written, SHANGHAI) == expected
    article = parse_text(f"---\ndate: {written}\n---\nx")
    assert article.date == expected


# --- broken files ------------------------------------------------------------------------------


def error_for(name: str) -> VaultError:
    with pytest.raises(VaultError) as caught:
        read(name)
    return caught.value


def test_malformed_yaml_names_file_and_line():
    error = error_for("broken/bad-yaml.md")
    assert error.path == "broken/bad-yaml.md"
    assert error.line == 2  # where the unclosed quote opens
    assert str(error).startswith("broken/bad-yaml.md:2: front matter is not valid YAML")


def test_bad_date_names_the_line_and_the_fix():
    error = error_for("broken/bad-date.md")
    assert error.line == 3
    assert "2024-13-45" in error.message and "2024-05-14 10:30" in error.message


def test_empty_file():
    assert "empty" in error_for("broken/empty.md").message


def test_binary_junk():
    assert "binary" in error_for("broken/junk.md").message


def test_alias_bomb_fails_fast_at_the_first_alias():
    started = time.perf_counter()
    error = error_for("broken/alias-bomb.md")
    assert time.perf_counter() - started < 1
    assert error.line == 3 and "aliases" in error.message


def test_unclosed_front_matter():
    with pytest.raises(VaultError, match="never closed") as caught:
        parse_text("---\ntitle: x\n\n正文")
    assert caught.value.line == 1


def test_front_matter_that_is_not_a_mapping():
    with pytest.raises(VaultError, match="key: value") as caught:
        parse_text("---\n- a\n- b\n---\nx")
    assert caught.value.line == 2


def test_title_given_as_a_list():
    with pytest.raises(VaultError, match="`title` must be a single value") as caught:
        parse_text("---\ndate: 2024-01-01\ntitle:\n  - a\n---\nx")
    assert caught.value.line == 3


def test_too_long_tag_names_its_line():
    with pytest.raises(VaultError, match="tag is 101 characters") as caught:
        parse_text("x\n\n## 关联主题\n\n- [[a]]\n- [[" + "长" * 101 + "]]\n")
    assert caught.value.line == 6


def test_deeply_nested_yaml():
    with pytest.raises(VaultError, match=r"nested too deeply|not valid YAML"):
        parse_text("---\nx: " + "[" * 5000 + "]" * 5000 + "\n---\nx")


def test_oversized_file():
    with pytest.raises(VaultError, match="over the 100-byte limit"):
        decode(b"x" * 101, path="big.md", max_bytes=100)


def test_undecodable_bytes():
    with pytest.raises(VaultError, match="neither UTF-8 nor GBK") as caught:
        decode(b"ok\nok\n\xff\xff\xff\xff", path="bad.md")
    assert caught.value.line == 3


# --- canonical URLs -------------------------------------------------------------------------------


def test_wechat_url_identity_ignores_share_parameters():
    one = "https://mp.weixin.qq.com/s?__biz=MzA==&mid=26&idx=1&sn=9e&chksm=f1&scene=21#wechat_redirect"
    two = "http://MP.weixin.qq.com/s?chksm=00&sn=9e&idx=1&mid=26&__biz=MzA==&sharer_shareid=x"
    assert canonical_url(one) == canonical_url(two)
    assert canonical_url(one) == "https://mp.weixin.qq.com/s?__biz=MzA==&mid=26&idx=1&sn=9e"
    other = one.replace("idx=1", "idx=2")
    assert canonical_url(other) != canonical_url(one)


def test_wechat_link_without_idx_is_the_first_article_of_its_message():
    full = "https://mp.weixin.qq.com/s?__biz=MzA==&mid=26&idx=1&sn=9e"
    assert canonical_url("https://mp.weixin.qq.com/s?__biz=MzA==&mid=26&sn=9e&scene=4") == (
        canonical_url(full)
    )
    assert canonical_url("https://mp.weixin.qq.com/s?__biz=MzA==&mid=27&sn=9f") != (
        canonical_url("https://mp.weixin.qq.com/s?__biz=MzA==&mid=26&sn=9e")
    )


@pytest.mark.parametrize(
    "first, second",
    [
        ("/s?__biz=A&mid=1&chksm=x", "/s?__biz=A&mid=2&chksm=x"),  # no sn, no idx
        ("/s/AbC_12", "/s/AbC_13"),  # short links
        ("/s/AbC_12", "/s/abc_12"),  # short links are case-sensitive
        (
            "/s?src=11&timestamp=1715&ver=5&signature=S1",
            "/s?src=11&timestamp=1715&ver=5&signature=S2",
        ),
        ("/s?src=11&timestamp=1715&signature=S1", "/s?src=11&timestamp=1716&signature=S1"),
        (
            "/mp/appmsg/show?__biz=A&appmsgid=10&itemidx=1",
            "/mp/appmsg/show?__biz=A&appmsgid=11&itemidx=1",
        ),
        (
            "/mp/appmsg/show?__biz=A&appmsgid=10&itemidx=1",
            "/mp/appmsg/show?__biz=A&appmsgid=10&itemidx=2",
        ),
        ("/s?__biz=A&mid=1&sn=x", "/s?__biz=B&mid=1&sn=x"),
    ],
)
def test_wechat_links_of_other_shapes_keep_what_names_the_article(first, second):
    host = "https://mp.weixin.qq.com"
    assert canonical_url(host + first) != canonical_url(host + second)
    noisy = f"{host}{first}&scene=21&chksm=ff&sharer_sharetime=1&clicktime=2#rd".replace(
        "/s/AbC_12&", "/s/AbC_12?"
    )
    assert canonical_url(noisy) == canonical_url(host + first)


def test_wechat_short_links_and_other_urls():
    assert (
        canonical_url("https://mp.weixin.qq.com/s/AbC_12/") == "https://mp.weixin.qq.com/s/AbC_12"
    )
    assert (
        canonical_url("http://Example.com/a?utm_source=x&id=3#top") == "https://example.com/a?id=3"
    )
    assert canonical_url("https://example.com:443/a") == "https://example.com/a"
    assert canonical_url(
        "https://mp.weixin.qq.com/s?__biz=a&amp;mid=1&amp;idx=1&amp;sn=s"
    ).endswith("mid=1&idx=1&sn=s")
    assert canonical_url("https://example.com/a?q=1%262") != canonical_url(
        "https://example.com/a?q=1&2"
    )
    assert canonical_url("not a url") == ""
    assert canonical_url("javascript:alert(1)") == ""


# --- writing what changed ------------------------------------------------------------------


def test_changed_title_rewrites_only_its_own_line():
    text, article = read("2024/05/000_92e8f43f664c5b24.txt")
    out = dump(edited(article, title='新标题 "引号"'))
    assert out.splitlines()[1] == 'title: "新标题 \\"引号\\""'
    assert out.splitlines()[2:] == text.splitlines()[2:]
    assert parse_text(out).title == '新标题 "引号"'


def test_changed_title_of_a_heading_titled_note_rewrites_the_heading():
    text, article = read("no-front-matter.md")
    out = dump(edited(article, title="新的标题"))
    assert out == text.replace("# 没有元数据的笔记", "# 新的标题")


def test_changed_title_of_a_file_named_note_adds_front_matter():
    _, article = read("无标题笔记.md")
    out = dump(edited(article, title="起了个名字"))
    assert out.startswith('---\ntitle: "起了个名字"\n---\n')
    assert values(parse_text(out, path="无标题笔记.md")) == values(
        edited(article, title="起了个名字")
    )


def test_changed_date_author_and_status():
    _text, article = read("2024/05/000_92e8f43f664c5b24.txt")
    when = datetime(2024, 5, 15, 9, 30, tzinfo=SHANGHAI)
    out = dump(edited(article, date=when, author="卡兹克", status="draft"))
    lines = out.splitlines()
    assert lines[2:4] == ["发布日期: 2024-05-15 09:30", '作者: "卡兹克"']
    assert lines[6] == "draft: true"  # added after the file's own keys
    again = parse_text(out)
    assert (again.date, again.author, again.status) == (when, "卡兹克", "draft")


def test_status_key_follows_the_status():
    text, article = read("drafts-status.md")
    out = dump(edited(article, status="published"))
    assert out == text.replace("status: draft", 'status: "published"')
    assert parse_text(out).status == "published"


@pytest.mark.parametrize("status", ["review", "archived"])
def test_states_a_draft_flag_cannot_say_are_added_as_status(status):
    _, article = read("draft-flag.md")
    out = dump(edited(article, status=status))
    assert f'draft: true\n发布日期: 2024-06-01\nstatus: "{status}"\n---' in out
    assert parse_text(out).status == status
    _, plain = read("no-front-matter.md")
    assert parse_text(dump(edited(plain, status=status))).status == status


def test_tags_added_and_removed():
    text, article = read("2024/05/000_92e8f43f664c5b24.txt")
    tags = [*article.tags[1:], VaultTag("语音", "00-元语/语音")]
    out = dump(edited(article, tags=tags))
    assert out.endswith("## 关联主题\n\n- [[00-元语/AI]]\n- [[00-元语/llm]]\n- [[00-元语/语音]]\n")
    assert out.split("## 关联主题")[0] == text.split("## 关联主题")[0]


def test_tags_written_where_the_file_wrote_them():
    _text, article = read("english/english-keys.md")
    tags = [t for t in article.tags if t.name != "voice"] + [VaultTag("GPT", "GPT")]
    out = dump(edited(article, tags=tags))
    assert 'tags:\n- "AI"\n' in out
    assert out.endswith("## 关联主题\n\n- [[LLM]]\n- [[GPT]]\n")
    assert sorted(t.name for t in parse_text(out).tags) == ["AI", "GPT", "LLM"]


def test_tags_added_to_a_note_without_tags():
    text, article = read("no-front-matter.md")
    out = dump(edited(article, tags=[VaultTag("AI", "00-元语/AI")]))
    assert out == text + "\n## 关联主题\n\n- [[00-元语/AI]]\n"


def test_summary_added_to_a_note_without_one():
    _text, article = read("no-front-matter.md")
    summary = Summary("新加的摘要。", [SummaryItem("要点", "内容")], [])
    out = dump(edited(article, summary=summary))
    again = parse_text(out)
    assert again.summary == summary
    assert again.body == article.body
    assert again.title == article.title


def test_summary_removed():
    _text, article = read("drafts-status.md")
    out = dump(edited(article, summary=Summary()))
    assert "## 摘要" not in out
    assert parse_text(out).body == "写了一半。"


def test_extra_keys_edited_removed_and_added():
    _text, article = read("2024/05/aliases-and-case.md")
    extra = {"aliases": ["语音交互"], "created": "2024-05-16T09:00:00+08:00", "新键": "值"}
    out = dump(edited(article, extra=extra))
    assert "rating" not in out
    assert 'aliases:\n- "语音交互"\n' in out
    assert "created: 2024-05-16T09:00:00+08:00\n" in out  # unchanged: as written
    assert parse_text(out).extra == extra


def test_body_added_to_a_note_with_only_a_summary():
    article = parse_text("---\ntitle: t\n---\n\n## 摘要\n\n一句话。\n")
    assert article.body == ""
    out = dump(edited(article, body="新正文"))
    again = parse_text(out)
    assert (again.summary.one_sentence, again.body) == ("一句话。", "新正文")


def test_fresh_article_in_the_vaults_shape():
    article = VaultArticle(
        path="new.md",
        title="新文章",
        date=datetime(2024, 5, 14, tzinfo=SHANGHAI),
        author="作者",
        source="微信公众号",
        url="https://mp.weixin.qq.com/s/x",
        summary=Summary("一句话。", [SummaryItem("点", "文")], [SummaryItem("", "风险")]),
        body="正文",
        tags=[VaultTag("AI", "00-元语/AI")],
    )
    assert dump(article) == (
        '---\ntitle: "新文章"\n发布日期: 2024-05-14\n作者: "作者"\n来源: "微信公众号"\n'
        '原文链接: "https://mp.weixin.qq.com/s/x"\n---\n\n'
        "## 摘要\n\n**1) 一句话总结**\n一句话。\n\n**2) 核心要点**\n*   **点**：文\n\n"
        "**3) 风险/不足**\n*   风险\n\n## 正文\n\n正文\n\n## 关联主题\n\n- [[00-元语/AI]]\n"
    )


def test_changed_title_taken_from_a_heading_inside_the_body():
    article = parse_text("开头的一段话。\n\n# 正文里的标题\n\n正文")
    assert article.title == "正文里的标题" and "# 正文里的标题" in article.body
    again = parse_text(dump(edited(article, title="新标题")))
    assert (again.title, again.body) == ("新标题", article.body)


@pytest.mark.parametrize(
    ("when", "written"),
    [
        (datetime(2024, 5, 14, tzinfo=SHANGHAI), "2024-05-14"),
        (datetime(2024, 5, 14, 10, 30, tzinfo=SHANGHAI), "2024-05-14 10:30"),
        (datetime(2024, 5, 14, 10, 30, 15, tzinfo=SHANGHAI), "2024-05-14 10:30:15"),
    ],
)
def test_changed_dates_are_written_plain_and_read_back(when, written):
    _, article = read("draft-flag.md")
    out = dump(edited(article, date=when))
    assert f"发布日期: {written}\n" in out
    assert parse_text(out).date == when


def test_keys_added_to_an_english_vault_are_english():
    _, article = read("english/english-keys.md")
    out = dump(edited(article, status="draft", extra={"rating": 5}))
    assert "\ndraft: true\nrating: 5\n---\n" in out
    _, article = read("drafts-status.md")  # title, status, date: English
    assert 'author: "某人"' in dump(edited(article, author="某人"))
    _, article = read("draft-flag.md")  # title, draft, 发布日期: Chinese
    assert '作者: "某人"' in dump(edited(article, author="某人"))


# --- keys with a role never live among the unknown keys ------------------------------------


@pytest.mark.parametrize(
    "front",
    [
        'title: 标题\n原文链接: "https://example.com/a"\nlink: "javascript:alert(1)"\n作者: 甲\n'
        "author: 乙\n",
        '{title: 标题, 原文链接: "https://example.com/a", link: "javascript:alert(1)", 作者: 甲, '
        "author: 乙}\n",
    ],
    ids=["block", "flow"],
)
def test_a_role_given_twice_is_read_once_and_written_back_as_it_was(front):
    text = f"---\n{front}---\n\n正文\n"
    article = parse_text(text)
    assert (article.url, article.author, article.extra) == ("https://example.com/a", "甲", {})
    assert dump(article) == text
    changed = parse_text(dump(edited(article, title="新标题")))
    assert (changed.title, changed.url, changed.author, changed.extra) == (
        "新标题",
        "https://example.com/a",
        "甲",
        {},
    )
    if "{" not in front:
        assert 'link: "javascript:alert(1)"\n' in dump(edited(article, title="新标题"))


def test_the_writer_never_writes_a_role_from_the_unknown_keys():
    article = VaultArticle(
        path="a.md",
        title="草稿",
        status="draft",
        extra={"status": "published", "Link": "javascript:alert(1)", "别的": 1},
    )
    text = dump(article)
    again = parse_text(text)
    assert (again.status, again.url, again.extra) == ("draft", "", {"别的": 1})
    assert "published" not in text and "javascript" not in text


def test_links_whose_fragment_is_a_route_keep_it():
    assert canonical_url("https://h5.example.com/#/post/1") != canonical_url(
        "https://h5.example.com/#/post/2"
    )
    assert canonical_url("https://example.com/#!/a") != canonical_url("https://example.com/#!/b")
    assert canonical_url("https://example.com/a#section") == canonical_url("https://example.com/a")
