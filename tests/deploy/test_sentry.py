"""Errors reach Sentry (or GlitchTip) when SENTRY_DSN is set, and nothing is sent otherwise
(#23): a process of the site logs an error, a local server playing Sentry's ingestion
endpoint receives the event."""

import gzip
import http.server
import os
import subprocess
import sys
import threading
import uuid

import pytest

from tests.helpers import ROOT


class _Ingestion(http.server.BaseHTTPRequestHandler):
    received: list[bytes]

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.received.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def ingestion():
    handler = type("Handler", (_Ingestion,), {"received": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://publickey@127.0.0.1:{server.server_address[1]}/7", handler.received
    finally:
        server.shutdown()


def _log_an_error(marker: str, **variables: str) -> None:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SENTRY_")}
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            f"import logging; logging.getLogger('commons_fund').error('{marker}')",
        ],
        cwd=ROOT,
        env=environment | variables,
        check=True,
        capture_output=True,
        timeout=120,
    )


def test_an_error_is_sent_to_the_dsn_without_personal_data(ingestion):
    dsn, received = ingestion
    marker = f"probe-{uuid.uuid4().hex}"
    _log_an_error(marker, SENTRY_DSN=dsn, SENTRY_ENVIRONMENT="ci")
    events = [body for body in received if marker.encode() in body]
    assert len(events) == 1
    assert b'"environment":"ci"' in events[0]
    assert b'"ip_address"' not in events[0]


def test_nothing_is_sent_without_a_dsn(ingestion):
    _dsn, received = ingestion
    _log_an_error(f"probe-{uuid.uuid4().hex}")
    assert received == []
