from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "vault" / "corpus"
SEED = Path(__file__).parent.parent / "seeds" / "000_92e8f43f664c5b24.txt"


@pytest.fixture
def corpus(tmp_path):
    """A scratch copy of the test vault, safe to change."""
    import shutil

    target = tmp_path / "vault"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Tests make many users; a deliberately slow password hash would take seconds each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Each test starts with no page kept (the databases of tests before it are gone)."""
    from django.core.cache import cache

    from articles import fragments

    cache.clear()
    fragments.clear()
