def test_login_and_profile(client, auth, make):
    u = make.unit(name="东城区")
    o = make.official(unit_obj=u)
    make.result(o, 2019, grade="excellent", score=92)
    make.commit()
    r = auth.login()
    assert r.status_code == 302
    page = client.get(f"/officials/{o.id}").get_data(as_text=True)
    assert "王建国" in page and "优秀" in page and "东城区" in page
