"""Official photos: decoded and encoded again, so that only the picture is stored.

A photo (an upload, or the ``ZhaoPian`` of an LRMX file) is accepted when Pillow reads
it as a JPEG or PNG whose header gives a size within :mod:`kaohe.core.limits`; the
size is checked before a single pixel is decoded. What is stored is a fresh encoding
of its pixels, turned upright and scaled down to fit ``PHOTO_STORED_BOX``: anything
else in the file (bytes appended after the image, as in a JPEG+HTML polyglot,
comments, EXIF with its location, ICC profiles) is gone.
"""
from __future__ import annotations

import io
import warnings
from typing import TYPE_CHECKING

from kaohe.core.errors import ValidationFailed
from kaohe.core.limits import PHOTO_MAX_BYTES, PHOTO_MAX_PIXELS, PHOTO_MAX_SIDE, PHOTO_STORED_BOX

if TYPE_CHECKING:
    from PIL import Image

FIELD = "photo_upload"
MIME = {"JPEG": "image/jpeg", "PNG": "image/png"}
NOT_AN_IMAGE = "照片须为 JPG 或 PNG 图片。"
TOO_LARGE = (f"照片的像素尺寸过大：宽和高均不能超过 {PHOTO_MAX_SIDE} 像素，总像素不超过 "
             f"{PHOTO_MAX_PIXELS // 10_000} 万，请缩小后再上传。")


def encode(data: bytes) -> tuple[bytes, str]:
    """(the photo encoded again, its MIME type); raises :class:`ValidationFailed`."""
    from PIL import Image, ImageOps  # loaded with the first photo, not at start (issue 17)

    if len(data) > PHOTO_MAX_BYTES:
        raise ValidationFailed(f"照片不能超过 {PHOTO_MAX_BYTES // 1024 // 1024} MB。", FIELD)
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check (far above ours) warns before it refuses.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(MIME)) as image:
                width, height = image.size
                if (width > PHOTO_MAX_SIDE or height > PHOTO_MAX_SIDE
                        or width * height > PHOTO_MAX_PIXELS):
                    raise ValidationFailed(TOO_LARGE, FIELD)
                kind = image.format
                image.draft("RGB", PHOTO_STORED_BOX)  # JPEG: the decoder scales down itself
                picture = ImageOps.exif_transpose(image)
                picture.thumbnail(PHOTO_STORED_BOX)
                picture.info = {}  # Pillow would write a comment or ICC profile back
                return _save(picture, kind)
    except ValidationFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationFailed(TOO_LARGE, FIELD) from None
    except Exception:  # Pillow's decoders raise many kinds of error on a damaged file
        raise ValidationFailed(NOT_AN_IMAGE, FIELD) from None


def _save(picture: Image.Image, kind: str) -> tuple[bytes, str]:
    out = io.BytesIO()
    if kind == "PNG":
        if picture.mode not in ("L", "RGB", "RGBA"):
            picture = picture.convert("RGBA" if picture.has_transparency_data else "RGB")
        picture.save(out, "PNG")
        if out.tell() <= PHOTO_MAX_BYTES:
            return out.getvalue(), MIME["PNG"]
        out = io.BytesIO()  # a large photographic PNG: stored as a JPEG
    if picture.mode not in ("L", "RGB"):
        picture = picture.convert("RGB")
    picture.save(out, "JPEG", quality=90)
    return out.getvalue(), MIME["JPEG"]


def attach(official, data: bytes) -> None:
    """Set ``official``'s photo to ``data`` encoded again (see :func:`encode`)."""
    official.photo, official.photo_mime = encode(data)
