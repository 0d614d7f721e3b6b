"""Parsing and rendering in worker processes gives what doing it in-process gives."""

from concurrent.futures.process import BrokenProcessPool

import pytest

from articles import pipeline
from articles.importer import import_vault
from articles.models import Article


def imported(folder, processes):
    report = import_vault([folder], processes=processes)
    articles = Article.objects.order_by("source_path").values_list(
        "source_path", "title", "slug", "body_html", "published_at", "status"
    )
    return [(r.path, r.verdict, r.detail) for r in report.results], list(articles)


@pytest.mark.django_db(transaction=True)
def test_worker_processes_import_what_one_process_imports(corpus):
    in_process = imported(corpus, processes=1)
    Article.objects.all().delete()
    assert imported(corpus, processes=2) == in_process


def test_a_broken_pool_falls_back_to_this_process(monkeypatch):
    with pipeline.Workers(2) as workers:
        monkeypatch.setattr(
            workers.pool, "submit", lambda *a: (_ for _ in ()).throw(BrokenProcessPool())
        )
        results = list(workers.map([("a", ("# 标题\n\n正文", "a.md", pipeline.UTC, None))]))
    [(item, result)] = results
    prepared = result()
    assert (item, prepared.note.title, prepared.slug) == ("a", "标题", "biao-ti")
    assert prepared.html == "<p>正文</p>"


def test_bad_notes_come_back_as_errors():
    prepared = pipeline.prepare("---\ntitle: [\n---\n", "bad.md", pipeline.UTC, None)
    assert prepared.note is None and prepared.error.path == "bad.md"
