"""What is fuzzed: each target takes bytes and returns when Folio made of them an article or
a clear error, and raises anything else (an exception of Folio's own, or AssertionError for
a promise broken: a note not given back as it was, HTML that could run script).

parser     bytes -> vault.decode -> vault.parse, and what dump promises where it reads
renderer   text -> rendering.render within its budget: sanitized HTML, or RenderError
importer   bytes as a note file -> import_vault (Django, a database): a verdict, and a
           second import of the same file changes nothing
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

from articles import rendering, vault
from articles.vault.layout import Layout
from fuzz.harness import Target

PATH = "fuzz/note.md"
TZ = ZoneInfo("Asia/Shanghai")
RENDER_SECONDS = 1.0  # FOLIO_RENDER_SECONDS's default: what the importer and preview use


# --- parser -------------------------------------------------------------------------------


def parser(data: bytes) -> None:
    """Decode and parse `data`; where it reads, `dump` gives the note back as it was (also
    from its layout stored as JSON, as the importer keeps it), and the note as Folio writes
    it afresh (an article made in Folio) reads back to the same values, and is written the
    same again: what tests/test_vault_properties.py checks on the notes it makes."""
    try:
        text = vault.decode(data, path=PATH)
    except vault.VaultError as error:
        _check_vault_error(error, data.count(b"\n") + 1)
        return
    try:
        article = vault.parse(text, path=PATH, tz=TZ)
    except vault.VaultError as error:
        _check_vault_error(error, text.count("\n") + 1)
        return
    assert vault.dump(article) == text, "dump(parse(text)) is not the text it read"
    article.layout = Layout.from_json(json.loads(json.dumps(article.layout.to_json())))
    assert vault.dump(article) == text, "dump from the layout kept as JSON is not the text"
    garbage = _unwritable(article)
    article.layout = None
    written = vault.dump(article)
    try:
        again = vault.parse(written, path=PATH, tz=TZ, default_date=article.date)
    except vault.VaultError as error:
        raise AssertionError(f"the note as Folio writes it does not read\n{error}") from None
    if not garbage:
        for name, value in _values(article).items():
            assert _values(again)[name] == value, f"the note Folio writes reads another {name}"
    assert vault.dump(again) == written, "the note as Folio writes it is not written the same"


def _unwritable(article: vault.VaultArticle) -> bool:
    """Garbage in, which no note can give back, so not asked to read back: a summary
    holding a code fence (in the file, or in what was read of it; as headings() splits
    lines) swallows what follows it, body included (tests/test_vault_properties.py exempts
    it too); a label with a `*` at either end (broken bold: `**未完成* **标签**：…`) cannot
    be written in bold and read as the same label."""
    items = [*article.summary.key_points, *article.summary.risks]
    if any(item.label[:1] == "*" or item.label[-1:] == "*" for item in items):
        return True
    texts = [article.summary.one_sentence, *(f"{item.label}\n{item.text}" for item in items)]
    texts.append(article.layout.raw.get("summary", "") if article.layout else "")
    lines = (line.lstrip() for text in texts for line in text.splitlines())
    return any(line.startswith(("```", "~~~")) for line in lines)


def _values(article: vault.VaultArticle) -> dict[str, object]:
    """What an article is, as `parse(dump(article))` must give it back."""
    names = ("title", "date", "author", "source", "url", "status", "body", "extra")
    values: dict[str, object] = {name: getattr(article, name) for name in names}
    values["summary"] = article.summary.as_json()
    values["tags"] = sorted(tag.name.casefold() for tag in article.tags)
    return values


def _check_vault_error(error: vault.VaultError, lines: int) -> None:
    """A clear error: the file, the line where there is one (in the file), and why."""
    assert error.path == PATH, f"VaultError names {error.path!r}, not the file"
    assert isinstance(error.message, str) and error.message.strip(), "VaultError says nothing"
    assert error.line is None or 1 <= error.line <= lines, f"VaultError at line {error.line}"


# --- renderer -----------------------------------------------------------------------------


def renderer(data: bytes) -> None:
    """Render `data` (as UTF-8) within the budget: sanitized HTML, or a RenderError
    naming the limit (and a line of the text, if any)."""
    text = data.decode("utf-8", errors="replace")
    try:
        html = rendering.render(text, seconds=RENDER_SECONDS)
    except rendering.RenderError as error:
        assert error.message.strip(), "RenderError says nothing"
        lines = text.count("\n") + 1
        assert error.line is None or 1 <= error.line <= lines, f"RenderError at line {error.line}"
        return
    problems = unsafe(html)
    assert not problems, f"rendered HTML not sanitized: {problems[0]}"


def renderer_recover() -> None:
    """After a hang interrupted it: a converter stopped midway is not used again."""
    rendering._local.__dict__.clear()


_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_C0_AND_SPACE = "".join(map(chr, range(0x21)))


class _Checker(HTMLParser):
    """Everything in rendered HTML that the allow-list should have taken out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in rendering.ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        allowed = _attributes(tag)
        for name, value in attrs:
            if name not in allowed or name.startswith("on"):
                self.problems.append(f"attribute {name}= on <{tag}>")
            elif name in {"href", "src"}:
                scheme = _SCHEME.match(_as_browsers_read(value or ""))
                if scheme and scheme.group(1).lower() not in rendering.URL_SCHEMES:
                    self.problems.append(f"{name}={value!r} on <{tag}>")
            elif name == "id" and value in rendering.PAGE_IDS:
                self.problems.append(f"the page's own id={value!r} on <{tag}>")
            elif name == "class":
                classes = set((value or "").split()) - rendering.ALLOWED_CLASSES.get(tag, set())
                if classes:
                    self.problems.append(f"class {sorted(classes)} on <{tag}>")

    handle_startendtag = handle_starttag

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"comment <!--{data[:40]}")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"declaration <!{decl[:40]}>")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"processing instruction <?{data[:40]}>")


