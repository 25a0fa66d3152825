"""Processes, an HTTP client with cookies and the workbook for .ci/multiserver.py."""
from __future__ import annotations

import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

from openpyxl import Workbook, load_workbook

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


class Failed(AssertionError):
    """A check of the multi-server test failed."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise Failed(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- processes


@dataclass
class Processes:
    """Every process the test starts, each in its own process group (killed at exit)."""

    logs: Path
    env: dict
    running: dict = field(default_factory=dict)

    def start(self, name: str, argv: list[str], nice: int = 0, **extra_env) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")
        proc = subprocess.Popen(argv, cwd=ROOT, env={**self.env, **extra_env}, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True,
                                preexec_fn=(lambda: os.nice(nice)) if nice else None)
        self.running[name] = proc
        return proc

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.running.pop(name)
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        proc.wait(timeout=60)

    def stop_all(self) -> None:
        for name in list(self.running):
            self.kill(name, signal.SIGTERM)

    def flask(self, *args: str, instance: str, stdin: str | None = None,
              timeout: float = 300) -> subprocess.CompletedProcess:
        env = {**self.env, "KAOHE_INSTANCE_PATH": str(self.logs / instance)}
        return subprocess.run([str(BIN / "flask"), "--app", "app", *args], cwd=ROOT, env=env,
                              input=stdin, capture_output=True, text=True, timeout=timeout)


def wait_until(what: str, probe, timeout: float, every: float = 0.5):
    """Call ``probe`` until it returns something true; that value, or Failed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(every)
    raise Failed(f"timed out after {timeout:.0f} s waiting for {what}")


# ---------------------------------------------------------------- HTTP


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A user's browser: one cookie jar for every server (cookies ignore the port, as a
    browser's do for servers behind one load balancer's name)."""

    def __init__(self, forwarded_for: str = "198.51.100.1"):
        self.jar = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.jar), _NoRedirect)
        self.forwarded_for = forwarded_for  # as the load balancer adds it

    def open(self, method: str, url: str, data: dict | None = None,
             files: dict | None = None, headers: dict | None = None,
             timeout: float = 60) -> Reply:
        body, headers = None, {"X-Forwarded-For": self.forwarded_for, **(headers or {})}
        if files:
            body, content_type = multipart(data or {}, files)
            headers["Content-Type"] = content_type
        elif data is not None:
            body = urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = Request(url, data=body, method=method, headers=headers)
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return Reply(response.status, dict(response.headers), response.read())
        except HTTPError as exc:
            return Reply(exc.code, dict(exc.headers), exc.read())

    def get(self, url: str, **kwargs) -> Reply:
        return self.open("GET", url, **kwargs)

    def post(self, url: str, data: dict, **kwargs) -> Reply:
        return self.open("POST", url, data, **kwargs)

    def login(self, base: str, username: str, password: str) -> Reply:
        token = csrf_token(self.get(f"{base}/login"))
        return self.post(f"{base}/login", {"csrf_token": token, "username": username,
                                           "password": password})


def reachable(url: str) -> bool:
    try:
        return Browser().get(url, timeout=2).status == 200
    except (URLError, OSError):
        return False


def csrf_token(reply: Reply) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', reply.text) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', reply.text)
    check(found is not None, f"no CSRF token in the page (status {reply.status})")
    return found.group(1)


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                  f"{value}\r\n".encode())
    for name, (filename, content) in files.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                  f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                  .encode())
        out.write(content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


# ---------------------------------------------------------------- the officials workbook


def id_number(i: int) -> str:
    """A valid 18-digit ID number (region 440106, none of the demo city's)."""
    birth = 19600101 + (i % 28) + 100 * (i // 28 % 12) + 10000 * (i // 336 % 35)
    first17 = f"440106{birth}{i % 1000:03d}"[:17]
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(first17, weights))
    return first17 + "10X98765432"[total % 11]


def officials_workbook(template: bytes, rows: int, unit: str, post: str,
                       start: int = 0) -> bytes:
    """``rows`` officials filled into the columns of the app's own template (by header)."""
    sheet = load_workbook(io.BytesIO(template), read_only=True).worksheets[0]
    headers = [str(c.value or "").strip() for c in next(sheet.iter_rows(max_row=1))]
    book = Workbook(write_only=True)
    out_sheet = book.create_sheet(sheet.title)
    out_sheet.append(headers)
    for i in range(start, start + rows):
        number = id_number(i)
        birth = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
        values = {"姓名": f"测试{i:05d}", "身份证号": number, "性别": "男" if i % 3 else "女",
                  "出生日期": birth, "民族": "汉族", "籍贯": "广东广州", "所在单位": unit,
                  "现任职务": post}
        out_sheet.append([values.get(h, "") for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def metric(exposition: str, name: str) -> float:
    """The value of an unlabelled sample of a Prometheus text exposition (0 if absent)."""
    found = re.search(rf"^{re.escape(name)} (\S+)$", exposition, re.M)
    return float(found.group(1)) if found else 0.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]
