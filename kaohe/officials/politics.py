"""Political affiliation (政治面貌) as the 干部任免审批表 writes it in 入党时间.

The form's 入党时间 is text, not a date: a CCP member's join month ("199506" in an
LRMX file, "1995.06" printed), the name of a 民主党派 for its members ("民建"), both
for a member of each ("199506；民建"), "无党派人士" for non-party officials, and
nothing for 群众. :func:`party_text` writes it, :func:`parse_party_text` reads it
back, and :func:`check_affiliation` holds the rules every path (form, Excel,
LRMX, API) applies to the four columns of :class:`~kaohe.officials.models.Official`.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kaohe.core import records
from kaohe.interop.lrmx_parse import parse_month
from kaohe.officials.models import DEMOCRATIC_PARTIES, POLITICAL_STATUSES

CCP_STATUSES = ("中共党员", "中共预备党员")
NON_PARTY = "无党派人士"
# Names a form may write for each 民主党派: the full name, the short name and the
# short forms the official editor's users type (spec: "九三").
PARTY_ALIASES = {
    "民革": ("中国国民党革命委员会", "民革"),
    "民盟": ("中国民主同盟", "民盟"),
    "民建": ("中国民主建国会", "民建"),
    "民进": ("中国民主促进会", "民进"),
    "农工党": ("中国农工民主党", "农工民主党", "农工党", "农工"),
    "致公党": ("中国致公党", "致公党", "致公"),
    "九三学社": ("九三学社", "九三"),
    "台盟": ("台湾民主自治同盟", "台盟"),
}
_ALIAS = {alias: name for name, aliases in PARTY_ALIASES.items() for alias in aliases}
# A member as forms write one: "民建会员", "农工党党员", "九三学社社员", "民盟盟员".
_MEMBER_SUFFIXES = ("会员", "党员", "社员", "盟员", "成员")
_SEPARATORS = re.compile(r"[；;，,、/\s]+")
_CCP_WORDS = {"中共党员": "中共党员", "中共": "中共党员", "党员": "中共党员",
              "中共预备党员": "中共预备党员", "预备党员": "中共预备党员"}


@dataclass(frozen=True)
class Affiliation:
    """The four affiliation columns of an official, read from a 入党时间 text."""

    political_status: str = ""
    party_date: dt.date | None = None
    democratic_party: str = ""
    democratic_party_date: dt.date | None = None


def party_text(official, style: str = "lrmx") -> str:
    """入党时间 as the form writes it: ``style`` "lrmx" (199506) or "print" (1995.06).

    "199506", "民建", "199506；民建", "无党派人士"; "" for 群众 and for an affiliation
    not recorded. A CCP member without a recorded date shows the status itself.
    """
    fmt = "%Y.%m" if style == "print" else "%Y%m"
    parts = []
    if official.political_status in CCP_STATUSES:
        parts.append(official.party_date.strftime(fmt) if official.party_date
                     else official.political_status)
    if official.democratic_party:
        parts.append(official.democratic_party)
    if official.political_status == NON_PARTY:
        parts.append(NON_PARTY)
    return "；".join(parts)


def parse_party_text(text: str) -> Affiliation:
    """An LRMX 入党时间 read into an :class:`Affiliation`; ValueError (Chinese) when unreadable.

    Every form the spec and real files write is accepted: "199506", "1995.06",
    "1995年6月", "民建", "中国民主建国会", "九三", "民建会员", "农工党党员", "九三学社社员",
    "199506；民建", "无党派人士", "无党派", "群众", "" (not recorded).
    """
    text = (text or "").strip()
    if not text:
        return Affiliation()
    party_date, parties, words = None, [], set()
    for token in filter(None, _SEPARATORS.split(text)):
        if _party(token):
            parties.append(_party(token))
        elif token in ("无党派人士", "无党派"):
            words.add(NON_PARTY)
        elif token == "群众":
            words.add("群众")
        elif token in _CCP_WORDS:
            words.add(_CCP_WORDS[token])
        elif token[0].isdigit() and party_date is None:
            try:
                party_date = parse_month(token.removesuffix("月"))
            except ValueError:
                raise ValueError(f"入党时间“{text[:30]}”中的“{token[:20]}”不是有效的年月，"
                                 "应为 YYYYMM（如 199506）。") from None
        else:
            raise ValueError(f"入党时间“{text[:30]}”中的“{token[:20]}”无法识别：应为入党年月"
                             "（如 199506）、民主党派名称（如 民建）或“无党派人士”。")
    if len(set(parties)) > 1:
        raise ValueError(f"入党时间“{text[:30]}”列出了多个民主党派。")
    status = _status(party_date, parties, words, text)
    return Affiliation(status, party_date, parties[0] if parties else "")


def _party(token: str) -> str | None:
    """The 民主党派 ``token`` names, alone or with a member suffix ("民建会员"); None if none."""
    if token in _ALIAS:
        return _ALIAS[token]
    for suffix in _MEMBER_SUFFIXES:
        if token.endswith(suffix) and token.removesuffix(suffix) in _ALIAS:
            return _ALIAS[token.removesuffix(suffix)]
    return None


def _status(party_date, parties, words, text) -> str:
    ccp = {w for w in words if w in CCP_STATUSES}
    other = words - ccp
    if other and (party_date or parties or ccp) or len(other) > 1 or len(ccp) > 1:
        raise ValueError(f"入党时间“{text[:30]}”自相矛盾（{'、'.join(sorted(words))}不能与"
                         "其他政治面貌同时填写）。")
    if other:
        return other.pop()
    if ccp or party_date:
        return ccp.pop() if ccp else "中共党员"
    return "民主党派"


AFFILIATION_FIELDS = ("political_status", "party_date", "democratic_party",
                      "democratic_party_date")


def check_affiliation(data: dict, errors: dict[str, str], current=None) -> dict:
    """The affiliation rules of the 任免审批表 on ``data`` (form field names); normalised data.

    A CCP member (正式 or 预备) has a join date; a 民主党派 member names the party
    (a member of both is recorded as 中共党员 with the party); 无党派人士 and 群众
    carry neither; dates are not in the future. Records without a status but with a
    CCP date are CCP members (as migration 0014 read the old rows). Fields missing
    from ``data`` are those of ``current`` (the official being updated), if any.
    """
    if current is not None:
        data = {**{k: getattr(current, k) for k in AFFILIATION_FIELDS}, **data}
    status = data.get("political_status") or ""
    party = data.get("democratic_party") or ""
    if not status and data.get("party_date"):
        status = "中共党员"
    data = {**data, "political_status": status, "democratic_party": party}
    if status and status not in POLITICAL_STATUSES:
        errors["political_status"] = "取值不在允许的范围内。"
        return data
    if party and party not in DEMOCRATIC_PARTIES:
        errors["democratic_party"] = "取值不在允许的范围内。"
    for field in ("party_date", "democratic_party_date"):
        records.not_in_future(errors, field, data.get(field))
    if status in CCP_STATUSES and not data.get("party_date"):
        errors.setdefault("party_date", f"{status}须填写入党时间。")
    if status not in CCP_STATUSES and data.get("party_date"):
        errors.setdefault("party_date", "只有中共党员（含预备党员）填写入党时间；"
                                        "同时是民主党派成员的，政治面貌选“中共党员”。")
    if status == "民主党派" and not party:
        errors.setdefault("democratic_party", "民主党派成员须选择所在党派。")
    if status not in ("民主党派", *CCP_STATUSES) and (party or data.get("democratic_party_date")):
        errors.setdefault("democratic_party", f"政治面貌为“{status or '未填写'}”时不能填写民主党派。")
    if data.get("democratic_party_date") and not party:
        errors.setdefault("democratic_party", "填写了加入民主党派时间，须选择所在党派。")
    return data
