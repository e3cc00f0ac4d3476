"""The production configuration is reached with environment variables alone."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k7#Qm2!vX9pL4$wR8zT1nB6&yH3jF5dS0aE-cG+uK=iO_pM^lN",
    "ALLOWED_HOSTS": "fonds.example.coop",
    "CSRF_TRUSTED_ORIGINS": "https://fonds.example.coop",
    "DATABASE_URL": "postgres://commons:secret@127.0.0.1:5432/commons_fund",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "CACHE_URL": "rediscache://127.0.0.1:6379/1",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.coop:587",
    "SITE_URL": "https://fonds.example.coop",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Without what the test run itself set (the browser journeys allow sync ORM calls).
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return subprocess.run(  # noqa: S603 - fixed arguments, our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_check_deploy_prints_no_warning_in_production():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.slow
def test_check_deploy_warns_about_a_development_configuration():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="1")
    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout  # DEBUG is on


@pytest.mark.slow
def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_embedded_broker_takes_a_task(tmp_path):
    """With no variable set (as `make demo` runs), a task reaches the SQLite broker: options
    that only Redis understands must not be handed to its SQLAlchemy transport."""
    send = (
        "from commons_fund.celery import app; "
        "app.send_task('commons_fund.members.tasks.invitations_expire'); print('sent')"
    )
    result = _manage("shell", "-c", send, VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "sent" in result.stdout
    assert (tmp_path / "celery-broker.sqlite3").stat().st_size > 0
