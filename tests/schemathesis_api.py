"""Schemathesis against /api/v1/openapi.json through the WSGI app (run by .ci/run).

    python -m pytest -q tests/schemathesis_api.py

Not collected by the ordinary suite (the name does not start with test_). Every
operation of the generated document is called with generated input and an
organization token; the check is that no request gets a server error (5xx).
Examples per operation: ``KAOHE_SCHEMATHESIS_EXAMPLES`` (default 25).
"""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select

from kaohe.auth import services as auth_services
from kaohe.auth.models import User
from kaohe.extensions import db

EXAMPLES = int(os.environ.get("KAOHE_SCHEMATHESIS_EXAMPLES", "25"))


@pytest.fixture
def api(app, make):
    district = make.unit(name="东城区", code="DC")
    official = make.official(name="王建国", unit_obj=district)
    make.result(official, 2019, grade="excellent")
    user = db.session.scalar(select(User).where(User.username == "organization"))
    token = auth_services.create_token(user)
    make.commit()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app), token


def test_api_has_no_server_errors(api):
    schema, token = api
    headers = {"Authorization": f"Bearer {token}"}
    calls = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            response = case.call(headers=headers)
            calls.append(response.status_code)
            assert response.status_code < 500, (case.method, case.formatted_path, case.body,
                                                case.query, response.text[:500])

        run()
    print(f"schemathesis: {len(operations)} operations, {len(calls)} requests, "
          f"status codes {sorted(set(calls))}")
