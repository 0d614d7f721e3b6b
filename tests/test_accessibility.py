"""Every public page and the admin's article form, audited by axe-core in headless
Chromium at phone and desktop widths: no serious or critical violation.

axe-core comes from the npm registry as package-lock.json pins it (`make test-tools`,
which `make test` runs). Without it, or without Chromium, these tests skip, unless
FOLIO_REQUIRE_BROWSER is set, as .ci/run sets it."""

import json
import os
from pathlib import Path

import pytest

from tests.helpers import import_seeds
from tests.public import make_article
from tests.servers import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
if not AXE.exists():
    if os.environ.get("FOLIO_REQUIRE_BROWSER"):
        raise RuntimeError(f"no axe-core at {AXE}: run `make test-tools` (npm ci)")
    pytest.skip("no axe-core: `make test-tools`", allow_module_level=True)

from tests.test_browser import Reader, chromium  # noqa: E402  (skips without Chromium)

pytestmark = pytest.mark.django_db(transaction=True)
WIDTHS = [(390, 844), (1280, 900)]
SERIOUS = {"serious", "critical"}
AUDIT = """axe.run(document, {resultTypes: ['violations']}).then(result =>
  result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"""


def audit(page) -> list[dict]:
    """The serious and critical violations axe finds on the page as it is now."""
    page.evaluate(AXE.read_text(encoding="utf-8"))  # by the driver: the page's CSP allows it
    return [v for v in page.evaluate(AUDIT) if v["impact"] in SERIOUS]