def _as_browsers_read(url: str) -> str:
    """A URL as browsers clean it before they find its scheme: tabs and newlines out,
    and controls and spaces at either end (a control inside ends the scheme)."""
    return re.sub(r"[\t\n\r]", "", url).strip(_C0_AND_SPACE)


def _attributes(tag: str) -> set[str]:
    allowed = set(rendering.ALLOWED_ATTRIBUTES["*"] | rendering.ALLOWED_ATTRIBUTES.get(tag, set()))
    allowed |= set(rendering.FORCED_ATTRIBUTES.get(tag, {}))
    if tag == "a":
        allowed.add("rel")  # link_rel
    if tag in rendering.ALLOWED_CLASSES:
        allowed.add("class")
    return allowed


def unsafe(html: str) -> list[str]:
    """What in `html` the sanitizer should not have let through (tags, attributes, event
    handlers, URL schemes, the page's ids); [] for clean HTML."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    return checker.problems


# --- importer -----------------------------------------------------------------------------


class _Caught(logging.Handler):
    """The exception the importer logs when it turns one into a failed verdict."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.error: BaseException | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.error = record.exc_info[1]


class Importer:
    """A target writing each input as the one note of a folder and importing the folder
    (Django must be set up, its database migrated). The note keeps its name, so inputs
    update one article, or make one a link (a URL in the note names another)."""

    def __init__(self, folder: Path) -> None:
        from articles.importer import Verdict, import_vault

        self.import_vault, self.verdict = import_vault, Verdict
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.note = folder / "note.md"
        self.caught = _Caught()
        self.logger = logging.getLogger("articles.importer.run")
        self.was = self.logger.level, self.logger.propagate
        self.logger.setLevel(logging.DEBUG)
        self.logger.addHandler(self.caught)
        self.logger.propagate = False  # the fuzzer's output is its report, not a traceback a note

    def close(self) -> None:
        """Leave the importer's logger as it was."""
        self.logger.removeHandler(self.caught)
        self.logger.setLevel(self.was[0])
        self.logger.propagate = self.was[1]

    def __call__(self, data: bytes) -> None:
        self.note.write_bytes(data)
        result = self._import()
        if result.verdict == self.verdict.FAILED:
            if "not imported (" in result.detail and self.caught.error is not None:
                raise self.caught.error  # what the importer caught, with its traceback
            _check_import_error(result.detail, str(self.note))
        elif result.verdict in (self.verdict.CREATED, self.verdict.UPDATED):
            again = self._import()
            assert again.verdict == self.verdict.UNCHANGED and not again.detail, (
                f"a second import of the same file is {again.verdict}: {again.detail}"
            )

    def _import(self):
        self.caught.error = None
        (result,) = self.import_vault([self.folder], processes=1).results
        return result


def _check_import_error(detail: str, path: str) -> None:
    assert detail.startswith(path + ":"), f"the error does not name the file: {detail[:200]}"
    assert "not imported (" not in detail, f"import failed on an exception: {detail[:200]}"


# --- by name --------------------------------------------------------------------------------

NAMES = ("parser", "renderer", "importer")


def make(name: str, scratch: Path) -> tuple[Target, Callable[[], None] | None]:
    """The target called `name` (the importer's note folder under `scratch`), and what
    puts its code back in order after a hang."""
    if name == "parser":
        return parser, None
    if name == "renderer":
        return renderer, renderer_recover
    if name == "importer":
        return Importer(scratch / "vault"), None
    raise ValueError(f"unknown target {name!r}: one of {', '.join(NAMES)}")
