"""Complete LRMX documents in the shapes real generators write (tests of issue 13.2).

``document(shape, **fields)`` writes every element of the specification:

* ``owip``: owip's exporter (dom4j, default format): UTF-8 declaration, no
  indentation, 简历 lines ended by CR LF (the last one too), Version 3.2.1.6;
* ``editor``: the official 任免表编辑器: GB18030 declared and encoded, indented,
  CR LF line ends, Version 3.2.1.16;
* ``bom``: UTF-8 with a byte-order mark, CR LF everywhere;
* ``br``: 简历 lines separated by ``<br/>`` elements;
* ``escaped_br``: 简历 lines separated by an escaped ``&lt;br/&gt;``.
"""
from __future__ import annotations

import base64
import io

from PIL import Image

from kaohe.interop.lrmx_spec import FAMILY_AFTER, MEMBER_FIELDS, PERSON
from tests.helpers import PNG

RESUME = ["1992.09--1996.07  浙江大学经济学专业学习",
          "1996.07--2012.01  江州市财政局科员、副科长、科长",
          "2012.01--2016.05  江州市发展和改革委员会副主任",
          "          （其间：2013.09--2014.01在省委党校中青班学习）",
          "2016.05--         江州市发展和改革委员会主任"]
MEMBERS = [("妻子", "张丽", "19760229", "中共党员", "江州市第一中学教师"),
           ("儿子", "李浩", "200205", "共青团员", "浙江大学学生"),
           ("父亲", "李国强（已去世）", "", "中共党员", "")]


def fields(**overrides) -> dict[str, str]:
    """Every element of a complete, valid form (before the shape's line ends)."""
    values = {
        "XingMing": "李明华", "XingBie": "男", "ChuShengNianYue": "197503", "MinZu": "汉族",
        "JiGuan": "浙江杭州", "ChuShengDi": "浙江宁波", "RuDangShiJian": "199506；民建",
        "CanJiaGongZuoShiJian": "199607", "JianKangZhuangKuang": "健康",
        "ZhuanYeJiShuZhiWu": "高级经济师", "ShuXiZhuanYeYouHeZhuanChang": "宏观经济管理",
        "QuanRiZhiJiaoYu_XueLi": "大学本科", "QuanRiZhiJiaoYu_XueWei": "经济学学士",
        "QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi": "浙江大学经济学专业",
        "QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi": "浙江大学经济学院",
        "ZaiZhiJiaoYu_XueLi": "省委党校研究生", "ZaiZhiJiaoYu_XueWei": "管理学硕士",
        "ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi": "浙江省委党校经济管理专业",
        "ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi": "浙江大学管理学院",
        "XianRenZhiWu": "江州市发展和改革委员会主任", "NiRenZhiWu": "东城区区长",
        "NiMianZhiWu": "江州市发展和改革委员会主任", "JianLi": "\n".join(RESUME),
        "JiangChengQingKuang": "2018年获省优秀公务员称号",
        "NianDuKaoHeJieGuo": "2023年度考核称职；2024年度考核优秀；2025年度考核称职。",
        "RenMianLiYou": "工作需要", "ChengBaoDanWei": "中共江州市委组织部",
        "JiSuanNianLingShiJian": "20261201", "TianBiaoShiJian": "20261202",
        "TianBiaoRen": "王干事", "ShenFenZheng": "", "ZhaoPian": base64.b64encode(PNG).decode(),
        "Version": "3.2.1.16",
    }
    values.update(overrides)
    return values


def _esc(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def document(shape: str, values: dict[str, str], members=MEMBERS) -> bytes:
    """The file ``shape`` writes for ``values`` and ``members``."""
    nl = "\r\n" if shape in ("editor", "bom") else ""
    indent = "  " if shape == "editor" else ""
    parts = []
    for element in PERSON:
        value = values.get(element.name, "")
        if element.name == "JianLi" and shape in ("br", "escaped_br"):
            sep = "<br/>" if shape == "br" else "&lt;br/&gt;"
            text = sep.join(_esc(line) for line in value.split("\n"))
        elif element.multiline:
            ending = "\r\n"
            text = _esc(value).replace("\n", ending) + (ending if shape == "owip" and value else "")
        else:
            text = _esc(value)
        parts.append(f"{indent}<{element.name}>{text}</{element.name}>{nl}")
        if element.name == FAMILY_AFTER:
            items = "".join(
                f"{indent * 2}<Item>{nl}" + "".join(
                    f"{indent * 3}<{k}>{_esc(v)}</{k}>{nl}" for k, v in zip(MEMBER_FIELDS, m))
                + f"{indent * 2}</Item>{nl}" for m in members)
            parts.append(f"{indent}<JiaTingChengYuan>{nl}{items}{indent}</JiaTingChengYuan>{nl}")
    encoding = "GB18030" if shape == "editor" else "UTF-8"
    body = f'<?xml version="1.0" encoding="{encoding}"?>{nl or chr(10)}<Person>{nl}{"".join(parts)}</Person>{nl}'
    if shape == "editor":
        return body.encode("gb18030")
    data = body.encode("utf-8")
    return b"\xef\xbb\xbf" + data if shape == "bom" else data


def is_jpeg_of(text: str, original: bytes) -> bool:
    """Whether the base64 ``text`` is a JPEG of the ``original`` picture's size."""
    data = base64.b64decode(text)
    with Image.open(io.BytesIO(data)) as exported, Image.open(io.BytesIO(original)) as source:
        return exported.format == "JPEG" and exported.size == source.size
