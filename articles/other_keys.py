"""The front-matter keys Folio has no field for (`Article.extra`), edited as rows of a key
box and a value box, posted as ordinary fields (`extra-key`, `extra-value`, a pair a row,
in the order of the page), and read back into JSON data.

A value is edited as text. What the text becomes:
1. the value as it was, whatever its type, when its box is sent back unchanged;
2. text, as typed, when the key held text;
3. YAML, read by the vault's own loader, when the key held a list or a mapping;
4. otherwise (a number, true or false, nothing, or a new key): a number when it is one
   (`42`, `-1.5`), true or false when it says so, YAML when it starts with [ { " or '
   (`[a, b]`, `{k: v}`, `"42"` for the text 42), else the text as typed.
Dates are kept as ISO text (vault.meta.jsonable), so they are edited as text.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import vault

EMPTY_ROWS = 3  # rows to add keys in, with no JavaScript
_INTEGER = re.compile(r"[-+]?\d+")
_DECIMAL = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+)(?:[eE][-+]?\d+)?")
_BOOLEANS = {"true": True, "false": False}


class Rows(list):
    """The rows as posted: (key, text) pairs, in the order of the page."""


def shown(value: Any) -> str:
    """The text a value's box shows."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    return vault.flow_text(value)


def read_text(text: str, *, had: bool, original: Any = None) -> Any:
    """The value a box's `text` stands for (the rules of this module's docstring);
    `original` is the key's value before, when it `had` one. ValueError for YAML that
    cannot be read."""
    if had and text == shown(original):
        return original
    if had and isinstance(original, str):
        return text
    if had and isinstance(original, list | dict):
        return vault.read_value(text)
    return _new_value(text)


def _new_value(text: str) -> Any:
    word = text.strip()
    if _INTEGER.fullmatch(word):
        return int(word)
    if _DECIMAL.fullmatch(word):
        return float(word)
    if word.lower() in _BOOLEANS:
        return _BOOLEANS[word.lower()]
    if word[:1] in {"[", "{", '"', "'"}:
        return vault.read_value(text)
    return text


def read_rows(rows: list[tuple[str, str]], original: dict[str, Any]) -> dict[str, Any]:
    """The other front matter that `rows` say, keys in their order; rows with neither a
    key nor a value are left out. ValidationError naming each row or key that is wrong."""
    extra: dict[str, Any] = {}
    problems = []
    for number, (key, text) in enumerate(rows, start=1):
        key, text = key.strip(), text.replace("\r\n", "\n")
        if not key:
            if text.strip():
                message = _("Row %(number)s has a value but no key: write its key, or empty it.")
                problems.append(ValidationError(message % {"number": number}, code="no_key"))
            continue
        if key in extra:
            message = _("“%(key)s” is there twice: keep one of them.")
            problems.append(ValidationError(message % {"key": key}, code="twice"))
            continue
        try:
            extra[key] = read_text(text, had=key in original, original=original.get(key))
        except ValueError as error:
            message = _(
                "“%(key)s” is not a YAML value (%(problem)s): write a list as [a, b] and "
                "a mapping as {key: value}."
            )
            problems.append(ValidationError(message % {"key": key, "problem": error}, code="yaml"))
    if problems:
        raise ValidationError(problems)
    return extra


def in_note_order(extra: dict[str, Any], layout: vault.Layout | None) -> dict[str, Any]:
    """`extra` with the keys its note has in the note's order, then the others (PostgreSQL's
    jsonb keeps no order of its own)."""
    front = layout.front_matter if layout else None
    written = [entry.key for entry in front.entries if entry.key in extra] if front else []
    return {key: extra[key] for key in dict.fromkeys([*written, *extra])}


def same(a: Any, b: Any) -> bool:
    """Whether two JSON values are the same, 1 and true (equal in Python) told apart."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


class OtherKeysWidget(forms.Widget):
    """A key box and a value box a row: the keys there are, then EMPTY_ROWS empty rows.
    editor.js adds buttons to add and remove rows."""

    template_name = "admin/articles/other_keys_widget.html"

    class Media:
        css = {"all": ["folio/admin/editor.css"]}
        js = ["folio/admin/editor.js"]

    def format_value(self, value: Any) -> list[tuple[str, str]]:
        if isinstance(value, Rows):  # as posted, to correct
            return [row for row in value if any(part.strip() for part in row)]
        if isinstance(value, dict):
            return [(key, shown(item)) for key, item in value.items()]
        return []

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        rows = [*context["widget"]["value"], *[("", "")] * EMPTY_ROWS]
        context["widget"]["rows"] = [
            {
                "key": key,
                "value": text,
                "key_label": gettext("Key %(number)s") % {"number": number},
                "value_label": gettext("Value %(number)s") % {"number": number},
                # the button's text, then the row's number: its name holds what it shows
                "remove_label": f"{gettext('Remove')} {number}",
            }
            for number, (key, text) in enumerate(rows, start=1)
        ]
        return context

    def value_from_datadict(self, data, files, name):
        if self.value_omitted_from_data(data, files, name):
            return None
        keys, texts = data.getlist(f"{name}-key"), data.getlist(f"{name}-value")
        texts += [""] * (len(keys) - len(texts))
        keys += [""] * (len(texts) - len(keys))
        return Rows(zip(keys, texts, strict=True))

    def value_omitted_from_data(self, data, files, name):
        return f"{name}-key" not in data and f"{name}-value" not in data

    def id_for_label(self, id_):
        return ""  # a group of boxes, each with a label of its own


class OtherKeysField(forms.Field):
    """The other front matter, as rows. `original` is the value the form opened with,
    which unchanged and retyped values keep the type of."""

    widget = OtherKeysWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.original: dict[str, Any] = {}

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "aria-label": self.label or ""}

    def clean(self, value):
        if value is None:  # not posted: as it was
            return self.original
        if isinstance(value, dict):  # a disabled field: its initial value
            return value
        return read_rows(value, self.original)

    def has_changed(self, initial, data):
        if data is None:
            return False
        initial = initial if isinstance(initial, dict) else {}
        try:
            return not same(read_rows(data, initial), initial)
        except ValidationError:
            return True
