"""Building articles and reading public pages, for the public site's tests."""

from datetime import datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import pagecache, search
from articles.models import Article, Author, SummaryItem, Tag, TaggedArticle
from tests.helpers import committed

SHANGHAI = ZoneInfo("Asia/Shanghai")
_serial = iter(range(1, 1_000_000))


def make_article(title: str | None = None, **fields) -> Article:
    """A published article from the past, unless `fields` say otherwise. Accepts
    `tags=[names]`, `author="name"` and `points=[(label, text)]`, `risks=[...]`."""
    number = next(_serial)
    tags = fields.pop("tags", [])
    points, risks = fields.pop("points", []), fields.pop("risks", [])
    author = fields.pop("author", None)
    fields.setdefault("status", Article.Status.PUBLISHED)
    fields.setdefault(
        "published_at", datetime(2024, 5, 1, tzinfo=SHANGHAI) + timedelta(hours=number)
    )
    fields.setdefault("summary", f"第{number}篇的一句话总结。")
    fields.setdefault("body", f"第{number}篇的正文。")
    if author:
        fields["author"] = Author.objects.get_or_create(name=author)[0]
    article = Article.objects.create(title=title or f"文章{number}", **fields)
    for kind, items in ((SummaryItem.Kind.POINT, points), (SummaryItem.Kind.RISK, risks)):
        for position, (label, text) in enumerate(items):
            article.summary_items.create(kind=kind, position=position, label=label, text=text)
    article.tags.add(*[Tag.objects.get_or_create(name=name)[0] for name in tags])
    search.index(article)  # as every change made through Folio does (changes.saved)
    expire_pages()
    return article


def expire_pages() -> None:
    """After rows changed by hand, what Folio's operations do after each change (and
    `manage.py expire_pages` does for all): tag rows copy their article's status and
    publish time, then a new generation of pages."""
    TaggedArticle.objects.follow_all()
    with committed():
        pagecache.expire()


def future() -> datetime:
    return timezone.now() + timedelta(days=1)


def queries(client, url: str) -> int:
    """How many SQL queries the page at `url` takes (it must answer 200)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


class Page(HTMLParser):
    """A page's elements, their attributes and text, to assert on structure."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str], list[str]]] = []
        self._open: list[list[str]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        text: list[str] = []
        self.elements.append((tag, {k: v or "" for k, v in attrs}, text))
        if tag not in {"meta", "link", "img", "br", "input", "hr"}:
            self._open.append(text)

    def handle_endtag(self, tag):
        if self._open and tag not in {"meta", "link", "img", "br", "input", "hr"}:
            self._open.pop()

    def handle_data(self, data):
        for text in self._open:
            text.append(data)

    def find(self, tag: str, **attrs: str) -> list[tuple[dict[str, str], str]]:
        """Elements `tag` whose attributes include `attrs` (`class_` for class words)."""
        wanted_class = attrs.pop("class_", None)
        return [
            (found, "".join(text).strip())
            for name, found, text in self.elements
            if name == tag
            and all(found.get(k) == v for k, v in attrs.items())
            and (wanted_class is None or wanted_class in found.get("class", "").split())
        ]

    def texts(self, tag: str, **attrs: str) -> list[str]:
        return [text for _, text in self.find(tag, **attrs)]

    def meta(self, key: str) -> str:
        for attrs, _ in self.find("meta"):
            if key in (attrs.get("property"), attrs.get("name")):
                return attrs.get("content", "")
        raise KeyError(key)

    def links(self, href_prefix: str = "") -> list[str]:
        return [a["href"] for a, _ in self.find("a") if a.get("href", "").startswith(href_prefix)]