def look(reader, url: str, name: str, width: int) -> list[dict]:
    """Open `url`, keep a screenshot when FOLIO_SCREENSHOTS names a folder, audit it."""
    reader.page.goto(url)
    reader.page.wait_for_load_state("networkidle")
    shots = os.environ.get("FOLIO_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        reader.page.screenshot(path=f"{shots}/{name}-{width}.png", full_page=True)
    return audit(reader.page)


@pytest.fixture
def site(live_server):
    import_seeds()
    make_article("没有摘要的文章", summary="", body="正文的第一段。\n\n第二段。", tags=["AI"])
    parts = "".join(f"## 第{n}部分\n\n" + "这一部分的文字。" * 40 + "\n\n" for n in range(1, 5))
    make_article("有目录的长文", summary="一句话。", body=parts, slug="you-mu-lu")
    return live_server.url


@pytest.mark.parametrize(("width", "height"), WIDTHS, ids=["phone", "desktop"])
def test_public_pages_have_no_serious_accessibility_violation(site, width, height):
    from articles.models import Article, Author

    seed = Article.objects.get(author__isnull=False)
    bare = Article.objects.get(summary="")
    author = Author.objects.get()
    pages = {
        "home": "/",
        "article": seed.get_absolute_url(),
        "article-without-summary": bare.get_absolute_url(),
        "article-with-contents": "/articles/you-mu-lu/",
        "tag": "/tags/ai/",
        "author": author.get_absolute_url(),
        "tags": "/tags/",
        "authors": "/authors/",
        "archive": "/archive/",
        "archive-year": f"/archive/{seed.published_at:%Y}/",
        "archive-month": f"/archive/{seed.published_at:%Y/%m}/",
        "search": "/search/?q=语音",
        "search-nothing": "/search/?q=区块链",
        "search-box": "/search/",
        "not-found": "/no/such/page/",
    }
    with chromium() as browser:
        reader = Reader(browser, viewport={"width": width, "height": height})
        found = {name: look(reader, site + url, name, width) for name, url in pages.items()}
    failed = {name: v for name, v in found.items() if v}
    assert not failed, json.dumps(failed, ensure_ascii=False, indent=1)


@pytest.mark.parametrize(("width", "height"), WIDTHS, ids=["phone", "desktop"])
def test_the_admins_article_form_fits_and_has_no_serious_accessibility_violation(
    site, width, height
):
    from articles.models import Article, RemoteImage
    from tests.newsroom import person

    person("editor", "Editor")
    seed = Article.objects.get(author__isnull=False)
    gone = seed.images.order_by("pk")[:2]  # with images missing: their reasons, a button
    RemoteImage.objects.filter(pk__in=gone.values("pk")).update(
        status=RemoteImage.Status.FAILED, reason="gone: 404 from mmbiz.qpic.cn"
    )
    with chromium() as browser:
        reader = Reader(browser, viewport={"width": width, "height": height})
        page = reader.page
        reader.log_in(site)
        change = f"{site}/admin/articles/article/{seed.pk}/change/"
        failed = look(reader, change, "admin-article-form", width)
        assert not failed, json.dumps(failed, ensure_ascii=False, indent=1)
        assert page.get_by_role("button", name="重新抓取缺失的 2 张图片").is_visible()
        # The preview: the public page of the form, in the public page's styles.
        preview = page.frame_locator("#id_body_preview")
        preview.locator("article h1").wait_for()
        # The body editor tall enough to write in: most of the screen (the admin's own
        # rules for phones made it two lines tall).
        tall = page.evaluate("document.querySelector('#id_body').clientHeight / innerHeight")
        assert tall >= 0.65
        if shots := os.environ.get("FOLIO_SCREENSHOTS"):
            page.locator(".folio-editor").screenshot(path=f"{shots}/admin-preview-{width}.png")
        # Nothing off screen, and the summary's boxes as tall as their text (at 390 px the
        # rows stack; their text areas showed two lines of four).
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        cut = page.evaluate(
            "[...document.querySelectorAll('.folio-ordered tr:not(.empty-form) textarea,"
            " #id_summary')].filter(box => box.scrollHeight > box.clientHeight + 2).length"
        )
        assert cut == 0


def test_the_change_list_reads_at_1280_px(site):
    """Titles on two lines at most, and every column in view beside the filters (the dates'
    long form pushed the titles to a few characters a line, the rest under the filters)."""
    from tests.newsroom import person

    person("editor", "Editor")
    for n in range(5):
        make_article("很长的标题，" * 30 + str(n), author=f"一个名字很长的公众号作者{n}")
    with chromium() as browser:
        reader = Reader(browser, viewport={"width": 1280, "height": 900})
        page = reader.page
        reader.log_in(site)
        reader.page.goto(site + "/admin/articles/article/")
        clipped = page.evaluate(
            "(() => { const box = document.querySelector('.results');"
            " return box.scrollWidth - box.clientWidth; })()"
        )
        lines = page.evaluate(
            "[...document.querySelectorAll('#result_list th.field-title a')].map(a =>"
            " Math.round(a.getBoundingClientRect().height"
            " / parseFloat(getComputedStyle(a).lineHeight)))"
        )
    assert clipped <= 0 and len(lines) == 8 and max(lines) <= 2, (clipped, lines)


@pytest.mark.parametrize(("width", "height"), WIDTHS, ids=["phone", "desktop"])
def test_the_history_compare_and_restore_pages_fit_and_have_no_serious_violation(
    site, width, height
):
    """Two revisions side by side, and the question a restore asks first: audited, and
    nothing wider than the screen (the columns wrap their lines at 390 px)."""
    from articles import changes
    from articles.models import Article
    from tests.newsroom import person

    person("editor", "Editor")
    article = Article.objects.get(title="有目录的长文")
    changes.saved(article, user=None, comment="导入", first=True)
    long_line = (
        "一行很长的文字，没有空格也要在自己的格子里折行。" * 8 + " https://example.com/" + "a" * 80
    )
    article.title = "有目录的长文（修订）"
    article.body = article.body.replace("这一部分的文字。", "这部分的文字，改过了。", 3) + long_line
    article.save()
    changes.saved(article, user=None, comment="改")
    base = f"/admin/articles/article/{article.pk}/history/"
    with chromium() as browser:
        reader = Reader(browser, viewport={"width": width, "height": height})
        page = reader.page
        reader.log_in(site)
        for name, url in (
            ("admin-compare", f"{base}compare/?a=1&b=2"),
            ("admin-restore", f"{base}1/restore/"),
        ):
            failed = look(reader, site + url, name, width)
            assert not failed, json.dumps(failed, ensure_ascii=False, indent=1)
            assert page.locator("table.folio-sbs").count() >= 2  # title and body
            assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        assert reader.errors == []


@pytest.mark.parametrize(("width", "height"), WIDTHS, ids=["phone", "desktop"])
def test_a_new_api_token_is_shown_once_readably(site, width, height):
    """Made through the admin's form: the page with the key, which fits and is audited."""
    from tests.newsroom import person

    person("author", "Author")
    with chromium() as browser:
        reader = Reader(browser, viewport={"width": width, "height": height})
        page = reader.page
        reader.log_in(site, "author")
        page.goto(site + "/admin/articles/apitoken/add/")
        page.fill("#id_name", "剪藏工具")
        page.click("input[name=_save]")
        page.wait_for_load_state("networkidle")
        key = page.input_value("#folio-key")
        assert key.startswith("folio_")
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        if shots := os.environ.get("FOLIO_SCREENSHOTS"):
            page.screenshot(path=f"{shots}/admin-new-token-{width}.png", full_page=True)
        failed = audit(page)
        assert not failed, json.dumps(failed, ensure_ascii=False, indent=1)
        assert reader.errors == []
