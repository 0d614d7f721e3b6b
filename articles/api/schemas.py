"""What the API gives, as typed schemas: its OpenAPI schema is made from these."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, Field

FIELDS = (  # an article's, in the order given (the Article schema's below)
    "id",
    "title",
    "slug",
    "url",
    "published_at",
    "updated_at",
    "author",
    "source",
    "original_url",
    "summary",
    "key_points",
    "risks",
    "tags",
    "reading_minutes",
    "html",
    "markdown",
)


# --- what the API takes


class Page(Schema):
    cursor: str | None = Field(
        None, pattern="^[A-Za-z0-9_-]+$", description="Where a page starts: from `next`."
    )


_ONE = "(?:" + "|".join(FIELDS) + ")"


class Fields(Schema):
    fields: str | None = Field(
        None,
        pattern=f"^{_ONE}(?:,{_ONE})*$",
        description="The fields to give, commas between, of: " + ", ".join(FIELDS) + ". "
        "By default every one but html and markdown in a list, every one but markdown alone.",
    )


def _iso(value):
    """A date or time as ISO 8601 writes it; not a number (pydantic would read one as
    seconds since 1970)."""
    if not (isinstance(value, str) and re.match(r"\d{4}-\d\d-\d\d(?:$|[T ])", value)):
        raise ValueError("give a date, 2024-05-01, or a time, 2024-05-01T08:00+08:00")
    return value


def _aware(value: datetime) -> datetime:
    """In Folio's time zone when no zone is given; refused when it is not a moment of
    years 1 to 9999 in UTC (as the database keeps it)."""
    value = value if timezone.is_aware(value) else timezone.make_aware(value)
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError("out of range: years 1 to 9999") from None
    return value


Moment = Annotated[datetime, BeforeValidator(_iso), AfterValidator(_aware)]


class ArticleQuery(Page, Fields):
    tag: str | None = Field(None, description="Only articles with the tag of this slug.")
    author: str | None = Field(None, description="Only articles by the author of this slug.")
    published_after: Moment | None = Field(
        None,
        description="Published at or after this time: 2024-05-01, 2024-05-01T08:00 (in "
        "Folio's time zone) or 2024-05-01T08:00+08:00.",
    )
    published_before: Moment | None = Field(
        None, description="Published before this time (as published_after)."
    )
    q: str | None = Field(None, description="Words to search for, as on /search/.")
    ordering: Literal["-published_at", "published_at", "relevance"] | None = Field(
        None,
        description="Newest first (the default), oldest first, or best match first (the "
        "default with `q` and no other filter; not with one).",
    )
    limit: int = Field(20, ge=1, le=100, description="Articles a page.")


class StatusChange(Schema):
    status: Literal["draft", "review", "published", "archived"] = Field(
        description="review: submit for review; published: publish; draft: take back."
    )
    publish_at: Moment | None = Field(
        None, description="With published: when (a time to come schedules it)."
    )


class NoteQuery(Schema):
    path: str | None = Field(
        None,
        description="The note's place in the vault (`AI/GPT-4o.md`). Without one: its "
        "article's (known by its URL), else `<its title's slug>.md`. A note without a URL "
        "is known by its path: needed then.",
    )
    force: bool = Field(
        False, description="Overwrite the article even where it was edited since (else 409)."
    )
    dry_run: bool = Field(False, description="Say what would happen; change nothing.")


class Nothing(Schema):
    """What an address that takes no parameter takes."""


class IndexQuery(Page):
    limit: int = Field(100, ge=1, le=1000, description="Entries a page.")


# --- what it gives


class ParameterError(Schema):
    parameter: str
    detail: str


class Problem(Schema):
    """A problem details object (RFC 9457), as application/problem+json."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = None
    errors: list[ParameterError] = Field(None, description="Each bad parameter (with 400).")


class Status(Schema):
    slug: str
    status: str = Field(description="As set: draft, review, published or archived.")
    state: str = Field(description="Where it stands: published but to come is scheduled.")
    published_at: datetime
    url: str


class Verdict(Schema):
    verdict: Literal["created", "updated", "unchanged"] = Field(
        description="What the note did (or would do, in a dry run) to its article."
    )
    detail: str = Field(description="Why, where there is more to say.")
    path: str = Field(description="The note's place in the vault.")
    dry_run: bool
    slug: str | None = Field(description="Its article's; null for a dry run's new one.")
    url: str | None = Field(description="Its article's page; null for a dry run's new one.")
    status: str | None = Field(description="Its article's: draft, review, published…")
    state: str | None = Field(description="Where it stands: published but to come is scheduled.")


class Edit(Schema):
    revision: int
    by: str | None = Field(description="Who saved it (null: an import).")
    at: datetime
    changed: list[str] = Field(description="The fields it changed.")
    comment: str


class NoteProblem(Problem):
    """A note not imported: why (400), or what it conflicts with (409)."""

    verdict: Literal["conflict", "duplicate", "failed"] = Field(None)
    path: str = Field(None, description="The note's place in the vault.")
    url: str | None = Field(None, description="The page of the article it stands for.")
    differs: list[str] = Field(None, description="Fields the note and the article differ in.")
    edits: list[Edit] = Field(
        None, description="Saves of the article since a note of it last came, newest first."
    )


class Index(Schema):
    articles: str
    tags: str
    authors: str
    openapi: str = Field(description="This API's OpenAPI schema.")
    docs: str = Field(description="This API's docs, to read and try.")


class Link(Schema):
    name: str
    slug: str
    url: str = Field(description="Its page on the site.")


class Item(Schema):
    label: str = Field(description="The item's bold lead, if it has one.")
    text: str


class Article(Schema):
    """An article; a field left out of `fields` is absent."""

    id: int = None
    title: str = None
    slug: str = None
    url: str = Field(None, description="Its page on the site.")
    published_at: datetime = None
    updated_at: datetime = Field(None, description="Its last change.")
    author: Link | None = None
    source: str = Field(None, description="Where it was clipped from (a WeChat account…).")
    original_url: str = Field(None, description='The original article (http or https), or "".')
    summary: str = Field(None, description="Its one-sentence summary.")
    key_points: list[Item] = None
    risks: list[Item] = None
    tags: list[Link] = None
    reading_minutes: int = None
    html: str = Field(None, description="The body as the site shows it (sanitized HTML).")
    markdown: str = Field(None, description="The body as written.")


class ArticlePage(Schema):
    next: str | None = Field(description="The next page's address; null on the last.")
    results: list[Article]


class Tag(Link):
    count: int = Field(description="Published articles with it.")


class TagPage(Schema):
    next: str | None
    results: list[Tag]


class Latest(Schema):
    title: str
    url: str
    published_at: datetime


class Author(Link):
    count: int = Field(description="Published articles by them.")
    latest: Latest | None


class AuthorPage(Schema):
    next: str | None
    results: list[Author]


assert tuple(Article.model_fields) == FIELDS
