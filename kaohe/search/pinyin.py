"""The pinyin index of a name, as people search in Chinese software.

"zgw" (initials) and "zhaogangwei" (full pinyin) both find 赵刚伟. A character with
several readings (单 dan/shan/chan, 曾 zeng/ceng, 解 jie/xie, 仇 qiu/chou…) is indexed
under every reading, so a polyphonic surname is found however the user reads it. The
readings are those of 《通用规范汉字字典》 (2013) for its 8 105 characters: pypinyin's own
data adds archaic ones (王 yù, 干 àn, 部 pǒu), which made a search for "yu" list every 王.
The index is computed once when a name is written (:func:`index_text`) and stored beside
it; a query only compares text (:func:`pinyin_query`).
"""
from __future__ import annotations

import itertools
import os
import re
from functools import lru_cache

MAX_COMBINATIONS = 24  # readings multiply: 4 characters × 3 readings would be 81 spellings
MAX_LENGTH = 600  # the column's size; the most likely spellings come first
_QUERY = re.compile(r"^[a-z]{1,40}$")


@lru_cache(maxsize=1)
def _reader():
    # pypinyin loads a 0.6 s dictionary on import: only writers of names pay for it, not
    # every process start (CLI commands, workers, pages that never write a name).
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "true")  # per character: phrases unused
    from pypinyin import Style, pinyin

    return lambda ch: pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")


@lru_cache(maxsize=1)
def _standard():
    # The readings of 《通用规范汉字字典》 for the 8 105 characters of 《通用规范汉字表》
    # (pypinyin-dict's ktghz2013 data), loaded with pypinyin: by writers of names only.
    from pypinyin.contrib.tone_convert import to_normal
    from pypinyin_dict.pinyin_data.ktghz2013 import pinyin_dict

    def toneless(ch: str) -> tuple[str, ...]:
        listed = pinyin_dict.get(ord(ch), "")
        return tuple(dict.fromkeys(to_normal(r.strip()) for r in listed.split(",") if r.strip()))

    return toneless


@lru_cache(maxsize=8192)
def readings(ch: str) -> tuple[str, ...]:
    """Every toneless reading of one character (its most common first); () for a
    character pypinyin does not know (letters, punctuation, rare Extension characters).

    A standard character keeps only its readings in the standard dictionary, in
    pypinyin's order (most common first), then any standard reading pypinyin lacks; any
    other character (traditional forms, rarer characters) keeps all of pypinyin's."""
    found = _reader()(ch)
    common = tuple(dict.fromkeys(r for group in found for r in group if r.isascii() and r))
    standard = _standard()(ch) if len(ch) == 1 else ()
    if not standard:
        return common
    kept = tuple(r for r in common if r in standard)
    return kept + tuple(r for r in standard if r not in kept and r.isascii() and r)


def index_text(name: str) -> str:
    """Space-separated full spellings and initials of ``name`` under every combination
    of readings (capped, most common readings first), lower case."""
    per_char = [readings(ch) or ((ch.lower(),) if ch.isascii() and ch.isalpha() else ())
                for ch in (name or "").strip()]
    per_char = [r for r in per_char if r]
    if not per_char:
        return ""
    spellings: list[str] = []
    for picks in itertools.islice(spelling_choices([len(r) for r in per_char]),
                                  MAX_COMBINATIONS):
        combo = [r[i] for r, i in zip(per_char, picks)]
        spellings.append("".join(combo))
        spellings.append("".join(part[0] for part in combo))
    text = " ".join(dict.fromkeys(spellings))
    return text[:MAX_LENGTH].rsplit(" ", 1)[0] if len(text) > MAX_LENGTH else text


def spelling_choices(sizes: list[int]):
    """Reading choices (an index per character), lazily, by how many characters take an
    uncommon reading: the common spelling, then every single other reading (a polyphonic
    surname's included), then pairs… Never builds the whole product, which for a long
    name of polyphonic characters would be astronomically large."""
    varied = [i for i, n in enumerate(sizes) if n > 1]
    for depth in range(len(varied) + 1):
        for positions in itertools.combinations(varied, depth):
            for alternatives in itertools.product(*(range(1, sizes[i]) for i in positions)):
                picks = [0] * len(sizes)
                for position, alternative in zip(positions, alternatives):
                    picks[position] = alternative
                yield picks


def pinyin_query(q: str) -> str | None:
    """The lower-case pinyin a search text stands for, or None when it is not pinyin
    (characters, digits, mixed input)."""
    q = (q or "").strip().lower().replace(" ", "")
    return q if _QUERY.match(q) else None
