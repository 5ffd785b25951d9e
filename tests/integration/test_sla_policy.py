"""A tenant's SLA policy over the API, and the deadlines new reports get from it."""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib import clock
from tests.integration.conftest import report_body

POLICY = "/v1/tenants/kupang/sla-policy"


def test_the_desk_reads_the_national_defaults(stack):
    response = stack.call("GET", POLICY, user="admin.kupang")
    assert response.status_code == 200
    policy = response.json_body
    assert policy["defaults"]["verification"] == {"working_days": 3}
    assert policy["defaults"]["first_response"] == {"working_days": 5}
    assert policy["categories"]["fire"]["resolution"] == {"duration": "PT6H"}


def test_only_the_tenants_desk_reads_or_replaces_the_policy(stack):
    policy = stack.call("GET", POLICY, user="admin.kupang").json_body
    for user, status in (("petugas.kupang.dlh", 403), ("supervisor.kupang", 403), ("admin.karo", 403),
                         ("warga.ani", 403), (None, 401)):
        assert stack.call("GET", POLICY, user=user).status_code == status, user
        assert stack.call("PUT", POLICY, policy, user=user).status_code == status, user


def test_a_replaced_policy_sets_the_deadline_of_new_reports(stack):
    policy = stack.call("GET", POLICY, user="admin.kupang").json_body
    policy["categories"]["garbage"] = {"verification": {"duration": "PT5S"}}
    response = stack.call("PUT", POLICY, policy, user="admin.kupang")
    assert response.status_code == 200, response.json_body
    assert stack.call("GET", POLICY, user="admin.kupang").json_body["categories"]["garbage"] == \
        {"verification": {"duration": "PT5S"}}
    before = clock.now()
    report = stack.call("POST", "/v1/tenants/kupang/reports", report_body(), user="warga.ani").json_body
    due = datetime.fromisoformat(report["due_at"].replace("Z", "+00:00"))
    assert before + timedelta(seconds=4) <= due <= clock.now() + timedelta(seconds=6)


def test_an_invalid_policy_is_refused_whole_and_changes_nothing(stack):
    policy = stack.call("GET", POLICY, user="admin.kupang").json_body
    broken = dict(policy, categories={"garbage": {"resolution": {"working_days": -1}}, "nope": {}})
    response = stack.call("PUT", POLICY, broken, user="admin.kupang", headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    fields = {e["field"] for e in response.json_body["errors"]}
    assert "categories.nope" in fields and any(f.startswith("categories.garbage") for f in fields)
    assert stack.call("GET", POLICY, user="admin.kupang").json_body == policy
