"""Uploaded final 考察材料: what the file is (by its content, never its name), the copy
the agenda bundle merges, and the reader-stamped copy a download gets.

A PDF is accepted when pypdf reads its pages (not encrypted, at most ``MAX_PAGES``)
and a copy in the shape :mod:`kaohe.dossier.pdfmerge` joins can be made of it; a
DOCX when it is a zip within the part limits whose ``[Content_Types].xml`` names a
WordprocessingML main document (a macro-enabled .docm or a template is not) and
python-docx opens it. Anything else — a renamed .xlsx, an image, a damaged file —
is refused with a Chinese message; the stored bytes are exactly the uploaded ones.
"""
from __future__ import annotations

import io
import zipfile

from defusedxml import ElementTree
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from pypdf import PdfReader, PdfWriter

from kaohe.core.errors import ValidationFailed
from kaohe.dossier import pdfmerge
from kaohe.kaocha.writer import PAGE_NUMBER_FONT, set_font

FIELD = "file"
MAX_BYTES = 5 * 1024 * 1024  # below the request limit (MAX_CONTENT_LENGTH, 8 MB)
MAX_PAGES = 300
MAX_PARTS = 1_000
MAX_PART_BYTES = 32 * 1024 * 1024  # one part of a DOCX, uncompressed
MAX_TOTAL_BYTES = 64 * 1024 * 1024  # all parts
MAX_CONTENT_TYPES = 1024 * 1024
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
WORD_MACRO = "application/vnd.ms-word.document.macroEnabled.main+xml"
WORD_TEMPLATE = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"

EMPTY = "请选择要上传的考察材料文件。"
WRONG_TYPE = "只接受 PDF 或 Word（.docx）格式的考察材料，该文件不是这两种格式。"
TOO_LARGE = f"文件不能超过 {MAX_BYTES // 1024 // 1024} MB。"
BAD_PDF = "无法读取该 PDF 文件（文件已损坏或格式不规范），请重新导出后再上传。"
ENCRYPTED = "该 PDF 文件已加密或设有打开密码，请取消加密后再上传。"
TOO_MANY_PAGES = f"PDF 文件不能超过 {MAX_PAGES} 页。"
BAD_DOCX = "无法读取该 Word 文件（文件已损坏），请在 Word 中重新保存为 .docx 后再上传。"
MACRO = "不接受含宏的 Word 文件（.docm）或模板文件，请另存为普通的 .docx 文档后再上传。"
DOCX_TOO_LARGE = "该 Word 文件解压后过大（可能是“压缩炸弹”），已拒绝读取。"


def kind_of(data: bytes) -> str:
    """"pdf" or "docx" for an acceptable final version; raises :class:`ValidationFailed`."""
    if not data:
        raise ValidationFailed(EMPTY, FIELD)
    if len(data) > MAX_BYTES:
        raise ValidationFailed(TOO_LARGE, FIELD)
    if data.startswith(b"%PDF-"):
        merge_ready(data)
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        _check_docx(data)
        return "docx"
    raise ValidationFailed(WRONG_TYPE, FIELD)


def _reader(data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ValidationFailed(ENCRYPTED, FIELD)
        pages = len(reader.pages)
    except ValidationFailed:
        raise
    except Exception:  # pypdf raises many kinds of error on a damaged file
        raise ValidationFailed(BAD_PDF, FIELD) from None
    if not 1 <= pages <= MAX_PAGES:
        raise ValidationFailed(TOO_MANY_PAGES if pages else BAD_PDF, FIELD)
    return reader


def merge_ready(data: bytes) -> bytes:
    """``data`` in the shape the bundle joins: itself when already so (ReportLab's
    output), else its pages written again by pypdf into one flat page tree."""
    reader = _reader(data)
    try:
        pdfmerge.parse(data)
        return data
    except (pdfmerge.MergeError, ValueError, IndexError, AttributeError):
        pass
    try:
        writer = PdfWriter()
        for page in reader.pages:
            writer.add_page(page)
        out = io.BytesIO()
        writer.write(out)
        pdfmerge.parse(out.getvalue())
    except Exception:  # a file pypdf reads but cannot write again, or of another shape
        raise ValidationFailed(BAD_PDF, FIELD) from None
    return out.getvalue()


def _check_docx(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            infos = package.infolist()
            if len(infos) > MAX_PARTS or sum(i.file_size for i in infos) > MAX_TOTAL_BYTES \
                    or any(i.file_size > MAX_PART_BYTES for i in infos):
                raise ValidationFailed(DOCX_TOO_LARGE, FIELD)
            names = {i.filename: i for i in infos}
            types = names.get("[Content_Types].xml")
            if types is None or types.file_size > MAX_CONTENT_TYPES:
                raise ValidationFailed(WRONG_TYPE, FIELD)
            content_types = {o.get("ContentType") for o in ElementTree.fromstring(
                package.read(types)).iter(f"{CT}Override")}
    except ValidationFailed:
        raise
    except Exception:  # a damaged zip, a DTD or entities in the XML, bad XML
        raise ValidationFailed(BAD_DOCX, FIELD) from None
    if content_types & {WORD_MACRO, WORD_TEMPLATE}:
        raise ValidationFailed(MACRO, FIELD)
    if WORD_MAIN not in content_types:
        raise ValidationFailed(WRONG_TYPE, FIELD)
    try:
        Document(io.BytesIO(data))
    except Exception:  # python-docx: missing parts, bad relationships, bad XML
        raise ValidationFailed(BAD_DOCX, FIELD) from None


def stamp_docx(data: bytes, label: str) -> bytes:
    """A copy of the DOCX ``data`` with ``label`` (who reads it, when) at the top of every
    page: the header of each section."""
    doc = Document(io.BytesIO(data))
    for section in doc.sections:
        for header in {id(h): h for h in (section.header, section.first_page_header,
                                          section.even_page_header)}.values():
            header.is_linked_to_previous = False
            p = header.paragraphs[0].insert_paragraph_before() if header.paragraphs \
                else header.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            set_font(p.add_run(label), PAGE_NUMBER_FONT, Pt(10.5))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
