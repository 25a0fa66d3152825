"""No N+1: pages and API answers run a number of SQL statements independent of data size."""
from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from kaohe.auth.models import Role, User
from kaohe.dossier import services as dossier_services
from kaohe.dossier.snapshot import build_snapshot
from kaohe.extensions import db
from kaohe.officials.models import Post
from kaohe.unitassess.services import data, round_cache
from tests import factories
from tests import ua_helpers as ua
from tests.dossier_support import AS_OF
from tests.helpers import text


@contextmanager
def statements():
    """Collect the SQL statements run on the engine (the test connection comes from it)."""
    seen: list[str] = []

    def before(_conn, _cursor, statement, _params, _context, _executemany):
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _users(n: int, tag: str) -> list[User]:
    role = db.session.scalar(select(Role).where(Role.name == "organization"))
    users = [User(username=f"{tag}{i}", display_name=f"{tag}录入人{i}", role=role,
                  password_hash="-") for i in range(n)]
    db.session.add_all(users)
    db.session.flush()
    return users


def _official_with(n: int, tag: str):
    """An official with ``n`` posts (each in its own unit), results, reviews and notes,
    each entered by a different user (so a lazy load per record would show)."""
    users = _users(3 * n, tag)
    city = factories.unit(name=f"{tag}市", kind="city")
    o = factories.official(name=f"{tag}干部", unit_obj=city)
    items = []
    for i in range(n):
        unit = factories.unit(name=f"{tag}单位{i}", kind="department", parent=city)
        items.append(factories.post(o, unit, start=dt.date(1990 + i, 1, 1),
                                    end=dt.date(1990 + i, 12, 31), title=f"职务{i}"))
        items.append(factories.result(o, 1990 + i, grade="competent", votes_total=10,
                                      votes_excellent=6, votes_competent=4))
        items.append(factories.review(o, date=dt.date(1990 + i, 6, 1)))
        items.append(factories.note(o, date=dt.date(1990 + i, 3, 1)))
    records = [x for x in items if not isinstance(x, Post)]
    for item, user in zip(records, users):
        item.recorded_by_id = user.id
    factories.commit()
    return o


def _count(client, url: str) -> tuple[int, object]:
    client.get(url)  # warm-up: nothing first-time-only is counted
    with statements() as seen:
        response = client.get(url)
    assert response.status_code == 200
    return len(seen), response


@pytest.mark.parametrize("url", ["/officials/{id}", "/api/v1/officials/{id}"])
def test_profile_and_api_detail_are_bounded(client, auth, make, url):
    small = _official_with(1, "甲")
    big = _official_with(30, "乙")
    auth.login()
    n_small, r_small = _count(client, url.format(id=small.id))
    n_big, r_big = _count(client, url.format(id=big.id))
    # The big one really shows its 120 records.
    if url.startswith("/api/"):
        data = r_big.get_json()
        assert len(data["posts"]) == 30 and len(data["years"]) == 30
        assert all(len(y["assessment_results"]) == 1 and len(y["reviews"]) == 1
                   and len(y["org_notes"]) == 1 for y in data["years"])
        recorders = {y["assessment_results"][0]["recorded_by"] for y in data["years"]} | {
            y["org_notes"][0]["recorded_by"] for y in data["years"]}
        assert len(recorders) == 60 and all(r.startswith("乙录入人") for r in recorders)
    else:
        page = text(r_big)
        assert page.count('<section class="card year"') == 30
        assert all(f"职务{i}" in page for i in range(30))
        assert len(set(re.findall(r"乙录入人\d+", page))) == 60
    assert n_big == n_small, f"{n_small} statements for 1 record of each kind, {n_big} for 30"
    # Includes the recusal query (the user's own record and declared relatives) and the
    # navigation's to-do count check (the audit chain's head); the page reads the official
    # with its units, posts and form-facts sheet in one statement, then each kind of
    # record once and the discipline section's findings and opinion.
    assert n_small <= (23 if url.startswith("/api/") else 14), n_small


