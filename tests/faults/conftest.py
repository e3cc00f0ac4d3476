"""Fixtures of the fault tests."""

import pytest

from tests.helpers import standin_running


@pytest.fixture
def slow_stripe(request, settings):
    """The Stripe stand-in holding back each PaymentIntent's answer for the test module's
    LATENCY seconds, so that kills land while a charge is on its way."""
    with standin_running("--latency", request.module.LATENCY) as url:
        settings.STRIPE_API_BASE = url
        yield url
