"""Folio's settings for fuzzing the importer: a database of its own (DATABASE_URL, set by
fuzz.engine), and the page cache's generation file beside it rather than in var/."""

import os
from pathlib import Path

from cms.settings import *  # noqa: F403

FOLIO_PAGE_CACHE_GENERATION_FILE = Path(os.environ["FOLIO_FUZZ_SCRATCH"]) / "page-cache-generation"
