"""Helpers shared by tests."""

import contextlib
import io
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import zxingcpp
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from PIL import Image
from pypdf import PdfReader

from commons_fund.payments import demo as payments_demo

ROOT = Path(__file__).resolve().parent.parent

STANDIN_AUTH = {"Authorization": "Bearer sk_test_commons_fund_local"}


def wait_for(condition, timeout: float = 20.0) -> bool:
    """Poll until condition() is true: webhooks and workers answer asynchronously."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def standin_running(*arguments: str) -> Iterator[str]:
    """The local Stripe stand-in (localstripe + our extensions) on a free loopback port, for
    the time of the block; yields its address."""
    port = free_port()
    demo_hosts = [f"--connected-account={account}" for account in payments_demo.CONNECTED.values()]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.stripe_standin",
            "--port",
            str(port),
            *demo_hosts,
            *arguments,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    probe = urllib.request.Request(f"{url}/v1/balance", headers=STANDIN_AUTH)  # noqa: S310
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(probe, timeout=1):  # noqa: S310 (loopback)
                break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("The Stripe stand-in did not start.") from None
            time.sleep(0.1)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def database_url() -> str:
    """The address of the test database (PostgreSQL), for processes the test starts."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def one_use_key(page) -> str:
    """The one-use key a money form carries (commons_fund.forms.OneUseKeyForm)."""
    found = re.search(r'name="request_key" value="([0-9a-f]+)"', page.text)
    assert found, "the form carries no one-use key"
    return found.group(1)


def qr_code_lines(png: bytes) -> list[str]:
    """The lines of the only QR code in a PNG image, read as a banking app would."""
    (code,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return code.text.split("\n")


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF as a reader extracts it, with no-break spaces as plain spaces."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return text.replace("\u202f", " ").replace("\u00a0", " ")


class MigrationRun:
    """A database taken back to `before` (the apps as they were then in `apps`); `forward()`
    runs every migration since and returns the apps as they are now."""

    def __init__(self, before: list[tuple[str, str]]):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        self.latest = executor.loader.graph.leaf_nodes()
        executor.migrate(before)
        self.apps = executor.loader.project_state(before).apps

    def forward(self):
        executor = MigrationExecutor(connection)
        executor.migrate(self.latest)
        return executor.loader.project_state(self.latest).apps


@contextlib.contextmanager
def migrations_from(before: list[tuple[str, str]]) -> Iterator[MigrationRun]:
    """Test a data migration: the database at `before`, then forward, and always back at
    the latest migrations afterwards (the next tests expect them)."""
    run = MigrationRun(before)
    try:
        yield run
    finally:
        run.forward()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def press_on_hosted_page(url: str, button: str, action: str) -> str:
    """What a person does on a page the Stripe stand-in hosts (Checkout, Connect onboarding):
    open it, press `button` (a form posting to `url/action`); returns where it sends back."""
    with urllib.request.urlopen(url, timeout=5) as page:  # noqa: S310 - the stand-in's URL
        assert button.encode() in page.read()
    request = urllib.request.Request(f"{url}/{action}", data=b"", method="POST")  # noqa: S310
    try:
        urllib.request.build_opener(_NoRedirect).open(request, timeout=5)
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 303
        return redirect.headers["Location"]
    raise AssertionError(f"the hosted page {url} sent no one back")
