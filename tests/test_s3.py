"""Archived images in S3-compatible storage (django-storages), against a local
S3-compatible server the test starts (moto's server mode): never a mock of the client."""

import boto3
import pytest
from django.test import override_settings
from moto.server import ThreadedMotoServer

from articles.images import archive
from articles.models import RemoteImage, StoredImage
from cms import settings as folio_settings
from tests.helpers import committed
from tests.imageserver import ImageServer, picture
from tests.public import make_article
from tests.servers import free_port

pytestmark = pytest.mark.django_db
BUCKET = "folio-images"
KEYS = {"AWS_ACCESS_KEY_ID": "folio-test", "AWS_SECRET_ACCESS_KEY": "folio-test-secret"}


@pytest.fixture
def s3(settings, monkeypatch):
    """A local S3-compatible server with an empty bucket, and Folio's images stored in it
    as the environment of a deployment says."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    environ = {"FOLIO_S3_BUCKET": BUCKET, "FOLIO_S3_ENDPOINT_URL": endpoint, **KEYS}
    storage, origins = folio_settings.images_storage(environ)
    settings.STORAGES = {**settings.STORAGES, "images": storage}
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **_keys())
    client.create_bucket(Bucket=BUCKET)
    try:
        yield client, endpoint, origins
    finally:
        server.stop()


def _keys():
    return {
        "aws_access_key_id": KEYS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": KEYS["AWS_SECRET_ACCESS_KEY"],
    }


def test_images_are_stored_in_s3_once_and_pages_show_them_from_there(s3, client, settings):
    bucket, endpoint, origins = s3
    png = picture("PNG", (1000, 500))
    with ImageServer({"/a.png": png, "/b.png": png}) as server:
        settings.FOLIO_IMAGE_FETCH_ALLOWED = frozenset({server.address})
        article = make_article(body=f"![]({server.url('/a.png')})\n\n![]({server.url('/b.png')})")
        with committed():
            archive.follow(article)
        for image in RemoteImage.objects.all():
            with committed():
                archive.archive(image.pk)
    stored = StoredImage.objects.get()  # the same bytes at two addresses: once
    keys = sorted(o["Key"] for o in bucket.list_objects_v2(Bucket=BUCKET)["Contents"])
    assert keys == sorted([f"images/{stored.name}", f"images/{stored.small_name}"])
    kept = bucket.get_object(Bucket=BUCKET, Key=f"images/{stored.name}")
    assert kept["Body"].read() == png and kept["ContentType"] == "image/png"
    assert "immutable" in kept["CacheControl"]
    page = client.get(article.get_absolute_url()).content.decode()
    assert page.count(f'src="{endpoint}/{BUCKET}/images/{stored.name}"') == 2
    assert origins == [endpoint]  # what the pages' CSP lets images come from


@pytest.mark.django_db(transaction=True)
def test_a_deployment_with_a_bucket_serves_pages_whose_policy_lets_its_images_load(s3):
    """`make serve`'s server configured by the environment alone: the page shows the copy
    from the bucket, its Content-Security-Policy lets images load from there, and the
    bucket answers that address with the picture."""
    import json
    import re
    import urllib.request

    from tests.servers import get, production_server

    bucket, endpoint, _ = s3
    readable = {  # as the README asks of a deployment: the images readable by anyone
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{BUCKET}/images/*",
            }
        ],
    }
    bucket.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(readable))
    png = picture("PNG", (400, 300))
    with ImageServer({"/a.png": png}) as server:
        article = make_article(body=f"![]({server.url('/a.png')})")
        with committed():
            archive.follow(article)
        with override_settings(FOLIO_IMAGE_FETCH_ALLOWED=frozenset({server.address})):
            archive.archive(article.images.get().pk)
    deployed = {"FOLIO_S3_BUCKET": BUCKET, "FOLIO_S3_ENDPOINT_URL": endpoint, **KEYS}
    with production_server(DJANGO_SECRET_KEY="k" * 50, **deployed) as base:
        status, headers, page = get(base + article.get_absolute_url())
    assert status == 200
    [source] = re.findall(r'<img [^>]*src="([^"]+)"', page)
    assert source == f"{endpoint}/{BUCKET}/images/{StoredImage.objects.get().name}"
    policy = dict(
        part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";")
    )
    assert endpoint in policy["img-src"].split()
    with urllib.request.urlopen(source, timeout=10) as answer:
        assert answer.read() == png
