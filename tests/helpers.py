"""Helpers shared by tests."""

import time


def wait_for(condition, timeout: float = 20.0) -> bool:
    """Poll until condition() is true: webhooks and workers answer asynchronously."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False
