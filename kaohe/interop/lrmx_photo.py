"""The LRMX photo (ZhaoPian): the spec's base64 JPEG, whatever the official's stored photo is."""
from __future__ import annotations

import io

JPEG_MAGIC = b"\xff\xd8"


def jpeg(photo: bytes) -> bytes:
    """``photo`` (a stored JPEG or PNG) as a JPEG; a transparent background becomes white.

    Deterministic, so an exported photo imported back is recognised as the stored one
    (:func:`is_export_of`).
    """
    if photo.startswith(JPEG_MAGIC):
        return photo
    from PIL import Image  # loaded with the first photo, not at start (issue 17)

    with Image.open(io.BytesIO(photo)) as image:
        picture = image.convert("RGBA")
    flat = Image.new("RGB", picture.size, "white")
    flat.paste(picture, mask=picture.getchannel("A"))
    out = io.BytesIO()
    flat.save(out, "JPEG", quality=90)
    return out.getvalue()


def is_export_of(data: bytes, stored: bytes | None) -> bool:
    """Whether ``data`` (a file's photo) is what the export wrote for the ``stored`` photo."""
    return stored is not None and (data == stored or data == jpeg(stored))
