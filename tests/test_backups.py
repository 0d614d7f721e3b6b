"""A backup made with `manage.py backup` and restored as README.md says, into an empty
database: every article, revision, redirect and user is there, and search finds them; the
vault beside the dump imports into an empty database as every article."""

import json
import os
import shutil
import subprocess
import sys
import uuid

import pytest
from django.contrib.auth.models import User
from django.db import connection

from articles import changes, publishing
from articles.models import Article, Tag
from tests.helpers import committed, import_seeds, note, write
from tests.servers import ROOT, database_url

pytestmark = pytest.mark.django_db(transaction=True)


def _manage(url: str, *args: str) -> str:
    environ = {**os.environ, "DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environ, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _contents(url: str) -> list[dict]:
    """What the database holds: every row of Folio's tables and its users, and the search
    index's size."""
    rows = json.loads(_manage(url, "dumpdata", "articles", "auth.user", "--format=json"))
    count = "from django.db import connection as c; k = c.cursor(); " + (
        "k.execute('SELECT count(*) FROM articles_search'); print(k.fetchone()[0])"
    )
    return [*sorted(rows, key=json.dumps), {"search rows": int(_shell(url, count))}]


def _shell(url: str, code: str) -> str:
    return _manage(url, "shell", "--verbosity", "0", "--command", code)


@pytest.fixture
def empty_database():
    """The address of a database that does not exist yet, and its removal afterwards."""
    if connection.vendor == "postgresql":
        name = f"{connection.settings_dict['NAME']}_{uuid.uuid4().hex[:8]}"
        url = database_url().rsplit("/", 1)[0] + f"/{name}"
        yield url, name
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        folder = ROOT / "var" / f"restored-{uuid.uuid4().hex[:8]}"
        yield f"sqlite:///{folder}/folio.sqlite3", folder
        shutil.rmtree(folder, ignore_errors=True)


def _restore(backup, empty) -> str:
    """Restore as README.md says."""
    url, name = empty
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        server = ["--host", db["HOST"], "--port", str(db["PORT"]), "--username", db["USER"]]
        subprocess.run(["createdb", *server, name], check=True)
        restore = ["pg_restore", "--no-owner", *server, "--dbname", name]
        subprocess.run([*restore, str(backup / "folio.dump")], check=True)
    else:
        name.mkdir()
        shutil.copy(backup / "folio.sqlite3", name / "folio.sqlite3")
    _manage(url, "migrate", "--no-input")  # nothing to do for the same release
    _manage(url, "expire_pages")
    return url


def test_a_backup_restores_into_an_empty_database_intact(tmp_path, empty_database):
    boss = User.objects.create_superuser("boss", "boss@example.invalid", "pw")
    for n in range(3):
        write(tmp_path / "vault" / f"{n}.md", note(f"备份的文章{n}", body=f"正文{n}。"))
    assert import_seeds(tmp_path / "vault")[0] == 0
    article = Article.objects.get(title="备份的文章0")
    with committed():
        article.slug = "moved"  # its old address redirects
        article.save()
        changes.saved(article, user=boss, comment="moved")
        publishing.set_status(article, status=Article.Status.ARCHIVED, user=boss)
        publishing.edit_tag(Tag.objects.get(), name="人工智能", vault_path="", user=boss)
    before = _contents(database_url())
    names = {row["model"] for row in before[:-1]}
    assert {"articles.revision", "articles.articleredirect", "articles.tagredirect"} <= names

    out = _manage(database_url(), "backup", str(tmp_path / "backup"))
    assert "vault: 3 articles" in out
    restored = _restore(tmp_path / "backup", empty_database)
    assert _contents(restored) == before
    assert "备份的文章1" in _shell(restored, _SEARCH)

    # The vault alone (no database's tools): every article, as it was.
    elsewhere = f"sqlite:///{tmp_path}/elsewhere.sqlite3"
    _manage(elsewhere, "migrate", "--no-input")
    assert "3 created" in _manage(elsewhere, "import_seeds", str(tmp_path / "backup" / "vault"))
    assert _shell(elsewhere, _TITLES) == _shell(restored, _TITLES)


_SEARCH = "from articles.search import Results; print([a.title for a in Results('备份')[0:10]])"
_TITLES = "from articles.models import Article; print(sorted(Article.objects.values_list('title')))"
