"""Which font chain a PDF uses (see :mod:`kaohe.dossier.fonts`), without ReportLab.

Services and views name the chain of every PDF they ask for; only drawing it needs
ReportLab, which is loaded with the first PDF rather than by every process (issue 17).
"""
from __future__ import annotations

from typing import Optional, Union

# A primary spec, or (primary spec, fallback specs or None for the defaults).
FontSpec = Union[str, None, tuple[Optional[str], Optional[tuple[str, ...]]]]


def spec_from(config) -> FontSpec:
    """The font spec of a Flask ``config``: (``KAOHE_CJK_FONT``, ``KAOHE_FALLBACK_FONTS``)."""
    fallbacks = config.get("KAOHE_FALLBACK_FONTS")
    if isinstance(fallbacks, str):
        fallbacks = [fallbacks] if fallbacks else []
    return config.get("KAOHE_CJK_FONT"), None if fallbacks is None else tuple(fallbacks)
