"""`manage.py worker`, as production runs it: in processes of its own, against the test
database, fetching from a server on 127.0.0.1; one killed mid-task."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django_tasks_db.models import DBTaskResult

from articles.images import archive
from articles.models import RemoteImage, StoredImage
from tests.imageserver import ImageServer, picture
from tests.public import make_article
from tests.servers import ROOT, database_url

pytestmark = pytest.mark.django_db(transaction=True)


def worker(server, folder, **env) -> subprocess.Popen:
    environ = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_DEBUG": "0",
        "FOLIO_IMAGE_FETCH_ALLOWED": server.address,
        "FOLIO_IMAGES_ROOT": str(folder),
        **env,
    }
    command = [sys.executable, "manage.py", "worker", "--no-startup-delay", "--interval", "0.1"]
    return subprocess.Popen(
        command, cwd=ROOT, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def wait_for(condition, seconds: float = 30.0) -> None:
    ends = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < ends, "waited too long"
        time.sleep(0.05)


def test_a_task_interrupted_by_a_killed_worker_is_picked_up_again(tmp_path):
    with ImageServer() as server:
        server.routes["/slow.png"] = ("slow", 30, picture())  # the first worker dies in it
        article = make_article(body=f"![]({server.url('/slow.png')})")
        archive.follow(article)  # committed at once: enqueued
        first = worker(server, tmp_path, FOLIO_TASK_LEASE="2")
        try:
            wait_for(lambda: server.hits["/slow.png"] == 1)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait()
        task = DBTaskResult.objects.get()
        assert task.status == "RUNNING"  # as the dead worker left it
        server.routes["/slow.png"] = picture()
        second = worker(server, tmp_path, FOLIO_TASK_LEASE="2")
        try:
            wait_for(lambda: RemoteImage.objects.get().status == RemoteImage.Status.ARCHIVED)
        finally:
            second.terminate()
            _, errors = second.communicate(timeout=30)
        task.refresh_from_db()
        assert task.status == "SUCCESSFUL" and len(task.worker_ids) == 2, errors.decode()
        assert server.hits["/slow.png"] == 2
        assert (tmp_path / StoredImage.objects.get().name).exists()


def test_two_workers_share_the_queue_and_fetch_each_image_once(tmp_path):
    with ImageServer() as server:
        for n in range(24):
            server.routes[f"/{n}.png"] = ("slow", 0.2, picture(colour=(n * 10, 0, 0)))
        article = make_article(
            body="\n\n".join(f"![]({server.url(f'/{n}.png')})" for n in range(24))
        )
        archive.follow(article)
        started = time.monotonic()
        workers = [worker(server, tmp_path) for _ in range(2)]
        try:
            wait_for(lambda: not RemoteImage.objects.exclude(status="archived").exists())
        finally:
            for each in workers:
                each.terminate()
                each.communicate(timeout=30)
        took = time.monotonic() - started
        assert set(server.hits.values()) == {1}  # each fetched once
        assert StoredImage.objects.count() == 24
        workers_seen = {tuple(t.worker_ids) for t in DBTaskResult.objects.all()}
        assert len(workers_seen) == 2, (workers_seen, took)  # both took a share
