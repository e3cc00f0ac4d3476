from io import StringIO

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command

from commons_fund.members.models import Membership, Organisation, Role, User

pytestmark = pytest.mark.django_db


def _snapshot() -> str:
    """Every row of every model, as JSON: equal snapshots mean nothing changed."""
    models = [m for m in apps.get_models() if m._meta.app_label not in {"sessions", "admin"}]
    return serializers.serialize(
        "json", [obj for model in models for obj in model._default_manager.order_by("pk")]
    )


def test_seed_demo_twice_changes_nothing(client):
    call_command("seed_demo", stdout=StringIO())
    first = _snapshot()
    call_command("seed_demo", stdout=StringIO())
    assert _snapshot() == first

    assert Organisation.objects.filter(
        slug__in=["ouvaton", "octopuce", "normandie-libre", "framasoft", "la-quadrature-du-net",
                  "debian-france", "data-patch", "movilab", "dokos"]
    ).count() == 9
    assert Organisation.objects.get(slug="ouvaton").founded_year == 2001
    assert Membership.objects.get(
        user__email="camille@demo.test", organisation__slug="ouvaton"
    ).role == Role.TREASURER
    # every organisation keeps an administrator
    assert not Organisation.objects.exclude(memberships__role=Role.ADMIN).exists()


def test_printed_demo_logins_work(client):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    line = next(line for line in out.getvalue().splitlines() if "camille@demo.test" in line)
    email, password = (part.strip() for part in line.split("/"))
    response = client.post("/fr/accounts/login/", {"login": email, "password": password})
    assert response.status_code == 302
    assert client.get("/fr/my/").status_code == 200
    assert User.objects.get(email=email).is_staff is False
