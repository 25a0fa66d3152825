"""A finding costs the unit of the post its official held on the finding date as the
posts read now: a post recorded or corrected after the finding moves its deduction
(it stayed with the unit the posts said when the finding was saved)."""
from __future__ import annotations

import datetime as dt

import pytest

from kaohe.discipline import services
from kaohe.discipline.services import party_conduct_deductions_of
from kaohe.extensions import db
from kaohe.officials.models import Post
from kaohe.unitassess.services import data, round_cache
from kaohe.unitassess.services.official import unit_results_for_official
from tests import discipline_support as ds
from tests import ua_helpers as h

D = dt.date
YEAR = (D(2023, 1, 1), D(2023, 12, 31))


def charged(units) -> dict[int, int]:
    items = party_conduct_deductions_of([u.id for u in units], *YEAR)
    return {i.finding_id: i.unit_id for i in items}


@pytest.mark.parametrize("moved_on, to_b", [
    (D(2023, 2, 1), True),   # the new post begins on the finding date
    (D(2023, 2, 2), False),  # the day after: still the old post's
])
def test_post_recorded_after_the_finding_moves_its_deduction(make, moved_on, to_b):
    a, b = make.unit(name="东城区", kind="county"), make.unit(name="西城区", kind="county")
    o = make.official(name="周科长", unit_obj=a)
    old = make.post(o, a, start=D(2016, 1, 1), title="区长", principal=True)
    f = ds.finding(o, source="media", found=D(2023, 2, 1), decided=D(2023, 3, 1), details="")
    assert charged([a, b]) == {f.id: a.id}
    # The move is recorded afterwards: the old post ended the day before.
    old.end_date = moved_on - dt.timedelta(days=1)
    make.post(o, b, start=moved_on, title="区长", principal=True)
    db.session.flush()
    assert charged([a, b]) == {f.id: b.id if to_b else a.id}
    assert services.attributed_unit_id(o, D(2023, 2, 1)) == (b.id if to_b else a.id)


def test_deleted_post_no_longer_attributes(make):
    a, b = make.unit(name="东城区", kind="county"), make.unit(name="西城区", kind="county")
    o = make.official(name="周科长", unit_obj=b)
    wrong = make.post(o, a, start=D(2016, 1, 1), title="区长", principal=True)
    f = ds.finding(o, source="media", found=D(2023, 2, 1), decided=D(2023, 3, 1), details="")
    assert charged([a, b]) == {f.id: a.id}
    wrong.soft_delete()
    db.session.flush()
    assert charged([a, b]) == {f.id: b.id}  # no post that day: the official's unit


def test_ranking_follows_the_corrected_post(make):
    s = h.scheme()
    a, b = h.units(2)
    h.fill(s, a)
    h.fill(s, b)
    o = make.official(name="周科长", unit_obj=a)
    old = make.post(o, a, start=D(2016, 1, 1), title="区长", principal=True)
    ds.finding(o, source="media", found=D(2023, 2, 1), decided=D(2023, 3, 1), details="")
    make.commit()

    def deductions():
        rr = data.load_round(s, "full")
        return {u.id: rr.row_for(u.id).score.deduction for u in (a, b)}

    assert deductions()[a.id] > 0 and deductions()[b.id] == 0
    old.end_date = D(2023, 1, 31)
    make.post(o, b, start=D(2023, 2, 1), title="区长", principal=True)
    make.commit()
    assert deductions()[a.id] == 0 and deductions()[b.id] > 0


def test_a_kept_ranking_follows_a_post_recorded_since(make):
    """The dossiers' kept rankings (round_cache) watch the posts: a post recorded after
    the finding moves the deduction there too."""
    round_cache.clear()
    s = h.scheme()
    a, b = h.units(2)
    h.fill(s, a)
    h.fill(s, b)
    leader = make.official(name="书记", unit_obj=b)
    make.post(leader, b, start=D(2016, 1, 1), principal=True, title="区委书记")
    o = make.official(name="周科长", unit_obj=a)
    old = make.post(o, a, start=D(2016, 1, 1), title="科长")
    ds.finding(o, source="media", found=D(2023, 2, 1), decided=D(2023, 3, 1), details="")
    make.commit()

    def lines():
        [r] = unit_results_for_official(leader.id, [2023])
        return len(r["deduction_lines"])

    assert lines() == 0 and lines() == 0
    old.end_date = D(2023, 1, 31)
    make.post(o, b, start=D(2023, 2, 1), title="科长")
    make.commit()
    assert lines() == 1
