"""The archive's chart of articles a month: its geometry (charts.py, pure) and the SVG
the archive page draws from it."""

from datetime import date, datetime

import pytest

from articles import charts
from articles.charts import LEFT, MIN_BAR, MIN_SLOT, PLOT_HEIGHT, PLOT_WIDTH, RIGHT, TOP
from articles.models import Article
from tests.public import SHANGHAI, Page, expire_pages, future, make_article, queries

BASELINE = TOP + PLOT_HEIGHT
ZH = {"headers": {"accept-language": "zh-hans"}}


def months(first: date, count: int) -> list[date]:
    return [date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
            for i in range(count)]  # fmt: skip


# --- geometry -------------------------------------------------------------------------


def test_bar_heights_are_proportional_to_the_largest_month():
    chart = charts.month_chart(
        [(date(2024, 1, 9), 4), (date(2024, 2, 1), 2), (date(2024, 3, 31), 1)]
    )
    assert [bar.count for bar in chart.bars] == [4, 2, 1]
    assert [bar.height for bar in chart.bars] == [PLOT_HEIGHT, PLOT_HEIGHT / 2, PLOT_HEIGHT / 4]
    assert [bar.y + bar.height for bar in chart.bars] == [BASELINE] * 3  # standing on the axis
    assert chart.largest == 4 and chart.peak.month == date(2024, 1, 1)
    assert chart.top == BASELINE - PLOT_HEIGHT


def test_a_month_given_twice_adds_up_in_any_order():
    chart = charts.month_chart(
        [(date(2024, 2, 3), 1), (date(2024, 1, 5), 2), (date(2024, 2, 20), 3)]
    )
    assert [(bar.month, bar.count) for bar in chart.bars] == [
        (date(2024, 1, 1), 2),
        (date(2024, 2, 1), 4),
    ]
    assert chart.peak.month == date(2024, 2, 1)


def test_months_without_articles_are_gaps_from_the_first_month_to_the_last():
    chart = charts.month_chart(
        [(date(2024, 2, 1), 1), (date(2023, 11, 1), 3), (date(2024, 5, 1), 0)]
    )
    assert [bar.month for bar in chart.bars] == months(date(2023, 11, 1), 4)  # not to May
    assert [bar.count for bar in chart.bars] == [3, 0, 0, 1]
    assert [bar.height for bar in chart.bars] == [PLOT_HEIGHT, 0, 0, PLOT_HEIGHT / 3]
    slots = [(bar.slot_x, bar.slot_width) for bar in chart.bars]
    assert slots == [(LEFT + i * slots[0][1], slots[0][1]) for i in range(4)]  # evenly spaced
    assert all(bar.slot_x < bar.x and bar.x + bar.width < bar.slot_x + bar.slot_width
               for bar in chart.bars)  # fmt: skip


def test_no_chart_without_any_article():
    assert charts.month_chart([]) is None
    assert charts.month_chart([(date(2024, 1, 1), 0)]) is None
    assert charts.month_chart([(date(2024, 1, 1), 1)]) is not None


def test_a_small_month_beside_a_huge_one_is_still_a_bar():
    chart = charts.month_chart([(date(2024, 1, 1), 5000), (date(2024, 2, 1), 1)])
    assert [bar.height for bar in chart.bars] == [PLOT_HEIGHT, MIN_BAR]


def test_years_are_labelled_where_they_start():
    chart = charts.month_chart([(date(2022, 1, 1), 1), (date(2024, 12, 1), 1)])
    by_month = {bar.month: bar for bar in chart.bars}
    assert [(label.year, label.x, label.tick) for label in chart.years] == [
        (year, by_month[date(year, 1, 1)].slot_x, True) for year in (2022, 2023, 2024)
    ]


def test_a_year_with_too_few_months_for_its_number_goes_unlabelled():
    chart = charts.month_chart([(date(2020, 12, 1), 1), (date(2024, 12, 1), 1)])
    assert [label.year for label in chart.years] == [2021, 2022, 2023, 2024]
    # the same December, with room: few months spread wider
    chart = charts.month_chart([(date(2020, 12, 1), 1), (date(2021, 3, 1), 1)])
    assert [(label.year, label.tick) for label in chart.years] == [(2020, False), (2021, True)]
    # a year alone is labelled, however narrow
    chart = charts.month_chart([(date(2024, 7, 1), 1)])
    assert [(label.year, label.x) for label in chart.years] == [(2024, LEFT)]


def test_few_months_spread_over_the_plot_many_make_it_wider():
    few = charts.month_chart([(date(2023, 1, 1), 1), (date(2024, 8, 1), 1)])
    assert few.bars[0].slot_width == PLOT_WIDTH // 20 > MIN_SLOT
    assert few.width <= LEFT + PLOT_WIDTH + RIGHT
    many = charts.month_chart([(date(2015, 1, 1), 1), (date(2024, 12, 1), 1)])
    assert len(many.bars) == 120 and many.bars[0].slot_width == MIN_SLOT
    assert many.width == many.right + RIGHT == LEFT + 120 * MIN_SLOT + RIGHT
    assert many.height == BASELINE + charts.AXIS


# --- the archive page -----------------------------------------------------------------


def published(year: int, month: int, **fields) -> Article:
    return make_article(published_at=datetime(year, month, 10, 12, tzinfo=SHANGHAI), **fields)


