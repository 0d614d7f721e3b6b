"""An import killed with SIGKILL at random points: the database holds whole batches each
time, no worker process is left behind, and the next run completes the import."""

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import F, Q

from articles.importer import BATCH
from articles.models import Article, Revision, SyncedFile, TaggedArticle
from bench.synthetic import write_vault
from tests.servers import ROOT, database_url

NOTES = 300  # enough for the importer to start its worker processes (PARALLEL_FROM)
KILLS = 5

pytestmark = pytest.mark.django_db(transaction=True)


def _start(vault: Path, mark: str) -> subprocess.Popen:
    """`import_seeds` in a process of its own; its output goes to files beside the vault
    (a pipe would stay open as long as any process left behind)."""
    environ = {**os.environ, "DATABASE_URL": database_url(), "FOLIO_TEST_MARK": mark}
    with open(vault.with_name("out"), "w") as out, open(vault.with_name("err"), "w") as err:
        return subprocess.Popen(
            [sys.executable, "manage.py", "import_seeds", str(vault)],
            cwd=ROOT,
            env=environ,
            stdout=out,
            stderr=err,
        )


def _processes_marked(mark: str) -> list[str]:
    """The processes still running with `mark` in their environment (workers inherit it)."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if f"FOLIO_TEST_MARK={mark}".encode() in environ.read_bytes().split(b"\0"):
                command = (environ.parent / "cmdline").read_bytes().replace(b"\0", b" ")
                found.append(f"{environ.parent.name}: {command.decode()[:120]}")
        except OSError:  # gone meanwhile, or not ours to read
            pass
    return found


def _ids(sql: str) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {row[0] for row in cursor.fetchall()}


def _assert_consistent(when: str) -> int:
    """Every article is whole: its revision, its file's agreement, its search row and its
    tag rows' copies of its state. The number of articles."""
    articles = set(Article.objects.values_list("pk", flat=True))
    search = "rowid" if connection.vendor == "sqlite" else "article_id"
    assert set(Revision.objects.values_list("article", flat=True)) == articles, when
    assert set(SyncedFile.objects.values_list("article", flat=True)) == articles, when
    assert _ids(f"SELECT {search} FROM articles_search") == articles, when
    assert Revision.objects.count() == len(articles), when  # one each: nothing twice
    copies = Q(status=F("content_object__status"), published_at=F("content_object__published_at"))
    assert not TaggedArticle.objects.exclude(copies).exists(), when
    assert TaggedArticle.objects.exists() or not articles, when
    # Files are written a batch to a transaction: a kill keeps whole batches only.
    assert len(articles) % BATCH == 0 or len(articles) == NOTES, (when, len(articles))
    return len(articles)


def test_an_import_killed_at_random_points_leaves_a_consistent_database(tmp_path):
    write_vault(tmp_path / "vault", NOTES)
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    counts = []
    for kill in range(KILLS):
        mark = uuid.uuid4().hex
        importer = _start(tmp_path / "vault", mark)
        when = f"kill {kill + 1} (seed {seed})"
        # The first kill lands while the importer starts and parses; the others once the
        # database holds a random number more articles, in the middle of a later batch.
        target = -1 if kill == 0 else min(NOTES - 1, counts[-1] + rng.randrange(1, 80))
        deadline = time.monotonic() + (rng.uniform(0.2, 1.5) if kill == 0 else 120)
        while importer.poll() is None and time.monotonic() < deadline:
            if target >= 0 and Article.objects.count() >= target:
                time.sleep(rng.uniform(0, 0.3))
                break
            time.sleep(0.02)
        assert importer.poll() is None, f"{when}: the import ended first"
        importer.send_signal(signal.SIGKILL)
        importer.wait(timeout=30)
        for _ in range(100):
            left = _processes_marked(mark)
            if not left:
                break
            time.sleep(0.1)
        assert not left, f"{when}: processes outlived their import: {left}"
        counts.append(_assert_consistent(when))

    finished = _start(tmp_path / "vault", uuid.uuid4().hex)
    finished.wait(timeout=300)
    out, err = ((tmp_path / name).read_text() for name in ("out", "err"))
    assert finished.returncode == 0, err
    created = int(out.splitlines()[-1].split()[0])
    assert created == NOTES - counts[-1], (out, counts)
    assert _assert_consistent("after the last run") == NOTES
    assert any(0 < count < NOTES for count in counts), counts  # kills landed mid-import
