"""Folio's one settings module, driven by environment variables.

DATABASE_URL          default: sqlite:///var/folio.sqlite3 (postgres://user@host:port/name works)
DJANGO_DEBUG          "1"/"true" turns debug on; off by default
DJANGO_SECRET_KEY     required when debug is off
DJANGO_ALLOWED_HOSTS  comma-separated; default localhost names when debug is on
TIME_ZONE             default Asia/Shanghai
DJANGO_CONN_MAX_AGE   seconds a database connection is kept (default 60; 0 behind pgbouncer)
FOLIO_SITE_NAME       default Folio
DJANGO_STATIC_ROOT    where `collectstatic` gathers the static files (default var/static)
REDIS_URL             the cache every app server shares (redis://host:port/db); without it,
                      each process keeps pages in its own memory
FOLIO_PAGE_CACHE      "off" turns the page cache off (for measuring and debugging)
FOLIO_CACHE_PREFIX    keys' prefix in a shared cache (default folio), one per site
FOLIO_API_CORS_ORIGINS  origins whose pages may use the API (spaces between), or "*"
DJANGO_HTTPS          "1" behind TLS: HTTP redirected to HTTPS, HSTS, cookies sent over
                      HTTPS only, and the proxy's X-Forwarded-Proto trusted (the proxy
                      must set it); without it, plain HTTP is served
"""

import base64
import hashlib
import importlib.util
import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
import django
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_flag("DJANGO_DEBUG")

# Without a key (and debug off) the commands that need none still run (migrate,
# makemigrations, collectstatic); serving refuses to start (cms.require_secret_key).
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "django-insecure-folio-development-only"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else ""
)

INSTALLED_APPS = [
    "articles.apps.NewsroomAdminConfig",  # django.contrib.admin, on the newsroom's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.forms",
    "taggit",
    "axes",
    "django_tasks_db",  # background work (articles/tasks.py), stored in the database
    "ninja",  # the API (articles/api/): its docs' scripts and styles as static files
    "articles",
]
if importlib.util.find_spec("django.tasks") is None:  # Django 5.2: the backport
    INSTALLED_APPS.insert(-3, "django_tasks")

MIDDLEWARE = [
    # The API's cross-origin headers, on kept answers too (articles/api/cors.py).
    "articles.api.cors.CorsMiddleware",
    # A cached page is answered before the rest runs (see articles/pagecache.py).
    "articles.pagecache.PageCacheMiddleware",
    # A read whose database connection was cut is answered again (articles/outages.py).
    "articles.outages.RetryMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "articles.security.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cms.urls"

# Behind TLS (a proxy in front terminates it and says so in X-Forwarded-Proto, which it
# must set or strip): HTTP redirected, browsers told to come back over HTTPS only for a
# year (subdomains too, and ready for the preload list), cookies over HTTPS only. Without
# DJANGO_HTTPS, debug off still serves plain HTTP (on 127.0.0.1, behind nothing).
HTTPS = env_flag("DJANGO_HTTPS")
SECURE_SSL_REDIRECT = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = HTTPS
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
# One referrer policy, as a header: no Referer to other sites (WeChat's image host refuses
# images asked for with one).
SECURE_REFERRER_POLICY = "same-origin"
# What no page of Folio uses, no page may use (the header's own syntax).
FOLIO_PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "browsing-topics",
    )
)


def images_storage(environ) -> tuple[dict, list[str]]:
    """Where archived images are kept, and the origins pages load them from: a folder
    (FOLIO_IMAGES_ROOT, served by Folio at /images/) or, with FOLIO_S3_BUCKET, an
    S3-compatible bucket (AWS S3, MinIO, Cloudflare R2...) serving them itself. Keys come
    from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."""
    bucket = environ.get("FOLIO_S3_BUCKET", "")
    if not bucket:
        folder = Path(environ.get("FOLIO_IMAGES_ROOT", BASE_DIR / "var" / "images"))
        backend = "django.core.files.storage.FileSystemStorage"
        return {"BACKEND": backend, "OPTIONS": {"location": folder, "base_url": "/images/"}}, []
    endpoint = environ.get("FOLIO_S3_ENDPOINT_URL", "")  # none: AWS itself
    region = environ.get("FOLIO_S3_REGION", "")
    domain = environ.get("FOLIO_S3_PUBLIC_HOST", "")  # a CDN or custom domain before it
    options = {
        "bucket_name": bucket,
        "location": "images",
        "querystring_auth": False,  # plain public addresses: cached pages outlive signatures
        "file_overwrite": True,  # a name is the hash of its bytes
        "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
    }
    if endpoint:
        options["endpoint_url"] = endpoint
    if region:
        options["region_name"] = region
    if domain:
        options["custom_domain"] = domain
    if domain:
        origins = [f"https://{domain}"]
    elif endpoint:
        origins = [endpoint.rstrip("/")]
    else:
        origins = [f"https://{bucket}.s3.amazonaws.com"]
        origins += [f"https://{bucket}.s3.{region}.amazonaws.com"] if region else []
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}, origins


