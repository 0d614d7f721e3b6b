"""The management commands' own surface: options, help and the progress bar."""

import io

import pytest
from django.core.management import get_commands, load_command_class
from django.core.management.base import OutputWrapper

from articles.management.commands.import_seeds import Progress


@pytest.mark.parametrize("name", ["import_seeds", "export_articles"])
def test_every_option_is_explained(name):
    command = load_command_class(get_commands()[name], name)
    parser = command.create_parser("manage.py", name)
    ours = [a for a in parser._actions if a.dest in {"paths", "directory", "dry_run", "force"}]
    assert ours and all(action.help for action in ours)
    assert command.help


def test_progress_bar_redraws_one_line():
    stream = io.StringIO()
    progress = Progress(OutputWrapper(stream))
    for done in range(1, 101):
        progress(done, 100)
    text = stream.getvalue()
    assert text.count("\r") == Progress.WIDTH + 1  # redrawn only when the bar moves
    assert text.endswith("\r[" + "#" * Progress.WIDTH + "] 100/100\n")
    assert "\r[###" + "." * (Progress.WIDTH - 3) + "] 10/100\r" in text
