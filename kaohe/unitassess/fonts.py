"""CJK font for ReportLab output (the dossier's fonts module is used when it exists)."""
from __future__ import annotations

import importlib
import importlib.util

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_NAME = "WQYMicroHei"
FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def cjk_font() -> str:
    """Register (once) and return the name of a font that renders Chinese."""
    try:
        shared = importlib.util.find_spec("kaohe.dossier.fonts")
    except ModuleNotFoundError:
        shared = None
    if shared is not None:
        module = importlib.import_module("kaohe.dossier.fonts")
        for name in ("register_fonts", "register", "cjk_font"):
            fn = getattr(module, name, None)
            if callable(fn):
                result = fn()
                if isinstance(result, str):
                    return result
                if getattr(module, "FONT_NAME", None):
                    return module.FONT_NAME
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, FONT_PATH, subfontIndex=0))
    return FONT_NAME