IMAGES_STORAGE, IMAGES_ORIGINS = images_storage(os.environ)

# Content Security Policy, on every page (the admin's too): scripts and styles from Folio's
# own static files only. No page has an inline script or style, so none needs a nonce, and
# a page kept in the cache carries a policy as good as a fresh one's. Images from here and
# from WeChat's image hosts (FOLIO_IMAGE_HOSTS, spaces between, adds others), and from
# the bucket archived images are kept in, if one is.
FOLIO_IMAGE_HOSTS = os.environ.get(
    "FOLIO_IMAGE_HOSTS", "https://mmbiz.qpic.cn https://mmbiz.qlogo.cn"
).split()
# The error pages depend on nothing, not even static files: their one <style> is allowed by hash.
_ERROR_STYLE = re.search(r"<style>(.*)</style>", (BASE_DIR / "templates/error.html").read_text())
_ERROR_STYLE_HASH = base64.b64encode(hashlib.sha256(_ERROR_STYLE[1].encode()).digest()).decode()
FOLIO_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", f"'sha256-{_ERROR_STYLE_HASH}'"],
    "img-src": ["'self'", "data:", *FOLIO_IMAGE_HOSTS, *IMAGES_ORIGINS],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if django.VERSION >= (6, 0):  # Django's own
    SECURE_CSP = FOLIO_CSP
    _CSP_MIDDLEWARE = "django.middleware.csp.ContentSecurityPolicyMiddleware"
else:  # django-csp, the library Django's was modelled on
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": FOLIO_CSP}
    _CSP_MIDDLEWARE = "csp.middleware.CSPMiddleware"
# Inside the page cache, so that a cached page keeps the header.
MIDDLEWARE.insert(MIDDLEWARE.index("articles.security.SecurityHeadersMiddleware"), _CSP_MIDDLEWARE)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site",
            ],
        },
    },
]

# Form widgets render from templates/ too (the article editor's Markdown widget).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

WSGI_APPLICATION = "cms.wsgi.application"

if "DATABASE_URL" not in os.environ:
    (BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'folio.sqlite3'}"),
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A server that does not answer: readers get the 503 page in seconds, not a hung worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while an import writes; IMMEDIATE avoids "database is locked"
    # when two writers start together; synchronous=NORMAL is durable enough under WAL.
    # A connection kept (CONN_MAX_AGE) keeps its page cache (16 MB) warm.
    # Tests run on a file too, not in memory: a second process (a concurrent import, an
    # app server) can then share the test database.
    name = Path(DATABASES["default"]["NAME"])
    DATABASES["default"]["TEST"] = {"NAME": str(name.with_name(f"test-{name.name}"))}
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-16000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Login throttling (django-axes): five failed logins lock the user, and the address they
# came from, for 15 minutes, whatever password comes next; a superuser unlocks them in the
# admin (Access attempts: delete) or with `manage.py axes_reset_username NAME`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "articles.security.client_address"
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "var" / "static"))
# The app serves its own static files (WhiteNoise): no CDN, works offline, strict CSP.
# What `collectstatic` gathered is served hashed and compressed; until it has run, the
# files are served from the apps, unhashed (see articles/staticfiles.py).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Archived images, named by the hash of their bytes (articles/images/store.py).
    "images": IMAGES_STORAGE,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "articles.staticfiles.ManifestStorage"
    },
}
# Until then, and only then, WhiteNoise looks in the apps too (a look at every app's static
# files when a worker starts).
WHITENOISE_USE_FINDERS = DEBUG or not (STATIC_ROOT / "staticfiles.json").exists()

