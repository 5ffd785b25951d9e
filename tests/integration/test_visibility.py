"""Who sees what: the public feed, confidential and anonymous reports, tenants kept apart."""

from __future__ import annotations

from tests.integration.conftest import report_body

REPORTS = "/v1/tenants/kupang/reports"


def _ids(response):
    return [item["id"] for item in response.json_body["items"]]


def test_a_confidential_report_never_appears_in_the_public_list(stack):
    public = stack.call("POST", REPORTS, report_body(), user="warga.ani").json_body
    secret = stack.call("POST", REPORTS, report_body(privacy="confidential"), user="warga.ani").json_body
    sensitive = stack.call("POST", REPORTS, report_body(category="misconduct")).json_body
    listed = _ids(stack.call("GET", REPORTS))
    assert public["id"] in listed
    assert secret["id"] not in listed and sensitive["id"] not in listed
    by_category = _ids(stack.call("GET", f"{REPORTS}?category=misconduct"))
    assert by_category == []
    by_status = _ids(stack.call("GET", f"{REPORTS}?status=submitted"))
    assert secret["id"] not in by_status


def test_a_confidential_report_is_a_404_to_strangers_and_other_units(stack):
    report = stack.call("POST", REPORTS, report_body(category="misconduct", description="Pungli"),
                        user="warga.ani").json_body
    path = f"{REPORTS}/{report['id']}"
    assert stack.call("GET", path).status_code == 404
    assert stack.call("GET", path, user="warga.budi").status_code == 404
    assert stack.call("GET", path, user="petugas.kupang.dlh").status_code == 404
    assert stack.call("GET", path, user="admin.karo").status_code == 404
    not_found = stack.call("GET", path)
    assert not_found.json_body["code"] == "report_not_found"


def test_the_reporter_and_the_tenant_desk_see_a_confidential_report_in_full(stack):
    report = stack.call("POST", REPORTS, report_body(privacy="confidential"), user="warga.ani").json_body
    path = f"{REPORTS}/{report['id']}"
    assert stack.call("GET", path, user="warga.ani").json_body["view"] == "full"
    desk = stack.call("GET", path, user="admin.kupang").json_body
    assert desk["view"] == "full"
    assert desk["reporter"] is not None


def test_an_officer_sees_reports_of_their_own_unit_in_full(stack):
    report = stack.call("POST", REPORTS, report_body(), user="warga.ani").json_body
    path = f"{REPORTS}/{report['id']}"
    assert stack.call("GET", path, user="petugas.kupang.dlh").json_body["view"] == "full"
    road = stack.call("POST", REPORTS, report_body(category="road_damage"), user="warga.ani").json_body
    assert stack.call("GET", f"{REPORTS}/{road['id']}", user="petugas.kupang.dlh").json_body["view"] == "public"


def test_an_anonymous_reporter_is_hidden_from_everyone_even_staff(stack):
    report = stack.call("POST", REPORTS, report_body(privacy="anonymous"), user="warga.ani").json_body
    path = f"{REPORTS}/{report['id']}"
    assert report["id"] in _ids(stack.call("GET", REPORTS))
    desk = stack.call("GET", path, user="admin.kupang").json_body
    assert desk["view"] == "full" and desk["reporter"] is None
    public = stack.call("GET", path).json_body
    assert "reporter" not in public
    listed = stack.call("GET", REPORTS).json_body["items"][0]
    assert "reporter" not in listed


def test_the_public_view_never_carries_the_reporter_or_the_receipt(stack):
    report = stack.call("POST", REPORTS, report_body(), user="warga.ani").json_body
    public = stack.call("GET", f"{REPORTS}/{report['id']}").json_body
    assert public["view"] == "public"
    assert "reporter" not in public and "receipt" not in public
    assert "receipt_hash" not in str(public)


def test_a_report_of_another_tenant_is_not_found(stack):
    report = stack.call("POST", REPORTS, report_body(), user="warga.ani").json_body
    assert stack.call("GET", f"/v1/tenants/karo/reports/{report['id']}").status_code == 404
    assert stack.call("GET", f"/v1/tenants/karo/reports/{report['tracking_code']}").status_code == 404
    assert report["id"] not in _ids(stack.call("GET", "/v1/tenants/karo/reports"))
    # Staff of another tenant get nothing more than the public.
    assert stack.call("GET", f"{REPORTS}/{report['id']}", user="admin.karo").json_body["view"] == "public"


def test_the_public_list_is_newest_first_and_pages_by_cursor_without_gaps(stack):
    created = [stack.call("POST", REPORTS, report_body(description=f"laporan {i}")).json_body["id"]
               for i in range(7)]
    seen, cursor, pages = [], None, 0
    while True:
        query = f"{REPORTS}?limit=3" + (f"&cursor={cursor}" if cursor else "")
        body = stack.call("GET", query).json_body
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        pages += 1
        if not cursor:
            break
    assert seen == list(reversed(created))
    assert pages == 3


def test_the_public_list_filters_by_category_and_status(stack):
    garbage = stack.call("POST", REPORTS, report_body()).json_body["id"]
    road = stack.call("POST", REPORTS, report_body(category="road_damage")).json_body["id"]
    assert _ids(stack.call("GET", f"{REPORTS}?category=road_damage")) == [road]
    assert _ids(stack.call("GET", f"{REPORTS}?category=garbage&status=submitted")) == [garbage]
    assert _ids(stack.call("GET", f"{REPORTS}?status=resolved")) == []
    unknown = stack.call("GET", f"{REPORTS}?category=unicorns")
    assert unknown.status_code == 404
    assert unknown.json_body["code"] == "category_not_found"


def test_a_bad_cursor_or_limit_is_a_400_problem(stack):
    for query in ("cursor=not-a-cursor", "cursor=eyJhZnRlciI6ICIuLi8uLiJ9", "limit=0", "limit=1000", "limit=ten",
                  "status=lost"):
        response = stack.call("GET", f"{REPORTS}?{query}")
        assert response.status_code == 400, query
        assert response.headers["content-type"].startswith("application/problem+json")
        if "cursor" not in query:
            assert response.json_body["errors"][0]["field"] == query.split("=")[0]
            assert response.json_body["errors"][0]["message"]


def test_my_reports_need_a_sign_in_and_list_only_mine_in_that_tenant(stack):
    assert stack.call("GET", "/v1/tenants/kupang/me/reports").status_code == 401
    mine = stack.call("POST", REPORTS, report_body(privacy="confidential"), user="warga.ani").json_body["id"]
    stack.call("POST", REPORTS, report_body(), user="warga.budi")
    stack.call("POST", REPORTS, report_body())
    karo = report_body(location={"lat": 3.1003, "lon": 98.4917})
    stack.call("POST", "/v1/tenants/karo/reports", karo, user="warga.ani")
    listed = stack.call("GET", "/v1/tenants/kupang/me/reports", user="warga.ani").json_body
    assert [item["id"] for item in listed["items"]] == [mine]
    assert listed["items"][0]["view"] == "full"
    assert listed["next_cursor"] is None
