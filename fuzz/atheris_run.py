"""Fuzz one target with atheris (libFuzzer, guided by the coverage of Folio's code and of the
libraries it reads with: Python-Markdown, PyYAML, python-frontmatter).

    .venv/bin/python -m fuzz.atheris_run parser --seconds 30

Starts from the seeds (fuzz/corpus.py) and from what earlier runs found worth keeping
(var/fuzz/corpus/TARGET/, which grows), splicing in the note format's and Markdown's tokens
(a libFuzzer dictionary). The harness catches every failure itself, saves its input and
goes on; it also ends the run when the time is spent, with its report (libFuzzer's own end
would not let it write one). An input that hangs where no Python code runs, out of the
harness's reach, is libFuzzer's: its -timeout (wall clock) saves it as libfuzzer-timeout-*
beside the harness's failures, and ends the run.
"""

from __future__ import annotations

import os
import sys

from fuzz import engine

# Instrumented for coverage: Folio's code, the libraries that read notes, and the targets.
INSTRUMENTED = ["articles", "markdown", "yaml", "frontmatter", "fuzz.targets"]
# Bytes an input may grow to: the seed note is 11 kB; larger inputs mostly cost time, the
# renderer's most (instrumented, Python-Markdown is seven times slower: 1 kB of unclosed
# brackets takes its whole budget, 1 s).
MAX_LEN = {"parser": 16_384, "renderer": 4_096, "importer": 16_384}
MISSING = (
    "atheris is not installed: `.venv/bin/pip install -e '.[dev]'` (or `pip install atheris`) "
    "installs it; fuzzing with hypothesis only"
)
EXIT_MISSING = 3


def main(argv: list[str] | None = None) -> int:
    args = engine.arguments("atheris", argv)
    try:
        import atheris
    except ImportError:
        print(MISSING, file=sys.stderr, flush=True)
        return EXIT_MISSING
    # String comparisons guide the mutations too (not its "RegEx" hook: its stand-in for
    # a compiled pattern takes no `pos`, which Python-Markdown passes).
    atheris.enabled_hooks.add("str")
    with atheris.instrument_imports(include=INSTRUMENTED):
        harness = engine.start(args, "atheris")
    from fuzz import corpus

    out, target = args.out, args.target
    seeds = corpus.write_seeds(target, out / "seeds" / target)
    dictionary = corpus.write_dictionary(target, out / "seeds" / f"{target}.dict")
    kept = out / "corpus" / target
    kept.mkdir(parents=True, exist_ok=True)
    limit = args.max_inputs if args.max_inputs is not None else 1 << 62

    def one(data: bytes) -> None:
        harness(data)
        if harness.elapsed >= args.seconds or harness.inputs >= limit:
            engine.finish(args, harness.report())
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(1 if harness.failures else 0)  # libFuzzer's own end prints no report

    options = [
        f"-max_total_time={int(args.seconds) + 60}",  # the harness ends it sooner
        f"-timeout={int(max(10, 4 * args.input_seconds))}",
        f"-max_len={MAX_LEN.get(target, 16_384)}",
        f"-dict={dictionary}",
        f"-artifact_prefix={out / 'failures' / target}/libfuzzer-",
        str(kept),
        str(seeds),
    ]
    (out / "failures" / target).mkdir(parents=True, exist_ok=True)
    atheris.Setup([sys.argv[0], *options], one)
    harness.start()
    atheris.Fuzz()
    return 0  # not reached: the harness or libFuzzer ends the process


if __name__ == "__main__":
    raise SystemExit(main())
