"""A reader in headless Chromium (Debian's): home, an article, a tag.

Needs /usr/bin/chromium (or FOLIO_CHROMIUM). Skipped without it, unless
FOLIO_REQUIRE_BROWSER is set, as .ci/run sets it: CI must not pass by skipping.
"""

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers import import_seeds
from tests.public import make_article

CHROMIUM = os.environ.get("FOLIO_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005010201a6e4d3a50000000049454e44ae426082"
)

if not Path(CHROMIUM).exists():
    if os.environ.get("FOLIO_REQUIRE_BROWSER"):
        raise RuntimeError(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    pytest.skip(f"no Chromium at {CHROMIUM}", allow_module_level=True)

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(live_server):
    """The seed and one more article on a live server, set up before the browser starts
    (Playwright's sync API keeps an event loop in this thread)."""
    import_seeds()
    make_article("另一篇关于AI的文章", tags=["AI"], author="数字生命卡兹克")
    return live_server.url


@contextmanager
def chromium():
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser(site):
    with chromium() as launched:
        yield launched


class Reader:
    """A browser tab that records console errors and the requests for WeChat images,
    which it answers itself (there is no internet here)."""

    def __init__(self, browser, **context):
        self.context = browser.new_context(**{"locale": "zh-CN", **context})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.images: dict[str, dict[str, str]] = {}
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.route("https://mmbiz.qpic.cn/**", self._image)

    def log_in(self, site: str, username: str = "editor", password: str = "pw") -> None:
        """Through the admin's login form."""
        self.page.goto(site + "/admin/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("input[type=submit]")
        self.page.wait_for_load_state()

    def _image(self, route):
        self.images[route.request.url] = route.request.all_headers()
        route.fulfill(status=200, content_type="image/png", body=PNG)

    def scroll_to_the_end(self):
        """Scroll down a screen at a time, so that every lazy image loads."""
        for _ in range(200):
            at_end = self.page.evaluate(
                "window.scrollBy(0, window.innerHeight * 0.8),"
                " window.innerHeight + window.scrollY >= document.body.scrollHeight - 2"
            )
            self.page.wait_for_timeout(30)
            if at_end:
                break
        self.page.wait_for_load_state("networkidle")


def test_read_home_article_and_tag_without_referer_or_errors(site, browser):
    reader = Reader(browser)
    page = reader.page

    page.goto(site + "/")
    assert page.locator("h1").inner_text() == "最新文章"
    page.keyboard.press("Tab")  # the keyboard's first stop skips the navigation
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.get_by_role("link", name="OpenAI春季发布会").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("OpenAI春季发布会")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"

    reader.scroll_to_the_end()
    images = page.locator(".prose img")
    assert images.count() == 14
    assert set(reader.images) == {images.nth(i).get_attribute("src") for i in range(14)}
    assert [url for url, headers in reader.images.items() if "referer" in headers] == []

    # The page's own policy (same-origin) sends none either, to an image without one …
    bare = "https://mmbiz.qpic.cn/bare.png"
    with page.expect_response(bare):
        page.evaluate(f"document.body.append(Object.assign(new Image(), {{src: '{bare}'}}))")
    assert "referer" not in reader.images[bare]
    # … and the check can fail: an image that asks for a Referer carries one.
    control = "https://mmbiz.qpic.cn/control.png"
    script = f"Object.assign(new Image(), {{referrerPolicy: 'unsafe-url', src: '{control}'}})"
    with page.expect_response(control):
        page.evaluate(f"document.body.append({script})")
    assert "referer" in reader.images[control]

    page.locator("a[rel=tag]", has_text="AI").click()
    page.wait_for_load_state()
    assert page.url == site + "/tags/ai/"
    assert "AI" in page.locator("h1").inner_text()
    assert page.locator(".article-item").count() == 2
    assert reader.errors == []


# The most a Chinese character between two others is widened on the body's lines, in ems
# (a justified line spreads its characters apart: their boxes grow).
WIDEST_GAP = r"""(() => {
  let widest = 0;
  const han = /\p{Script=Han}/u;
  for (const p of document.querySelectorAll('.prose p')) {
    const size = parseFloat(getComputedStyle(p).fontSize);
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 1; i < node.length - 1; i++) {
        if (![...node.data.slice(i - 1, i + 2)].every(c => han.test(c))) continue;
        const range = document.createRange();
        range.setStart(node, i); range.setEnd(node, i + 1);
        widest = Math.max(widest, range.getBoundingClientRect().width / size - 1);
      }
    }
  }
  return widest;
})()"""


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 900)], ids=["phone", "desktop"])
def test_article_fits_the_screen(site, browser, width, height):
    reader = Reader(browser, viewport={"width": width, "height": height})
    page = reader.page
    page.goto(site + "/")
    page.get_by_role("link", name="OpenAI春季发布会").first.click()
    page.wait_for_load_state()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0  # no sideways scrolling on a phone
    line = page.evaluate(
        "(() => { const p = document.querySelector('.prose p');"
        " return p.getBoundingClientRect().width / parseFloat(getComputedStyle(p).fontSize); })()"
    )
    assert 14 <= line <= 42  # characters a line: readable Chinese on a phone and a desktop
    # No gaps between Chinese characters (justified lines opened them at 390 px: 无所 不 知).
    assert page.evaluate(WIDEST_GAP) <= 0.15
    # The byline breaks between its items, never inside one (阅\n读约 1 分钟).
    items = page.evaluate(
        "[...document.querySelectorAll('.article-header .byline .meta-item')]"
        ".map(item => [item.textContent.trim(), item.getClientRects().length])"
    )
    assert len(items) >= 3 and all(lines == 1 for _, lines in items), items
    shots = os.environ.get("FOLIO_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{shots}/article-{width}.png", full_page=False)
    assert reader.errors == []


