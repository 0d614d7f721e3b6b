"""`make bench`: time `import_seeds` on synthetic articles shaped like the seed.

Runs on a fresh database of its own (SQLite under a temporary folder unless
--database-url names another) and reports each figure beside a baseline measured in the
same run on the same files, so that the ratio holds whatever the machine's speed:

- first import      vs  rendering every body (the Markdown work an import cannot skip)
- unchanged re-run  vs  reading and hashing every file (the least a re-run must do)
- new notes sent one at a time over the API (`PUT /api/notes/`, through Django's
  client) into the archive just imported, and the same notes as files imported one by
  one, vs parsing and rendering each (the least a note's import must do)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.environment import fresh_database, start_django

TARGETS = {"import": 30.0, "reimport": 3.0}  # seconds, for 10,000 articles
SENT = 50  # notes sent over the API


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000, help="How many notes.")
    parser.add_argument("--database-url", help="Database to use (default: a new SQLite file).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="folio-bench-") as scratch:
        scratch = Path(scratch)
        start_django(args.database_url, scratch)
        return run(scratch, args.articles)


def timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def run(scratch: Path, count: int) -> int:
    from django.db import connection

    from articles import rendering, vault
    from articles.importer import Verdict, import_vault
    from bench.synthetic import write_vault

    fresh_database()
    folder = scratch / "vault"
    print(f"writing {count:,} synthetic notes ...", flush=True)
    paths = write_vault(folder, count)

    bodies = [vault.parse(p.read_text(), path=p.name).body for p in paths]
    render_time, _ = timed(lambda: [rendering.render(body) for body in bodies])
    read_time, _ = timed(
        lambda: [vault.text_hash(vault.decode(p.read_bytes(), path="")) for p in paths]
    )

    import_time, first = timed(import_vault, [folder])
    assert first.count(Verdict.CREATED) == count, first.summary()
    reimport_time, second = timed(import_vault, [folder])
    assert second.count(Verdict.UNCHANGED) == count, second.summary()

    sent_time, file_time, prepare_time = one_by_one(scratch, count)
    scale = count / 10_000
    rows = [
        ("first import", import_time, "render every body", render_time, TARGETS["import"]),
        (
            "unchanged re-run",
            reimport_time,
            "read + hash every file",
            read_time,
            TARGETS["reimport"],
        ),
    ]
    print(f"\n{count:,} articles, {connection.vendor}")
    print(f"{'measure':<18}{'seconds':>9}  {'baseline':<24}{'seconds':>9}{'ratio':>8}{'target':>9}")
    ok = True
    for name, seconds, base_name, base, target in rows:
        target *= scale
        ok &= seconds < target
        mark = "ok" if seconds < target else "SLOW"
        print(
            f"{name:<18}{seconds:>9.2f}  {base_name:<24}{base:>9.2f}{seconds / base:>7.2f}x"
            f"{target:>8.1f}s {mark}"
        )
    print(f"\n{SENT} new notes, one at a time, into those {count:,} (ms a note)")
    for name, seconds in (
        ("sent: PUT /api/notes/", sent_time),
        ("a file: import_seeds", file_time),
    ):
        print(
            f"{name:<24}{seconds * 1000 / SENT:>8.1f}  parse + render it"
            f"{prepare_time * 1000 / SENT:>8.1f}{seconds / prepare_time:>7.2f}x"
        )
    return 0 if ok else 1


def one_by_one(scratch: Path, count: int) -> tuple[float, float, float]:
    """Seconds for SENT new notes sent over the API one by one, for as many more imported
    as files one by one, and for parsing and rendering those notes."""
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.test import Client
    from django.utils import timezone

    from articles import tokens
    from articles.importer import import_vault
    from articles.pipeline import prepare
    from bench.synthetic import write_vault

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.FOLIO_API_WRITE_RATE = f"{SENT}/m"
    user = User.objects.create_user("bench", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    client = Client(headers={"authorization": f"Bearer {tokens.make(user=user, name='b')[1]}"})
    sent = write_vault(scratch / "sent", SENT, first=count)
    files = write_vault(scratch / "files", SENT, first=count + SENT)
    tz = timezone.get_default_timezone()
    prepare_time, _ = timed(lambda: [prepare(p.read_text(), p.name, tz, None) for p in sent])

    def send() -> None:
        for path in sent:
            url = "/api/notes/?" + urlencode(
                {"path": path.relative_to(scratch / "sent").as_posix()}
            )
            answer = client.put(url, path.read_bytes(), content_type="text/markdown")
            assert answer.status_code == 201, answer.content

    sent_time, _ = timed(send)
    file_time, _ = timed(lambda: [import_vault([path]) for path in files])
    return sent_time, file_time, prepare_time


if __name__ == "__main__":
    sys.exit(main())
