"""YAML front matter: read into ordered entries that keep their raw text; write entries."""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import math
import re
from dataclasses import dataclass
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from .types import VaultError

# Front-matter keys Folio gives a field of its own, by role; any other key is kept as is.
ROLE_KEYS = {
    "title": "title",
    "标题": "title",
    "发布日期": "date",
    "发布时间": "date",
    "日期": "date",
    "date": "date",
    "published": "date",
    "publish_date": "date",
    "pubdate": "date",
    "作者": "author",
    "author": "author",
    "来源": "source",
    "source": "source",
    "platform": "source",
    "原文链接": "url",
    "原文": "url",
    "链接": "url",
    "url": "url",
    "link": "url",
    "source_url": "url",
    "tags": "tags",
    "tag": "tags",
    "标签": "tags",
    "draft": "draft",
    "status": "status",
    "状态": "status",
}
REPEAT = "repeat"  # the role of a key that repeats a role given before it
# The keys Folio writes for a role the file did not have, in the vault's usual order.
CHINESE_KEYS = {"title": "title", "date": "发布日期", "author": "作者", "source": "来源"}
CHINESE_KEYS |= {"url": "原文链接", "tags": "tags", "draft": "draft", "status": "status"}
ENGLISH_KEYS = {role: role for role in CHINESE_KEYS}


@dataclass
class Entry:
    """One top-level key of the front matter."""

    key: str
    role: str
    value: Any  # the value, as JSON-ready data
    scalar: str | None  # the scalar as written, when the value is a scalar
    line: int  # 1-based line of the key in the file
    raw: str | None  # the entry's lines as written; None when several keys share a line


@dataclass
class FrontMatter:
    opening: str
    prefix: str  # comment or blank lines before the first key; all the text when `flow`
    entries: list[Entry]
    closing: str
    flow: bool  # whether keys share lines (`{title: x, date: y}`), so entries have no raw
    end: int  # offset in the note where the text after the front matter starts

    def uses_chinese_keys(self) -> bool:
        return any(not entry.key.isascii() for entry in self.entries)


class _Handler(YAMLHandler):
    # One line of three or more dashes, newline included (python-frontmatter's own pattern
    # lets the trailing \s* run over blank lines, which would lose them on export).
    FM_BOUNDARY = re.compile(r"^-{3,}[ \t]*(?:\n|\Z)", re.MULTILINE)

    def load(self, fm: str, **kwargs: object) -> yaml.Node | None:
        loader = _Loader(fm)
        try:
            return loader.get_single_node()
        finally:
            loader.dispose()


class _AliasRefused(yaml.MarkedYAMLError):
    pass


class _TooDeep(yaml.MarkedYAMLError):
    pass


# Levels of `[` and `{` front matter may nest: PyYAML's scanner weighs every open level at
# each token it reads ahead (1,024 characters), so a thousand of them took a second.
MAX_FLOW_DEPTH = 64


class _Loader(yaml.SafeLoader):
    """The safe loader, refusing aliases (an alias bomb fails at its first `*name`) and
    flow collections nested deeper than MAX_FLOW_DEPTH (at the first one too deep)."""

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            raise _AliasRefused(problem_mark=self.peek_event().start_mark)
        return super().compose_node(parent, index)

    def fetch_flow_collection_start(self, TokenClass: type) -> None:
        if self.flow_level >= MAX_FLOW_DEPTH:
            raise _TooDeep(problem_mark=self.get_mark())
        super().fetch_flow_collection_start(TokenClass)


_HANDLER = _Handler()
_CONSTRUCTOR = yaml.SafeLoader("")


def read_front_matter(text: str, *, path: str) -> FrontMatter | None:
    """The note's front matter, or None when the note does not start with `---`."""
    if not _HANDLER.detect(text):
        return None
    boundaries = _HANDLER.FM_BOUNDARY.finditer(text)
    opening = next(boundaries)
    closing = next(boundaries, None)
    if closing is None:
        raise VaultError(path, 1, "front matter opened by --- on line 1 is never closed by ---")
    source = text[opening.end() : closing.start()]
    node = _load(source, path)
    lines = source.splitlines(keepends=True)
    entries = _entries(node, lines, path)
    flow = any(entry.raw is None for entry in entries)
    first = entries[0].line - 2 if entries and not flow else len(lines)
    return FrontMatter(
        opening=opening.group(),
        prefix="".join(lines[:first]),
        entries=entries,
        closing=closing.group(),
        end=closing.end(),
        flow=flow,
    )


def _load(source: str, path: str) -> yaml.Node | None:
    try:
        return _HANDLER.load(source)
    except _AliasRefused as exc:
        message = "YAML aliases (*name) are not allowed in front matter; write the value out"
        raise VaultError(path, exc.problem_mark.line + 2, message) from None
    except _TooDeep as exc:
        message = f"front matter is nested too deeply (over {MAX_FLOW_DEPTH} levels of [ or {{)"
        raise VaultError(path, exc.problem_mark.line + 2, message) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.context_mark or exc.problem_mark
        line = mark.line + 2 if mark else 1
        problem = f"{exc.context}: {exc.problem}" if exc.context else exc.problem
        raise VaultError(path, line, f"front matter is not valid YAML ({problem})") from None
    except yaml.YAMLError as exc:
        raise VaultError(path, 1, f"front matter is not valid YAML: {exc}") from None
    except RecursionError:
        raise VaultError(path, 1, "front matter is nested too deeply") from None


