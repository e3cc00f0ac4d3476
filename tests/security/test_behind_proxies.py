"""Behind the README's reverse proxy, rate limits count per client, not per proxy (probe of
issue #17, point 8): one setting, TRUSTED_PROXY_COUNT, feeds allauth and the API."""

import pytest

from commons_fund.tests.test_settings import _manage

pytestmark = pytest.mark.django_db


def test_one_setting_tells_allauth_and_the_api_how_many_proxies_to_trust():
    read = (
        "from django.conf import settings; "
        "print(settings.ALLAUTH_TRUSTED_PROXY_COUNT, settings.REST_FRAMEWORK['NUM_PROXIES'])"
    )

    def printed(**env: str) -> list[str]:
        return _manage("shell", "--no-imports", "-c", read, **env).stdout.split()

    assert printed(TRUSTED_PROXY_COUNT="1") == ["1", "1"]
    assert printed() == ["0", "None"]


def _sign_up(client, n: int, address: str) -> int:
    return client.post(
        "/fr/accounts/signup/",
        {
            "email": f"p{address[-1]}-{n}@example.org",
            "password1": "une phrase de passe",
            "password2": "une phrase de passe",
        },
        HTTP_X_FORWARDED_FOR=address,
    ).status_code


def test_a_client_behind_the_proxy_exhausts_only_its_own_sign_up_limit(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1  # what TRUSTED_PROXY_COUNT=1 sets
    statuses = [_sign_up(client, n, "203.0.113.7") for n in range(25)]
    assert 429 in statuses  # the first client is stopped...
    assert _sign_up(client, 99, "198.51.100.9") == 302  # ...the next one, same proxy, is not
