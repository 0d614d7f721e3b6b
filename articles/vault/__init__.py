"""Folio's reading and writing of vault notes. PURE: imports nothing from Django or Folio.

text = decode(data, path=...)          bytes -> text (BOM, CRLF, UTF-16, GBK)
article = parse(text, path=...)        text -> VaultArticle, or VaultError(path, line)
dump(article)                          VaultArticle -> text, unchanged parts as written
"""

from . import files
from .identity import canonical_url, source_key
from .layout import Layout
from .meta import flow_text, read_value, role_of
from .reading import MAX_COUNTS, MAX_LENGTHS, parse, parse_date
from .text import MAX_BYTES, decode, text_hash
from .topics import topic_path
from .types import STATUSES, Summary, SummaryItem, VaultArticle, VaultError, VaultTag
from .writing import dump

__all__ = [
    "MAX_BYTES",
    "MAX_COUNTS",
    "MAX_LENGTHS",
    "STATUSES",
    "Layout",
    "Summary",
    "SummaryItem",
    "VaultArticle",
    "VaultError",
    "VaultTag",
    "canonical_url",
    "decode",
    "dump",
    "files",
    "flow_text",
    "parse",
    "parse_date",
    "read_value",
    "role_of",
    "source_key",
    "text_hash",
    "topic_path",
]
