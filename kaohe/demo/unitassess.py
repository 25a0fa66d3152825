"""Demo data of the unit target-responsibility assessment (目标责任考核).

For the last three full years and the current one, one scheme per unit group
(区县, 市直部门): built through the scheme services (the first year from
scratch, later years as copies with small changes), checked and published, so
the weight rule and the freeze hold. Then, per unit, indicator and round already
ended: the full-year target and the cumulative actual (or a grade), and the
public rating (民评官) — Core bulk inserts checked here against the same rules
as ``entry.save_result``/``save_rating`` (published scheme, unit in the group,
indicator in the scheme, one row per unit/indicator/round). Bonus/deduction
events and the interviews (约谈) of last-ranked units go through the entry
services. The volume depends on the units, never on the number of officials.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Iterator

from kaohe.demo import phrases as ph
from kaohe.unitassess import ROUND_ELAPSED
from kaohe.unitassess.models import COUNT_UNITS, IndicatorResult, PublicRating
from kaohe.unitassess.services import data, entry, scheme as svc
from kaohe.unitassess.services.scheme import parse_grade_map
from kaohe.unitassess.services.scoring import round_end

GROUPS = ("county", "department")  # the 园区 group has a single unit: no ranking to show
GRADE_MAP = "优=1;良=0.85;中=0.7;差=0.4"
# Indicators per group: (category, code, name, points, method, higher is better, floor,
# cap, unit label, base). ``base``: full-year target per unit of average size (ratio),
# the group's typical value (rank) or None (grade). Points add up to 90 (+10 民评官).
INDICATORS = {
    "county": [
        ("经济发展", "JJ01", "规模以上工业增加值", 8, "ratio", True, .6, 1.05, "亿元", 180),
        ("经济发展", "JJ02", "固定资产投资完成额", 8, "ratio", True, .6, 1.05, "亿元", 260),
        ("经济发展", "JJ03", "一般公共预算收入", 8, "ratio", True, .6, 1.05, "亿元", 32),
        ("经济发展", "JJ04", "招商引资实际到位资金", 6, "ratio", True, .5, 1.05, "亿元", 85),
        ("党的建设", "DJ01", "基层党组织建设", 8, "grade", True, 0, 1, "", None),
        ("党的建设", "DJ02", "党风廉政建设和反腐败工作", 7, "grade", True, 0, 1, "", None),
        ("民生改善", "MS01", "城镇新增就业人数", 7, "ratio", True, .6, 1.05, "人", 9000),
        ("民生改善", "MS02", "民生实事项目完成数", 7, "ratio", True, .6, 1, "项", 24),
        ("民生改善", "MS03", "老旧小区改造", 6, "ratio", True, .5, 1, "户", 3200),
        ("绿色发展", "LS01", "PM2.5 年均浓度", 6, "ratio", False, .6, 1.05, "微克/立方米", 34),
        ("绿色发展", "LS02", "地表水考核断面达标率", 6, "rank", True, .6, 1, "%", 92),
        ("改革创新", "GG01", "全社会研发经费投入强度", 4, "rank", True, .6, 1, "%", 2.1),
        ("改革创新", "GG02", "重点改革任务落实", 4, "grade", True, 0, 1, "", None),
        ("社会评价", "SH01", "信访维稳和平安建设", 5, "grade", True, 0, 1, "", None),
    ],
    "department": [
        ("经济发展", "JJ01", "年度重点工作任务完成数", 10, "ratio", True, .6, 1, "项", 18),
        ("经济发展", "JJ02", "牵头推进重大项目投资额", 8, "ratio", True, .6, 1.05, "亿元", 40),
        ("经济发展", "JJ03", "优化营商环境工作", 7, "grade", True, 0, 1, "", None),
        ("党的建设", "DJ01", "机关党建工作", 8, "grade", True, 0, 1, "", None),
        ("党的建设", "DJ02", "党风廉政建设和反腐败工作", 7, "grade", True, 0, 1, "", None),
        ("党的建设", "DJ03", "意识形态工作责任制落实", 5, "grade", True, 0, 1, "", None),
        ("民生改善", "MS01", "民生实事项目完成数", 8, "ratio", True, .6, 1, "件", 6),
        ("民生改善", "MS02", "12345 热线工单按时办结率", 7, "rank", True, .6, 1, "%", 95),
        ("绿色发展", "LS01", "公共机构人均综合能耗", 4, "ratio", False, .6, 1.05,
         "千克标准煤", 320),
        ("绿色发展", "LS02", "生态环境保护责任落实", 4, "grade", True, 0, 1, "", None),
        ("改革创新", "GG01", "牵头改革任务完成数", 6, "ratio", True, .6, 1, "项", 5),
        ("改革创新", "GG02", "政务服务“一网通办”率", 6, "rank", True, .6, 1, "%", 88),
        ("社会评价", "SH01", "服务对象满意度", 10, "rank", True, .6, 1, "分", 90),
    ],
}
CATEGORIES = ["经济发展", "党的建设", "民生改善", "绿色发展", "改革创新", "社会评价"]
# Year-on-year change of a copied scheme: (code moved from, code moved to, points).
SHIFTS = {"county": [("JJ04", "GG01", 1), ("MS03", "LS01", 1), ("JJ02", "MS02", 1)],
          "department": [("JJ02", "GG01", 1), ("MS01", "MS02", 1), ("LS01", "SH01", 1)]}
EVENTS = {  # kind: (points choices, [(reason, evidence)])
    "provincial_commendation": ((Decimal("0.5"), Decimal("1"), Decimal("1.5")), [
        ("获评全省营商环境评价优秀等次", "省优化营商环境领导小组通报（{y}）第 {n} 号"),
        ("乡村振兴实绩考核获省委、省政府通报表扬", "省委办公厅、省政府办公厅通报〔{y}〕{n} 号"),
        ("平安建设工作获评全省先进集体", "省委政法委表彰决定〔{y}〕{n} 号"),
        ("承办全省现场推进会并作典型发言", "省政府办公厅会议纪要〔{y}〕{n} 号"),
    ]),
    "provincial_deduction": ((Decimal("0.5"), Decimal("1")), [
        ("发生较大生产安全事故，被省安委会挂牌督办", "省安委办督办通知〔{y}〕{n} 号"),
        ("生态环保督察反馈问题整改不力，被省级通报", "省生态环境保护督察办通报〔{y}〕{n} 号"),
        ("重点项目推进滞后，被省政府督查室通报批评", "省政府督查室督查通报〔{y}〕第 {n} 期"),
    ]),
    "efficiency_bonus": ((Decimal("0.5"), Decimal("1")), [
        ("政务服务“好差评”好评率居全市第一", "市政务服务管理局月度通报（{y}）第 {n} 期"),
        ("圆满完成全市重大活动保障任务", "市委办公室表扬信〔{y}〕{n} 号"),
        ("改革经验被省级刊物推广", "省委改革办《改革动态》{y} 年第 {n} 期"),
    ]),
    "efficiency_penalty": ((Decimal("0.3"), Decimal("0.5"), Decimal("1")), [
        ("市效能办暗访发现窗口工作人员上班时间脱岗", "市效能办暗访通报〔{y}〕{n} 号"),
        ("12345 热线工单超期未办结被通报", "市 12345 热线办通报（{y}）第 {n} 期"),
        ("督办事项逾期未反馈", "市委督查室督办通报〔{y}〕{n} 号"),
    ]),
}
INTERVIEW_NOTES = ("市委组织部、市考核办约谈{name}主要负责人{leader}，通报{round}考核排名末位"
                   "情况，指出{lag}等问题；被约谈人表示将制定整改清单，明确责任人和时限，"
                   "一个月内书面报告整改进展。")


def _money(value: float, unit: str) -> Decimal:
    places = 0 if unit in COUNT_UNITS else 2
    return Decimal(f"{value:.{places}f}")


class UnitAssessDemo:
    """Schemes and scores of the demo city; ``seeder`` gives the stream, today and units."""

    def __init__(self, seeder) -> None:
        self.s, self.rng, self.today = seeder, seeder.rng, seeder.today
        self.years = list(range(seeder.year - 3, seeder.year + 1))
        self.schemes: dict[tuple[int, str], object] = {}
        self.kind_of = {u.id: u.kind for u in seeder.units}

    def run(self) -> Iterator[str]:
        for group in GROUPS:
            previous = None
            for year in self.years:
                previous = self.schemes[year, group] = self.make_scheme(year, group, previous)
        yield (f"单位目标责任考核方案：{len(self.schemes)} 个（{self.years[0]}—{self.years[-1]} 年，"
               "区县、市直部门），均已发布")
        plan = self.plan()
        yield from self.s.insert(IndicatorResult, self.result_rows(plan), "单位考核指标数据")
        yield from self.s.insert(PublicRating, self.rating_rows(plan), "民评官成绩")
        events = self.make_events()
        interviews = self.make_interviews()
        self.s.counts["ua_event"] = events
        self.s.counts["ua_interview"] = interviews
        yield f"单位考核加减分事项：{events} 条；约谈末位单位主要负责人：{interviews} 次"

    # -- schemes -------------------------------------------------------------
    def make_scheme(self, year: int, group: str, previous):
        name = f"{ph.CITY[1]} {year} 年度{svc.GROUPS[group]}目标责任考核方案"
        if previous is None:
            scheme = svc.save_scheme(None, {
                "year": year, "group": group, "name": name, "public_weight": Decimal(10),
                "note": "经市委、市政府同意，年初印发；考核结果与评先评优、干部选任挂钩。"})
            cats = {n: svc.save_category(scheme, None, {"name": n, "sort_order": k}).id
                    for k, n in enumerate(CATEGORIES, 1)}
            for k, (cat, code, iname, pts, method, higher, floor, cap, unit, _b) in enumerate(
                    INDICATORS[group], 1):
                svc.save_indicator(scheme, None, {
                    "category_id": cats[cat], "code": code, "name": iname,
                    "max_points": Decimal(pts), "method": method, "higher_is_better": higher,
                    "floor_ratio": Decimal(str(floor)), "cap_ratio": Decimal(str(cap)),
                    "grade_map": GRADE_MAP if method == "grade" else "", "unit_label": unit,
                    "sort_order": k})
        else:
            scheme = svc.copy_scheme(previous, year)
            moved, to, pts = SHIFTS[group][(year - self.years[1]) % len(SHIFTS[group])]
            by_code = {i.code: i for i in scheme.indicators}
            for code, delta in ((moved, -pts), (to, pts)):
                i = by_code[code]
                svc.save_indicator(scheme, i, {
                    c: getattr(i, c) for c in ("category_id", "code", "name", "method",
                                               "higher_is_better", "floor_ratio", "cap_ratio",
                                               "grade_map", "unit_label", "sort_order")}
                    | {"max_points": i.max_points + delta})
            svc.save_scheme(scheme, {"year": year, "group": group, "name": name,
                                     "public_weight": scheme.public_weight,
                                     "note": f"在 {year - 1} 年方案基础上调整"
                                             f"「{by_code[moved].name}」「{by_code[to].name}」分值。"})
        return svc.publish(scheme)  # refuses unless the weights add up to the total

    # -- targets, actuals and ratings ---------------------------------------------
    def rounds(self, year: int) -> list[str]:
        return [r for r in ROUND_ELAPSED if round_end(year, r) < self.today]

    def plan(self) -> list[tuple]:
        """(scheme, unit index, year, performance per round) for every unit and year."""
        rng, out = self.rng, []
        for group in GROUPS:
            members = [u for u, spec in enumerate(ph.UNITS) if spec[2] == group]
            weak = rng.choice(members)  # one unit of the group lags behind most years
            effect = {u: rng.gauss(0, .025) - (.05 if u == weak else 0) for u in members}
            for year in self.years:
                for u in members:
                    perf = 1 + effect[u] + rng.gauss(0, .025)
                    season = {"half": rng.gauss(.97, .02), "q3": rng.gauss(.99, .015),
                              "full": rng.gauss(1.005, .01)}
                    out.append((self.schemes[year, group], u, year, perf, season))
        return out

    def result_rows(self, plan) -> Iterator[dict]:
        rng = self.rng
        mean_size = {g: sum(s[4] for s in ph.UNITS if s[2] == g) / sum(
            1 for s in ph.UNITS if s[2] == g) for g in GROUPS}
        for scheme, u, year, perf, season in plan:
            unit_id, size = self.s.units[u].id, ph.UNITS[u][4] / mean_size[scheme.group]
            growth = 1.06 ** (year - self.years[0])
            rounds = self.rounds(year)
            for ind in scheme.indicators:
                spec = next(x for x in INDICATORS[scheme.group] if x[1] == ind.code)
                base, grades = spec[9], (list(parse_grade_map(ind.grade_map))
                                         if ind.method == "grade" else [])
                target, cumulative = None, 0.0
                if ind.method == "ratio":
                    raw = base * (size ** .8 if ind.higher_is_better else 1)
                    raw *= growth if ind.higher_is_better else 1 / growth ** .5
                    target = _money(raw * rng.uniform(.92, 1.08), ind.unit_label)
                for r in rounds:
                    row = {**self.s.base(), "scheme_id": scheme.id, "indicator_id": ind.id,
                           "unit_id": unit_id, "round": r, "target": target, "actual": None,
                           "grade": "", "note": ""}
                    p = perf * season[r] + rng.gauss(0, .025)
                    if ind.method == "ratio" and ind.higher_is_better:
                        cumulative = max(cumulative * 1.15, float(target) * ROUND_ELAPSED[r] * p)
                        row["actual"] = _money(cumulative, ind.unit_label)
                    elif ind.method == "ratio":  # an average to date: lower is better
                        row["actual"] = _money(float(target) / p, ind.unit_label)
                    elif ind.method == "rank":
                        value = base * (1 + (p - 1) * (.4 if base > 50 else 1.5))
                        row["actual"] = Decimal(f"{min(value, 100):.2f}")
                    else:
                        g = p + rng.gauss(0, .02)
                        row["grade"] = grades[0 if g >= 1.0 else 1 if g >= .94
                                              else 2 if g >= .87 else 3]
                    yield self.checked(scheme, ind, row)

    def checked(self, scheme, ind, row: dict) -> dict:
        """The rules of ``entry.save_result`` for a bulk row (a demo bug fails loudly)."""
        assert scheme.is_published and ind.scheme_id == scheme.id
        assert self.kind_of[row["unit_id"]] == scheme.group
        if ind.method == "grade":
            assert row["grade"] in parse_grade_map(ind.grade_map)
        else:
            assert row["actual"] is not None and row["actual"] >= 0
            assert ind.method != "ratio" or row["target"] > 0
        return row

    def rating_rows(self, plan) -> Iterator[dict]:
        rng = self.rng
        for scheme, u, year, perf, season in plan:
            for r in self.rounds(year):
                score = 84 + (perf * season[r] - 1) * 60 + rng.gauss(0, 3)
                yield {**self.s.base(), "scheme_id": scheme.id, "unit_id": self.s.units[u].id,
                       "round": r, "score": Decimal(f"{min(max(score, 60), 98):.2f}"),
                       "source": f"{ph.CITY[1]}统计局社情民意调查中心“民评官”问卷调查"}

    # -- events and interviews -------------------------------------------------------
    def make_events(self) -> int:
        rng, count = self.rng, 0
        for (year, group), scheme in sorted(self.schemes.items()):
            members = [self.s.units[u] for u, spec in enumerate(ph.UNITS) if spec[2] == group]
            last = min(dt.date(year, 12, 20), self.today - dt.timedelta(days=3))
            plan = (["provincial_commendation"] * rng.randint(1, 2)
                    + ["provincial_deduction"] * (rng.random() < .6)
                    + ["efficiency_bonus"] * rng.randint(1, 2)
                    + ["efficiency_penalty"] * rng.randint(1, 2))
            for n, kind in enumerate(plan, 1):
                points, texts = EVENTS[kind]
                reason, evidence = rng.choice(texts)
                entry.save_event(scheme, None, {
                    "unit_id": rng.choice(members).id, "kind": kind,
                    "date": self.s.day(dt.date(year, 2, 1), last), "points": rng.choice(points),
                    "reason": reason, "evidence": evidence.format(y=year, n=rng.randint(3, 60))},
                    today=self.today)
                count += 1
        return count

    def make_interviews(self) -> int:
        """约谈 the principal leader of the last-ranked unit: last year's full round, this q3."""
        count, last_year = 0, self.years[-2]
        for year, group, round_ in ((last_year, "county", "full"),
                                    (last_year, "department", "full"),
                                    (self.years[-1], "county", "q3")):
            scheme = self.schemes[year, group]
            if round_ not in self.rounds(year):
                continue
            rr = data.load_round(scheme, round_)
            row = rr.ranked[-1]  # the last-ranked unit (every demo round is complete)
            end = round_end(year, round_)
            leader = data.principal_leader(row.unit_id, end)
            date = min(end + dt.timedelta(days=self.rng.randint(15, 35)), self.today)
            lag = "、".join(row.score.lagging[:3]) or "部分指标得分偏低"
            entry.save_interview(scheme, rr.units[row.unit_id], round_, {
                "official_id": leader.id if leader else None,
                "leader_name": leader.name if leader else "主要负责人", "date": date,
                "reason": "；".join(row.flags) or f"排名末位（第 {row.rank}/{rr.size} 名）",
                "notes": INTERVIEW_NOTES.format(name=row.name, leader=leader.name if leader
                                                else "", round=f"{year} 年{rr.round_label}",
                                                lag=lag)}, today=self.today)
            count += 1
        return count
