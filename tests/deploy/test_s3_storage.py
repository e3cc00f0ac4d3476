"""Media in an S3-compatible bucket (#23): with AWS_STORAGE_BUCKET_NAME set, organisations'
logos and Wagtail's images and renditions are written to and read from the bucket, here a
local S3 server (moto's server mode) started by the test; the local disk stays the default."""

import io
import json
import os
import subprocess
import sys
import urllib.request
import uuid

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from moto.server import ThreadedMotoServer
from PIL import Image as PillowImage
from wagtail.images.models import Image

from commons_fund.members.tests.factories import OrganisationFactory
from tests.helpers import ROOT, free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def bucket(settings, monkeypatch):
    """An empty bucket on a local S3 server, named by the settings as production would."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "commons-fund-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "commons-fund-test-secret")
    name = f"media-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=name)
    settings.AWS_STORAGE_BUCKET_NAME = name
    settings.AWS_S3_ENDPOINT_URL = endpoint
    settings.AWS_S3_REGION_NAME = "us-east-1"
    settings.AWS_S3_FILE_OVERWRITE = False
    settings.AWS_DEFAULT_ACL = None
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage"},
    }
    try:
        yield client, name
    finally:
        server.stop()


def _png(colour: str = "teal") -> bytes:
    buffer = io.BytesIO()
    PillowImage.new("RGB", (320, 200), colour).save(buffer, "PNG")
    return buffer.getvalue()


def _keys(client, name: str) -> set[str]:
    return {item["Key"] for item in client.list_objects_v2(Bucket=name).get("Contents", [])}


def test_a_logo_is_kept_in_the_bucket_and_served_from_a_signed_address(bucket):
    client, name = bucket
    organisation = OrganisationFactory()
    organisation.logo.save("logo.png", ContentFile(_png()))
    key = organisation.logo.name
    assert key.startswith("organisations/logos/logo") and key in _keys(client, name)
    assert client.get_object(Bucket=name, Key=key)["Body"].read() == _png()
    # A second upload of the same name keeps both files.
    other = OrganisationFactory()
    other.logo.save("logo.png", ContentFile(_png("orange")))
    assert other.logo.name != key and len(_keys(client, name)) == 2
    # The address pages show is the bucket's, signed, and answers the file.
    url = organisation.logo.url
    assert url.startswith(f"{client.meta.endpoint_url}/{name}/") and "Signature" in url
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
        assert response.read() == _png()


def test_wagtail_images_and_their_renditions_live_in_the_bucket(bucket):
    client, name = bucket
    image = Image.objects.create(
        title="Fournil", file=ImageFile(io.BytesIO(_png()), name="fournil.png")
    )
    rendition = image.get_rendition("fill-100x100")
    assert {image.file.name, rendition.file.name} <= _keys(client, name)
    body = client.get_object(Bucket=name, Key=rendition.file.name)["Body"].read()
    assert PillowImage.open(io.BytesIO(body)).size == (100, 100)


def test_the_bucket_is_chosen_by_the_environment_and_allowed_by_the_pages_policy():
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps([settings.STORAGES['default']['BACKEND'], "
        "settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']]))"
    )
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("AWS_")
    } | {"DJANGO_SETTINGS_MODULE": "commons_fund.settings"}

    def read(**variables: str) -> list:
        result = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=environment | variables,
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(result.stdout.strip().splitlines()[-1])

    assert read() == [
        "django.core.files.storage.FileSystemStorage",
        ["'self'", "data:"],
    ]
    backend, images = read(
        AWS_STORAGE_BUCKET_NAME="media", AWS_S3_ENDPOINT_URL="https://s3.fr-par.scw.cloud"
    )
    assert backend == "storages.backends.s3.S3Storage"
    assert images == [
        "'self'",
        "data:",
        "https://s3.fr-par.scw.cloud",
        "https://*.s3.fr-par.scw.cloud",
    ]