def test_an_article_without_a_summary_keeps_its_body_clear_of_its_header(live_server):
    bare = make_article("没有摘要", summary="", body="正文的第一段。\n\n第二段。")
    summed = make_article("有摘要", summary="一句话。")
    gaps = {}
    with chromium() as browser:
        reader = Reader(browser, viewport={"width": 390, "height": 844})
        for article, below in ((bare, ".prose"), (summed, ".summary")):
            reader.page.goto(live_server.url + article.get_absolute_url())
            gaps[article.title] = reader.page.evaluate(
                "(() => { const size = parseFloat(getComputedStyle(document.body).fontSize);"
                " const header = document.querySelector('.article-header')"
                ".getBoundingClientRect();"
                f" const next = document.querySelector('{below}').getBoundingClientRect();"
                " return (next.top - header.bottom) / size; })()"
            )
    assert gaps["没有摘要"] >= 1.5 and gaps["没有摘要"] == gaps["有摘要"], gaps


def test_the_table_of_contents_is_folded_on_a_phone_and_beside_the_text_on_a_desktop(
    live_server,
):
    parts = "".join(f"## 第{n}部分\n\n" + "这一部分的文字。" * 60 + "\n\n" for n in range(1, 7))
    article = make_article("有目录的长文", summary="", body=parts)
    shown = {}
    with chromium() as browser:
        for width, height in ((390, 844), (1280, 900)):
            reader = Reader(browser, viewport={"width": width, "height": height})
            page = reader.page
            page.goto(live_server.url + article.get_absolute_url())
            toc, prose = page.locator("nav.toc"), page.locator(".prose").bounding_box()
            box = toc.bounding_box() if toc.is_visible() else None
            shown[width] = box and (box["x"] >= prose["x"] + prose["width"], box["y"] < 400)
            if width == 1280:  # it follows the reader down, and takes them to a part
                page.locator("a.toc-link", has_text="第5部分").click()
                page.wait_for_timeout(100)
                assert page.evaluate("decodeURIComponent(location.hash)") == "#第5部分"
                assert toc.is_visible() and toc.bounding_box()["y"] < 200
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0 and reader.errors == []
    assert shown == {390: None, 1280: (True, True)}  # folded (closed) on a phone


PLACEHOLDER = "getComputedStyle(document.querySelector('{0}'), '::before').content"
SAID = {"zh-CN": "图片无法显示 · 查看原图", "en": "Image unavailable · open the original"}


def test_an_image_that_cannot_load_leaves_a_place_that_says_so_and_links_to_the_original(
    live_server,
):
    gone = "https://mmbiz.qpic.cn/mmbiz_png/deleted/640?wx_fmt=png"
    kept = "https://mmbiz.qpic.cn/mmbiz_png/kept/640?wx_fmt=png"
    body = f"前文。\n\n![]({gone})\n\n中间。\n\n![]({kept})\n\n后文。"
    article = make_article("图片被删的文章", body=body)
    with chromium() as browser:
        for width, height, lang in ((390, 844, "zh-CN"), (1280, 900, "en")):
            reader = Reader(browser, viewport={"width": width, "height": height}, locale=lang)
            page = reader.page
            page.route(gone, lambda route: route.fulfill(status=404))  # WeChat deleted it
            page.goto(live_server.url + article.get_absolute_url())
            reader.scroll_to_the_end()
            missing = page.get_by_role("link", name="查看原图").first
            assert missing.get_attribute("href") == gone
            box, prose = missing.bounding_box(), page.locator(".prose").bounding_box()
            assert box["height"] >= 150 and box["width"] >= prose["width"] - 1  # a place kept
            said = page.evaluate(PLACEHOLDER.format(f'a[href="{gone}"] img'))
            assert said == f'"{SAID[lang]}"'
            shown = page.locator(f'a[href="{kept}"] img')  # loaded: the image, no placeholder
            assert shown.evaluate("img => img.naturalWidth") > 0
            assert shown.bounding_box()["height"] < 50
            shots = os.environ.get("FOLIO_SCREENSHOTS")
            if shots:
                missing.scroll_into_view_if_needed()
                page.screenshot(path=f"{shots}/image-missing-{width}.png")


