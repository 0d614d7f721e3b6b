import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

try:
    from django.tasks import TaskResultStatus
except ImportError:  # Django 5.2
    from django_tasks import TaskResultStatus


def requeue_abandoned(lease: float) -> int:
    """Tasks running for longer than `lease` seconds, whose worker died (killed, or its
    machine gone), ready to run again; how many."""
    since = timezone.now() - timedelta(seconds=lease)
    abandoned = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=since)
    return abandoned.update(status=TaskResultStatus.READY, started_at=None)


class Command(db_worker.Command):
    help = (
        "Run background tasks (archiving images) as they are enqueued: one task at a time; "
        "start as many workers as you like, on as many machines, against one database. A "
        "task whose worker died is run again once FOLIO_TASK_LEASE seconds have passed."
    )

    def handle(self, *args, **options):
        lease = settings.FOLIO_TASK_LEASE
        requeue_abandoned(lease)
        threading.Thread(target=self._requeue, args=(lease,), daemon=True).start()
        return super().handle(*args, **options)

    def _requeue(self, lease: float) -> None:
        while True:
            time.sleep(max(1.0, lease / 4))
            try:
                requeue_abandoned(lease)
            except Exception:  # the database away for a while: try again next time
                pass
            finally:
                connection.close()
