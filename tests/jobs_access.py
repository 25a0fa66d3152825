"""Rows of the access matrix for the job pages (issue 15): a job is shown to the user who
submitted it (the organization user here) and not found for anyone else; the batch
dossier form is for those who generate dossiers (tests/test_access_matrix.py imports these)."""
from __future__ import annotations

NOT_FOUND = 404
JOB_ENDPOINTS = frozenset({"jobs.show", "jobs.status", "jobs.file"})
ENDPOINTS = JOB_ENDPOINTS | {"dossier_batch.new"}
BLANKED = {"dossier_batch.new": "unit_id"}
RESULT = "矩阵任务的结果".encode()


def expected(only, staff: frozenset) -> dict:
    rows = {(endpoint, "GET"): only(staff, NOT_FOUND) | {"organization": 200}
            for endpoint in JOB_ENDPOINTS}
    owners = frozenset({"organization"})  # dossier.generate
    rows.update({("dossier_batch.new", "GET"): only(owners), ("dossier_batch.new", "POST"): only(owners)})
    return rows


def url_values(world) -> dict:
    """A finished import job of the organization user with a result file (made once per
    world, committed)."""
    from sqlalchemy import select

    from kaohe.auth.models import User
    from kaohe.core.models import utcnow
    from kaohe.extensions import db
    from kaohe.jobs.models import Job

    if not hasattr(world, "job"):
        owner = db.session.scalar(select(User).where(User.username == "organization"))
        world.job = Job(kind="interop.import_xlsx", status="done", done=3, total=3, attempts=1,
                        created_by_id=owner.id, finished_at=utcnow(), result_blob=RESULT,
                        result_name="结果.txt", result={
                            "title": "干部基本信息", "area": "officials",
                            "back": "interop.edit.index", "report": {
                                "rows": 3, "created": 3, "updated": 0, "unchanged": 0,
                                "problems": [], "problem_count": 0, "notices": [],
                                "committed": True, "dry_run": False, "ok": True}})
        db.session.add(world.job)
        db.session.commit()
    return {"job_id": world.job.id}


def check_allowed(endpoint: str, method: str, response, page: str, field_errors) -> None:
    if endpoint == "dossier_batch.new":
        assert 'id="unit_id"' in page and 'id="as_of"' in page
        if method == "POST":  # no unit chosen: refused next to the field, nothing queued
            assert field_errors(page, "unit_id") == ["请选择单位。"]
    elif endpoint == "jobs.show":
        assert "Excel 批量导入" in page and "已完成" in page
        assert "导入完成：共 3 行，新增 3 条" in page and "下载 结果.txt" in page
    elif endpoint == "jobs.status":
        state = response.get_json()
        assert (state["status"], state["percent"], state["has_file"]) == ("done", 100, True)
    else:
        assert response.data == RESULT
