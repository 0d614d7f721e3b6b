"""Doors the tests go through, as a user would: commands, and forms as a browser fills them."""

from contextlib import contextmanager
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import TestCase


@contextmanager
def committed():
    """What Folio does once a transaction commits (a new generation of cached pages) done
    at the end of the block, although a test's transaction never commits."""
    connection = transaction.get_connection()
    start = len(connection.run_on_commit)
    with TestCase.captureOnCommitCallbacks(execute=True):
        yield
    del connection.run_on_commit[start:]  # run, then gone, as after a commit


def run_command(name: str, *args: object) -> tuple[int, str, str]:
    """Run a management command; its exit status, stdout and stderr."""
    out, err = StringIO(), StringIO()
    try:
        with committed():
            call_command(name, *[str(arg) for arg in args], stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue() + str(error)
    return 0, out.getvalue(), err.getvalue()


def import_seeds(*args: object) -> tuple[int, list[str], list[str]]:
    """`import_seeds` with its output as lists of lines."""
    status, out, err = run_command("import_seeds", *args)
    return status, out.splitlines(), err.splitlines()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def note(title: str, *, url: str = "", body: str = "正文。", extra: str = "") -> str:
    """A small note in the vault's shape."""
    link = f'原文链接: "{url}"\n' if url else ""
    return (
        f'---\ntitle: "{title}"\n发布日期: 2024-05-14\n{link}{extra}---\n\n'
        f"## 摘要\n\n**1) 一句话总结**\n{title}的摘要。\n\n**2) 核心要点**\n*   **要点**：内容\n\n"
        f"## 正文\n\n{body}\n\n"
        "## 关联主题\n\n- [[00-元语/AI]]\n"
    )


class _FormFields(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "button", "file"}:
            if attrs.get("type") not in {"checkbox", "radio"} or "checked" in attrs:
                self.data.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data.setdefault(name, []).append("")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data


def form_data(html: str) -> dict[str, list[str]]:
    """The fields a browser would submit from the page's forms, as the page fills them."""
    fields = _FormFields()
    fields.feed(html)
    # A browser drops the newline that follows <textarea>.
    return {k: [v.removeprefix("\n") for v in vs] for k, vs in fields.data.items()}
