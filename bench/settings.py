"""Folio's settings, with a plain Django view beside the site: the benchmark's baseline."""

from cms.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
