"""Official photos: accept only real JPEG/PNG images of reasonable size."""
from __future__ import annotations

from kaohe.core.errors import ValidationFailed

MAX_PHOTO_BYTES = 2 * 1024 * 1024
_SIGNATURES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def attach(official, data: bytes) -> None:
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationFailed("照片不能超过 2 MB。", "photo_upload")
    for magic, mime in _SIGNATURES.items():
        if data.startswith(magic):
            official.photo, official.photo_mime = data, mime
            return
    raise ValidationFailed("照片须为 JPG 或 PNG 图片。", "photo_upload")
