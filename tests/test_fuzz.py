"""`make fuzz`'s harness, a few inputs each (the fuzzing itself is not part of the suite):
each target takes its seeds with no failure, and a failure is reported with its input."""

import importlib.util
import json
import subprocess
import sys
import time

import pytest
from hypothesis import strategies as st

from articles import notes
from fuzz import corpus, hypothesis_run, strategies, targets
from fuzz.harness import Harness, Report
from tests.helpers import write


def boom(data: bytes) -> None:
    if b"boom" in data:
        raise ValueError("boom in the input")


def test_a_crash_is_reported_with_the_smallest_input_that_shows_it(tmp_path):
    harness = Harness("demo", boom, engine="test", out=tmp_path)
    harness(b"fine")
    assert harness.report().failures == []
    for data in (b"a long boom input", b"boom!", b"still fine"):
        harness(data)
    report = harness.report()
    assert report.inputs == 4
    (failure,) = report.failures
    assert (failure.kind, failure.count, failure.size) == ("crash", 2, 5)
    assert failure.signature.startswith("ValueError at tests/test_fuzz.py boom()")
    saved = tmp_path / "failures" / "demo" / failure.path.rsplit("/", 1)[-1]
    assert saved.read_bytes() == b"boom!"
    text = saved.with_suffix(".txt").read_text()
    assert "ValueError: boom in the input" in text
    assert "python -m fuzz replay demo" in text
    assert any("replay" in line for line in report.lines())
    assert Report.from_json(report.to_json()) == report


def test_a_hang_is_interrupted_reported_and_the_next_input_runs(tmp_path):
    def spin(data: bytes) -> None:
        while data == b"loop":
            pass

    harness = Harness("demo", spin, engine="test", out=tmp_path, input_seconds=0.2)
    started = time.monotonic()
    harness(b"loop")
    harness(b"done")
    assert time.monotonic() - started < 5
    (failure,) = harness.report().failures
    assert (failure.kind, failure.count) == ("hang", 1)
    assert "spin()" in failure.signature
    assert [path.read_bytes() for path in (tmp_path / "failures" / "demo").glob("*.bin")] == [
        b"loop"
    ]
    assert harness.inputs == 2


def test_hypothesis_finds_and_reports_a_crash_of_a_target(tmp_path):
    harness = Harness("demo", boom, engine="hypothesis", out=tmp_path)
    strategy = st.lists(st.sampled_from([b"bo", b"om", b"x"])).map(b"".join)
    report = hypothesis_run.fuzz(harness, strategy, seconds=20, max_inputs=300)
    assert report.inputs == 300
    assert [failure.kind for failure in report.failures] == ["crash"]


@pytest.mark.parametrize("name", ["parser", "renderer"])
def test_each_pure_target_takes_its_seeds_and_generated_input(tmp_path, name):
    function, recover = targets.make(name, tmp_path)
    harness = Harness(name, function, engine="test", out=tmp_path, on_hang=recover)
    seeds = [data for _name, data in corpus.seeds(name)]
    for data in seeds:
        harness(data)
    assert harness.report().failures == []
    strategy = strategies.for_target(name)
    report = hypothesis_run.fuzz(harness, strategy, seconds=20, max_inputs=len(seeds) + 20)
    assert report.inputs == len(seeds) + 20


def test_the_parser_target_fails_on_a_note_dump_does_not_give_back(tmp_path, monkeypatch):
    monkeypatch.setattr(targets.vault, "dump", lambda article: "changed\n")
    harness = Harness("parser", targets.parser, engine="test", out=tmp_path)
    harness(b"# a title\n\nbody\n")
    harness(b"")  # an empty note: a VaultError, as promised
    (failure,) = harness.report().failures
    assert failure.signature == "AssertionError: dump(parse(text)) is not the text it read"


def test_the_renderer_target_knows_unsanitized_html():
    clean = '<p><a href="https://a.example/" rel="noopener noreferrer">a</a></p><p>b</p>'
    assert targets.unsafe(clean) == []
    assert targets.unsafe("<script>x</script>") == ["tag <script>"]
    assert targets.unsafe('<img src="x" onerror="y">') == ["attribute onerror= on <img>"]
    assert targets.unsafe('<a href=" java\tscript:x">a</a>')
    assert targets.unsafe('<a href="ja\x0fvascript:x">a</a>') == []  # a relative URL
    assert targets.unsafe('<h2 id="main">a</h2>')


@pytest.mark.django_db
def test_the_importer_target_imports_and_reports_what_the_importer_caught(tmp_path, monkeypatch):
    importer = targets.Importer(tmp_path / "vault")
    harness = Harness("importer", importer, engine="test", out=tmp_path)
    seeds = dict(corpus.seeds("importer"))
    try:
        for name in ("seeds/000_92e8f43f664c5b24.txt", "tests/vault/corpus/broken/bad-yaml.md"):
            harness(seeds[name])
        assert harness.report().failures == []

        def broken(*args, **kwargs):
            raise TypeError("a bug in the importer")

        monkeypatch.setattr(notes, "apply", broken)
        harness(seeds["tests/vault/corpus/english/english-keys.md"])
    finally:
        importer.close()
    (failure,) = harness.report().failures
    assert failure.signature.startswith("TypeError at tests/test_fuzz.py broken()")


@pytest.mark.skipif(importlib.util.find_spec("atheris") is None, reason="atheris not installed")
def test_atheris_runs_a_target_and_writes_its_report(tmp_path):
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "fuzz.atheris_run", "parser", "--max-inputs", "60"]
    command += ["--out", str(tmp_path), "--report", str(report)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    result = json.loads(report.read_text())
    assert (result["target"], result["inputs"], result["failures"]) == ("parser", 60, [])


def test_replay_says_which_saved_input_fails(tmp_path, capsys, monkeypatch):
    from fuzz.__main__ import main

    good = write(tmp_path / "good.md", "# 标题\n\n正文\n")
    assert main(["replay", "parser", str(good), "--out", str(tmp_path)]) == 0
    assert capsys.readouterr().out == f"{good}: ok\n"
    monkeypatch.setattr(targets, "parser", boom)
    bad = write(tmp_path / "bad.md", "boom\n")
    assert main(["replay", "parser", str(good), str(bad), "--out", str(tmp_path)]) == 1
    out = capsys.readouterr()
    assert out.out.splitlines() == [f"{good}: ok", f"{bad}: crash"]
    assert "ValueError: boom in the input" in out.err
