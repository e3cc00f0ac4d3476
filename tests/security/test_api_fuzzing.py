"""API fuzzing with schemathesis: cases generated from the OpenAPI schema, sent through the
whole WSGI application (every middleware, as gunicorn calls it) in the test's process:
whatever the generated request, no answer is a 500, and every 4xx carries a JSON body naming
the problem. Requests carry a logged-in person's token, so that writes reach the services,
not only the authentication check."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from commons_fund.members.tests.factories import MembershipFactory
from pledges.tests.factories import PoolFactory
from projects.tests.factories import ProjectFactory, StepFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


# The schema is read from the application, and the cases are sent to it.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())


@pytest.fixture
def in_the_test_transaction():
    """The application answers inside the test's transaction (rolled back at its end, which
    is much cheaper than emptying every table): as Django's test client does, the database
    connection is not closed between requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(settings, in_the_test_transaction):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    admin = MembershipFactory(role="admin")
    project = ProjectFactory(host=admin.organisation, slug="commun")
    StepFactory(project=project)
    PoolFactory(host=admin.organisation, slug="fonds")
    return Token.objects.create(user=admin.user).key


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_never_fails_and_always_explains(case, token):
    response = case.call(headers={"Authorization": f"Token {token}"})
    where = f"{case.method} {case.formatted_path} → {response.status_code}"
    assert response.status_code < 500, f"{where}: {response.text[:300]}"
    if 400 <= response.status_code < 500:
        try:
            body = response.json()
        except ValueError:
            pytest.fail(f"{where}: not a JSON body: {response.text[:300]!r}")
        assert body, f"{where}: an empty JSON body"
