"""Vault notes into articles: `import_vault`.

Repeatable: an article is identified by its original URL (see `vault.source_key`), else
by its path relative to the folder imported. A second run creates nothing; a file
unchanged since it and its article last agreed is passed over without being parsed.

Whether a file may overwrite its article is asked of their last agreement (a SyncedFile:
the file's content and the article's note when an import or an export last made them
one), per file: only the file changed, it updates the article; only the article, the
edit is kept (and said); both, a conflict, unless forced. Importing another file (an
export) makes its own agreement and leaves this one's alone.

Files are imported in batches, one transaction a batch and a savepoint a file (a commit
costs more than a file's inserts: SQLite writes its search index then), and a bad file is
reported and passed over. A file that clashes with what another import or an editor saved
meanwhile is tried once more, knowing what they saved. Foreign keys are checked at
commit: where a tag or author the run knew was deleted meanwhile, the batch is imported
again, a transaction a file, by a run that has looked again at what is there.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

from .. import pagecache
from ..pipeline import Workers
from ..vault import files
from .report import FileResult, ImportReport, Verdict
from .run import Run
from .sent import Sent, import_note

__all__ = ["FileResult", "ImportReport", "Sent", "Verdict", "import_note", "import_vault"]
PARALLEL_FROM = 200  # notes; fewer import faster without starting worker processes
BATCH = 50  # files a transaction: a fifth of a second of writing, which editors wait for
T = TypeVar("T")


def import_vault(
    paths: Sequence[os.PathLike],
    *,
    dry_run: bool = False,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
    processes: int | None = None,
) -> ImportReport:
    """Import the notes under `paths`; one verdict per file. `dry_run` writes nothing;
    `force` lets each changed file overwrite its article, even one edited since they last
    agreed or one the file never agreed with. `processes` parse and render in parallel
    (default: one per core, for imports large enough)."""
    found = files.find(paths)
    report = ImportReport(
        [FileResult(e.path, Verdict.FAILED, str(e)) for e in found.refused], found.skipped
    )
    run = Run(dry_run=dry_run, force=force)
    if processes is None:
        processes = (os.cpu_count() or 1) if len(found.notes) >= PARALLEL_FROM else 1
    done = 0
    with Workers(processes) as workers, pagecache.batched():
        for batch in _batches(workers.map(map(run.read, found.notes)), BATCH):
            for result in run.import_batch(batch):
                report.results.append(result)
                done += 1
                if progress:
                    progress(done, len(found.notes))
    return report


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
