"""Doors the tests go through, as a user would: the management commands."""

from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command


def run_command(name: str, *args: object) -> tuple[int, str, str]:
    """Run a management command; its exit status, stdout and stderr."""
    out, err = StringIO(), StringIO()
    try:
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
