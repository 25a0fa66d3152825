"""Helpers for the interop tests: workbooks in memory, LRMX documents."""
from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from kaohe.interop.sheets import SHEETS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(kind: str, rows, headers=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEETS[kind].title
    ws.append(headers or [c.header for c in SHEETS[kind].columns])
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def sheet_rows(data: bytes, sheet: str | None = None) -> list[tuple]:
    wb = load_workbook(io.BytesIO(data), read_only=True)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    rows = [tuple("" if v is None else v for v in row) for row in ws.iter_rows(values_only=True)]
    wb.close()
    return rows


def upload(client, kind: str, data: bytes, dry_run: bool = False, filename="导入.xlsx"):
    form = {f"{kind}-file": (io.BytesIO(data), filename)}
    if dry_run:
        form[f"{kind}-dry_run"] = "y"
    # The upload queues a job and redirects to its progress page, which shows the report.
    return client.post(f"/interop/import/{kind}", data=form, follow_redirects=True,
                       content_type="multipart/form-data", buffered=True)


def lrmx_upload(client, data: bytes, dry_run: bool = False, filename="任免审批表.lrmx"):
    form = {"lrmx-file": (io.BytesIO(data), filename)}
    if dry_run:
        form["lrmx-dry_run"] = "y"
    return client.post("/interop/lrmx", data=form, content_type="multipart/form-data", buffered=True)


def official_row(name, number, unit="东城区", **kw) -> list:
    values = {"姓名": name, "身份证号": number, "性别": "男", "出生日期": "",
              "民族": "汉族", "籍贯": "浙江杭州", "政治面貌": "中共党员", "入党时间": "1998.07",
              "民主党派": "", "加入民主党派时间": "", "参加工作时间": "1996-08-01",
              "全日制学历": "大学", "全日制学位": "学士", "全日制毕业院校及专业": "浙江大学",
              "在职学历": "", "在职学位": "", "在职毕业院校及专业": "", "所在单位": unit,
              "现任职务": "区长", "职级": "正处级"}
    values.update(kw)
    if not values["出生日期"]:
        values["出生日期"] = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    return [values[c.header] for c in SHEETS["officials"].columns]


def lrmx_document(**overrides) -> str:
    fields = {
        "XingMing": "李明华", "XingBie": "男", "ChuShengNianYue": "197503", "MinZu": "汉族",
        "JiGuan": "浙江杭州", "ChuShengDi": "浙江宁波", "RuDangShiJian": "199807",
        "CanJiaGongZuoShiJian": "199608", "JianKangZhuangKuang": "健康",
        "QuanRiZhiJiaoYu_XueLi": "大学", "QuanRiZhiJiaoYu_XueWei": "经济学学士",
        "QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi": "浙江大学经济学专业",
        "ZaiZhiJiaoYu_XueLi": "研究生", "ZaiZhiJiaoYu_XueWei": "管理学硕士",
        "ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi": "中央党校经济管理专业",
        "XianRenZhiWu": "江州市发展和改革委员会主任", "NiRenZhiWu": "东城区区长",
        "NiMianZhiWu": "江州市发展和改革委员会主任",
        "JianLi": "1992.09--1996.07  浙江大学经济学专业学习\n"
                  "1996.08--2012.01  江州市财政局科员、副科长、科长\n"
                  "2012.01--2016.05  江州市发展和改革委员会副主任\n"
                  "          （其间：2013.09--2014.01在省委党校中青班学习）\n"
                  "2016.05--         江州市发展和改革委员会主任",
        "JiangChengQingKuang": "2018年获省优秀公务员称号", "NianDuKaoHeJieGuo": "",
        "RenMianLiYou": "工作需要", "ShenFenZheng": "", "ZhaoPian": "",
    }
    fields.update(overrides)
    members = overrides.pop("_members", None)
    fields.pop("_members", None)
    if members is None:
        members = [("妻子", "张丽", "197601", "中共党员", "江州市第一中学教师"),
                   ("儿子", "李浩", "200205", "共青团员", "浙江大学学生")]
    body = "".join(f"<{k}>{_esc(v)}</{k}>" for k, v in fields.items())
    items = "".join(
        "<Item>" + "".join(f"<{k}>{_esc(v)}</{k}>" for k, v in zip(
            ("ChengWei", "XingMing", "ChuShengRiQi", "ZhengZhiMianMao", "GongZuoDanWeiJiZhiWu"), m))
        + "</Item>" for m in members)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<Person>{body}'
            f"<JiaTingChengYuan>{items}</JiaTingChengYuan></Person>")


def _esc(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
