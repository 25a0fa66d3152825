"""File downloads: one attachment response for every file Kaohe sends.

The name travels as RFC 6266 says: in UTF-8 through ``filename*`` for every current
browser, and a readable ASCII ``filename`` for older clients, Chinese spelled in
pinyin ("王建国_干部任免审批表.lrmx" → "wangjianguo_ganburenmianshenpibiao.lrmx"),
not Werkzeug's fallback, which drops every non-ASCII character ("__20261203_A4.pdf").
No cache keeps a download: they are personnel files.
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from flask import Response

PDF_MIME = "application/pdf"
_UNSAFE = re.compile(r"[^A-Za-z0-9._()\-]")


def ascii_filename(filename: str) -> str:
    """``filename`` for clients without RFC 6266 ``filename*``: Chinese in pinyin, any
    other character that is not a safe ASCII one replaced by "_"."""
    from pypinyin import lazy_pinyin  # loaded on first use: 0.5 s, 55 MB at import (issue 17)

    text = "".join(lazy_pinyin(unicodedata.normalize("NFKC", filename), errors=lambda run: run))
    text = _UNSAFE.sub("_", text)
    stem, dot, ext = text.rpartition(".")
    return text if stem.strip("_") else f"download{dot}{ext}" if dot else "download"


def content_disposition(filename: str) -> str:
    """The ``Content-Disposition`` of an attachment named ``filename`` (RFC 6266)."""
    return (f"attachment; filename=\"{ascii_filename(filename)}\"; "
            f"filename*=UTF-8''{quote(filename, safe='')}")


def attachment(data: bytes, filename: str, mimetype: str = PDF_MIME) -> Response:
    """``data`` as a download named ``filename`` that no cache keeps."""
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": content_disposition(filename),
        "Cache-Control": "private, no-store"})