@pytest.mark.parametrize("query", ["", "?q=干部", "?grade=competent&year=1995", "?unit_id={unit}"])
def test_officials_list_is_bounded(client, auth, make, query):
    city = factories.unit(name="测试市", kind="city")
    units = [factories.unit(name=f"区{i}", kind="county", parent=city) for i in range(8)]
    officials = []
    for i in range(40):
        o = factories.official(name=f"干部{i:02d}", unit_obj=units[i % 8],
                               birth=dt.date(1970, 1, 1) + dt.timedelta(days=i))
        factories.result(o, 1995, grade="competent")
        officials.append(o)
    factories.commit()
    auth.login()
    url = "/officials/" + query.format(unit=city.id)

    def count_with(n_visible: int) -> int:
        # Hide all but n_visible officials (soft delete), then count.
        for i, o in enumerate(officials):
            o.deleted_at = None if i < n_visible else dt.datetime(2020, 1, 1)
        factories.commit()
        n, response = _count(client, url)
        assert f"共 {n_visible} 人" in text(response)
        return n

    # More than a page each (20): a last page alone knows its total without a count.
    few, many = count_with(21), count_with(40)
    assert few == many, f"{few} statements for 21 officials, {many} for 40"
    assert count_with(5) < many  # one page: nothing counted
    assert many <= 13  # with the navigation's to-do count check and the saved searches


def test_api_list_is_bounded(client, auth, make):
    city = factories.unit(name="测试市", kind="city")
    for i in range(40):
        factories.official(name=f"干部{i:02d}", unit_obj=factories.unit(
            name=f"单位{i}", kind="department", parent=city),
            birth=dt.date(1970, 1, 1) + dt.timedelta(days=i))
    factories.commit()
    auth.login()
    few, r_few = _count(client, "/api/v1/officials?per_page=5")
    many, r_many = _count(client, "/api/v1/officials?per_page=40")
    assert len(r_few.get_json()["items"]) == 5 and len(r_many.get_json()["items"]) == 40
    assert len({i["unit_name"] for i in r_many.get_json()["items"]}) == 40
    assert few == many


def _principal(n_units: int, n_posts: int, group: str):
    """The principal leader of ``n_posts`` units of a group of ``n_units``, through the
    2017–2019 window, whose schemes are published with every unit's full year entered."""
    units = ua.units(n_units, kind=group, prefix=group[:2])
    o = factories.official(name=f"{group}书记", unit_obj=units[0])
    for i in range(n_posts):
        factories.post(o, units[i], start=dt.date(2016, 1, 1), principal=True,
                       title=f"党委书记{i}")
    for year in (2017, 2018, 2019):
        s = ua.scheme(year=year, group=group)
        for k, unit in enumerate(units):
            ua.fill(s, unit, 1.0 - 0.01 * k)
    return o


@pytest.mark.parametrize("kept", [False, True], ids=["ranked", "kept"])
def test_principal_leaders_dossier_is_bounded(make, kept):
    """A principal leader's snapshot runs as many statements for a group of 2 units and
    one post as for 12 units and 4 posts (each round is ranked once, its party-conduct
    deductions read in one query), whether the rankings are computed or kept from an
    earlier dossier (kaohe.unitassess.services.round_cache)."""
    small = _principal(2, 1, "county")
    big = _principal(12, 4, "department")
    factories.commit()

    def count(o) -> tuple[int, dict]:
        build_snapshot(o.id, AS_OF)  # warm-up
        if not kept:
            round_cache.clear()
        with statements() as seen:
            snap = build_snapshot(o.id, AS_OF)
        return len(seen), snap["unit_results"]

    n_small, sec_small = count(small)
    n_big, sec_big = count(big)
    assert [(r["year"], r["size"]) for r in sec_small["results"]] == [
        (2017, 2), (2018, 2), (2019, 2)]
    assert len(sec_big["results"]) == 12 and {r["size"] for r in sec_big["results"]} == {12}
    assert n_big == n_small, f"{n_small} statements for 2 units and 1 post, {n_big} for 12 and 4"


def test_a_batch_ranks_each_round_once(make, monkeypatch):
    """Dossiers of several principal leaders of one group, made as a batch: each published
    round is loaded once for the batch, not once per dossier and year."""
    units = ua.units(4, prefix="批")
    leaders = []
    for i, unit in enumerate(units):
        o = factories.official(name=f"批量书记{i}", unit_obj=unit)
        factories.post(o, unit, start=dt.date(2016, 1, 1), principal=True, title="区委书记")
        leaders.append(o.id)
    for year in (2017, 2018, 2019):
        s = ua.scheme(year=year)
        for unit in units:
            ua.fill(s, unit)
    round_cache.clear()
    loads = []
    real = data.load_round
    monkeypatch.setattr(data, "load_round", lambda s, r: loads.append((s.year, r)) or real(s, r))
    _pdf, made = dossier_services.generate_batch(leaders, AS_OF, workers=1)
    assert sorted(loads) == [(2017, "full"), (2018, "full"), (2019, "full")]
    assert all(len(d.snapshot["unit_results"]["results"]) == 3 for d in made)
