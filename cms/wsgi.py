import os

from django.core.wsgi import get_wsgi_application

from cms import require_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")

django_application = get_wsgi_application()
require_secret_key()

# Cached pages are answered in front of Django (see articles/pagecache.py).
from articles.pagecache import PageCacheFront  # noqa: E402 (needs the apps loaded)

application = PageCacheFront(django_application)
