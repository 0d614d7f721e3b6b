"""The CPU-bound half of an import: parse a note, render its body, spell its slug, and
segment its words for search.

PURE (imports nothing from Django), so that the importer can run it in worker processes
on every core while it writes to the database itself.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import multiprocessing.connection
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any, TypeVar

from . import measure, rendering, slugs, tokenizer, vault

T = TypeVar("T")
__all__ = ["UTC", "Prepared", "Workers", "prepare"]


@dataclass
class Prepared:
    """A note read and rendered, or the error that stopped it."""

    note: vault.VaultArticle | None = None
    html: str = ""
    minutes: int = 0  # reading time
    slug: str = ""
    document: tokenizer.Document | None = None  # for the search index
    error: vault.VaultError | None = None


def prepare(
    text: str, path: str, tz: tzinfo, default_date: datetime | None, seconds: float | None = None
) -> Prepared:
    """Parse `text` (see `vault.parse`), render its body (in at most `seconds`), time its
    reading and spell its title's slug."""
    try:
        note = vault.parse(text, path=path, tz=tz, default_date=default_date)
        html = rendering.render(note.body, seconds=seconds)
    except vault.VaultError as error:
        return Prepared(error=error)
    except rendering.RenderError as error:
        line = note.body_line + error.line - 1 if error.line else None
        return Prepared(error=vault.VaultError(path, line, f"body {error.message}"))
    text = measure.plain_text(html)
    summary = note.summary
    document = tokenizer.document(
        title=note.title,
        summary=summary.one_sentence,
        items=((item.label, item.text) for item in [*summary.key_points, *summary.risks]),
        tags=(tag.name for tag in note.tags),
        author=note.author,
        body=text,
    )
    return Prepared(note, html, measure.reading_minutes(text), slugs.slugify(note.title), document)


class Workers:
    """Run `prepare` in worker processes when there is enough work to pay for them,
    else in this process; results come back in the order the work went in."""

    WINDOW = 64  # notes in flight at once: bounds the memory results take

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self.pool: concurrent.futures.Executor | None = None

    def __enter__(self) -> Workers:
        if self.processes > 1:
            method = (
                "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
            )
            context = multiprocessing.get_context(method)
            self.pool = concurrent.futures.ProcessPoolExecutor(
                self.processes, mp_context=context, initializer=_exit_with_parent
            )
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.pool:
            self.pool.shutdown(cancel_futures=True)

    def map(
        self, work: Iterable[tuple[T, tuple[Any, ...] | None]]
    ) -> Iterator[tuple[T, Callable[[], Prepared] | None]]:
        """For each (item, args for `prepare` or None), the item and a function giving
        its result (None where there was no work)."""
        pending: deque[tuple[T, Callable[[], Prepared] | None]] = deque()
        for item, args in work:
            pending.append((item, self._start(args)))
            if len(pending) >= self.WINDOW:
                yield pending.popleft()
        yield from pending

    def _start(self, args: tuple[Any, ...] | None) -> Callable[[], Prepared] | None:
        if args is None:
            return None
        if self.pool is not None:
            try:
                future = self.pool.submit(prepare, *args)
            except BrokenProcessPool:
                self.pool = None
            else:
                return lambda: _result(future, args)
        return lambda: prepare(*args)


def _exit_with_parent() -> None:
    """In a worker: end when the process that started it ends, however it ended. A
    killed import leaves no worker behind (each would wait for work for ever)."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _result(future: concurrent.futures.Future, args: tuple[Any, ...]) -> Prepared:
    try:
        return future.result()
    except BrokenProcessPool:  # a worker died (killed, out of memory): do it here instead
        return prepare(*args)
