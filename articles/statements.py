"""Querysets compiled once per process, for the few queries every public page makes.

Building a queryset and compiling it to SQL costs Django ten to twenty times what running
it costs (about 400 µs against 20 µs for an article by its slug on SQLite); a page that
makes five queries spends most of its time there. `@prepared` keeps the definitions in
the ORM (`published()` stays the one definition of public): the function builds its
queryset once, from stand-in values for its arguments; the SQL is kept, and each call runs
it with the real values in the stand-ins' places, converting the rows as the queryset
would (dates from SQLite's text, and so on).

A prepared function takes only values that go into the query as parameters (ids, slugs,
times, lists of them) and returns a `values_list()` queryset; a list argument compiles
once per length. It returns the rows as a list of tuples (named when the queryset is). A
shape that can find nothing (an empty list, a slice [0:0]) returns [] and asks nothing.
"""

from __future__ import annotations

import functools
import threading
from datetime import UTC, datetime

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models.query import NamedValuesListIterable, ValuesListIterable
from django.db.models.utils import create_namedtuple_class

SHAPES = 1000
_compiled = threading.local()  # a connection belongs to its thread, so do its statements


class _Stand:
    """Stand-in values: unlike any value a real query holds, each its own."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, value):
        if isinstance(value, list | tuple):
            return [self(item) for item in value]
        self.count += 1
        if isinstance(value, datetime):
            return datetime(1000 + self.count, 1, 1, tzinfo=UTC)
        if isinstance(value, bool):
            raise TypeError("a flag changes a query's shape: make two prepared functions")
        if isinstance(value, int):
            return -(10**15) - self.count
        if isinstance(value, str):
            return f"\x00stand-in {self.count}\x00"
        raise TypeError(f"no stand-in for {type(value).__name__} {value!r}")


class _Statement:
    def __init__(self, build, args: tuple, shape: dict) -> None:
        stand = _Stand()
        stands = [stand(arg) for arg in args]
        queryset = build(*stands, **shape)
        if queryset._iterable_class not in (ValuesListIterable, NamedValuesListIterable):
            raise TypeError(f"{build.__qualname__}: prepare a values_list() queryset")
        self.alias = queryset.db
        self.connection = connections[queryset.db]
        self.compiler = queryset.query.get_compiler(queryset.db)
        self.places: list[tuple[int, tuple[int, ...]]] = []
        try:
            self.sql, params = self.compiler.as_sql()
        except EmptyResultSet:  # this shape finds nothing, whatever the values ([0:0])
            self.sql = None
            return
        self.params = list(params)
        fields = [select[0] for select in self.compiler.select[: self.compiler.col_count]]
        self.converters = self.compiler.get_converters(fields)
        self.named = None
        if queryset._iterable_class is NamedValuesListIterable:
            query = queryset.query
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
            self.named = create_namedtuple_class(*(queryset._fields or names))
        # Where each argument (or list item) went: its stand-in's place among the params.
        for position, stand in enumerate(stands):
            for index, item in _items(stand):
                found = [i for i, p in enumerate(self.params) if p == self._adapt(item)]
                if not found:
                    raise ValueError(f"{build.__qualname__}: argument {position} is no parameter")
                self.places += [(i, (position, *index)) for i in found]

    def _adapt(self, value):
        if isinstance(value, datetime):
            return self.connection.ops.adapt_datetimefield_value(value)
        return value

    def run(self, args: tuple) -> list:
        if self.sql is None:
            return []
        params = list(self.params)
        for place, (position, *index) in self.places:
            value = args[position]
            for i in index:
                value = value[i]
            params[place] = self._adapt(value)
        with self.connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.converters:
            rows = list(map(tuple, self.compiler.apply_converters(rows, self.converters)))
        if self.named:
            return [tuple.__new__(self.named, row) for row in rows]
        return rows


def _items(stand, index=()):
    if isinstance(stand, list):
        for i, item in enumerate(stand):
            yield from _items(item, (*index, i))
    else:
        yield index, stand


def prepared(build):
    """`build(*args, **shape)` -> a values_list() queryset; the decorated function runs
    it. Keyword arguments are the query's shape (a slice's bounds, say): each shape
    compiles once (at most SHAPES of them a function, then they start again)."""

    @functools.wraps(build)
    def run(*args, **shape):
        lengths = tuple(len(arg) if isinstance(arg, list | tuple) else None for arg in args)
        key = (lengths, *sorted(shape.items()))
        statements = _compiled.__dict__.setdefault(id(run), {})
        statement = statements.get(key)
        if statement is None or statement.connection is not connections[statement.alias]:
            if len(statements) >= SHAPES:
                statements.clear()
            statement = statements[key] = _Statement(build, args, shape)
        return statement.run(args)

    return run
