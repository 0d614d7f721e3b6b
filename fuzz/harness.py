"""Run a target on one input at a time, within a time limit, and keep what fails.

A target is a function taking bytes: it returns when the input ended as Folio promises
(an article, or a clear error), and raises otherwise. Any exception out of it is a crash;
an input that holds it longer than the limit (CPU time, as the renderer's own budget
counts) is a hang. Each kind of failure (its signature: the exception and where it was
raised, or where the hang was interrupted) is saved once, as the smallest input seen that
shows it, beside a text file with its traceback and the command that replays it.
"""

from __future__ import annotations

import hashlib
import json
import signal
import sys
import time
import traceback
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "fuzz"
INPUT_SECONDS = 3.0  # a hang: this much CPU time on one input (the render budget is 1 s)
# ... by target: the parser has no budget of its own, and reads the seed note (11 kB) in 5 ms.
LIMITS = {"parser": 1.0, "renderer": INPUT_SECONDS, "importer": INPUT_SECONDS}
SLOW_SECONDS = 0.25  # the slowest input is kept too, from this long on: not a failure, a lead

Target = Callable[[bytes], None]


class Hang(BaseException):
    """An input held the target past the per-input limit. A BaseException, so that no
    `except Exception` in the code under test takes it for an error of its own."""


@dataclass
class Failure:
    signature: str  # the kind of failure: exception and where, or where a hang was
    kind: str  # "crash" or "hang"
    message: str  # the exception's first line
    path: str  # the smallest input that shows it, saved
    size: int
    count: int = 0  # inputs that failed so, this run


@dataclass
class Report:
    target: str
    engine: str
    inputs: int = 0
    seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)
    slowest: float = 0.0  # CPU seconds the slowest input took (as the limit counts)
    slowest_path: str = ""  # where it is kept, when it took SLOW_SECONDS or more
    note: str = ""  # how the run ended, when not as planned

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Report:
        data = json.loads(text)
        data["failures"] = [Failure(**failure) for failure in data["failures"]]
        return cls(**data)

    def lines(self) -> list[str]:
        """The report as printed: a line, then one a failure."""
        rate = self.inputs / self.seconds if self.seconds else 0
        failed = len(self.failures)
        head = (
            f"{self.target:<9} {self.engine:<10} {self.inputs:>9,} inputs in "
            f"{self.seconds:6.1f} s ({rate:,.0f}/s, slowest {self.slowest:.2f} s), "
            f"{failed} failure{'s' * (failed != 1)}"
        )
        lines = [head + (f" ({self.note})" if self.note else "")]
        if self.slowest_path:
            lines.append(f"    slowest input: {_shown(Path(self.slowest_path))}")
        for failure in self.failures:
            shown = _shown(Path(failure.path))
            lines.append(f"    {failure.kind}, {failure.count}x: {failure.signature}")
            lines.append(f"      {failure.message[:150]}")
            lines.append(f"      input ({failure.size:,} bytes): {shown}")
            lines.append(f"      replay: .venv/bin/python -m fuzz replay {self.target} {shown}")
        return lines


