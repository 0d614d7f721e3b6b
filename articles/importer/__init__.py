"""Vault notes into articles: `import_vault`.

Repeatable: an article is identified by its original URL (see `vault.source_key`), else
by its path relative to the folder imported. A second run creates nothing; a file
unchanged since it and its article last agreed is passed over without being parsed.

Whether a file may overwrite its article is asked of their last agreement (a SyncedFile:
the file's content and the article's note when an import or an export last made them
one), per file: only the file changed, it updates the article; only the article, the
edit is kept (and said); both, a conflict, unless forced. Importing another file (an
export) makes its own agreement and leaves this one's alone.

Each file is imported in its own transaction, and a bad file is reported and passed
over. A file that clashes with what another import or an editor saved meanwhile is tried
once more, knowing what they saved. (Not savepoints in a larger transaction, which would
commit less often: foreign keys are checked at commit, so a tag an editor deleted
meanwhile would fail every file committed with it.)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from .. import pagecache
from ..pipeline import Workers
from ..vault import files
from .report import FileResult, ImportReport, Verdict
from .run import Run

__all__ = ["FileResult", "ImportReport", "Verdict", "import_vault"]
PARALLEL_FROM = 200  # notes; fewer import faster without starting worker processes


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
    with Workers(processes) as workers, pagecache.batched():
        for done, (read, prepared) in enumerate(workers.map(map(run.read, found.notes)), 1):
            report.results.append(run.import_note(read, prepared))
            if progress:
                progress(done, len(found.notes))
    return report
