"""The report workflow over the API: who may do what, from which status, and what it leaves behind."""

from __future__ import annotations

import threading

from tests.integration.conftest import KUPANG, report_body
from tests.integration.journeys import processed_photo

REPORTS = "/v1/tenants/kupang/reports"


def _submit(stack, user="warga.ani", **overrides):
    response = stack.call("POST", REPORTS, report_body(**overrides), user=user)
    assert response.status_code == 201, response.json_body
    return response.json_body


def _act(stack, report, user=None, headers=None, **body):
    return stack.call("POST", f"{REPORTS}/{report['id']}/transitions", body, user=user, headers=headers)


def _ok(stack, report, user=None, headers=None, **body):
    response = _act(stack, report, user, headers, **body)
    assert response.status_code == 200, response.json_body
    return response.json_body


def _dispatched(stack, **overrides):
    report = _submit(stack, **overrides)
    return _ok(stack, report, "admin.kupang", action="verify")


def test_the_common_path_from_submission_to_a_rated_closure(stack):
    report = _submit(stack)
    assert report["status"] == "submitted" and report["agency"] == "DLH"
    assert report["stage"] == "verification" and report["due_at"].endswith("Z")

    report = _ok(stack, report, "admin.kupang", action="verify", note="Sudah dicek, foto jelas")
    assert report["status"] == "dispatched" and report["stage"] == "first_response"
    report = _ok(stack, report, "petugas.kupang.dlh", action="acknowledge", note="Tim kebersihan dijadwalkan besok")
    assert report["status"] == "acknowledged" and report["stage"] == "resolution"
    photo = processed_photo(stack, report, "petugas.kupang.dlh")
    report = _ok(stack, report, "petugas.kupang.dlh", action="resolve", note="Sampah sudah diangkut",
                 photo_ids=[photo])
    assert report["status"] == "resolved" and report["stage"] == "auto_close" and report["resolved_at"]
    assert [p["kind"] for p in report["photos"]] == ["after"]
    report = _ok(stack, report, "warga.ani", action="confirm", rating=5)
    assert report["status"] == "closed" and report["rating"] == 5 and report["stage"] is None
    assert report["actions"] == []

    history = stack.call("GET", f"{REPORTS}/{report['id']}/history", user="admin.kupang").json_body["items"]
    assert [(e["action"], e["from"], e["to"]) for e in history] == [
        ("submit", None, "submitted"), ("verify", "submitted", "dispatched"),
        ("acknowledge", "dispatched", "acknowledged"), ("resolve", "acknowledged", "resolved"),
        ("confirm", "resolved", "closed")]
    assert history[1]["actor"]["role"] == "desk" and history[1]["actor"]["id"]


def test_the_public_sees_status_changes_and_public_notes_only(stack):
    report = _dispatched(stack)
    _ok(stack, report, "petugas.kupang.dlh", action="note", note="Nomor HP pelapor 0812 (internal)")
    officer = stack.sub("petugas.kupang.dlh")
    _ok(stack, report, "petugas.kupang.dlh", action="assign", assignee=officer)
    _ok(stack, report, "petugas.kupang.dlh", action="note", note="Truk berangkat jam 8", visibility="public")
    public = stack.call("GET", f"{REPORTS}/{report['id']}/history").json_body["items"]
    assert [e["action"] for e in public] == ["submit", "verify", "note"]
    assert all(e["actor"]["id"] is None for e in public)
    assert public[1]["note"] is None  # the desk's verification note is internal
    assert public[2]["note"] == "Truk berangkat jam 8"
    assert "0812" not in str(public) and officer not in str(public)
    staff = stack.call("GET", f"{REPORTS}/{report['id']}/history", user="petugas.kupang.dlh").json_body["items"]
    assert len(staff) == 5 and staff[2]["note"].startswith("Nomor HP")
    assert stack.call("GET", f"{REPORTS}/{report['id']}", user="warga.budi").json_body.get("assignee") is None
    assert stack.call("GET", f"{REPORTS}/{report['id']}", user="petugas.kupang.dlh").json_body["assignee"] == officer


