"""``init-db`` under a database-wide lock: several servers may run it at once on a
fresh database; one upgrades and syncs the roles, the others wait and find it done."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from kaohe.auth.permissions import ROLE_NAMES
from kaohe.core.dblock import migration_lock
from kaohe.extensions import MIGRATIONS_DIR
from tests.scratch import scratch_database

ROOT = Path(__file__).resolve().parents[1]
HEAD = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


@pytest.fixture
def fresh(tmp_path):
    """(URL of an empty database, environment for ``flask --app app``)."""
    with scratch_database("kaohe_initdb", tmp_path / "fresh.db") as url:
        env = {**os.environ, "KAOHE_DATABASE_URL": url,
               "KAOHE_INSTANCE_PATH": str(tmp_path / "instance"),
               "KAOHE_AUDIT_KEY": "i" * 40, "KAOHE_AUDIT_ANCHOR_DIR": str(tmp_path / "anchors")}
        yield url, env


def _init_db(env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "init-db"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _finish(proc) -> str:
    out, _ = proc.communicate(timeout=180)
    assert proc.returncode == 0, out
    assert "数据库已就绪" in out
    return out


def _state(url):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
            roles = conn.execute(sa.text("SELECT name FROM role ORDER BY name")).scalars().all()
            created = conn.execute(sa.text(
                "SELECT count(*) FROM audit_log WHERE entity_type = 'role' AND action = 'create'"
            )).scalar()
            seqs = conn.execute(sa.text("SELECT seq FROM audit_log ORDER BY seq")).scalars().all()
        return version, roles, created, seqs
    finally:
        engine.dispose()


@pytest.mark.parametrize("n", [2, 3])
def test_several_init_db_at_once_all_succeed(fresh, n):
    url, env = fresh
    procs = [_init_db(env) for _ in range(n)]
    for proc in procs:
        _finish(proc)
    version, roles, created, seqs = _state(url)
    assert version == [HEAD]
    assert roles == sorted(ROLE_NAMES)
    assert created == len(ROLE_NAMES)  # synced once
    assert seqs == list(range(1, len(seqs) + 1))
    verify = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "audit-verify"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0 and "audit chain intact" in verify.stdout, verify.stderr


def test_init_db_waits_for_the_lock(fresh):
    """While another holder has the migration lock, init-db creates nothing."""
    url, env = fresh
    engine = sa.create_engine(url)
    try:
        with migration_lock(engine):
            proc = _init_db(env)
            time.sleep(4)  # long enough to have started and reached the lock
            assert proc.poll() is None, proc.communicate()[0]
            assert "alembic_version" not in sa.inspect(engine).get_table_names()
        _finish(proc)
    finally:
        engine.dispose()
    assert _state(url)[0] == [HEAD]