def chart_of(client) -> tuple[Page, Page]:
    """The archive's chart: its picture (role="img") and the SVG of links laid over it."""
    response = client.get("/archive/", **ZH)
    assert response.status_code == 200
    html = response.content.decode()
    picture = html.index("<svg")
    links = html.index("<svg", picture + 1)
    assert html.count("<svg") == 2
    return Page(html[picture:links]), Page(html[links : html.index("</svg>", links) + 6])


@pytest.mark.django_db
def test_the_archive_draws_a_linked_bar_for_each_month_with_articles(client):
    for month in (11, 11, 11):
        published(2023, month)
    published(2024, 1)
    published(2024, 1)
    published(2024, 3)
    picture, links = chart_of(client)
    (attrs, _), = picture.find("svg")  # fmt: skip
    assert attrs["role"] == "img"
    assert picture.find("title", id=attrs["aria-labelledby"]) == [
        ({"id": "archive-chart-title"}, "2023年11月至2024年3月每月发表的文章数")
    ]
    heights = [float(a["height"]) for a, _ in picture.find("rect", class_="chart-bar")]
    assert heights == [PLOT_HEIGHT, PLOT_HEIGHT * 2 / 3, PLOT_HEIGHT / 3]
    assert picture.texts("text", class_="chart-year") == ["2023", "2024"]
    assert links.links() == ["/archive/2023/11/", "/archive/2024/01/", "/archive/2024/03/"]
    assert links.texts("title") == [
        "2023年11月：3 篇",
        "2023年12月：0 篇",
        "2024年1月：2 篇",
        "2024年2月：0 篇",
        "2024年3月：1 篇",
    ]
    assert len(links.find("g", class_="chart-gap")) == 2
    # each link covers its bar's column
    bars = [(float(a["x"]), float(a["width"])) for a, _ in picture.find("rect", class_="chart-bar")]
    columns = [
        (float(a["x"]), float(a["width"])) for a, _ in links.find("rect", class_="chart-hit")
    ]
    linked = [columns[0], columns[2], columns[4]]  # the gaps' columns link nowhere
    for (x, width), (column, column_width) in zip(bars, linked, strict=True):
        assert column < x and x + width < column + column_width


@pytest.mark.django_db
def test_the_links_are_not_inside_the_picture(client):
    """Inside role="img" they would be hidden from assistive technology, which gets them
    (with the numbers) from the month list; the SVG of links is hidden from it and out of
    the tab order instead."""
    published(2024, 1)
    picture, links = chart_of(client)
    assert picture.find("a") == [] and picture.find("svg", role="img")
    (attrs, _), = links.find("svg")  # fmt: skip
    assert attrs["aria-hidden"] == "true" and "role" not in attrs
    assert [a["tabindex"] for a, _ in links.find("a")] == ["-1"]


@pytest.mark.django_db
def test_drafts_and_scheduled_articles_are_not_counted(client):
    published(2024, 1)
    draft = published(2024, 2, status=Article.Status.DRAFT)
    published(2024, 3)
    scheduled = make_article(published_at=future())
    _, before = chart_of(client)
    assert before.links() == ["/archive/2024/01/", "/archive/2024/03/"]
    assert "2024年2月：0 篇" in before.texts("title")
    Article.objects.filter(pk=draft.pk).update(status=Article.Status.PUBLISHED)
    expire_pages()
    _, after = chart_of(client)
    assert after.links() == ["/archive/2024/01/", "/archive/2024/02/", "/archive/2024/03/"]
    assert "2024年2月：1 篇" in after.texts("title")
    # the scheduled article's month, once its time has come
    when = datetime(2024, 4, 2, tzinfo=SHANGHAI)
    Article.objects.filter(pk=scheduled.pk).update(published_at=when)
    expire_pages()
    assert chart_of(client)[1].links()[-1] == "/archive/2024/04/"


@pytest.mark.django_db
def test_an_empty_archive_has_no_chart_and_says_so(client):
    html = client.get("/archive/", **ZH).content.decode()
    assert "<svg" not in html and "还没有文章。" in html
    published(2024, 5)
    html = client.get("/archive/", **ZH).content.decode()
    assert "<svg" in html and "还没有文章。" not in html


@pytest.mark.django_db
def test_the_chart_is_described_in_text_beside_it(client):
    published(2024, 1)
    published(2024, 3)
    published(2024, 3)
    page = Page(client.get("/archive/", **ZH).content.decode())
    (svg, _), = page.find("svg", role="img")  # fmt: skip
    assert page.texts("p", id=svg["aria-describedby"]) == [
        "每月文章数，最多的是2024年3月（2 篇）。"
    ]
    # the month list gives every number too, and links to the same months
    assert page.texts("span", class_="count") == ["2", "1"]
    assert set(page.links("/archive/2024/0")) == {"/archive/2024/01/", "/archive/2024/03/"}


@pytest.mark.django_db
def test_the_chart_is_in_english_for_those_who_ask(client):
    published(2024, 1)
    published(2024, 1)
    html = client.get("/archive/", headers={"accept-language": "en"}).content.decode()
    assert "January 2024: 2 articles" in html
    assert "Articles published each month, January 2024 to January 2024" in html


@pytest.mark.django_db
def test_the_chart_costs_no_query_of_its_own(client, settings):
    settings.FOLIO_PAGE_CACHE = False
    published(2021, 6)
    assert queries(client, "/archive/") == 1
    for year, month in [(2022, 1), (2023, 7), (2024, 12), (2024, 12)]:
        published(year, month)
    assert queries(client, "/archive/") == 1
    assert len(chart_of(client)[1].find("rect", class_="chart-hit")) == 43  # 2021-06 .. 2024-12
