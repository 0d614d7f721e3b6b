"""Where a tag Folio adds goes among the vault's topic notes (`00-元语/AI`): in the folder
the article's own tags use most, else the one the vault uses most, else in none."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping


def topic_path(name: str, own: Iterable[str], vault: Mapping[str, int]) -> str:
    """The vault path of the tag `name`, added to an article whose tags have the vault
    paths `own`, in a vault that links each path `vault[path]` times: `name` in the folder
    `own` uses most (a tie: the folder the vault uses more, then the alphabetically first),
    else in the one `vault` uses most, else `name`. A name with a `/` is its own path."""
    if "/" in name:
        return name
    folder = _most_used(Counter(_folder(path) for path in own), _folders(vault))
    return f"{folder}/{name}" if folder else name


def _most_used(mine: Counter[str], everyone: Counter[str]) -> str:
    del mine[""], everyone[""]  # a bare link (`[[LLM]]`) is in no folder: it does not vote
    candidates = mine or everyone
    return min(candidates, key=lambda f: (-mine[f], -everyone[f], f), default="")


def _folders(vault: Mapping[str, int]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for path, uses in vault.items():
        counts[_folder(path)] += uses
    return counts


def _folder(path: str) -> str:
    return path.rpartition("/")[0]
