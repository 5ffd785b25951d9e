"""Supports ("me too") and comments over the API: one per person, counted once, moderated, never across tenants."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tests.integration.conftest import report_body

REPORTS = "/v1/tenants/kupang/reports"
INBOX = "/v1/tenants/kupang/me/notifications"


def _citizen(stack: Any, username: str) -> str:
    """Another signed-in citizen (the demo has two): a Cognito account with no tenant and no group."""
    from devstack.seed import DEMO_PASSWORD, DemoUser

    cognito = boto3.client("cognito-idp")
    pool = stack.resources.user_pool_id
    cognito.admin_create_user(UserPoolId=pool, Username=username, MessageAction="SUPPRESS", UserAttributes=[])
    cognito.admin_set_user_password(UserPoolId=pool, Username=username, Password=DEMO_PASSWORD, Permanent=True)
    stack.users[username] = DemoUser(username, DEMO_PASSWORD, "citizen", None, None)
    return username


def _report(stack: Any, user: str | None = "warga.ani", **overrides: Any) -> dict[str, Any]:
    response = stack.call("POST", REPORTS, report_body(**overrides), user=user)
    assert response.status_code == 201, response.json_body
    return response.json_body


def _support(stack: Any, report: dict[str, Any], user: str | None, method: str = "POST") -> Any:
    return stack.call(method, f"{REPORTS}/{report['id']}/supports", user=user)


def _count(stack: Any, report: dict[str, Any]) -> int:
    return stack.call("GET", f"{REPORTS}/{report['id']}").json_body["support_count"]


def _comment(stack: Any, report: dict[str, Any], user: str | None, text: Any = "Saya juga melihatnya",
             headers: dict[str, str] | None = None) -> Any:
    return stack.call("POST", f"{REPORTS}/{report['id']}/comments", {"text": text}, user=user, headers=headers)


def _comments(stack: Any, report: dict[str, Any], user: str | None = None, query: str = "") -> Any:
    return stack.call("GET", f"{REPORTS}/{report['id']}/comments{query}", user=user)


def _inbox(stack: Any, user: str, lang: str = "id") -> list[dict[str, Any]]:
    return stack.call("GET", INBOX, user=user, headers={"Accept-Language": lang}).json_body["items"]


# -- supports ---------------------------------------------------------------------------------


def test_a_citizen_supports_a_report_once_and_a_repeat_counts_nothing(stack):
    report = _report(stack)
    assert report["support_count"] == 0
    first = _support(stack, report, "warga.budi")
    assert first.status_code == 201
    assert first.json_body == {"report_id": report["id"], "tracking_code": report["tracking_code"],
                               "supported": True, "support_count": 1}
    again = _support(stack, report, "warga.budi")
    assert again.status_code == 200 and again.json_body["support_count"] == 1
    assert _count(stack, report) == 1  # the public view counts it
    listed = stack.call("GET", REPORTS).json_body["items"]
    assert next(r for r in listed if r["id"] == report["id"])["support_count"] == 1
    by_code = stack.call("POST", f"{REPORTS}/{report['tracking_code']}/supports", user=_citizen(stack, "warga.cici"))
    assert by_code.status_code == 201 and by_code.json_body["support_count"] == 2


def test_withdrawing_a_support_uncounts_it_and_withdrawing_again_changes_nothing(stack):
    report = _report(stack)
    _support(stack, report, "warga.budi")
    withdrawn = _support(stack, report, "warga.budi", "DELETE")
    assert withdrawn.status_code == 200
    assert withdrawn.json_body["supported"] is False and withdrawn.json_body["support_count"] == 0
    again = _support(stack, report, "warga.budi", "DELETE")
    assert again.status_code == 200 and again.json_body["support_count"] == 0
    assert _count(stack, report) == 0
    assert _support(stack, report, "warga.budi").status_code == 201  # supporting again counts again
    assert _count(stack, report) == 1


def test_only_a_signed_in_citizen_supports_and_never_their_own_report(stack):
    report = _report(stack)
    assert _support(stack, report, None).status_code == 401
    for staff in ("admin.kupang", "supervisor.kupang", "petugas.kupang.dlh"):
        response = _support(stack, report, staff)
        assert response.status_code == 403 and response.json_body["code"] == "forbidden", staff
    own = _support(stack, report, "warga.ani")
    assert own.status_code == 409 and own.json_body["code"] == "support_own_report"
    assert _count(stack, report) == 0


def test_a_finished_report_takes_no_new_support_but_a_repeat_is_still_a_repeat(stack):
    report = _report(stack)
    assert _support(stack, report, "warga.budi").status_code == 201
    rejected = stack.call("POST", f"{REPORTS}/{report['id']}/transitions", {"action": "reject", "reason": "spam"},
                          user="admin.kupang")
    assert rejected.status_code == 200
    late = _support(stack, report, _citizen(stack, "warga.cici"))
    assert late.status_code == 409 and late.json_body["code"] == "report_finished"
    assert _support(stack, report, "warga.budi").status_code == 200
    assert _count(stack, report) == 1


def test_a_transition_after_a_support_keeps_the_count(stack):
    report = _report(stack)
    _support(stack, report, "warga.budi")
    # The transition saves the whole report: the count it writes back is the one the support left.
    verified = stack.call("POST", f"{REPORTS}/{report['id']}/transitions", {"action": "verify"}, user="admin.kupang")
    assert verified.status_code == 200 and verified.json_body["support_count"] == 1
    assert _count(stack, report) == 1


def test_staff_queues_show_how_many_people_support_a_report(stack):
    report = _report(stack)
    _support(stack, report, "warga.budi")
    inbox = stack.call("GET", "/v1/tenants/kupang/inbox", user="admin.kupang").json_body["items"]
    assert next(r for r in inbox if r["id"] == report["id"])["support_count"] == 1
    stack.call("POST", f"{REPORTS}/{report['id']}/transitions", {"action": "verify"}, user="admin.kupang")
    _support(stack, report, _citizen(stack, "warga.cici"))
    unit = stack.call("GET", "/v1/tenants/kupang/agencies/DLH/reports", user="petugas.kupang.dlh").json_body["items"]
    assert next(r for r in unit if r["id"] == report["id"])["support_count"] == 2


def test_a_confidential_report_takes_no_support_or_comment_and_stays_hidden(stack):
    secret = _report(stack, privacy="confidential")
    for method, route in (("POST", "supports"), ("DELETE", "supports"), ("GET", "comments"), ("POST", "comments")):
        response = stack.call(method, f"{REPORTS}/{secret['id']}/{route}", {"text": "x"}, user="warga.budi")
        assert response.status_code == 404 and response.json_body["code"] == "report_not_found", (method, route)
    assert _comments(stack, secret).status_code == 404  # nor to anyone without a sign-in
    for route in ("supports", "comments"):
        refused = stack.call("POST", f"{REPORTS}/{secret['id']}/{route}", {"text": "x"}, user="warga.ani")
        assert refused.status_code == 409 and refused.json_body["code"] in ("report_not_public", "support_own_report")
    refused = _comment(stack, secret, "warga.ani")
    assert refused.status_code == 409 and refused.json_body["code"] == "report_not_public"
    assert _comments(stack, secret, "admin.kupang").json_body == {"items": [], "next_cursor": None}


def test_an_anonymous_report_is_supported_and_commented_without_naming_its_reporter(stack):
    report = _report(stack, user="warga.ani", privacy="anonymous")
    assert _support(stack, report, "warga.budi").status_code == 201
    assert _comment(stack, report, "warga.ani", "Masih menumpuk hari ini").status_code == 201
    staff_view = _comments(stack, report, "admin.kupang").json_body["items"][0]
    assert staff_view["author"] is None and staff_view["by_reporter"] is False  # hidden from staff too
    assert stack.sub("warga.ani") not in str(_comments(stack, report).json_body)


def _recording_stream(stack: Any) -> list[dict[str, Any]]:
    """Drain the stream through a handler that keeps each batch, so a test can deliver one again."""
    import app as lambda_app
    from devstack.pollers import StreamPoller

    batches: list[dict[str, Any]] = []

    def handler(event: dict[str, Any], context: Any) -> Any:
        batches.append(event)
        return lambda_app.on_report_change(event, context)

    stack._stream = StreamPoller(stack.resources.report_stream_arn, handler)
    return batches


def test_a_duplicate_s_supporters_move_to_the_original_once_even_when_the_stream_delivers_twice(stack):
    import app as lambda_app

    batches = _recording_stream(stack)
    cici, dodi = _citizen(stack, "warga.cici"), _citizen(stack, "warga.dodi")
    original = _report(stack, user="warga.ani")
    duplicate = _report(stack, user="warga.budi")
    for user in (cici, dodi, "warga.ani"):  # ani filed the original: her support there would be her own
        assert _support(stack, duplicate, user).status_code == 201
    assert _support(stack, original, dodi).status_code == 201  # dodi supports both: counts once
    assert (_count(stack, original), _count(stack, duplicate)) == (1, 3)
    stack.drain_stream()
    batches.clear()

    rejected = stack.call("POST", f"{REPORTS}/{duplicate['id']}/transitions",
                          {"action": "reject", "reason": "duplicate", "duplicate_of": original["tracking_code"]},
                          user="admin.kupang")
    assert rejected.status_code == 200
    assert _count(stack, duplicate) == 3  # the request moves nobody: the stream does
    stack.drain_stream()
    stack.drain_notifications()
    assert (_count(stack, original), _count(stack, duplicate)) == (2, 0)
    assert _support(stack, original, cici).status_code == 200  # cici's support now lives on the original
    assert _support(stack, original, "warga.ani").json_body["code"] == "support_own_report"

    merged = [n for n in _inbox(stack, "warga.budi") if n["type"] == "report.merged"]
    assert len(merged) == 1
    assert merged[0]["report_id"] == duplicate["id"] and original["tracking_code"] in merged[0]["title"]
    assert original["tracking_code"] in merged[0]["body"] and stack.sub("warga.budi") not in merged[0]["body"]
    english = next(n for n in _inbox(stack, "warga.budi", "en") if n["type"] == "report.merged")
    assert english["title"].startswith("Report ")

    # Lambda redelivers the batch that carried the merge (as after a timeout): nothing changes.
    merge_batches = [b for b in batches if any((r["dynamodb"].get("NewImage") or {}).get("status", {}).get("S")
                                               == "rejected" for r in b["Records"])]
    assert merge_batches
    usage_before = stack.call("GET", "/v1/tenants/kupang/usage", user="admin.kupang").json_body["counters"]
    for batch in merge_batches:
        assert lambda_app.on_report_change(batch, None) == {"batchItemFailures": []}
    stack.drain_stream()
    stack.drain_notifications()
    assert (_count(stack, original), _count(stack, duplicate)) == (2, 0)
    assert len([n for n in _inbox(stack, "warga.budi") if n["type"] == "report.merged"]) == 1
    usage_after = stack.call("GET", "/v1/tenants/kupang/usage", user="admin.kupang").json_body["counters"]
    assert usage_after["notifications_inbox"] == usage_before["notifications_inbox"]


def test_an_anonymous_duplicate_s_reporter_is_told_through_the_receipt(stack):
    original = _report(stack, user="warga.ani")
    duplicate = _report(stack, user=None)
    stack.call("POST", f"{REPORTS}/{duplicate['id']}/transitions",
               {"action": "reject", "reason": "duplicate", "duplicate_of": original["id"]}, user="admin.kupang")
    stack.drain_stream()
    items = stack.call("GET", INBOX, headers={"X-Report-Receipt": duplicate["receipt"]}).json_body["items"]
    merged = [n for n in items if n["type"] == "report.merged"]
    assert len(merged) == 1 and original["tracking_code"] in merged[0]["body"]


# -- comments ---------------------------------------------------------------------------------


def test_comments_are_listed_oldest_first_and_paged_by_an_opaque_cursor(stack):
    report = _report(stack)
    for user, text in (("warga.budi", "Pertama"), ("warga.ani", "Kedua"), ("warga.budi", "Ketiga")):
        created = _comment(stack, report, user, text)
        assert created.status_code == 201, created.json_body
        assert created.json_body["text"] == text and created.json_body["mine"] is True
    first = _comments(stack, report, query="?limit=2").json_body
    assert [c["text"] for c in first["items"]] == ["Pertama", "Kedua"]
    assert first["items"][1]["by_reporter"] is True and first["items"][0]["by_reporter"] is False
    assert all("author" not in c for c in first["items"])  # the public never learns who
    second = _comments(stack, report, query=f"?limit=2&cursor={first['next_cursor']}").json_body
    assert [c["text"] for c in second["items"]] == ["Ketiga"] and second["next_cursor"] is None
    mine = _comments(stack, report, "warga.budi").json_body["items"]
    assert [c["mine"] for c in mine] == [True, False, True]
    bad = _comments(stack, report, query="?cursor=bm90LWEtY3Vyc29y")
    assert bad.status_code == 400 and bad.json_body["code"] == "invalid_cursor"


def test_comment_text_is_checked_and_a_bad_one_writes_nothing(stack):
    report = _report(stack)
    for body in ({"text": ""}, {"text": "   "}, {"text": "x" * 1001}, {"text": 12}, {}, {"text": "a", "extra": 1},
                 {"text": "ok\x00"}, []):
        response = stack.call("POST", f"{REPORTS}/{report['id']}/comments", body, user="warga.budi")
        assert response.status_code == 422, (body, response.json_body)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert stack.call("POST", f"{REPORTS}/{report['id']}/comments", raw=b"{", user="warga.budi").status_code == 400
    assert _comment(stack, report, None).status_code == 401
    assert _comment(stack, report, "petugas.kupang.dlh").status_code == 403
    assert _comments(stack, report).json_body["items"] == []
    assert _comment(stack, report, "warga.budi", "  Sampah belum diangkut  ").json_body["text"] == \
        "Sampah belum diangkut"


def test_a_retried_comment_with_the_same_idempotency_key_is_one_comment(stack):
    report = _report(stack)
    key = {"Idempotency-Key": "komentar-1"}
    first = _comment(stack, report, "warga.budi", "Sekali saja", headers=key)
    again = _comment(stack, report, "warga.budi", "Sekali saja", headers=key)
    assert first.status_code == again.status_code == 201 and first.json_body == again.json_body
    other = _comment(stack, report, "warga.budi", "Isi lain", headers=key)
    assert other.status_code == 422 and other.json_body["code"] == "idempotency_key_reused"
    assert len(_comments(stack, report).json_body["items"]) == 1


def test_staff_hide_a_comment_and_its_author_is_told_why(stack):
    report = _report(stack)
    stack.call("POST", f"{REPORTS}/{report['id']}/transitions", {"action": "verify"}, user="admin.kupang")
    rude = _comment(stack, report, "warga.budi", "Kata-kata kasar").json_body
    _comment(stack, report, "warga.ani", "Terima kasih petugas")
    hide = f"{REPORTS}/{report['id']}/comments/{rude['id']}/hide"
    assert stack.call("POST", hide, {"reason": "offensive"}, user="warga.ani").status_code == 403
    assert stack.call("POST", hide, {"reason": "offensive"}, user="petugas.kupang.pupr").status_code == 403
    assert stack.call("POST", hide, {"reason": "rude"}, user="supervisor.kupang").status_code == 422
    ghost = f"{REPORTS}/{report['id']}/comments/01JZZZZZZZZZZZZZZZZZZZZZZZ/hide"
    assert stack.call("POST", ghost, {"reason": "spam"}, user="supervisor.kupang").status_code == 404

    hidden = stack.call("POST", hide, {"reason": "offensive", "note": "Menghina petugas bernama X"},
                        user="petugas.kupang.dlh")
    assert hidden.status_code == 200, hidden.json_body
    assert hidden.json_body["hidden"] is True and hidden.json_body["hidden_reason"] == "offensive"
    assert [c["text"] for c in _comments(stack, report).json_body["items"]] == ["Terima kasih petugas"]
    assert [c["text"] for c in _comments(stack, report, "warga.budi").json_body["items"]] == ["Terima kasih petugas"]
    staff = _comments(stack, report, "admin.kupang").json_body["items"]
    assert [(c["text"], c["hidden"]) for c in staff] == [("Kata-kata kasar", True), ("Terima kasih petugas", False)]
    assert staff[0]["author"] == stack.sub("warga.budi") and staff[0]["hidden_note"] == "Menghina petugas bernama X"

    again = stack.call("POST", hide, {"reason": "spam"}, user="supervisor.kupang")
    assert again.status_code == 200 and again.json_body["hidden_reason"] == "offensive"  # the first decision stands
    notices = [n for n in _inbox(stack, "warga.budi") if n["type"] == "comment.hidden"]
    assert len(notices) == 1
    assert report["tracking_code"] in notices[0]["title"] and "bahasa kasar" in notices[0]["body"]
    assert "bernama X" not in notices[0]["body"]  # the moderator's note stays with staff
    english = next(n for n in _inbox(stack, "warga.budi", "en") if n["type"] == "comment.hidden")
    assert "offensive" in english["body"]
    assert not [n for n in _inbox(stack, "warga.ani") if n["type"] == "comment.hidden"]


def test_over_ten_comments_an_hour_a_citizen_gets_429_with_retry_after_and_others_do_not(stack):
    report = _report(stack)
    for n in range(10):
        assert _comment(stack, report, "warga.budi", f"Komentar {n}").status_code == 201
    over = _comment(stack, report, "warga.budi", "Kesebelas")
    assert over.status_code == 429 and over.json_body["code"] == "comment_rate_limited"
    assert 1 <= int(over.headers["retry-after"]) <= 3600
    assert len(_comments(stack, report, query="?limit=100").json_body["items"]) == 10  # the refused one is not there
    assert _comment(stack, report, "warga.ani", "Saya masih bisa").status_code == 201
    karo = stack.call("POST", "/v1/tenants/karo/reports",
                      report_body(location={"lat": 3.1, "lon": 98.5}), user="warga.ani").json_body
    assert stack.call("POST", f"/v1/tenants/karo/reports/{karo['id']}/comments", {"text": "Di Karo"},
                      user="warga.budi").status_code == 201  # the limit is per tenant


def test_comments_count_as_nothing_billable(stack):
    report = _report(stack)
    before = stack.call("GET", "/v1/tenants/kupang/usage", user="admin.kupang").json_body["counters"]
    _comment(stack, report, "warga.budi")
    _support(stack, report, "warga.budi")
    after = stack.call("GET", "/v1/tenants/kupang/usage", user="admin.kupang").json_body["counters"]
    assert after == before


def test_another_tenant_never_sees_or_touches_a_report_s_supports_and_comments(stack):
    report = _report(stack)
    _comment(stack, report, "warga.budi", "Komentar Kupang rahasia-tidak")
    for method, route in (("GET", "comments"), ("POST", "comments"), ("POST", "supports"), ("DELETE", "supports")):
        response = stack.call(method, f"/v1/tenants/karo/reports/{report['id']}/{route}", {"text": "x"},
                              user="warga.budi")
        assert response.status_code == 404, (method, route)
        assert "Kupang" not in response.body.decode()
    hide = f"/v1/tenants/karo/reports/{report['id']}/comments/01JZZZZZZZZZZZZZZZZZZZZZZZ/hide"
    assert stack.call("POST", hide, {"reason": "spam"}, user="admin.karo").status_code == 404
    assert _count(stack, report) == 0


def test_a_report_loaded_before_a_support_cannot_be_saved_over_its_count(stack):
    from chalicelib.store import reports as store

    report = _report(stack)
    loaded = store.get("kupang", report["id"])
    assert _support(stack, report, "warga.budi").status_code == 201
    loaded.address = "Jl. lain"
    with pytest.raises(store.StaleWrite):
        store.save(loaded)  # the support bumped the version: a stale whole-item save is refused
    assert _count(stack, report) == 1
