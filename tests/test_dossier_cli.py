"""flask dossier / flask dossier-batch."""
from __future__ import annotations

from sqlalchemy import func, select

from kaohe.dossier.models import Dossier
from kaohe.extensions import db
from tests.dossier_support import D, flat, page_texts, reader, rich_official


def count() -> int:
    return db.session.scalar(select(func.count(Dossier.id)))


def test_dossier_command_writes_the_pdf(runner, make, tmp_path):
    o = rich_official()
    make.commit()
    out = tmp_path / "w.pdf"
    result = runner.invoke(args=["dossier", str(o.id), "--as-of", "2020-04-10", "-o", str(out)])
    assert result.exit_code == 0, result.output
    d = db.session.scalars(select(Dossier)).one()
    assert out.read_bytes() == d.pdf and d.created_by_id is None
    assert d.snapshot["dossier"]["generated_by"] == "命令行"
    assert f"已生成考评材料 {d.number}（王建国，" in result.output and d.sha256 in result.output
    assert "2019基本称职" in flat("".join(page_texts(out.read_bytes())))


def test_dossier_command_bad_input_leaves_no_file(runner, make, tmp_path):
    o = rich_official()
    make.commit()
    cases = [
        (["dossier", "987654"], "干部不存在（编号 987654）。"),
        (["dossier", str(o.id), "--as-of", "2999-01-01"], "材料截止日期不能晚于今天"),
        (["dossier", str(o.id), "--as-of", "2001-01-01"], "早于该干部最早的记录"),
        (["dossier", str(o.id), "--as-of", "2020-02-30"], "日期格式不正确"),
    ]
    for args, message in cases:
        out = tmp_path / "x.pdf"
        result = runner.invoke(args=args + ["-o", str(out)])
        assert result.exit_code != 0 and message in result.output, result.output
        assert not out.exists()
    assert count() == 0
    assert list(tmp_path.iterdir()) == []


def test_batch_merges_with_a_bookmark_per_official(runner, make, tmp_path):
    a = rich_official(name="甲干部")
    b = make.official(name="乙干部", unit_obj=make.unit(name="西城区"))
    make.result(b, 2019, "excellent", score=96)
    c = make.official(name="阿依古丽·买买提")
    make.review(c, date=D(2019, 6, 1))
    make.commit()
    out = tmp_path / "all.pdf"
    result = runner.invoke(args=["dossier-batch", str(a.id), str(b.id), str(c.id),
                                 "--as-of", "2020-04-10", "-o", str(out), "--workers", "2"])
    assert result.exit_code == 0, result.output
    made = db.session.scalars(select(Dossier).order_by(Dossier.number)).all()
    assert [d.official_id for d in made] == [a.id, b.id, c.id]
    numbers = [int(d.number[-6:]) for d in made]
    assert numbers == list(range(numbers[0], numbers[0] + 3))
    merged = reader(out.read_bytes())
    assert len(merged.pages) == sum(len(reader(d.pdf).pages) for d in made)
    outline = merged.outline
    tops = [item for item in outline if not isinstance(item, list)]
    assert [t["/Title"] for t in tops] == [f"{d.snapshot['official']['name']}（{d.number}）"
                                            for d in made]
    assert [merged.get_destination_page_number(t) for t in tops] == [
        0, len(reader(made[0].pdf).pages), len(reader(made[0].pdf).pages)
        + len(reader(made[1].pdf).pages)]
    assert [s["/Title"] for s in outline[1]][:2] == ["封面", "一、基本情况"]  # nested sections
    first_of_b = merged.pages[len(reader(made[0].pdf).pages)].extract_text()
    assert "乙干部" in first_of_b and "第 1 页 共" in first_of_b
    assert "已生成 3 份考评材料" in result.output and "生成考评材料" in result.output  # tqdm bar


def test_batch_of_a_unit_skips_officials_without_records(runner, make, tmp_path):
    city = make.unit(name="江州市", kind="city", code="CITY")
    district = make.unit(name="南城区", parent=city, code="NANCHENG")
    a = make.official(name="有记录", unit_obj=district)
    make.result(a, 2019, "competent")
    empty = make.official(name="无记录", unit_obj=district)
    make.commit()
    out = tmp_path / "u.pdf"
    result = runner.invoke(args=["dossier-batch", "--all-in-unit", "CITY", "--as-of",
                                 "2020-04-10", "-o", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert f"跳过 1 名尚无任何记录的干部（编号 {empty.id}）" in result.output
    assert [d.official_id for d in db.session.scalars(select(Dossier))] == [a.id]
    assert [t["/Title"] for t in reader(out.read_bytes()).outline if isinstance(t, dict)][0] \
        .startswith("有记录（KH-")


def test_batch_refuses_bad_requests(runner, make, tmp_path):
    a = rich_official()
    make.commit()
    out = tmp_path / "b.pdf"
    for args, message in [
        (["dossier-batch", "-o", str(out)], "二者选一"),
        (["dossier-batch", str(a.id), "--all-in-unit", "X", "-o", str(out)], "二者选一"),
        (["dossier-batch", "--all-in-unit", "NOPE", "-o", str(out)], "单位不存在：NOPE"),
        (["dossier-batch", str(a.id), "987654", "-o", str(out)], "干部不存在（编号 987654）"),
    ]:
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and message in result.output, result.output
    assert not out.exists() and count() == 0
