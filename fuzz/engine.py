"""What both engines share: their arguments, the target set up in this process (Django on
a database of its own for the importer), and the report written where `python -m fuzz`
reads it."""

from __future__ import annotations

import argparse
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from fuzz.harness import INPUT_SECONDS, LIMITS, OUT, Harness, Report, Target


def arguments(engine: str, argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=f"python -m fuzz.{engine}_run", description=f"Fuzz one target with {engine}."
    )
    parser.add_argument("target", help="parser, renderer or importer")
    parser.add_argument("--seconds", type=float, default=60, help="How long to fuzz.")
    parser.add_argument(
        "--input-seconds",
        type=float,
        help="CPU seconds one input may take before it counts as a hang (default: 1 for the "
        "parser, 3 for the renderer and the importer).",
    )
    parser.add_argument("--max-inputs", type=int, help="Stop after this many inputs.")
    parser.add_argument("--out", type=Path, default=OUT, help="Where failures and logs go.")
    parser.add_argument("--report", type=Path, help="Write the report (JSON) to this file.")
    args = parser.parse_args(argv)
    if args.input_seconds is None:
        args.input_seconds = LIMITS.get(args.target, INPUT_SECONDS)
    return args


def start(args: argparse.Namespace, engine: str) -> Harness:
    """The harness around `args.target`, ready in this process."""
    function, recover = setup(args.target, args.out / "scratch" / f"{engine}-{args.target}")
    return Harness(
        args.target,
        function,
        engine=engine,
        out=args.out,
        input_seconds=args.input_seconds,
        on_hang=recover,
    )


def setup(target: str, scratch: Path) -> tuple[Target, Callable[[], None] | None]:
    """The target called `target`, and what puts its code in order after a hang, in this
    process: the importer's database and notes go in `scratch` (emptied first)."""
    from fuzz import targets

    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    if target == "importer":
        start_django(scratch)
    return targets.make(target, scratch)


def start_django(scratch: Path) -> None:
    """Django on a new SQLite database in `scratch`, migrated."""
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'fuzz.sqlite3'}"
    os.environ["FOLIO_FUZZ_SCRATCH"] = str(scratch)
    os.environ["DJANGO_SETTINGS_MODULE"] = "fuzz.settings"
    os.environ.setdefault("DJANGO_SECRET_KEY", "fuzz-only-not-a-secret")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def finish(args: argparse.Namespace, report: Report) -> None:
    """Print the report, and write it where it was asked for."""
    print("\n".join(report.lines()), flush=True)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(report.to_json())
