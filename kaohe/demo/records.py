"""Reviews (研判) and organization notes (组织掌握情况) of the demo officials.

A mixin of :class:`kaohe.demo.seed.Seeder` (uses its stream, years and officials).
"""
from __future__ import annotations

import datetime as dt
from typing import Iterator

from kaohe.demo import phrases as ph


class RecordRows:
    def review_rows(self) -> Iterator[dict]:
        rng = self.rng
        lo, hi = dt.date(self.years[0], 1, 1), dt.date(self.years[-1], 12, 31)
        for i, o in enumerate(self.offs):
            ls = self.last_scores[i]
            level = ls if ls is not None else o.ability
            weights = ([70, 30, 0, 0] if level >= 88 else [30, 60, 10, 0] if level >= 80
                       else [0, 40, 60, 0] if level >= 70 else [0, 0, 50, 50])
            for _ in range(rng.choices([0, 1, 2, 3], weights=[15, 45, 30, 10])[0]):
                conclusion = rng.choices(["good", "fairly_good", "average", "poor"], weights)[0]
                yield {**self.base(), "official_id": o.id, "date": self.day(lo, hi),
                       "kind": rng.choices(["daily", "thematic", "inspection", "talk"],
                                           [50, 20, 15, 15])[0],
                       "author": rng.choice(ph.STAFF),
                       "strengths": "；".join(rng.sample(ph.STRENGTHS, 2)) + "。",
                       "weaknesses": rng.choice(ph.WEAKNESSES) + "。",
                       "conclusion": conclusion,
                       "summary": rng.choice(ph.SUMMARIES[conclusion])}

    def note_rows(self) -> Iterator[dict]:
        rng = self.rng
        last = dt.date(self.years[-1], 12, 31)

        def note(o, date, kind, result, year=None):
            content, outcome = ph.NOTE_TEXTS[kind][result]
            return {**self.base(), "official_id": o.id, "date": date, "kind": kind,
                    "result": result, "content": content.format(y=year), "outcome": outcome}

        for o in self.offs:
            if o.principal or o.rank in ("正处级", "副处级", "一级调研员"):
                # 个人有关事项报告: random checks of earlier years, done the next spring.
                for year in self.years[:-1]:
                    if rng.random() < 0.3:
                        result = rng.choices(["consistent", "minor", "issue"], [90, 8, 2])[0]
                        yield note(o, self.day(dt.date(year + 1, 3, 1), dt.date(year + 1, 9, 30)),
                                   "personal_report", result, year)
            if rng.random() < 0.4:
                yield note(o, self.day(dt.date(self.years[0], 1, 1), last), "file_audit",
                           rng.choices(["consistent", "minor"], [90, 10])[0])
            if rng.random() < 0.03:
                yield note(o, self.day(dt.date(self.years[0], 1, 1), last), "petition",
                           rng.choices(["verified_false", "pending", "verified_true"],
                                       [60, 25, 15])[0])
