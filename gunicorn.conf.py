"""gunicorn's settings for Folio in production (`make serve`, or `gunicorn -c gunicorn.conf.py`).

FOLIO_BIND        address to listen on (default 127.0.0.1:8000, behind a proxy)
WEB_CONCURRENCY   worker processes (default: one per core)

Sync workers: a page is a cache hit or a few milliseconds of rendering, and a proxy in
front (nginx, Caddy) deals with slow clients. The app is loaded before the fork so that
workers share its memory and a broken release fails once, at start. See BENCHMARKS.md for
how gunicorn and Granian compared.
"""

import os

wsgi_app = "cms.wsgi:application"
bind = os.environ.get("FOLIO_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
worker_class = "sync"
preload_app = True  # loading opens no database connection: none is shared by the fork
timeout = 30
errorlog = "-"
loglevel = "warning"