def test_only_an_active_officer_of_the_unit_can_be_assigned(stack):
    report = _dispatched(stack)
    for assignee in ("officer-sub-123", stack.sub("petugas.kupang.pupr"), stack.sub("supervisor.kupang")):
        response = _act(stack, report, "petugas.kupang.dlh", action="assign", assignee=assignee)
        assert response.status_code == 422 and response.json_body["code"] == "assignee_not_in_unit"
    assert stack.call("GET", f"{REPORTS}/{report['id']}", user="admin.kupang").json_body["assignee"] is None


def test_an_action_the_status_does_not_allow_is_a_409_and_changes_nothing(stack):
    report = _submit(stack)
    response = _act(stack, report, "petugas.kupang.dlh", action="acknowledge")
    assert response.status_code == 409 and response.json_body["code"] == "invalid_transition"
    after = stack.call("GET", f"{REPORTS}/{report['id']}", user="warga.ani").json_body
    assert after["status"] == "submitted" and after["updated_at"] == report["updated_at"]


def test_a_role_that_may_never_take_an_action_gets_403(stack):
    report = _dispatched(stack)
    for user, action in (("admin.kupang", "resolve"), ("warga.ani", "acknowledge"), ("warga.budi", "confirm"),
                         ("supervisor.kupang", "start"), (None, "note")):
        body = {"action": action, "note": "x"} if action in ("note", "resolve") else {"action": action}
        if action == "resolve":
            body["photo_ids"] = ["01JAAAAAAAAAAAAAAAAAAAAAAA"]
        response = stack.call("POST", f"{REPORTS}/{report['id']}/transitions", body, user=user)
        assert response.status_code == 403, (user, action, response.json_body)
        assert response.json_body["code"] == "forbidden_action"


def test_nobody_acts_as_staff_on_a_report_they_submitted(stack):
    report = _submit(stack, user="admin.kupang")
    response = _act(stack, report, "admin.kupang", action="verify")
    assert response.status_code == 403


def test_an_officer_of_another_unit_cannot_see_nor_act(stack):
    report = _dispatched(stack)
    confidential = _dispatched(stack, privacy="confidential")
    assert _act(stack, report, "petugas.kupang.pupr", action="acknowledge").status_code == 403
    assert _act(stack, confidential, "petugas.kupang.pupr", action="acknowledge").status_code == 404
    assert _act(stack, confidential, "petugas.kupang.dlh", action="acknowledge").status_code == 200


def test_another_tenants_staff_cannot_act(stack):
    report = _dispatched(stack, privacy="confidential")
    assert _act(stack, report, "admin.karo", action="verify").status_code == 404
    assert _act(stack, report, "petugas.karo.dlh", action="acknowledge").status_code == 404


def test_a_misconduct_report_goes_to_the_inspectorate_and_is_never_seen_by_other_units(stack):
    report = _submit(stack, category="misconduct", description="Pungli di loket perizinan")
    assert report["agency"] == "INSPEKTORAT" and report["privacy"] == "confidential"
    response = _act(stack, report, "admin.kupang", action="verify", agency="DLH")
    assert response.status_code == 422 and response.json_body["code"] == "sensitive_routing"
    report = _ok(stack, report, "admin.kupang", action="verify")
    assert stack.call("GET", f"{REPORTS}/{report['id']}", user="petugas.kupang.dlh").status_code == 404
    assert stack.call("GET", f"{REPORTS}/{report['id']}/history", user="petugas.kupang.dlh").status_code == 404
    listed = stack.call("GET", "/v1/tenants/kupang/agencies/DLH/reports", user="petugas.kupang.dlh").json_body
    assert report["id"] not in [r["id"] for r in listed["items"]]
    reassign = _act(stack, report, "supervisor.kupang", action="reassign", agency="DLH", reason="salah unit")
    assert reassign.status_code == 422
    assert _ok(stack, report, "petugas.kupang.inspektorat", action="acknowledge")["status"] == "acknowledged"


