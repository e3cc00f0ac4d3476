"""The deployment files (#23). No container engine runs on these machines (the Docker
client answers, no daemon): the compose file is validated against the Compose
Specification's JSON schema (deploy/compose-spec.json, from docker-compose 1.29.2) and
checked for what a deployment needs; the image and the units are read, not run."""

import gc
import json
import re
import runpy

import jsonschema
import pytest
import yaml
from django.urls import clear_url_caches, get_resolver

from tests.helpers import ROOT

SERVICES = {"postgres", "redis", "migrate", "web", "worker", "beat"}


def _compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_the_compose_file_follows_the_compose_specification():
    schema = json.loads((ROOT / "deploy" / "compose-spec.json").read_text())
    validator = jsonschema.Draft201909Validator(schema)
    validator.validate(_compose())
    broken = _compose()
    broken["services"]["web"]["restart_policy"] = "always"  # not a service key
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(broken)


def test_the_compose_file_runs_every_part_with_health_checks_and_volumes():
    compose = _compose()
    services = compose["services"]
    assert set(services) == SERVICES
    for name in SERVICES - {"migrate"}:
        assert "test" in services[name]["healthcheck"], name
    assert services["beat"]["deploy"]["replicas"] == 1  # the schedules are sent once
    assert set(compose["volumes"]) == {"pgdata", "redisdata", "media"}
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
        environment = services[name]["environment"]
        assert environment["CACHE_URL"].startswith("rediscache://")  # shared, not per process
        assert environment["CELERY_BROKER_URL"].startswith("redis://")
        assert "media:/var/lib/commons-fund/media" in services[name]["volumes"]


def test_the_image_is_built_in_stages_from_the_production_lock_and_runs_without_rights():
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM \S+ AS (\w+)$", dockerfile, flags=re.MULTILINE)
    assert stages == ["build", "runtime"]
    assert "--require-hashes -r /tmp/requirements.lock" in dockerfile
    assert "requirements-dev.lock" not in dockerfile
    assert "collectstatic" in dockerfile
    runtime = dockerfile.split("AS runtime", 1)[1]
    assert re.search(r"^USER commons$", runtime, flags=re.MULTILINE)
    assert "HEALTHCHECK" in runtime and "/healthz" in runtime
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "var", ".env"} <= set(ignored)


def test_every_setting_read_from_the_environment_is_in_the_example():
    settings = (ROOT / "commons_fund" / "settings.py").read_text()
    read = set(
        re.findall(
            r"""\.(?:str|bool|int|float|list|db|cache_url|email_url)\(\s*["']([A-Z0-9_]+)["']""",
            settings,
        )
    )
    read |= set(re.findall(r"""env\(\s*["']([A-Z0-9_]+)["']""", settings))
    example = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert {"DATABASE_URL", "SECRET_KEY", "CELERY_BROKER_URL"} <= read
    assert read - example == set()


def test_the_systemd_units_start_one_beat_and_the_rest():
    units = {path.stem: path.read_text() for path in (ROOT / "deploy").glob("*.service")}
    assert set(units) == {"commons-fund-web", "commons-fund-worker", "commons-fund-beat"}
    for text in units.values():
        assert "EnvironmentFile=/etc/commons-fund/env" in text
        assert "User=commons-fund" in text and "Restart=on-failure" in text
    assert "gunicorn commons_fund.wsgi" in units["commons-fund-web"]
    assert "celery -A commons_fund worker" in units["commons-fund-worker"]
    assert "celery -A commons_fund beat" in units["commons-fund-beat"]
    assert "One beat sends at a time" in units["commons-fund-beat"]


def test_gunicorn_loads_the_site_once_before_forking_its_workers():
    """gunicorn.conf.py, read from the working directory of the image and the units: the
    site, its URLs and views loaded in the master, then kept out of the collector's reach,
    so that the workers share those pages (bench/memory.py: 153 → 56 MiB a worker)."""
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["preload_app"] is True
    clear_url_caches()
    frozen = gc.get_freeze_count()
    try:
        settings["when_ready"](None)
        assert gc.get_freeze_count() > frozen
        assert "url_patterns" in vars(get_resolver())  # the views are imported
    finally:
        gc.unfreeze()
    assert "WORKDIR /app" in (ROOT / "Dockerfile").read_text()
    unit = (ROOT / "deploy" / "commons-fund-web.service").read_text()
    assert "WorkingDirectory=/opt/commons-fund" in unit
