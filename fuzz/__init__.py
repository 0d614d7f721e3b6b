"""`make fuzz`: the vault parser, the renderer and the importer fed generated input by two
engines, hypothesis and atheris (coverage-guided libFuzzer), for a bounded time.

Every input must end as an article or a clear error (VaultError naming the file and line,
RenderError naming the limit), within a time limit: any other exception is a crash, an
input over the limit a hang, and either is saved under var/fuzz/failures/ to be replayed
(`python -m fuzz replay TARGET FILE`).

targets.py          the targets: bytes in, nothing out, an exception for a failure
harness.py          one input at a time: the time limit, failures kept, the report
corpus.py           seed inputs (seeds/, tests/vault/, tests/pathological.py) and tokens
strategies.py       what hypothesis generates for each target
engine.py           what both engines share: arguments, the target set up, the report
settings.py         Django settings for the importer, on a database under var/fuzz/scratch/
hypothesis_run.py   the hypothesis engine: examples until the time is spent
atheris_run.py      the atheris engine: libFuzzer on the instrumented code
__main__.py         runs each target under each engine in a process of its own, reports
"""
