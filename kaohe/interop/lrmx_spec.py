"""The LRMX input specification (干部任免审批表), element by element, in file order.

From the official 任免表编辑器's input specification and real generators' output
(``shared/reference/lrmx-fields.tsv``): each element's label, type (C text, T
date), maximum length in characters (None: unbounded) and whether it holds lines.
Reading, writing, importing and the 报送前校验 all take their names, order and
limits from here.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Element:
    name: str
    label: str
    kind: str = "C"  # C text, T date
    max: int | None = None
    multiline: bool = False


PERSON = (
    Element("XingMing", "姓名", max=18),
    Element("XingBie", "性别", max=1),
    Element("ChuShengNianYue", "出生年月", "T", 8),
    Element("MinZu", "民族", max=18),
    Element("JiGuan", "籍贯", max=18),
    Element("ChuShengDi", "出生地", max=18),
    Element("RuDangShiJian", "入党时间", max=18),
    Element("CanJiaGongZuoShiJian", "参加工作时间", "T", 8),
    Element("JianKangZhuangKuang", "健康状况", max=18),
    Element("ZhuanYeJiShuZhiWu", "专业技术职务", max=90),
    Element("ShuXiZhuanYeYouHeZhuanChang", "熟悉专业有何专长", max=110),
    Element("QuanRiZhiJiaoYu_XueLi", "全日制教育学历", max=54),
    Element("QuanRiZhiJiaoYu_XueWei", "全日制教育学位", max=54),
    Element("QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi", "全日制教育毕业院校系及专业（学历）", max=90),
    Element("QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi", "全日制教育毕业院校系及专业（学位）", max=90),
    Element("ZaiZhiJiaoYu_XueLi", "在职教育学历", max=54),
    Element("ZaiZhiJiaoYu_XueWei", "在职教育学位", max=54),
    Element("ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi", "在职教育毕业院校系及专业（学历）", max=90),
    Element("ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi", "在职教育毕业院校系及专业（学位）", max=90),
    Element("XianRenZhiWu", "现任职务", max=324),
    Element("NiRenZhiWu", "拟任职务", max=324),
    Element("NiMianZhiWu", "拟免职务", max=324),
    Element("JianLi", "简历", multiline=True),
    Element("JiangChengQingKuang", "奖惩情况", max=552, multiline=True),
    Element("NianDuKaoHeJieGuo", "年度考核结果", max=414, multiline=True),
    Element("RenMianLiYou", "任免理由", max=552, multiline=True),
    # JiaTingChengYuan (the family, MEMBER) comes here in the file.
    Element("ChengBaoDanWei", "呈报单位", max=252, multiline=True),
    Element("JiSuanNianLingShiJian", "计算年龄时间", "T", 8),
    Element("TianBiaoShiJian", "填表时间", "T", 8),
    Element("TianBiaoRen", "填表人", max=18),
    Element("ShenFenZheng", "身份证号", max=18),
    Element("ZhaoPian", "照片"),
    Element("Version", "格式版本"),
)
FAMILY_AFTER = "RenMianLiYou"  # JiaTingChengYuan follows this element
MEMBER = (
    Element("ChengWei", "称谓", max=18),
    Element("XingMing", "姓名", max=18),
    Element("ChuShengRiQi", "出生日期", "T", 8),
    Element("ZhengZhiMianMao", "政治面貌", max=18),
    Element("GongZuoDanWeiJiZhiWu", "工作单位及职务", max=124),
)
BY_NAME = {e.name: e for e in PERSON}
MEMBER_FIELDS = tuple(e.name for e in MEMBER)
MULTILINE = frozenset(e.name for e in PERSON if e.multiline)
# Older generators write one school per kind of education instead of one per 学历 and 学位.
LEGACY_SCHOOLS = {"QuanRiZhiJiaoYu_BiYeYuanXiaoXi": "QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi",
                  "ZaiZhiJiaoYu_BiYeYuanXiaoXi": "ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi"}
LABELS = {**{e.name: e.label for e in PERSON}, "JiaTingChengYuan": "家庭主要成员及重要社会关系",
          **{old: BY_NAME[new].label for old, new in LEGACY_SCHOOLS.items()}}
# The format version written when the record holds none (the official editor's current one).
VERSION = "3.2.1.16"
