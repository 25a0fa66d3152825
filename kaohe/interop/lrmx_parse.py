"""Reading and writing LRMX files (干部任免审批表, XML with root ``<Person>``).

Reading is hardened: size limit, declared encoding checked (UTF-8, UTF-16 or
GB 18030 family), no DTD at all (so neither entity expansion nor external
entities), root element checked. Every refusal is a :class:`LrmxRefused` with
a Chinese message.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError, SubElement, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from kaohe.interop.lrmx_spec import FAMILY_AFTER, LEGACY_SCHOOLS, MEMBER_FIELDS, MULTILINE, PERSON

MAX_LRMX_BYTES = 4 * 1024 * 1024  # a 2 MB photo in base64, plus the text


class LrmxRefused(Exception):
    """The file is not a readable, safe LRMX file."""


@dataclass
class Person:
    fields: dict[str, str]
    members: list[dict[str, str]] = field(default_factory=list)

    def get(self, name: str) -> str:
        return self.fields.get(name, "")


_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_.\-]+)[\"'][^>]*\?>")
_ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "utf-16": "utf-16", "gb2312": "gb18030",
              "gbk": "gb18030", "gb18030": "gb18030", "cp936": "gb18030", "us-ascii": "ascii",
              "ascii": "ascii"}


def decode(data: bytes) -> str:
    """The file's text, decoded by its BOM or declared encoding; refuses mismatches."""
    if len(data) > MAX_LRMX_BYTES:
        raise LrmxRefused(f"文件过大（{len(data) // 1024} KB），任免审批表文件不能超过 "
                          f"{MAX_LRMX_BYTES // 1024 // 1024} MB。")
    if not data.strip():
        raise LrmxRefused("文件为空。")
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"),
                       (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return _strict(data[len(bom):], codec, codec.upper())
    if data[:2] in (b"<\x00", b"\x00<"):
        return _strict(data, "utf-16-le" if data[0] == 0x3C else "utf-16-be", "UTF-16")
    m = _DECL.match(data[:300])
    declared = m.group(1).decode("ascii").lower() if m else None
    if declared is None:
        return _strict(data, "utf-8", "UTF-8（文件未声明编码）")
    codec = _ENCODINGS.get(declared)
    if codec is None:
        raise LrmxRefused(f"不支持文件声明的编码“{declared}”：请以 UTF-8 或 GB18030 编码保存。")
    if codec == "utf-16":
        raise LrmxRefused("文件声明为 UTF-16 编码，但缺少字节顺序标记（BOM），无法读取。")
    return _strict(data, codec, declared.upper())


def _strict(data: bytes, codec: str, label: str) -> str:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise LrmxRefused(f"文件内容不是有效的 {label} 编码（第 {exc.start + 1} 个字节起无法解码），"
                          "可能是编码声明与实际编码不符：请以 UTF-8 编码重新导出。") from None
    if "\x00" in text:
        raise LrmxRefused("文件含有无效的空字符，无法读取。")
    return text


def parse(data: bytes) -> Person:
    text = decode(data)
    # The declaration has done its work; the parser gets UTF-8 without one.
    body = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1).encode("utf-8")
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise LrmxRefused("文件含有 DTD 或实体声明（可能是 XML 实体扩展或外部实体攻击），已拒绝。"
                          "任免审批表文件不需要这些内容。") from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise LrmxRefused(f"文件不是格式正确的 XML（第 {line} 行第 {column + 1} 列附近有错误）。") from None
    if root.tag != "Person":
        raise LrmxRefused(f"这不是干部任免审批表（LRMX）文件：根元素应为 Person，实际为 {root.tag[:40]}。")
    fields: dict[str, str] = {}
    for child in root:
        if child.tag == "JiaTingChengYuan" or not isinstance(child.tag, str):
            continue
        value = _text(child)
        fields[child.tag] = _lines(value) if child.tag in MULTILINE else value.strip()
    for old, new in LEGACY_SCHOOLS.items():
        if fields.get(old) and not fields.get(new):
            fields[new] = fields[old]
    members = []
    for item in root.iterfind("JiaTingChengYuan/Item"):
        member = {f: (item.findtext(f) or "").strip() for f in MEMBER_FIELDS}
        if any(member.values()):
            members.append(member)
    return Person(fields, members)


