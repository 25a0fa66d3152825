"""Start-up cost (issue 17): importing the app loads no heavy library it does not need.

Every worker and CLI command pays for what ``import app`` imports, so the libraries below
are loaded on first use. Checked in a fresh interpreter (this test process has loaded
them all); not timed: bench/bench_startup.py measures the time and memory.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from flask import url_for
from werkzeug.routing import Rule
from werkzeug.routing.converters import NumberConverter

from kaohe.core.routing import LazyBuilderRule

ROOT = Path(__file__).resolve().parent.parent
# Loaded on first use: Alembic and Flask-Migrate (flask db, init-db), pypinyin (download
# names), Huey and redis (the job queue), openpyxl (Excel files), python-docx and pypdf
# (考察材料 files, the pypdf watermark fallback), ReportLab (every PDF: the render modules
# are imported by the functions that draw), Pillow (photos), tqdm (dossier-batch's
# progress bar).
LAZY = ("alembic", "flask_migrate", "pypinyin", "huey", "redis", "openpyxl", "docx", "pypdf",
        "reportlab", "PIL", "tqdm")
PROBE = """
import json, sys
{setup}
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {lazy!r})))
"""


def _loaded(tmp_path: Path, setup: str) -> list[str]:
    env = {"PATH": "/usr/bin:/bin", "KAOHE_INSTANCE_PATH": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", PROBE.format(setup=setup, lazy=set(LAZY))],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_app_loads_no_heavy_library(tmp_path):
    assert _loaded(tmp_path, "import app") == []


def test_create_app_with_embedded_worker_loads_no_heavy_library(tmp_path):
    # Not immediate, embedded consumer on: Huey waits for the first request.
    setup = ("from kaohe import create_app\n"
             f"create_app({{'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path}/x.db', "
             "'KAOHE_JOBS_IMMEDIATE': False, 'KAOHE_EMBEDDED_WORKER': True})")
    assert _loaded(tmp_path, setup) == []


def test_lazy_migrate_still_serves_flask_db_and_its_config(app):
    result = app.test_cli_runner().invoke(args=["db", "--help"])
    assert result.exit_code == 0 and "upgrade" in result.output
    config = app.extensions["migrate"].migrate.get_config()
    assert config.get_main_option("script_location").endswith("migrations")


def test_lazy_url_builders_build_what_werkzeug_builds(app):
    # Each rule's builders are compiled on first use (kaohe.core.routing): every rule,
    # with and without unknown arguments, gives the URL Werkzeug's own builder gives.
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    assert len(rules) > 150 and all(isinstance(r, LazyBuilderRule) for r in rules)
    for rule in rules:
        values = {name: 7 if isinstance(conv, NumberConverter) else "a b"
                  for name, conv in rule._converters.items()}
        for append_unknown, extra in ((False, {}), (True, {"q": "甲 1"})):
            eager = Rule._compile_builder(rule, append_unknown).__get__(rule, None)
            expected = eager(**values, **extra)
            assert rule.build({**values, **extra}, append_unknown) == expected
            assert rule.build({**values, **extra}, append_unknown) == expected  # compiled
    with app.test_request_context():
        assert url_for("auth.login", next="/x") == "/login?next=/x"
