"""The XML parts of an uploaded .xlsx (a zip), read as bounded streams.

A few hundred kilobytes of zip can inflate to gigabytes (a decompression bomb), and
a zip's own record of a part's size can lie. So the sizes in the zip's directory are
checked before anything is inflated, every part is inflated in chunks counted
against the same bound, and each chunk goes straight to an expat parser calling the
reader's handlers: no part, tree or text is ever held whole, and the reader can
stop at its own limits (strings, cells, rows) after reading just enough. Documents
with a DTD are refused: no entities, internal or external, are ever expanded.
"""
from __future__ import annotations

import io
import posixpath
import struct
import zipfile
import zlib
from typing import Iterator, Protocol
from xml.parsers import expat

from kaohe.core.limits import XLSX_MAX_PART_BYTES, XLSX_MAX_PARTS

CHUNK = 64 * 1024
NOT_XLSX = "无法读取该文件：请上传 Excel 2007 及以上版本的 .xlsx 文件（可先下载模板填写）。"
BAD_XML = "文件内容无法解析（格式损坏或含有不允许的 XML 内容）。"
BROKEN = "文件已损坏（解压时校验失败），请在 Excel 中重新保存后再上传。"
TOO_MANY_PARTS = f"文件包含的部件超过 {XLSX_MAX_PARTS} 个，不是正常的 Excel 表格，已拒绝读取。"
RELATIONSHIP = "http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def too_large(name: str) -> str:
    return (f"文件中的“{name}”解压后超过 {XLSX_MAX_PART_BYTES // 1024 // 1024} MB"
            "（可能是“压缩炸弹”），已拒绝读取；请检查文件，或拆分后分次导入。")


class FileRefused(Exception):
    """The file as a whole cannot be read (not xlsx, too large, too many rows, no header)."""


class Handler(Protocol):
    """What a part is parsed into: element starts and ends and text, as expat gives them
    (names as ``namespace}local``; text in pieces of at most ``CHUNK``)."""

    def start(self, name: str, attrs: dict[str, str]) -> None: ...

    def end(self, name: str) -> None: ...

    def data(self, text: str) -> None: ...


class Package:
    """The parts of an .xlsx file; refuses a zip whose directory exceeds the limits."""

    def __init__(self, data: bytes):
        if _declared_parts(data) > XLSX_MAX_PARTS:  # before zipfile reads every entry
            raise FileRefused(TOO_MANY_PARTS)
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError,
                struct.error) as exc:
            raise FileRefused(NOT_XLSX) from exc
        if len(infos) > XLSX_MAX_PARTS:
            self.close()
            raise FileRefused(TOO_MANY_PARTS)
        for info in infos:
            if info.file_size > XLSX_MAX_PART_BYTES:
                self.close()
                raise FileRefused(too_large(info.filename))
        self.sizes = {info.filename: info.file_size for info in infos}

    def close(self) -> None:
        self.zip.close()

    def related(self, source: str, kind: str) -> list[tuple[str, str]]:
        """(relationship id, part) of the relationships of type ``…/kind`` of part
        ``source`` ("" for the package) whose part is in the zip."""
        folder, base = posixpath.split(source)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if rels_name not in self.sizes:
            return []
        rels = _Relationships()
        self.read(rels_name, rels)
        found = []
        for rid, type_, target in rels.items:
            if type_.endswith("/" + kind):
                name = (target.lstrip("/") if target.startswith("/")
                        else posixpath.normpath(posixpath.join(folder, target)))
                if name in self.sizes:
                    found.append((rid, name))
        return found

    def parse(self, name: str, handler: Handler) -> Iterator[None]:
        """Parse part ``name`` into ``handler``, yielding after each chunk of it.

        Raises :class:`FileRefused` when the part inflates beyond what the zip's
        directory said or beyond the limit, is damaged, or is not plain XML.
        """
        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.buffer_size = CHUNK  # text reaches the handler in pieces of at most this
        parser.StartDoctypeDeclHandler = _refuse_dtd
        parser.EntityDeclHandler = _refuse_dtd
        parser.ExternalEntityRefHandler = _refuse_dtd
        parser.StartElementHandler = handler.start  # no wrapper: a bomb's millions of
        parser.EndElementHandler = handler.end  # elements cost one Python call each
        parser.CharacterDataHandler = handler.data
        try:
            for chunk in self.chunks(name):
                parser.Parse(chunk, False)
                yield
            parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise FileRefused(BAD_XML) from exc

    def chunks(self, name: str) -> Iterator[bytes]:
        """The inflated bytes of part ``name`` in pieces of at most ``CHUNK``, unparsed.

        Raises :class:`FileRefused` when the part inflates beyond what the zip's
        directory said or beyond the limit, or is damaged.
        """
        bound = min(self.sizes[name], XLSX_MAX_PART_BYTES)
        inflated = 0
        try:
            with self.zip.open(name) as src:
                while chunk := src.read(CHUNK):
                    inflated += len(chunk)
                    if inflated > bound:  # the directory lied (zipfile stops there itself)
                        raise FileRefused(too_large(name))
                    yield chunk
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
                RuntimeError) as exc:  # RuntimeError: an encrypted part
            raise FileRefused(BROKEN) from exc

    def read(self, name: str, handler: Handler) -> None:
        """:meth:`parse` all of part ``name``."""
        for _chunk in self.parse(name, handler):
            pass


class _Relationships:
    """A relationships part: (id, type, target) of each relationship."""

    def __init__(self):
        self.items: list[tuple[str, str, str]] = []

    def start(self, name, attrs):
        if name == RELATIONSHIP:
            if len(self.items) >= XLSX_MAX_PARTS:
                raise FileRefused(BAD_XML)
            self.items.append((attrs.get("Id", ""), attrs.get("Type", ""),
                               attrs.get("Target", "")))

    def end(self, name):
        pass

    def data(self, text):
        pass


def _declared_parts(data: bytes) -> int:
    """The number of entries the zip's end record gives (0 when there is none)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65_535))
    if end < 0 or len(data) < end + 22:
        return 0
    return struct.unpack_from("<H", data, end + 10)[0]  # 0xFFFF: a zip64 count, refused too


def _refuse_dtd(*_args) -> None:
    raise FileRefused(BAD_XML)