@pytest.fixture
def newsroom(live_server):
    """The seed as a draft, and an editor who may publish it."""
    from articles.models import Article
    from tests.newsroom import person

    import_seeds()
    Article.objects.update(status=Article.Status.DRAFT)
    person("editor", "Editor")
    return live_server.url


@pytest.fixture
def editor_browser(newsroom):
    with chromium() as launched:
        yield launched


def test_editor_edits_previews_publishes_and_readers_see_it(newsroom, editor_browser):
    editor = Reader(editor_browser, viewport={"width": 1400, "height": 1000})
    page = editor.page
    editor.log_in(newsroom)
    page.goto(newsroom + "/admin/articles/article/")
    page.get_by_role("link", name="OpenAI春季发布会").click()

    # The preview: the public page, in its own styles, of the form as it is typed.
    preview = page.frame_locator("#id_body_preview")
    page.locator("#id_title").fill("OpenAI春季发布会（编辑改过）")
    preview.locator("h1", has_text="（编辑改过）").wait_for()
    point = page.locator("textarea[name='summary-point-0-text']")
    point.fill("编辑在浏览器里改写的要点。")
    preview.locator(".summary li", has_text="编辑在浏览器里改写的要点。").wait_for()
    body = page.locator("#id_body")
    body.fill("编辑写的新开头，**加粗**。\n\n" + body.input_value())
    preview.locator(".prose strong", has_text="加粗").wait_for()  # rendered by the server
    assert preview.locator("img").first.get_attribute("referrerpolicy") == "no-referrer"
    # Its own styles: those of the public page (the size of type goes with the width).
    looks = "(e) => ['fontFamily', 'color', 'backgroundColor'].map((p) => getComputedStyle(e)[p])"
    page.locator("#id_body_preview").element_handle().content_frame().wait_for_load_state()
    previewed = preview.locator(".summary").evaluate(looks)

    page.select_option("#id_status", "published")
    page.click("input[name=_save]")
    page.wait_for_load_state()
    assert page.locator(".messagelist .success").count() == 1

    reader = Reader(editor_browser)
    reader.page.goto(newsroom + "/")
    reader.page.get_by_role("link", name="OpenAI春季发布会（编辑改过）").first.click()
    reader.page.wait_for_load_state()  # its stylesheets too
    article = reader.page.locator("article")
    assert "编辑在浏览器里改写的要点。" in article.locator(".summary").inner_text()
    assert article.locator(".summary").evaluate(looks) == previewed  # as the preview showed
    assert article.locator(".prose strong", has_text="加粗").count() == 1
    assert editor.errors == [] and reader.errors == []


CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def test_the_admin_works_under_its_content_security_policy(newsroom, editor_browser):
    editor = Reader(editor_browser, viewport={"width": 1400, "height": 1000})
    page = editor.page
    page.add_init_script(CSP_VIOLATIONS)
    editor.log_in(newsroom)
    page.goto(newsroom + "/admin/articles/article/")
    with page.expect_navigation() as opened:
        page.get_by_role("link", name="OpenAI春季发布会").click()
    policy = opened.value.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe" not in policy

    # The preview, rendered by the server as the body is typed.
    body = page.locator("#id_body")
    body.fill("在策略之下写的，**加粗**。\n\n" + body.input_value())
    page.frame_locator("#id_body_preview").locator("strong", has_text="加粗").wait_for()
    # Tag autocomplete (Select2, asking the server as a name is typed).
    page.locator(".field-tags .select2-selection").click()
    page.keyboard.type("AI")
    page.locator(".select2-results__option", has_text="AI").first.wait_for()  # suggested
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.type("新标签")
    page.locator(".select2-results__option--highlighted", has_text="新标签").wait_for()
    page.keyboard.press("Enter")
    # Inlines: a key point added, written, and moved to the top.
    group = page.locator("#summary-point-group")
    rows = group.locator("tr.form-row:not(.empty-form)")
    before = rows.count()
    group.locator(".add-row a").click()
    assert rows.count() == before + 1
    rows.nth(before).locator("textarea[name$='-text']").fill("策略之下加的要点。")
    rows.nth(before).locator(".folio-move").first.click()  # up one

    page.click("input[name=_continue]")  # save, and open the form again
    page.wait_for_load_state()
    assert page.locator(".messagelist .success").count() == 1
    tags = page.locator("#id_tags option:checked").all_inner_texts()
    assert "新标签" in tags
    points = [row.input_value() for row in rows.locator("textarea[name$='-text']").all()]
    assert points.index("策略之下加的要点。") == before - 1
    assert page.evaluate("window.cspViolations") == []
    assert editor.errors == []