def _entries(node: yaml.Node | None, lines: list[str], path: str) -> list[Entry]:
    if node is None:
        return []
    if not isinstance(node, yaml.MappingNode):
        raise VaultError(path, node.start_mark.line + 2, "front matter must be `key: value` lines")
    starts = [key.start_mark.line for key, _ in node.value]
    own_lines = all(a < b for a, b in itertools.pairwise(starts))
    ends = [*starts[1:], len(lines)]
    entries, roles = [], set()
    for (key_node, value_node), start, end in zip(node.value, starts, ends, strict=True):
        if not isinstance(key_node, yaml.ScalarNode):
            raise VaultError(path, start + 2, "a front-matter key must be plain text")
        key = key_node.value
        scalar = value_node.value if isinstance(value_node, yaml.ScalarNode) else None
        role = _role(key, scalar, roles)
        roles.add(role)
        raw = "".join(lines[start:end]) if own_lines else None
        value = _construct(value_node, path, start + 2)
        entries.append(Entry(key, role, value, scalar, start + 2, raw))
    return entries


def role_of(key: str) -> str | None:
    """The role a front-matter key gives its value (title, date, author, source, url,
    tags, draft, status), or None for a key Folio keeps as it is."""
    return ROLE_KEYS.get(key.strip().lower())


def _role(key: str, scalar: str | None, taken: set[str]) -> str:
    role = role_of(key) or "extra"
    if role == "source" and scalar and re.match(r"https?://", scalar.strip()):
        role = "url"  # some vaults write the original link as `source:`
    if role in {"draft", "status", "extra"}:
        return role
    # A role given twice (`原文链接:` and `link:`): the first says it; the other is kept
    # as written, for the export, and never read (not even as an unknown key).
    return REPEAT if role in taken else role


def _construct(node: yaml.Node, path: str, line: int) -> Any:
    try:
        return jsonable(_CONSTRUCTOR.construct_object(node, deep=True))
    except (ValueError, OverflowError):
        if isinstance(node, yaml.ScalarNode):  # such as the impossible date 2024-13-45
            return node.value
        raise VaultError(path, line, "front matter value cannot be read") from None
    except yaml.MarkedYAMLError as exc:
        raise VaultError(path, line, f"front matter value: {exc.problem}") from None
    except RecursionError:
        raise VaultError(path, line, "front matter is nested too deeply") from None
    finally:
        _CONSTRUCTOR.constructed_objects.clear()


def read_value(text: str) -> Any:
    """One front-matter value written as YAML (`[a, b]`, `{key: value}`, `42`), read as
    front matter is (the safe loader: no aliases, nesting limited), as JSON data; None
    for no value. Raises ValueError saying what is wrong and where."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except _AliasRefused:
        raise ValueError("aliases (*name) are not allowed: write the value out") from None
    except _TooDeep:
        raise ValueError(f"nested over {MAX_FLOW_DEPTH} levels of [ or {{") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f", line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = f"{exc.context}: {exc.problem}" if exc.context else exc.problem
        raise ValueError(f"{problem}{where}") from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise ValueError(str(exc) or "nested too deeply") from None
    finally:
        loader.dispose()
    try:
        return None if node is None else _construct(node, "", 1)
    except VaultError as error:
        raise ValueError(error.message) from None


def flow_text(value: Any) -> str:
    """A list or mapping of JSON data as one line of YAML flow style (`[a, b]`,
    `{key: value}`), which `read_value` reads back as it was."""
    text = yaml.dump(
        value,
        Dumper=yaml.SafeDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=True,
        width=1_000_000,
    )
    return text.removesuffix("\n...\n").removesuffix("\n")


def jsonable(value: Any) -> Any:
    """YAML data as JSON data: dates as ISO text, bytes as base64, sets as lists."""
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


class Plain(str):
    """Text written unquoted when YAML allows, such as `2024-05-14 10:30`."""


class _Dumper(yaml.SafeDumper):
    def represent_str(self, data: str) -> yaml.ScalarNode:
        style = None if isinstance(data, Plain) else '"'
        return self.represent_scalar("tag:yaml.org,2002:str", data, style=style)

    def represent_dict(self, data: dict) -> yaml.MappingNode:
        keyed = {Plain(key) if isinstance(key, str) else key: item for key, item in data.items()}
        return self.represent_mapping("tag:yaml.org,2002:map", keyed.items())


_Dumper.add_representer(str, _Dumper.represent_str)
_Dumper.add_multi_representer(str, _Dumper.represent_str)  # Plain, and str enums
_Dumper.add_representer(dict, _Dumper.represent_dict)


def format_entry(key: str, value: Any) -> str:
    """One `key: value` entry as YAML: the key plain where it can be, text values
    double-quoted (as the vault writes them) unless `Plain`."""
    return yaml.dump(
        {key: value},
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1_000_000,
    )
