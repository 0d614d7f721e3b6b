"""Fuzz one target with hypothesis for a time: the seeds first, then generated examples
until the time is spent.

    .venv/bin/python -m fuzz.hypothesis_run renderer --seconds 30

The harness catches every failure itself (and saves its input), so hypothesis never sees
one: it does not stop at the first, nor spend the time on shrinking; the smallest input
seen for each kind of failure is what is kept. The one exception hypothesis sees is the
signal that the time is up, raised from the next example, with no shrinking to follow.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st

from fuzz import engine
from fuzz.harness import Harness, Report

ROUND = 100_000  # examples a run of hypothesis, at most: it may end sooner (no more to try)


class _TimeUp(Exception):
    pass


def fuzz(
    harness: Harness,
    strategy: st.SearchStrategy[bytes],
    *,
    seconds: float,
    max_inputs: int | None = None,
    seeds: Iterable[bytes] = (),
) -> Report:
    """Feed `harness` the seeds, then what `strategy` draws, until `seconds` have passed
    (or `max_inputs` were tried)."""
    harness.start()
    end = time.monotonic() + seconds
    limit = max_inputs if max_inputs is not None else 1 << 62

    def more() -> bool:
        return time.monotonic() < end and harness.inputs < limit

    for data in seeds:
        if not more():
            break
        harness(data)
    while more():
        try:
            _run(harness, strategy, more, min(ROUND, limit - harness.inputs))
        except _TimeUp:
            break
    return harness.report()


def _run(harness: Harness, strategy, more, examples: int) -> None:
    @settings(
        max_examples=examples,
        deadline=None,  # the harness's own limit interrupts an input; this only reports
        database=None,  # no failure but _TimeUp ever reaches hypothesis: nothing to keep
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )
    @given(strategy)
    def one(data: bytes) -> None:
        if not more():
            raise _TimeUp
        harness(data)

    one()


def main(argv: list[str] | None = None) -> int:
    args = engine.arguments("hypothesis", argv)
    from fuzz import corpus, strategies

    harness = engine.start(args, "hypothesis")
    seeds = [data for _name, data in corpus.seeds(args.target)]
    report = fuzz(
        harness,
        strategies.for_target(args.target),
        seconds=args.seconds,
        max_inputs=args.max_inputs,
        seeds=seeds,
    )
    engine.finish(args, report)
    return 1 if report.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
