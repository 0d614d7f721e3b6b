"""Background work: thin wrappers that call operations, run by `manage.py worker`.

Django 6's tasks API; on Django 5.2 its backport (django-tasks). Tasks are stored in the
database (django-tasks-db), so workers may run on any number of machines against one
PostgreSQL. Every task here is safe to run twice: a worker killed mid-task leaves it to
be run again (see the worker command)."""

try:
    from django.tasks import task
except ImportError:  # Django 5.2
    from django_tasks import task

from .images import archive


@task()
def archive_images(pks: list[int]) -> list[str]:
    """Fetch and keep a copy of each remote image of `pks`; what became of each."""
    return [image.status if image else "gone" for image in map(archive.archive, pks)]