def test_a_stale_if_match_is_a_412(stack):
    report = _dispatched(stack)
    etag = stack.call("GET", f"{REPORTS}/{report['id']}", user="petugas.kupang.dlh").headers["etag"]
    _ok(stack, report, "petugas.kupang.dlh", headers={"If-Match": etag}, action="note", note="satu")
    response = _act(stack, report, "petugas.kupang.dlh", headers={"If-Match": etag}, action="acknowledge")
    assert response.status_code == 412 and response.json_body["code"] == "precondition_failed"
    fresh = stack.call("GET", f"{REPORTS}/{report['id']}", user="petugas.kupang.dlh").headers["etag"]
    assert _act(stack, report, "petugas.kupang.dlh", headers={"If-Match": fresh},
                action="acknowledge").status_code == 200


def test_two_officers_acting_at_once_exactly_one_wins(stack, monkeypatch):
    """Both read the same version before either writes; the version condition lets one write through.

    Neither thread writes before both have loaded the report (conftest makes moto apply conditional
    writes one at a time, as DynamoDB does).
    """
    from chalicelib.domain.identity import Caller
    from chalicelib.errors import ProblemError
    from chalicelib.services import workflow

    report = _dispatched(stack)
    both_loaded = threading.Barrier(2)
    real_load = workflow.load
    first_load: set[int] = set()

    def load(*args, **kwargs):
        loaded = real_load(*args, **kwargs)
        if threading.get_ident() not in first_load:
            first_load.add(threading.get_ident())
            both_loaded.wait(timeout=10)
        return loaded

    monkeypatch.setattr(workflow, "load", load)
    officer = Caller(sub="a", roles=frozenset({"officer"}), tenant="kupang", agency="DLH")
    colleague = Caller(sub="b", roles=frozenset({"officer"}), tenant="kupang", agency="DLH")
    outcomes: list[str] = []

    def act(caller):
        try:
            workflow.transition("kupang", report["id"], {"action": "acknowledge"}, caller, None, None)
            outcomes.append("won")
        except ProblemError as err:
            outcomes.append(err.code)

    threads = [threading.Thread(target=act, args=(c,)) for c in (officer, colleague)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    monkeypatch.undo()
    assert sorted(outcomes) == ["invalid_transition", "won"]
    history = stack.call("GET", f"{REPORTS}/{report['id']}/history", user="admin.kupang").json_body["items"]
    assert [e["action"] for e in history].count("acknowledge") == 1


def test_reassigning_moves_the_report_and_restarts_the_first_response_clock(stack):
    report = _dispatched(stack, category="street_light", description="Lampu jalan mati sejak seminggu")
    assert report["agency"] == "DISHUB"
    before = stack.call("GET", f"{REPORTS}/{report['id']}", user="admin.kupang").json_body
    response = _act(stack, report, "supervisor.kupang", action="reassign", agency="PUPR")
    assert response.status_code == 422  # a reason is required
    moved = _ok(stack, report, "supervisor.kupang", action="reassign", agency="PUPR", reason="PJU dikelola PUPR")
    assert moved["agency"] == "PUPR" and moved["status"] == "dispatched" and moved["stage"] == "first_response"
    assert _act(stack, report, "petugas.kupang.dishub", action="acknowledge").status_code == 403
    assert _act(stack, report, "petugas.kupang.pupr", action="acknowledge").status_code == 200
    from chalicelib.store.reports import get

    assert get("kupang", report["id"]).stage_seq > 2  # verification, first response, first response again...
    assert before["due_at"]


def test_a_dispute_reopens_the_report_and_restarts_the_resolution_clock(stack):
    from chalicelib.store.reports import get

    report = _dispatched(stack)
    _ok(stack, report, "petugas.kupang.dlh", action="start")
    seq = get("kupang", report["id"]).stage_seq
    photo = processed_photo(stack, report, "petugas.kupang.dlh")
    _ok(stack, report, "petugas.kupang.dlh", action="resolve", note="Selesai", photo_ids=[photo])
    response = _act(stack, report, "warga.ani", action="dispute")
    assert response.status_code == 422  # say why
    reopened = _ok(stack, report, "warga.ani", action="dispute", note="Sampahnya masih ada")
    assert reopened["status"] == "in_progress" and reopened["reopen_count"] == 1
    assert reopened["stage"] == "resolution" and reopened["resolved_at"] is None
    assert get("kupang", report["id"]).stage_seq == seq + 2  # auto-close clock, then a fresh resolution clock


def test_resolving_needs_a_processed_after_photo(stack):
    report = _dispatched(stack)
    intake = processed_photo(stack, report, "warga.ani")
    response = _act(stack, report, "petugas.kupang.dlh", action="resolve", note="Selesai",
                    photo_ids=[intake])
    assert response.status_code == 422 and response.json_body["code"] == "photos_not_ready"
    pending = stack.call("POST", f"{REPORTS}/{report['id']}/photos", {"content_type": "image/jpeg"},
                         user="petugas.kupang.dlh").json_body
    response = _act(stack, report, "petugas.kupang.dlh", action="resolve", note="Selesai",
                    photo_ids=[pending["photo_id"]])
    assert response.status_code == 422  # not uploaded yet


def test_an_anonymous_reporter_answers_a_question_with_the_receipt(stack):
    created = stack.call("POST", REPORTS, report_body()).json_body
    receipt = {"X-Report-Receipt": created["receipt"]}
    held = _ok(stack, created, "admin.kupang", action="hold", note="Mohon kirim patokan lokasi")
    assert held["status"] == "on_hold" and held["stage"] is None
    mine = stack.call("GET", f"{REPORTS}/{created['id']}/history", headers=receipt).json_body["items"]
    assert mine[-1]["note"] == "Mohon kirim patokan lokasi"  # meant for the reporter
    public = stack.call("GET", f"{REPORTS}/{created['id']}/history").json_body["items"]
    assert public[-1]["note"] is None
    answered = _ok(stack, created, headers=receipt, action="answer", note="Depan gereja, samping warung")
    assert answered["status"] == "submitted" and answered["stage"] == "verification"
    history = stack.call("GET", f"{REPORTS}/{created['id']}/history", user="admin.kupang").json_body["items"]
    assert history[-1]["actor"] == {"role": "reporter", "id": None}  # anonymous stays anonymous


def test_rejections_say_why(stack):
    original = _submit(stack)
    copy = _submit(stack)
    response = _act(stack, copy, "admin.kupang", action="reject", reason="duplicate", duplicate_of="KPG-000000")
    assert response.status_code == 422 and response.json_body["code"] == "duplicate_not_found"
    rejected = _ok(stack, copy, "admin.kupang", action="reject", reason="duplicate",
                   duplicate_of=original["tracking_code"])
    assert rejected["status"] == "rejected" and rejected["duplicate_of"] == original["id"]
    crime = _submit(stack, category="crime", description="Pencurian motor di parkiran")
    response = _act(stack, crime, "admin.kupang", action="reject", reason="not_jurisdiction")
    assert response.status_code == 422
    assert response.json_body["errors"][0]["code"] == "handoff_note_required"
    handed = _ok(stack, crime, "admin.kupang", action="reject", reason="not_jurisdiction",
                 note="Dilimpahkan ke Polresta Kupang Kota")
    assert handed["handoff"] == "Dilimpahkan ke Polresta Kupang Kota"


def test_bad_transition_bodies_are_422_with_field_errors(stack):
    report = _submit(stack)
    for body, field in (({"action": "fly"}, "action"), ({"action": "verify", "rating": 3}, "rating"),
                        ({"action": "confirm", "rating": 6}, "rating"), ({}, "action"),
                        ({"action": "assign"}, "assignee")):
        response = stack.call("POST", f"{REPORTS}/{report['id']}/transitions", body, user="admin.kupang")
        assert response.status_code == 422, body
        assert field in [e["field"] for e in response.json_body["errors"]], response.json_body
    assert stack.call("POST", f"{REPORTS}/{report['id']}/transitions", raw=b"{", user="admin.kupang",
                      body=None).status_code == 400
    unknown = stack.call("POST", f"{REPORTS}/01JAAAAAAAAAAAAAAAAAAAAAAA/transitions", {"action": "verify"},
                         user="admin.kupang")
    assert unknown.status_code == 404


def test_the_desk_inbox_lists_waiting_reports_oldest_due_first(stack):
    first = _submit(stack)
    second = _submit(stack, category="fire", description="Kebakaran rumah warga")  # emergency: due in minutes
    third = _submit(stack)
    inbox = stack.call("GET", "/v1/tenants/kupang/inbox", user="admin.kupang")
    assert inbox.status_code == 200
    ids = [r["id"] for r in inbox.json_body["items"]]
    assert ids[0] == second["id"] and set(ids) == {first["id"], second["id"], third["id"]}
    page = stack.call("GET", "/v1/tenants/kupang/inbox?limit=2", user="admin.kupang").json_body
    rest = stack.call("GET", f"/v1/tenants/kupang/inbox?limit=2&cursor={page['next_cursor']}",
                      user="admin.kupang").json_body
    assert [r["id"] for r in page["items"] + rest["items"]] == ids and rest["next_cursor"] is None
    _ok(stack, first, "admin.kupang", action="verify")
    ids = [r["id"] for r in stack.call("GET", "/v1/tenants/kupang/inbox", user="admin.kupang").json_body["items"]]
    assert first["id"] not in ids
    assert stack.call("GET", "/v1/tenants/kupang/inbox", user="petugas.kupang.dlh").status_code == 403
    assert stack.call("GET", "/v1/tenants/kupang/inbox", user="admin.karo").status_code == 403
    assert stack.call("GET", "/v1/tenants/kupang/inbox").status_code == 401
    assert stack.call("GET", "/v1/tenants/kupang/inbox?cursor=zzz", user="admin.kupang").status_code == 400


def test_a_unit_lists_its_reports_by_status_and_overdue(stack):
    from chalicelib.store.reports import change

    late = _dispatched(stack)
    fresh = _dispatched(stack)

    def overdue(report):
        report.due_at = "2026-01-05T16:00:00.000Z"
        return True

    change("kupang", late["id"], overdue)
    path = "/v1/tenants/kupang/agencies/DLH/reports"
    listed = stack.call("GET", path, user="petugas.kupang.dlh").json_body["items"]
    assert [r["id"] for r in listed] == [late["id"], fresh["id"]]
    assert listed[0]["breached"] is True
    only_late = stack.call("GET", f"{path}?overdue=true", user="petugas.kupang.dlh").json_body["items"]
    assert [r["id"] for r in only_late] == [late["id"]]
    on_time = stack.call("GET", f"{path}?overdue=false", user="petugas.kupang.dlh").json_body["items"]
    assert [r["id"] for r in on_time] == [fresh["id"]]
    _ok(stack, fresh, "petugas.kupang.dlh", action="acknowledge")
    acked = stack.call("GET", f"{path}?status=acknowledged", user="petugas.kupang.dlh").json_body["items"]
    assert [r["id"] for r in acked] == [fresh["id"]]
    assert stack.call("GET", path, user="petugas.kupang.pupr").status_code == 403
    assert stack.call("GET", path, user="supervisor.kupang").status_code == 200
    assert stack.call("GET", f"{path}?overdue=maybe", user="petugas.kupang.dlh").status_code == 400
    assert stack.call("GET", f"{path}?status=flying", user="petugas.kupang.dlh").status_code == 400
    assert stack.call("GET", "/v1/tenants/kupang/agencies/NOPE/reports", user="admin.kupang").status_code == 404


def test_reports_are_routed_by_the_tenants_areas(stack):
    alak = {"type": "Polygon", "coordinates": [[[123.55, -10.20], [123.59, -10.20], [123.59, -10.15],
                                                 [123.55, -10.15], [123.55, -10.20]]]}
    areas = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": alak,
         "properties": {"code": "5371010", "name": "Alak", "units": {"DLH": "UPT-DLH-ALAK"}}}]}
    assert stack.call("PUT", "/v1/tenants/kupang/areas", areas, user="petugas.kupang.dlh").status_code == 403
    response = stack.call("PUT", "/v1/tenants/kupang/areas", areas, user="admin.kupang")
    assert response.status_code == 200, response.json_body
    inside = _submit(stack, location={"lat": -10.17, "lon": 123.57})
    assert inside["agency"] == "UPT-DLH-ALAK" and inside["area"] == "5371010"
    outside = _submit(stack, location=dict(KUPANG))
    assert outside["agency"] == "DLH" and outside["area"] is None
    road = _submit(stack, category="road_damage", location={"lat": -10.17, "lon": 123.57})
    assert road["agency"] == "PUPR"  # the area names no PUPR unit: the tenant's own PUPR
    bad = dict(areas, features=[{"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]},
                                 "properties": {"code": "x", "name": "X", "units": {"DLH": "NOPE"}}}])
    response = stack.call("PUT", "/v1/tenants/kupang/areas", bad, user="admin.kupang")
    assert response.status_code == 422
    assert {e["field"] for e in response.json_body["errors"]} == {"features.0.geometry", "features.0.properties.units"}
    listed = stack.call("GET", "/v1/tenants/kupang/areas", user="admin.kupang").json_body
    assert [f["properties"]["code"] for f in listed["features"]] == ["5371010"]


