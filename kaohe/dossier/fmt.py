"""Display formats of snapshot values (ISO dates, scores, rates) in the dossier."""
from __future__ import annotations

import datetime as dt

QUARTERS = {1: "一季度", 2: "二季度", 3: "三季度", 4: "四季度"}
MISSING = "未录入"


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if value else None


def _post(text: str | None, verb: str) -> str:
    text = (text or "").strip()
    # Typed into the field with its own verb (「拟任西城区区长」): said once.
    return text[len(verb):].lstrip("：:　 ") if text.startswith(verb) else text


def posts_phrase(post: str | None, removal: str | None) -> str:
    """「拟任甲，拟免乙」: the posts an agenda item proposes, either may be empty."""
    parts = [f"{verb}{text}" for verb, text in (("拟任", _post(post, "拟任")),
                                                ("拟免", _post(removal, "拟免"))) if text]
    return "，".join(parts)


def motion(action: str | None, post: str | None, removal: str | None) -> str:
    """「提拔，拟任甲」, 「免职，拟免乙」, or the action alone (免职、退休 may name no post)."""
    return "，".join(x for x in ((action or "").strip(), posts_phrase(post, removal)) if x)


def cn_date(value: str | None) -> str:
    """「2020年4月10日」."""
    d = _date(value)
    return f"{d.year}年{d.month}月{d.day}日" if d else "—"


def dot_date(value: str | None) -> str:
    """「2020.04.10」 (tables)."""
    d = _date(value)
    return f"{d.year}.{d.month:02d}.{d.day:02d}" if d else "—"


def month(value: str | None) -> str:
    """「2020.04」 (appointment-form style)."""
    d = _date(value)
    return f"{d.year}.{d.month:02d}" if d else "—"


def cn_datetime(value: str) -> str:
    """「2026年11月24日 20:15」 from an ISO datetime."""
    t = dt.datetime.fromisoformat(value)
    return f"{t.year}年{t.month}月{t.day}日 {t.hour:02d}:{t.minute:02d}"


def score(value) -> str:
    if value is None:
        return "—"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text  # −0.0 or a negative that rounds to zero


def pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def cn_count(n: int) -> str:
    """A small count in Chinese numerals, as in 「近三年」: 1–99 (else Arabic digits)."""
    digits = "零一二三四五六七八九"
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else digits[tens] + "十")
    return head + (digits[ones] if ones else "")


def period(start: str | None, end: str | None) -> str:
    """「2016.01—2019.12」, open end 「至今」."""
    return f"{month(start)}—{month(end) if end else '至今'}"


def unit_post(unit_name: str | None, title: str) -> str:
    """A post with its unit, the unit said once: a title may already begin with it
    (「东城区区长」 of 东城区, not 「东城区东城区区长」)."""
    unit_name = unit_name or ""
    return title if title.startswith(unit_name) else f"{unit_name}{title}"