class Harness:
    """A target wrapped: call it with an input, it never raises (but KeyboardInterrupt);
    `report()` tells how many inputs it took, in how long, and what failed."""

    def __init__(
        self,
        target: str,
        function: Target,
        *,
        engine: str,
        out: Path = OUT,
        input_seconds: float = INPUT_SECONDS,
        on_hang: Callable[[], None] | None = None,
    ) -> None:
        self.target, self.function, self.engine = target, function, engine
        self.out = out
        self.folder = out / "failures" / target
        self.input_seconds = input_seconds
        self.on_hang = on_hang  # puts the code under test back in order after a hang
        self.inputs = 0
        self.started = time.monotonic()
        self.slowest = 0.0
        self.slowest_path: Path | None = None
        self.failures: dict[str, Failure] = {}

    def __call__(self, data: bytes) -> None:
        self.inputs += 1
        started = time.process_time()
        try:
            with limit(self.input_seconds):
                self.function(data)
        except Hang as hang:
            self._failed("hang", data, hang)
            if self.on_hang:
                self.on_hang()
        except (Exception, SystemExit) as error:
            self._failed("crash", data, error)
        finally:
            self._timed(data, time.process_time() - started)

    def start(self) -> None:
        """Start the clock (the report's time counts from here, setting up excluded)."""
        self.started = time.monotonic()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def report(self, note: str = "") -> Report:
        failures = sorted(self.failures.values(), key=lambda failure: -failure.count)
        slowest = str(self.slowest_path) if self.slowest_path else ""
        return Report(
            self.target,
            self.engine,
            self.inputs,
            self.elapsed,
            failures,
            self.slowest,
            slowest,
            note,
        )

    def _timed(self, data: bytes, seconds: float) -> None:
        if seconds <= self.slowest:
            return
        self.slowest = seconds
        if seconds >= SLOW_SECONDS:
            self.slowest_path = self.out / "slowest" / f"{self.target}-{self.engine}.bin"
            self.slowest_path.parent.mkdir(parents=True, exist_ok=True)
            self.slowest_path.write_bytes(data)

    def _failed(self, kind: str, data: bytes, error: BaseException) -> None:
        signature = _signature(kind, error)
        failure = self.failures.get(signature)
        if failure is None:
            name = hashlib.sha1(signature.encode()).hexdigest()[:12]
            path = self.folder / f"{kind}-{name}.bin"
            failure = Failure(signature, kind, _first_line(error), str(path), sys.maxsize)
            self.failures[signature] = failure
            if path.exists() and path.stat().st_size <= len(data):  # from a run before
                failure.size = path.stat().st_size
                path.touch()
        failure.count += 1
        if len(data) < failure.size:
            failure.size, failure.message = len(data), _first_line(error)
            self._save(failure, data, error)

    def _save(self, failure: Failure, data: bytes, error: BaseException) -> None:
        path = Path(failure.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.with_suffix(".txt").write_text(
            f"{failure.kind} in target {self.target} (found by {self.engine})\n"
            f"signature: {failure.signature}\n"
            f"input: {_shown(path)} ({len(data):,} bytes)\n"
            f"replay: .venv/bin/python -m fuzz replay {self.target} {_shown(path)}\n\n"
            + "".join(traceback.format_exception(error))
        )


@contextmanager
def limit(seconds: float):
    """Raise Hang in the code within once it has taken `seconds` of CPU time (a timer of
    its own: the renderer's budget keeps ITIMER_VIRTUAL, libFuzzer SIGALRM)."""
    armed = True

    def expire(signum: int, frame: object) -> None:
        if armed:
            raise Hang(f"over {seconds:g} s of CPU time on one input")

    previous = signal.signal(signal.SIGPROF, expire)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        armed = False
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous or signal.SIG_DFL)


def _signature(kind: str, error: BaseException) -> str:
    """What tells one failure from another: for a broken promise its message, for a crash
    the exception and the line it was raised on, for a hang the function of Folio's it was
    in (where in it varies from one input to the next)."""
    if isinstance(error, AssertionError) and str(error):
        return _first_line(error)[:120]
    frames = traceback.extract_tb(error.__traceback__)
    frames = [frame for frame in frames if frame.filename != __file__]  # the harness's own
    if kind == "hang":
        ours = [frame for frame in frames if "/articles/" in frame.filename]
        where = (ours or frames)[-1] if frames else None
        return f"hang in {_where(where)}"
    where = frames[-1] if frames else None
    line = f":{where.lineno}" if where else ""
    return f"{type(error).__name__} at {_where(where)}{line}"


def _where(frame: traceback.FrameSummary | None) -> str:
    if frame is None:
        return "?"
    path = Path(frame.filename)
    parts = path.parts
    if "site-packages" in parts:
        shown = "/".join(parts[parts.index("site-packages") + 1 :])
    else:
        shown = _shown(path)
    return f"{shown} {frame.name}()"


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _first_line(error: BaseException) -> str:
    text = str(error).strip().split("\n", 1)[0]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
