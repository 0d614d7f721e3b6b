"""PURE. The geometry of the archive's chart: articles a month as bars, in SVG user units
(pixels, as the chart is drawn at its own size and scrolls in its box when wider)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

PLOT_HEIGHT = 120  # the tallest bar
TOP = 10  # room above it for half the scale's number
LEFT = 32  # the scale's number, at the top line
AXIS = 24  # below the baseline: the years
RIGHT = 4
PLOT_WIDTH = 600  # what a few months spread to (the page's column is 640 px wide)
MIN_SLOT = 12  # a month, at least: past 50 months (4 years) the chart grows and scrolls
MAX_SLOT = 48
MIN_BAR = 2  # a month with one article among hundreds is still not a gap
YEAR_LABEL = 34  # room a year's number needs ("2024" at the axis' size)


@dataclass(frozen=True)
class Bar:
    """A month: its first day, its count and its bar (height 0 for a month without any);
    `slot_x`, `slot_width`: the whole column, the area that answers the pointer."""

    month: date
    count: int
    x: int
    y: float
    width: int
    height: float
    slot_x: int
    slot_width: int


@dataclass(frozen=True)
class YearLabel:
    """A year's number on the axis, from `x`; `tick` when a line marks where it starts."""

    year: int
    x: int
    tick: bool


@dataclass(frozen=True)
class MonthChart:
    width: int
    height: int
    top: int  # y of the largest month's top
    baseline: int  # y of the bars' feet
    left: int
    right: int  # x of the plot's right end
    largest: int
    bars: list[Bar]
    years: list[YearLabel]

    @property
    def plot_height(self) -> int:
        return self.baseline - self.top

    @property
    def first(self) -> date:
        return self.bars[0].month

    @property
    def last(self) -> date:
        return self.bars[-1].month

    @property
    def peak(self) -> Bar:
        """The largest month (the earliest, of equals)."""
        return next(bar for bar in self.bars if bar.count == self.largest)


def month_chart(counts: Iterable[tuple[date, int]]) -> MonthChart | None:
    """Bars for every month from the first to the last in `counts` (pairs of a day in the
    month and its number of articles, in any order; a month given twice adds up), months
    missing or counted 0 as gaps, heights proportional to the largest month. None when no
    month counts any article."""
    by_month: dict[date, int] = {}
    for day, count in counts:
        month = day.replace(day=1)
        by_month[month] = by_month.get(month, 0) + count
    by_month = {month: count for month, count in by_month.items() if count > 0}
    if not by_month:
        return None
    months = list(_months(min(by_month), max(by_month)))
    slot = max(MIN_SLOT, min(MAX_SLOT, PLOT_WIDTH // len(months)))
    largest = max(by_month.values())
    bars = [
        _bar(month, by_month.get(month, 0), LEFT + i * slot, slot, largest)
        for i, month in enumerate(months)
    ]
    right = LEFT + len(months) * slot
    return MonthChart(
        width=right + RIGHT,
        height=TOP + PLOT_HEIGHT + AXIS,
        top=TOP,
        baseline=TOP + PLOT_HEIGHT,
        left=LEFT,
        right=right,
        largest=largest,
        bars=bars,
        years=_years(bars, right),
    )


def _months(first: date, last: date) -> Iterable[date]:
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield date(year, month, 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _bar(month: date, count: int, slot_x: int, slot: int, largest: int) -> Bar:
    gap = max(2, slot // 4)
    height = round(max(MIN_BAR, PLOT_HEIGHT * count / largest), 1) if count else 0.0
    return Bar(
        month=month,
        count=count,
        x=slot_x + gap // 2,
        y=round(TOP + PLOT_HEIGHT - height, 1),
        width=slot - gap,
        height=height,
        slot_x=slot_x,
        slot_width=slot,
    )


def _years(bars: list[Bar], right: int) -> list[YearLabel]:
    """A label where each year starts (its January, or the first month shown); a year whose
    months are too few to hold its number goes unlabelled, unless it is the only one."""
    starts = [bar for i, bar in enumerate(bars) if i == 0 or bar.month.month == 1]
    ends = [bar.slot_x for bar in starts[1:]] + [right]
    return [
        YearLabel(year=bar.month.year, x=bar.slot_x, tick=bar.month.month == 1)
        for bar, end in zip(starts, ends, strict=True)
        if end - bar.slot_x >= YEAR_LABEL or len(starts) == 1
    ]
