"""Keeping fetched images: stored once under the SHA-256 of their bytes through Django's
storage API (the "images" storage: the filesystem by default, S3-compatible storage when
configured), with a smaller WebP rendition for phones."""

from __future__ import annotations

import hashlib
import io

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, transaction

from ..models import StoredImage
from .fetch import Fetched
from .html import Copy

EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
SMALL_WIDTH = 720  # CSS pixels of a phone's column (360) at twice the density
WEBP_QUALITY = 80


def storage():
    return storages["images"]


def store(fetched: Fetched) -> StoredImage:
    """The stored image of `fetched`'s bytes: the one there is already, else a new one."""
    sha = hashlib.sha256(fetched.data).hexdigest()
    found = StoredImage.objects.filter(sha256=sha).first()
    if found:
        return found
    name = _save(f"{sha[:2]}/{sha}.{EXTENSIONS[fetched.format]}", fetched.data)
    small_name, small_width = _small(sha, fetched)
    try:
        with transaction.atomic():
            return StoredImage.objects.create(
                sha256=sha,
                format=fetched.format,
                width=fetched.width,
                height=fetched.height,
                size=len(fetched.data),
                name=name,
                small_name=small_name,
                small_width=small_width,
            )
    except IntegrityError:  # another worker stored the same picture meanwhile
        return StoredImage.objects.get(sha256=sha)


def copy(image: StoredImage) -> Copy:
    """Where pages show `image` from."""
    files = storage()
    small = files.url(image.small_name) if image.small_name else ""
    return Copy(files.url(image.name), image.width, image.height, small, image.small_width or 0)


def _save(name: str, data: bytes) -> str:
    """Save `data` as `name` (the same name always holds the same bytes: kept if there)."""
    files = storage()
    if files.exists(name):
        return name
    return files.save(name, ContentFile(data))


def _small(sha: str, fetched: Fetched) -> tuple[str, int | None]:
    """A WebP rendition SMALL_WIDTH wide, for an image much wider than that; not for a GIF
    (a still rendition would stop its animation)."""
    if fetched.format == "GIF" or fetched.width < SMALL_WIDTH * 1.25:
        return "", None
    from PIL import Image  # here, not at the top: web workers never load Pillow (3 MB)

    height = max(1, round(fetched.height * SMALL_WIDTH / fetched.width))
    with Image.open(io.BytesIO(fetched.data)) as image:
        image.draft("RGB", (SMALL_WIDTH, height))  # a JPEG decodes at a fraction of its size
        small = image.convert("RGBA" if image.mode in {"RGBA", "LA", "P"} else "RGB")
        small = small.resize((SMALL_WIDTH, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    small.save(out, format="WEBP", quality=WEBP_QUALITY, method=4)
    return _save(f"{sha[:2]}/{sha}-{SMALL_WIDTH}.webp", out.getvalue()), SMALL_WIDTH
