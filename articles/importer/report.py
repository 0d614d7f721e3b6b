"""What an import says of each file, and of the whole run."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Verdict(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"
    DUPLICATE = "duplicate"
    FAILED = "failed"


@dataclass(frozen=True)
class FileResult:
    path: str  # the file as the user can find it
    verdict: Verdict
    detail: str = ""  # for failures, the whole `path:line: reason`
    article: int | None = None  # the pk of the article it stands for, where there is one


@dataclass
class ImportReport:
    results: list[FileResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # folders not walked, and why

    def count(self, verdict: Verdict) -> int:
        return sum(result.verdict == verdict for result in self.results)

    def of(self, verdict: Verdict) -> list[FileResult]:
        return [result for result in self.results if result.verdict == verdict]

    def summary(self) -> str:
        counts = [self.count(v) for v in (Verdict.CREATED, Verdict.UPDATED, Verdict.UNCHANGED)]
        counts += [self.count(Verdict.CONFLICT), self.count(Verdict.FAILED)]
        return "{} created, {} updated, {} unchanged, {} conflicts, {} failed".format(*counts)
