"""`make fuzz`: each target under each engine, in a process of its own, then a report.

    .venv/bin/python -m fuzz [--seconds 60] [--targets parser,renderer] [--engines atheris]
    .venv/bin/python -m fuzz replay TARGET FILE ...

`--seconds` is each target's time, shared between the engines. Each run's output goes to
var/fuzz/logs/ENGINE-TARGET.log; failures to var/fuzz/failures/TARGET/ (the input, and a
.txt with its traceback). Exit status 1 when anything failed, or a run did not end as
planned.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path

from fuzz.atheris_run import EXIT_MISSING, MISSING
from fuzz.harness import INPUT_SECONDS, LIMITS, OUT, Failure, Hang, Report, limit
from fuzz.targets import NAMES

ENGINES = ("hypothesis", "atheris")
SETUP_SECONDS = 120  # a run's allowance past its time: instrumenting, migrating, seeds


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["replay"]:
        return replay_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m fuzz", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--seconds", type=float, default=60, help="Each target's time, shared by the engines."
    )
    parser.add_argument(
        "--input-seconds",
        type=float,
        help="CPU seconds one input may take before it counts as a hang (default: 1 for the "
        "parser, 3 for the renderer and the importer).",
    )
    parser.add_argument("--targets", default=",".join(NAMES), help="Comma-separated targets.")
    parser.add_argument("--engines", default=",".join(ENGINES), help="Comma-separated engines.")
    parser.add_argument("--out", type=Path, default=OUT, help="Where failures and logs go.")
    args = parser.parse_args(argv)
    targets = _names(args.targets, NAMES, parser)
    engines = _names(args.engines, ENGINES, parser)
    if "atheris" in engines and importlib.util.find_spec("atheris") is None:
        print(f"fuzz: {MISSING}", flush=True)
        engines.remove("atheris")
    if not engines:
        return 1
    share = args.seconds / len(engines)
    reports = []
    for target in targets:
        for engine in engines:
            print(f"fuzz: {target} with {engine} for {share:g} s ...", flush=True)
            each = args.input_seconds or LIMITS.get(target, INPUT_SECONDS)
            report = run(target, engine, share, each, args.out)
            print("\n".join(report.lines()), flush=True)
            reports.append(report)
    return summary(reports, args.out)


def _names(given: str, known: tuple[str, ...], parser: argparse.ArgumentParser) -> list[str]:
    names = [name.strip() for name in given.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if unknown:
        parser.error(f"unknown {', '.join(unknown)}: one of {', '.join(known)}")
    return names


def run(target: str, engine: str, seconds: float, input_seconds: float, out: Path) -> Report:
    """One target under one engine, in a process of its own, killed should it overrun."""
    logs = out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log, path = logs / f"{engine}-{target}.log", logs / f"{engine}-{target}.json"
    path.unlink(missing_ok=True)
    command = [sys.executable, "-m", f"fuzz.{engine}_run", target, "--seconds", f"{seconds:g}"]
    command += ["--input-seconds", f"{input_seconds:g}", "--out", str(out), "--report", str(path)]
    started, note = time.time(), ""
    with log.open("w") as output:
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            code = process.wait(timeout=seconds + SETUP_SECONDS + 4 * input_seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            code, note = process.wait(), "killed: it ran over its time"
    if path.exists():
        return Report.from_json(path.read_text())
    if code == EXIT_MISSING:
        return Report(target, engine, note=MISSING)
    # Ended before its harness could report: libFuzzer's own end (a timeout, out of
    # memory), a crash of the interpreter, or the kill above.
    text = log.read_text(errors="replace")
    runs = re.findall(r"^#(\d+)\s", text, re.MULTILINE)
    note = note or f"ended early, exit status {code}; see {log}"
    report = Report(target, engine, int(runs[-1]) if runs else 0, time.time() - started, note=note)
    report.failures = _artifacts(out / "failures" / target, since=started)
    if not report.failures:
        report.failures = [Failure("the run ended early", "crash", note, str(log), 0, 1)]
    return report


def _artifacts(folder: Path, *, since: float) -> list[Failure]:
    """What libFuzzer saved in `folder` since then (libfuzzer-timeout-*, -oom-, -crash-)."""
    found = []
    for path in sorted(folder.glob("libfuzzer-*")):
        if path.stat().st_mtime >= since:
            kind = path.name.split("-")[1]
            what = f"libFuzzer: {kind} (over the -timeout, wall clock, or out of memory)"
            found.append(Failure(what, kind, what, str(path), path.stat().st_size, 1))
    return found


def summary(reports: list[Report], out: Path) -> int:
    inputs = sum(report.inputs for report in reports)
    failed = sum(len(report.failures) for report in reports)
    print(f"\nfuzz: {inputs:,} inputs, {failed} kind(s) of failure")
    for report in reports:
        print("  " + report.lines()[0])
    if failed:
        print(f"failures and their inputs: {out / 'failures'}")
    return 1 if failed else 0


def replay_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m fuzz replay", description="Run a target on saved inputs, and say how."
    )
    parser.add_argument("target", choices=NAMES)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--input-seconds", type=float, help="(default: as when fuzzing)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    from fuzz import engine

    function, _recover = engine.setup(args.target, args.out / "scratch" / f"replay-{args.target}")
    failed = 0
    for path in args.files:
        started = time.perf_counter()
        try:
            with limit(args.input_seconds or LIMITS.get(args.target, INPUT_SECONDS)):
                function(path.read_bytes())
        except (Exception, Hang) as error:
            failed += 1
            kind = "hang" if isinstance(error, Hang) else "crash"
            print(f"{path}: {kind}")
            traceback.print_exc()
        else:
            print(f"{path}: ok")
            print(f"  {time.perf_counter() - started:.2f} s", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
