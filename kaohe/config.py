"""Built-in configuration defaults; override in ``instance/config.py``."""
from datetime import timedelta


class Defaults:
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    WTF_I18N_ENABLED = False  # WTForms' own zh catalogue, see kaohe.core.forms
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)  # remember-me is never offered
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    OFFICIALS_PER_PAGE = 20
    # Path of the TrueType CJK font for PDFs; None → search the usual places.
    KAOHE_CJK_FONT: str | None = None
    # TrueType fonts for characters the CJK font lacks, tried in order (CJK Extension A/B:
    # fonts-hanazono); None → the usual places (kaohe.dossier.fonts.FALLBACK_PATHS), [] → none.
    KAOHE_FALLBACK_FONTS: list[str] | None = None