_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)


def _text(element) -> str:
    """An element's text; a ``<br/>`` child (some generators write one per 简历 line) is a line break."""
    parts = [element.text or ""]
    for sub in element:
        parts.append("\n" if str(sub.tag).lower() == "br" else "".join(sub.itertext()))
        parts.append(sub.tail or "")
    return "".join(parts)


def _lines(text: str) -> str:
    """Multi-line text with its lines split on CR LF, LF, CR or an escaped ``<br/>``."""
    lines = _BR.sub("\n", text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(line.rstrip() for line in lines)


_MONTH = re.compile(r"^(\d{4})\s*[.\-/年．]?\s*(\d{1,2})\s*(?:[.\-/月．]?\s*(\d{1,2})\s*日?)?$")


def parse_date(text: str) -> tuple[dt.date | None, bool]:
    """'197503', '1975.03', '19750308', '1975-03-08', '1975年3月' → (date, day given).

    The date is day 1 when only the month is given. (None, False) for an empty
    text; raises ValueError for anything else unreadable (a 29 February of a common
    year included).
    """
    text = (text or "").strip().removesuffix("月")
    if not text:
        return None, False
    m = _MONTH.match(text)
    if not m:
        raise ValueError(text)
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)
    if not 1900 <= year <= 2100:
        raise ValueError(text)
    return dt.date(year, month, day), m.group(3) is not None  # ValueError for month 13 etc.


def parse_month(text: str) -> dt.date | None:
    """The date of :func:`parse_date` (day 1 when only the month is given)."""
    return parse_date(text)[0]


def month_text(day: dt.date | None) -> str:
    return f"{day:%Y%m}" if day else ""


def day_text(day: dt.date | None) -> str:
    return f"{day:%Y%m%d}" if day else ""


# ---------------------------------------------------------------- résumé (简历)

_RESUME_LINE = re.compile(
    r"^\s*(\d{4})\s*[.．]\s*(\d{1,2})\s*(?:-{1,2}|—{1,2}|–|~|～|至)\s*"
    r"(?:(\d{4})\s*[.．]\s*(\d{1,2}))?\s*(?:至今)?\s*(.*?)\s*$")


@dataclass
class ResumeLine:
    number: int  # 1-based line number in JianLi
    text: str
    start: dt.date | None = None
    end: dt.date | None = None
    position: str = ""  # text after the dates
    reason: str = ""  # why it did not become a post


def resume_lines(text: str) -> list[ResumeLine]:
    """Each non-empty line of JianLi (split on line breaks and ``<br/>``), with its period
    when it starts with one."""
    out = []
    for number, raw in enumerate(_BR.sub("\n", text or "").splitlines(), start=1):
        if not raw.strip():
            continue
        line = ResumeLine(number, raw.strip())
        m = _RESUME_LINE.match(raw)
        if m:
            try:
                line.start = dt.date(int(m.group(1)), int(m.group(2)), 1)
                if m.group(3):
                    line.end = dt.date(int(m.group(3)), int(m.group(4)), 1)
                line.position = m.group(5)
            except ValueError:
                line.start = line.end = None
        out.append(line)
    return out


OPEN_GAP = " " * 7  # the spec: an open-ended period is "YYYY.MM--" followed by 7 spaces


def resume_line(start: dt.date, end: dt.date | None, position: str) -> str:
    """A 简历 line as the spec writes it; the reader accepts any number of spaces."""
    if end is None:
        return f"{start:%Y.%m}--{OPEN_GAP}{position}"
    return f"{start:%Y.%m}--{end:%Y.%m}  {position}"


# ---------------------------------------------------------------- writing

def write(fields: dict[str, str], members: list[dict[str, str]]) -> bytes:
    """The LRMX document: every element of the specification, in its order, UTF-8."""
    root = Element("Person")
    for element in PERSON:
        SubElement(root, element.name).text = fields.get(element.name, "")
        if element.name == FAMILY_AFTER:
            family = SubElement(root, "JiaTingChengYuan")
            for member in members:
                item = SubElement(family, "Item")
                for f in MEMBER_FIELDS:
                    SubElement(item, f).text = member.get(f, "")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode").encode()
