"""Production settings: without a secret key, commands that need none run; serving does not."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, key: str = "") -> subprocess.CompletedProcess:
    """Python with debug off and `key` as DJANGO_SECRET_KEY (none when empty)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SECRET_KEY", "DATABASE_URL"}}
    env.update(DJANGO_DEBUG="0", DJANGO_SETTINGS_MODULE="cms.settings")
    if key:
        env["DJANGO_SECRET_KEY"] = key
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_commands_that_need_no_key_run_without_one():
    done = run("manage.py", "makemigrations", "--check", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "No changes detected" in done.stdout


@pytest.mark.parametrize("module", ["cms.wsgi", "cms.asgi"])
def test_serving_refuses_to_start_without_a_key(module):
    done = run("-c", f"import {module}")
    assert done.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in done.stderr
    assert run("-c", f"import {module}", key="k" * 50).returncode == 0
