"""Official photos (issue 16.5): decoded under a size limit, stored encoded again, served safely."""
from __future__ import annotations

import base64
import datetime as dt
import io
import struct
import tracemalloc
import zlib

import pytest
from PIL import Image
from sqlalchemy import select

from kaohe.core.limits import PHOTO_MAX_PIXELS, PHOTO_MAX_SIDE, PHOTO_STORED_BOX
from kaohe.extensions import db
from kaohe.officials import photos
from kaohe.officials.models import Official
from tests.helpers import build_world, field_errors, form_version, table_counts, text
from tests.interop_support import lrmx_document, lrmx_upload
from tests.test_records import official_form

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


def _picture(size=(40, 30), kind="JPEG", mode="RGB", **save) -> bytes:
    ramp = Image.linear_gradient("L").resize(size)
    image = Image.merge("RGB", (ramp, ramp.rotate(90, expand=False), ramp)).convert(mode)
    out = io.BytesIO()
    image.save(out, kind, **save)
    return out.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(
        ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def _png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width``×``height`` with a few bytes of pixel data."""
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                              0, 0, 0))
            + _chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + _chunk(b"IEND", b""))


def _decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _upload(client, official, content: bytes, name="photo.jpg"):
    form = official_form(official.unit_id, name=official.name, birth_date="1975-03-08",
                         id_number=official.id_number)
    form["photo_upload"] = (io.BytesIO(content), name)
    form.update(form_version(client, f"/officials/{official.id}/edit"))
    return client.post(f"/officials/{official.id}/edit", data=form,
                       content_type="multipart/form-data")


@pytest.fixture
def world(make):
    return build_world()


def test_jpeg_html_polyglot_is_stored_encoded_again(client, auth, world):
    auth.login()
    original = _picture()
    response = _upload(client, world.official, original + HTML)
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Official, world.official.id)
    assert b"<html" not in stored.photo and b"<script" not in stored.photo
    assert stored.photo_mime == "image/jpeg" and stored.photo != original + HTML
    picture = _decoded(stored.photo)
    assert (picture.format, picture.size) == ("JPEG", (40, 30))
    served = client.get(f"/officials/{world.official.id}/photo")
    assert served.data == stored.photo and served.mimetype == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served.headers["Content-Security-Policy"]


@pytest.mark.parametrize("kind,mime", [("JPEG", "image/jpeg"), ("PNG", "image/png")])
def test_metadata_and_appended_bytes_are_dropped(ctx, kind, mime):
    exif = Image.Exif()
    exif[0x010E] = "<script>exif</script>"  # ImageDescription
    extra = {"comment": b"<script>comment</script>"} if kind == "JPEG" else {}
    data = _picture(kind=kind, exif=exif, **extra) + HTML
    assert b"<script>exif" in data
    stored, stored_mime = photos.encode(data)
    assert stored_mime == mime and b"<script" not in stored
    assert _decoded(stored).size == (40, 30)


def test_png_claiming_60000_pixels_square_is_refused_in_chinese(client, auth, world):
    auth.login()
    before = table_counts()
    tracemalloc.start()
    response = _upload(client, world.official, _png_claiming(60000, 60000), "big.png")
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert response.status_code == 200
    assert field_errors(text(response), "photo_upload") == [photos.TOO_LARGE]
    assert "60000" not in photos.TOO_LARGE and "8000" in photos.TOO_LARGE
    assert table_counts() == before
    assert peak < 20 * 1024 * 1024  # nothing near 60000 × 60000 × 3 bytes was allocated


@pytest.mark.parametrize("width,height", [
    (PHOTO_MAX_SIDE + 1, 1), (1, PHOTO_MAX_SIDE + 1), (4000, 4001),
    (PHOTO_MAX_PIXELS // 2000 + 1, 2000), (60000, 60000), (2**31 - 1, 2**31 - 1)])
def test_sizes_over_the_limits_are_refused_from_the_header(ctx, width, height):
    assert width > PHOTO_MAX_SIDE or height > PHOTO_MAX_SIDE or width * height > PHOTO_MAX_PIXELS
    with pytest.raises(photos.ValidationFailed) as refused:
        photos.encode(_png_claiming(width, height))
    assert refused.value.errors == {"photo_upload": photos.TOO_LARGE}


@pytest.mark.parametrize("size", [(4000, 4000),
                                  (PHOTO_MAX_SIDE, PHOTO_MAX_PIXELS // PHOTO_MAX_SIDE)])
def test_largest_allowed_png_is_accepted_and_scaled_down(ctx, size):
    image = Image.new("L", size, 200)
    out = io.BytesIO()
    image.save(out, "PNG")
    stored, mime = photos.encode(out.getvalue())
    picture = _decoded(stored)
    assert mime == "image/png"
    assert picture.width <= PHOTO_STORED_BOX[0] and picture.height <= PHOTO_STORED_BOX[1]
    assert max(picture.width / PHOTO_STORED_BOX[0], picture.height / PHOTO_STORED_BOX[1]) == 1
    assert abs(picture.width / picture.height - size[0] / size[1]) < 0.05


def test_large_jpeg_is_scaled_down_and_turned_upright(ctx):
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was held upright, rotate 90°
    stored, mime = photos.encode(_picture((3000, 1500), exif=exif))
    assert mime == "image/jpeg" and _decoded(stored).size == (800, 1600)  # 1500×3000 in the box


@pytest.mark.parametrize("data", [
    b"", b"GIF89a" + b"\x00" * 20, b"\xff\xd8\xff" + b"\x00" * 100, b"\x89PNG\r\n\x1a\n",
    _picture()[:200], _picture(kind="GIF", mode="L"), _picture(kind="BMP"), HTML])
def test_what_is_not_a_readable_jpeg_or_png_is_refused(ctx, data):
    with pytest.raises(photos.ValidationFailed) as refused:
        photos.encode(data)
    assert refused.value.errors == {"photo_upload": "照片须为 JPG 或 PNG 图片。"}


def test_lrmx_photo_is_encoded_again_and_reimport_changes_nothing(auth, make):
    city = make.unit(name="江州市", kind="city", code="JZ")
    make.unit(name="发展和改革委员会", kind="department", parent=city, code="FG")
    make.unit(name="市财政局", kind="department", parent=city, code="CZ")
    make.commit()
    number = make.id_number(dt.date(1975, 3, 8))
    photo = base64.b64encode(_picture() + HTML).decode()
    data = lrmx_document(ShenFenZheng=number, ZhaoPian=photo).encode()
    client = auth.as_role("organization")
    assert "已新增干部李明华" in text(lrmx_upload(client, data))
    official = db.session.scalar(select(Official).where(Official.id_number == number))
    assert b"<script" not in official.photo and _decoded(official.photo).format == "JPEG"
    before = table_counts()
    lrmx_upload(client, data)
    assert table_counts() == before  # the same photo encodes to the same bytes


def test_a_stored_photo_of_another_type_is_never_served_as_it(client, auth, world):
    world.official.photo, world.official.photo_mime = HTML, "text/html"  # an old row
    db.session.commit()
    auth.login()
    served = client.get(f"/officials/{world.official.id}/photo")
    assert served.mimetype == "application/octet-stream"
    assert served.headers["Content-Disposition"] == "attachment"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