def test_the_desk_may_change_the_proposed_unit_when_verifying(stack):
    report = _submit(stack, category="other", description="Tidak tahu harus ke mana")
    assert report["agency"] == "KOMINFO"
    assert _act(stack, report, "admin.kupang", action="verify", agency="NOPE").status_code == 422
    assert _ok(stack, report, "admin.kupang", action="verify", agency="PUPR")["agency"] == "PUPR"


def test_a_tenant_may_repoint_a_category(stack):
    response = stack.call("PUT", "/v1/tenants/kupang/routing", {"overrides": {"street_light": "PUPR"}},
                          user="admin.kupang")
    assert response.status_code == 200, response.json_body
    assert _submit(stack, category="street_light")["agency"] == "PUPR"
    bad = stack.call("PUT", "/v1/tenants/kupang/routing", {"overrides": {"misconduct": "DLH", "nope": "DLH"}},
                     user="admin.kupang")
    assert bad.status_code == 422 and len(bad.json_body["errors"]) == 2


def test_a_retried_transition_with_the_same_idempotency_key_acts_once(stack):
    report = _dispatched(stack)
    key = {"Idempotency-Key": "note-7f3a"}
    first = _act(stack, report, "petugas.kupang.dlh", key, action="note", note="Sudah dicek ke lokasi")
    again = _act(stack, report, "petugas.kupang.dlh", key, action="note", note="Sudah dicek ke lokasi")
    assert first.status_code == again.status_code == 200
    assert first.headers["etag"] == again.headers["etag"]
    history = stack.call("GET", f"{REPORTS}/{report['id']}/history", user="admin.kupang").json_body["items"]
    assert [e["action"] for e in history].count("note") == 1
    other = _act(stack, report, "petugas.kupang.dlh", key, action="note", note="Isi lain")
    assert other.status_code == 422 and other.json_body["code"] == "idempotency_key_reused"
    bad = _act(stack, report, "petugas.kupang.dlh", {"Idempotency-Key": " "}, action="note", note="x")
    assert bad.status_code == 400
