"""Error pages in Chinese; JSON errors under /api/.

While the database cannot be reached or used (refused or dropped connections, timeouts,
SQLite's "database is locked") every request answers 503 with ``Retry-After``: a page
that reads nothing from the database (not even the signed-in user), or JSON under /api/.
"""
from __future__ import annotations

from flask import (Flask, abort, current_app, jsonify, make_response, redirect,
                   render_template, request, url_for)
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from kaohe.audit.chain import ChainBusy
from kaohe.audit.services import record_event
from kaohe.auth import sessions
from kaohe.core.errors import ValidationFailed
from kaohe.extensions import db, login_manager

MESSAGES = {
    400: "请求有误",
    401: "请先登录",
    403: "您无权访问此页面",
    404: "页面或记录不存在",
    405: "不支持该操作方式",
    413: "上传的文件过大",
    500: "系统内部错误，请稍后重试或联系管理员",
    503: "系统暂时无法连接数据库，请稍后重试",
}
RETRY_AFTER_SECONDS = 30


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _respond(code: int, detail: str | None = None):
    title = MESSAGES.get(code, "请求无法完成")
    if _wants_json():
        return jsonify({"error": detail or title, "status": code}), code
    try:
        return render_template("errors/error.html", code=code, title=title, detail=detail), code
    except (DBAPIError, PoolTimeout) as exc:  # the page header reads the signed-in user
        if not database_unavailable(exc):
            raise
        return _unavailable(exc)


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be reached or used just now (as opposed
    to a statement it refused, e.g. a constraint)."""
    return isinstance(exc, (OperationalError, InterfaceError, PoolTimeout)) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated)


def _unavailable(exc: BaseException):
    """503 with Retry-After; one log line; nothing read from the database."""
    try:
        db.session.rollback()
    except SQLAlchemyError:  # the connection is gone; the request's teardown drops it
        pass
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    current_app.logger.error("database unavailable, %s %s answered 503: %s: %s",
                             request.method, request.path[:300], type(exc).__name__,
                             reason[0] if reason else "")
    title = ChainBusy.message if isinstance(exc, ChainBusy) else MESSAGES[503]
    if _wants_json():
        response = jsonify({"error": title, "status": 503})
    else:  # rendered without context processors: Flask-Login's would load the user
        response = make_response(current_app.jinja_env.get_template(
            "errors/unavailable.html").render(title=title))
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def _log_denied(exc: HTTPException) -> None:
    """Every refused request (403) is an audit event, in its own committed transaction."""
    try:
        db.session.rollback()  # nothing the refused request did is kept
        record_event("access_denied", "request", None, {
            "method": request.method, "path": request.path[:300],
            "endpoint": request.endpoint, "remote_addr": request.remote_addr})
        db.session.commit()
    except Exception:  # pragma: no cover - the refusal itself must still be answered
        db.session.rollback()
        current_app.logger.exception("could not audit a denied request")


def _security_headers(response):
    # No inline scripts or styles anywhere in the templates, so a strict CSP holds.
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def _refuse_nul_characters():
    # PostgreSQL text cannot hold NUL: a NUL in a query string or form field would
    # fail in the database driver (500). No real input contains one.
    for values in (request.args, request.form):
        if any("\x00" in v for _k, vs in values.lists() for v in vs):
            abort(400, description="请求中含有无效字符。")


def init_app(app: Flask) -> None:
    sessions.init_app(app)  # idle and absolute timeouts, before any blueprint's guard
    app.after_request(_security_headers)
    app.before_request(_refuse_nul_characters)
    @app.errorhandler(CSRFError)
    def csrf_error(_exc):
        return _respond(400, "表单已过期或来源无效，请刷新页面后重新提交。")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.response is not None:  # e.g. a redirect to the login page
            return exc.response
        if exc.code == 403:
            _log_denied(exc)
        default = exc.description == type(exc).description
        return _respond(exc.code or 500, None if default else exc.description)

    @app.errorhandler(ValidationFailed)
    def refused(exc: ValidationFailed):
        # A rule refused what a request without a form asked for (e.g. a PDF download
        # with a character no font can draw): its Chinese message, not a 500.
        db.session.rollback()
        return _respond(422, "；".join(exc.errors.values()))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error")
        return _respond(500)

    @app.errorhandler(DBAPIError)
    @app.errorhandler(PoolTimeout)
    def database_error(exc: SQLAlchemyError):
        return _unavailable(exc) if database_unavailable(exc) else unexpected(exc)

    @login_manager.unauthorized_handler
    def unauthorized():
        if _wants_json():
            return jsonify({"error": "未登录或令牌无效。", "status": 401}), 401
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
