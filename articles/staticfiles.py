"""Static files in production: hashed and compressed once `collectstatic` has run, and
served all the same when it has not. A forgotten build step must not take the site down:
pages then link the files by their plain names (WhiteNoise finds them in the apps), and
the log and `manage.py check --deploy` say what to run."""

import logging

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core import checks
from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger(__name__)


class ManifestStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's manifest storage, answering a name the manifest lacks, until
    `collectstatic` has run, with the name itself rather than an error inside every
    page's `{% static %}`."""

    manifest_strict = False

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:  # neither in the manifest nor in STATIC_ROOT
            if self.has_manifest():
                # Collected: a name that is no static file. (WhiteNoise asks, at start, for
                # the plain name of every file that looks hashed.)
                raise
            logger.warning(
                "%s is served unhashed: run `manage.py collectstatic` (STATIC_ROOT is %s)",
                name,
                settings.STATIC_ROOT,
            )
            # Remembered as its own hashed name: the next page asks no disk and logs nothing.
            self.hashed_files[self.hash_key(self.clean_name(name))] = name
            return name

    def has_manifest(self) -> bool:
        return self.exists(self.manifest_name)


@checks.register(checks.Tags.staticfiles, deploy=True)
def check_collected(app_configs, **kwargs):
    storage = staticfiles_storage  # lazy: isinstance sees the storage it stands for
    if not isinstance(storage, ManifestStorage) or storage.has_manifest():
        return []
    return [
        checks.Warning(
            f"No static files manifest in {settings.STATIC_ROOT}: pages link their styles "
            "and scripts unhashed and uncompressed.",
            hint="Run `manage.py collectstatic --no-input` once per release.",
            id="folio.W001",
        )
    ]