REDIS_URL = os.environ.get("REDIS_URL", "")
# "default" keeps pages; with Redis, "fragments" the stored HTML pages are joined from
# (articles/fragments.py), which without Redis each worker keeps, bounded by size.
if REDIS_URL:
    REDIS = {
        "BACKEND": "articles.rediscache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": os.environ.get("FOLIO_CACHE_PREFIX", "folio"),
    }
    CACHES = {"default": REDIS, "fragments": REDIS}
else:
    # In every worker's memory: Django's bound of 300 entries (pages of 20 to 80 kB).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
FOLIO_PAGE_CACHE = env_flag("FOLIO_PAGE_CACHE", True)
# How many writes a token may make (articles/api/auth.py): "N/s", "N/m", "N/h" or "N/d".
FOLIO_API_WRITE_RATE = os.environ.get("FOLIO_API_WRITE_RATE", "60/m")
# Other sites' pages that may use the API (articles/api/cors.py); none by default.
FOLIO_API_CORS_ORIGINS = frozenset(os.environ.get("FOLIO_API_CORS_ORIGINS", "").split())
# Without Redis, where the processes of this machine learn that the site has changed.
FOLIO_PAGE_CACHE_GENERATION_FILE = BASE_DIR / "var" / "page-cache-generation"

TAGGIT_CASE_INSENSITIVE = True

# Warnings and errors (a 500's traceback included) go to stderr, whatever DEBUG says.
# Warnings and errors to standard error, each once: Django's own "django" logger keeps no
# handler of its own (its console handler, on with debug, printed each warning a second
# time beside the root's; its mail to ADMINS goes nowhere here) and passes them up.
# The development server's request lines keep Django's own handler and format (setting
# "django" here resets the loggers below it).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": [], "level": "WARNING", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}

FOLIO_SITE_NAME = os.environ.get("FOLIO_SITE_NAME", "Folio")
FOLIO_PAGE_SIZE = 20  # articles on a page of a list
FOLIO_FEED_SIZE = 20  # articles in a feed
FOLIO_RELATED = 5  # related articles under an article

# Where `import_seeds` looks when given no path.
FOLIO_SEEDS_DIR = BASE_DIR / "seeds"
# A note larger than this is refused by the importer, and an article that would export
# as a larger one by the admin (bytes). WeChat caps an article at 20,000 characters: a
# tenth of this, markup and image links included. A note this size renders in a few
# tenths of a second.
FOLIO_MAX_NOTE_BYTES = 512 * 1024
# Rendering a body may take this long (seconds) before it is refused: Markdown that is
# slow to parse (brackets left open by the thousand) must not hold a worker.
FOLIO_RENDER_SECONDS = 1.0
# Seconds of rendering each user's live previews may take a minute (see security.py).
FOLIO_PREVIEW_SECONDS = 10
# The admin's form sends a note's fields URL-encoded: up to three bytes for each.
DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * FOLIO_MAX_NOTE_BYTES + 256 * 1024

# Background work (articles/tasks.py): tasks stored in the database, run by
# `manage.py worker` processes on any number of machines. A task still running after
# FOLIO_TASK_LEASE seconds is taken for one whose worker died, and run again (each of
# Folio's tasks is bounded well below it, and safe to run twice).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
FOLIO_TASK_LEASE = int(os.environ.get("FOLIO_TASK_LEASE", 600))

# Archiving remote images (articles/images/): the largest image fetched (bytes, counted
# while reading), how many fetches one host gets at once (across the workers sharing the
# cache), and how many tries before an image is given up as failed.
FOLIO_IMAGE_MAX_BYTES = 10 * 1024 * 1024
FOLIO_IMAGE_PER_HOST = 4
FOLIO_IMAGE_ATTEMPTS = 5
# Hosts asked once more with the article's own URL as Referer when they refuse an image
# asked for with none: WeChat's, whose hotlink protection looks at it.
FOLIO_IMAGE_REFERER_HOSTS = frozenset({"mmbiz.qpic.cn", "mmbiz.qlogo.cn"})
# Addresses ("host:port") images may be fetched from although they are not public: only
# the tests' own servers on 127.0.0.1. Production never reaches a private address.
FOLIO_IMAGE_FETCH_ALLOWED = frozenset(os.environ.get("FOLIO_IMAGE_FETCH_ALLOWED", "").split())
