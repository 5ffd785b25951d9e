"""Notifications end to end: lifecycle events on the real topic -> inbox messages -> webhooks and email."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devstack.seed import DEMO_PASSWORD, DemoUser
from tests.integration.conftest import report_body

REPORTS = "/v1/tenants/kupang/reports"
INBOX = "/v1/tenants/kupang/me/notifications"
CHANNELS = "/v1/tenants/kupang/notification-channels"
SECRET = "s3cr3t-webhook-key-0123"


# -- helpers ----------------------------------------------------------------------------------


def add_staff(stack: Any, username: str, roles: tuple[str, ...], tenant: str | None = "kupang",
              agency: str | None = None) -> str:
    """A staff account beyond the demo ones (a unit head, another unit's officer...)."""
    cognito = boto3.client("cognito-idp")
    pool = stack.resources.user_pool_id
    attributes = [{"Name": "custom:tenant", "Value": tenant}] if tenant else []
    if agency:
        attributes.append({"Name": "custom:agency", "Value": agency})
    cognito.admin_create_user(UserPoolId=pool, Username=username, MessageAction="SUPPRESS",
                              UserAttributes=attributes)
    cognito.admin_set_user_password(UserPoolId=pool, Username=username, Password=DEMO_PASSWORD, Permanent=True)
    for role in roles:
        cognito.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName=role)
    stack.users[username] = DemoUser(username, DEMO_PASSWORD, roles[0], tenant, agency)
    return username


def sub_of(username: str, stack: Any) -> str:
    user = boto3.client("cognito-idp").admin_get_user(UserPoolId=stack.resources.user_pool_id, Username=username)
    return next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")


def publish(stack: Any, event: dict[str, Any]) -> None:
    """What the lifecycle publisher does: the event as JSON, its type as a message attribute."""
    boto3.client("sns").publish(TopicArn=stack.resources.lifecycle_topic_arn, Message=json.dumps(event),
                                MessageAttributes={"type": {"DataType": "String", "StringValue": event["type"]}})


def at(second: int) -> str:
    return f"2026-11-24T05:00:{second:02d}.000Z"


def transitioned(report: dict[str, Any], action: str, before: str, after: str, *, role: str = "desk",
                 second: int = 0, **extra: Any) -> dict[str, Any]:
    event = {"type": "report.transitioned", "tenant": report["tenant"], "report_id": report["id"],
             "event_id": f"{at(second)}#01JDQ8Z6Y0K7W3V5T2R9N4M{second:03d}", "action": action, "from": before,
             "to": after, "role": role, "agency": report["agency"], "assignee": None, "note": None, "at": at(second)}
    event.update(extra)
    return event


def escalated(report: dict[str, Any], audience: str, *, level: str = "1", stage: str = "first_response",
              second: int = 0) -> dict[str, Any]:
    return {"type": "report.escalated", "tenant": report["tenant"], "report_id": report["id"], "stage": stage,
            "seq": "1", "level": level, "audience": audience, "due_at": "2026-11-24T04:00:00.000Z",
            "at": at(second)}


def inbox(stack: Any, user: str | None = None, *, receipt: str | None = None, lang: str = "id",
          tenant: str = "kupang", query: str = "") -> Any:
    headers = {"Accept-Language": lang}
    if receipt:
        headers["X-Report-Receipt"] = receipt
    path = f"/v1/tenants/{tenant}/me/notifications{query}"
    return stack.call("GET", path, user=user, headers=headers)


def items(stack: Any, user: str | None = None, **kwargs: Any) -> list[dict[str, Any]]:
    response = inbox(stack, user, **kwargs)
    assert response.status_code == 200, response.json_body
    return response.json_body["items"]


def new_report(stack: Any, user: str | None = "warga.ani", **overrides: Any) -> dict[str, Any]:
    response = stack.call("POST", REPORTS, report_body(**overrides), user=user)
    assert response.status_code == 201
    return response.json_body


def notify(stack: Any, *events: dict[str, Any]) -> None:
    for event in events:
        publish(stack, event)
    stack.drain_notifications()


def sent_emails() -> list[Any]:
    from moto.ses.models import ses_backends

    return [m for account in ses_backends.values() for backend in account.values() for m in backend.sent_messages]


def queue_depth(url: str) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
    return sum(int(v) for v in attributes["Attributes"].values())


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1 (what a WhatsApp gateway would run), answering ``status``."""

    url: str
    status: int = 200
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/aduan"
    # A short poll: shutdown() waits for the loop to look, 0.5 s by default, which every test paid.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def set_channels(stack: Any, channels: list[dict[str, Any]], user: str = "admin.kupang") -> Any:
    return stack.call("PUT", CHANNELS, {"channels": channels}, user=user)


# -- who hears what ---------------------------------------------------------------------------


def test_an_escalation_reaches_the_desk_and_the_unit_heads_in_both_languages(stack):
    head = "supervisor.kupang"
    report = new_report(stack)
    notify(stack, escalated(report, "unit_head", level="2"))

    for user in (head, "admin.kupang"):
        (english,) = items(stack, user, lang="en")
        assert english["type"] == "report.escalated"
        assert english["report_id"] == report["id"]
        assert english["tracking_code"] == report["tracking_code"]
        assert english["title"] == f"Escalation level 2: report {report['tracking_code']}"
        assert "first response" in english["body"]
        assert "12:00 WITA" in english["body"]  # Kupang's clock, not UTC
        (indonesian,) = items(stack, user, lang="id")
        assert indonesian["title"] == f"Eskalasi tingkat 2: laporan {report['tracking_code']}"
        assert "tanggapan pertama" in indonesian["body"]
        assert indonesian["id"] == english["id"]
    assert items(stack, "petugas.kupang.dlh") == []  # the ladder named the unit head, not the unit
    assert items(stack, "warga.ani") == []
    response = inbox(stack, "admin.kupang", lang="en")
    assert response.headers["content-language"] == "en"
    assert response.json_body["next_cursor"] is None


def test_a_verified_report_tells_its_signed_in_reporter_and_the_unit(stack):
    report = new_report(stack)
    notify(stack, transitioned(report, "verify", "submitted", "dispatched"))

    (mine,) = items(stack, "warga.ani", lang="en")
    assert mine["title"] == f"Report {report['tracking_code']} verified"
    assert "Forwarded to the agency" in mine["body"]
    assert report["description"] not in json.dumps(mine)
    (units,) = items(stack, "petugas.kupang.dlh")
    assert units["id"] == mine["id"]
    assert items(stack, "warga.budi") == []
    assert items(stack, "admin.kupang") == []  # the desk verified it: nothing to tell the desk


def test_an_anonymous_reporter_reads_their_messages_with_the_receipt(stack):
    report = new_report(stack, user=None)
    receipt = report["receipt"]
    notify(stack, transitioned(report, "hold", "submitted", "on_hold"))

    (message,) = items(stack, receipt=receipt, lang="en")
    assert message["title"] == f"Report {report['tracking_code']} needs more information"
    assert items(stack, receipt=receipt + "x") == []
    assert items(stack, "warga.ani") == []
    # A signed-in person holding the receipt sees both their own and the receipt's messages.
    assert len(items(stack, "warga.ani", receipt=receipt)) == 1

    response = inbox(stack)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json_body["code"] == "unauthenticated"


def test_a_redelivered_event_writes_no_second_message(stack):
    from chalicelib.store.models import NotificationModel

    report = new_report(stack)
    event = transitioned(report, "resolve", "in_progress", "resolved", role="officer")
    notify(stack, event, event)
    notify(stack, event)

    assert len(items(stack, "warga.ani")) == 1
    assert sum(1 for _ in NotificationModel.scan()) == 1


def test_a_redelivered_event_enqueues_its_deliveries_once(stack, receiver):
    set_channels(stack, [{"id": "wa-gateway", "type": "webhook", "url": receiver.url, "secret": SECRET,
                          "audiences": ["reporter"]}])
    report = new_report(stack)
    event = transitioned(report, "resolve", "in_progress", "resolved", role="officer")
    notify(stack, event)
    notify(stack, event)
    stack.drain_deliveries()
    assert len(receiver.received) == 1
    assert len(items(stack, "warga.ani")) == 1


def test_officers_of_another_unit_or_tenant_never_see_the_message(stack):
    other_unit = "petugas.kupang.dishub"
    other_head = "supervisor.karo"
    report = new_report(stack)
    notify(stack, transitioned(report, "verify", "submitted", "dispatched"),
           escalated(report, "unit", second=1), escalated(report, "unit_head", second=2))

    assert len(items(stack, "petugas.kupang.dlh")) == 2
    assert items(stack, other_unit) == []
    for user in ("petugas.karo.dlh", "admin.karo", other_head):
        assert items(stack, user) == []  # kupang's inbox, asked by karo's staff
        assert items(stack, user, tenant="karo") == []  # and karo's own inbox has nothing of kupang


def test_a_misconduct_escalation_never_reaches_a_unit_other_than_the_inspectorate(stack):
    from chalicelib.store.models import ReportModel

    inspector = "petugas.kupang.inspektorat"
    report = new_report(stack, user=None, category="misconduct", description="Pungli di kantor kelurahan")
    assert report["agency"] == "INSPEKTORAT"
    notify(stack, escalated(report, "unit"))
    assert len(items(stack, inspector)) == 1

    # Misrouted to DLH by mistake (or reassigned): DLH, whom it may be about, still hears nothing of it.
    stored = ReportModel.get("kupang", report["id"])
    stored.update(actions=[ReportModel.agency.set("DLH")])
    notify(stack, escalated(report, "unit", level="2", second=1),
           transitioned(report, "reassign", "dispatched", "dispatched", second=2, agency="DLH"))
    assert items(stack, "petugas.kupang.dlh") == []
    assert len(items(stack, "admin.kupang")) == 2  # the desk hears of every escalation


def test_an_assignment_reaches_the_assigned_officer_and_a_reminder_the_anonymous_reporter(stack):
    colleague = add_staff(stack, "petugas2.kupang.dlh", ("officer",), agency="DLH")
    report = new_report(stack, user=None)
    officer = sub_of("petugas.kupang.dlh", stack)
    notify(stack, transitioned(report, "assign", "acknowledged", "acknowledged", role="supervisor",
                               assignee=officer),
           {"type": "report.reminder", "tenant": "kupang", "report_id": report["id"], "stage": "auto_close",
            "seq": "4", "audience": "reporter", "due_at": "2026-11-27T05:00:00.000Z", "at": at(9)})

    (assigned,) = items(stack, "petugas.kupang.dlh", lang="en")
    assert assigned["title"] == f"You were assigned report {report['tracking_code']}"
    assert items(stack, colleague) == []
    (reminder,) = items(stack, receipt=report["receipt"], lang="en")
    assert reminder["title"] == f"Please confirm report {report['tracking_code']}"
    assert "27-11-2026 13:00 WITA" in reminder["body"]


def _publish_last_event(report_id: str) -> None:
    """What the reports stream publishes after a transition (events/report_changes.py), from the stored report."""
    from chalicelib.adapters import lifecycle_topic
    from chalicelib.store.reports import get

    stored = get("kupang", report_id)
    last = stored.last_event.as_dict()
    lifecycle_topic.publish({
        "type": "report.transitioned", "tenant": "kupang", "report_id": report_id, "event_id": last["id"],
        "action": last.get("action"), "from": last.get("from"), "to": last.get("to"), "role": last.get("role"),
        "agency": last.get("agency"), "assignee": last.get("assignee"), "note": last.get("note"),
        "at": last.get("at")})


def test_real_workflow_transitions_reach_the_right_inboxes(stack):
    report = new_report(stack, user=None)
    receipt = report["receipt"]
    path = f"{REPORTS}/{report['id']}/transitions"

    def act(body: dict[str, Any], **kwargs: Any) -> None:
        response = stack.call("POST", path, body, **kwargs)
        assert response.status_code == 200, response.json_body
        _publish_last_event(report["id"])
        stack.drain_notifications()

    act({"action": "hold", "note": "Mohon kirim patokan lokasi"}, user="admin.kupang")
    (asked,) = items(stack, receipt=receipt, lang="en")
    assert asked["title"] == f"Report {report['tracking_code']} needs more information"
    assert "patokan" not in json.dumps(asked)

    act({"action": "answer", "note": "Depan gereja"}, headers={"X-Report-Receipt": receipt})
    (answered,) = items(stack, "admin.kupang", lang="en")
    assert answered["title"] == f"The reporter answered about report {report['tracking_code']}"
    assert len(items(stack, receipt=receipt)) == 1  # not told of their own answer

    act({"action": "verify"}, user="admin.kupang")
    assert items(stack, receipt=receipt, lang="en")[0]["title"] == f"Report {report['tracking_code']} verified"
    (dispatched,) = items(stack, "petugas.kupang.dlh", lang="en")
    assert "DLH" in dispatched["body"]
    assert items(stack, "petugas.kupang.pupr") == []


def test_an_event_that_breaks_the_contract_is_dropped_not_retried(stack):
    report = new_report(stack)
    sns = boto3.client("sns")
    sns.publish(TopicArn=stack.resources.lifecycle_topic_arn, Message="not json")
    publish(stack, {"type": "report.escalated", "tenant": "kupang", "report_id": report["id"]})
    publish(stack, escalated({"tenant": "kupang", "id": "01JDQ8Z6Y0K7W3V5T2R9N4M1PZ"}, "desk"))  # no such report
    publish(stack, escalated(report, "desk", second=5))
    assert stack.drain_notifications() == 4
    assert queue_depth(stack.resources.notification_queue_url) == 0
    assert queue_depth(stack.resources.notification_dlq_url) == 0
    assert len(items(stack, "admin.kupang")) == 1


# -- outbound channels ------------------------------------------------------------------------


def test_a_webhook_receives_the_message_signed_with_the_channel_secret(stack, receiver):
    assert set_channels(stack, [{"id": "wa-gateway", "type": "webhook", "url": receiver.url, "secret": SECRET,
                                 "audiences": ["reporter"]}]).status_code == 200
    report = new_report(stack)
    notify(stack, transitioned(report, "verify", "submitted", "dispatched"))
    assert stack.drain_deliveries() == 1

    ((headers, body),) = receiver.received
    timestamp = headers["x-aduan-timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-aduan-signature"], f"sha256={expected}")
    assert headers["content-type"].startswith("application/json")
    payload = json.loads(body)
    assert payload["id"] == headers["x-aduan-delivery"]
    assert payload["type"] == "report.transitioned"
    assert payload["tenant"] == "kupang"
    assert payload["tracking_code"] == report["tracking_code"]
    # The gateway maps the mailbox to a phone number it holds; only the reporter's mailbox is sent.
    assert payload["recipients"] == [{"mailbox": f"user#{sub_of('warga.ani', stack)}", "audience": "reporter"}]
    assert payload["title"]["en"] == f"Report {report['tracking_code']} verified"
    assert set(payload["body"]) == {"id", "en"}
    assert report["description"] not in body.decode()
    assert SECRET not in body.decode()


def test_a_failing_webhook_retries_then_dead_letters_while_inbox_and_email_still_arrive(stack, receiver):
    receiver.status = 500
    assert set_channels(stack, [
        {"id": "wa-gateway", "type": "webhook", "url": receiver.url, "secret": SECRET, "audiences": ["desk"]},
        {"id": "desk-mail", "type": "email", "to": ["pengaduan@kupangkota.go.id"], "audiences": ["desk", "leadership"]},
    ]).status_code == 200
    report = new_report(stack)
    notify(stack, escalated(report, "leadership", level="3"))
    stack.drain_deliveries()

    assert len(receiver.received) == 5  # five receives, then the dead-letter queue
    assert len({headers["x-aduan-delivery"] for headers, _ in receiver.received}) == 1
    assert queue_depth(stack.resources.delivery_queue_url) == 0
    dead = boto3.client("sqs").receive_message(QueueUrl=stack.resources.delivery_dlq_url).get("Messages", [])
    assert [json.loads(m["Body"])["channel"] for m in dead] == ["wa-gateway"]

    (email,) = sent_emails()
    assert email.destinations["ToAddresses"] == ["pengaduan@kupangkota.go.id"]
    assert report["tracking_code"] in email.subject
    assert "Eskalasi tingkat 3" in email.body and "Escalation level 3" in email.body
    assert len(items(stack, "admin.kupang")) == 1


def test_a_channel_for_other_audiences_stays_silent(stack, receiver):
    set_channels(stack, [{"id": "wa-gateway", "type": "webhook", "url": receiver.url, "secret": SECRET,
                          "audiences": ["leadership"]}])
    report = new_report(stack)
    notify(stack, transitioned(report, "verify", "submitted", "dispatched"))
    assert stack.drain_deliveries() == 0
    assert receiver.received == []


# -- channel configuration --------------------------------------------------------------------


def test_channels_are_validated_field_by_field(stack):
    response = set_channels(stack, [
        {"id": "wa", "type": "webhook", "url": "http://gateway.example/hook", "secret": "short",
         "audiences": ["reporter"]},
        {"id": "mail", "type": "email", "to": ["not an address"], "audiences": ["nobody"]},
        {"id": "fax", "type": "fax", "audiences": ["desk"]},
        {"id": "wa", "type": "webhook", "url": "https://gateway.example/hook", "audiences": ["unit"]},
    ])
    assert response.status_code == 422
    assert response.json_body["code"] == "validation_failed"
    fields = {(e["field"], e["code"]) for e in response.json_body["errors"]}
    assert fields == {("channels.0.url", "https_required"), ("channels.0.secret", "secret_too_short"),
                      ("channels.1.to", "invalid_email"), ("channels.1.audiences.0", "literal_error"),
                      ("channels.2", "union_tag_invalid")}
    english = stack.call("PUT", CHANNELS, {"channels": [{"id": "wa", "type": "webhook", "url": "ftp://x/",
                                                         "secret": SECRET, "audiences": ["desk"]}]},
                         user="admin.kupang", headers={"Accept-Language": "en"}).json_body
    assert english["errors"][0]["message"].startswith("The webhook URL must be https://")

    # Once the shape is right: ids must be unique and a new webhook needs its secret.
    response = set_channels(stack, [
        {"id": "wa", "type": "webhook", "url": "https://gateway.example/hook", "audiences": ["unit"]},
        {"id": "wa", "type": "email", "to": ["pengaduan@kupangkota.go.id"], "audiences": ["desk"]},
    ])
    assert {(e["field"], e["code"]) for e in response.json_body["errors"]} == {
        ("channels.0.secret", "missing"), ("channels.1.id", "duplicate_id")}
    assert set_channels(stack, [{"id": "x", "type": "email", "to": ["a@b.id"], "audiences": []}]).status_code == 422
    assert stack.call("PUT", CHANNELS, ["not", "an", "object"], user="admin.kupang").status_code == 422
    assert stack.call("GET", CHANNELS, user="admin.kupang").json_body == {"channels": []}  # nothing was stored


def test_only_the_tenants_admins_configure_channels(stack):
    add_staff(stack, "platform.ops", ("platform_admin",), tenant=None)
    head = "supervisor.kupang"
    channel = {"id": "desk-mail", "type": "email", "to": ["pengaduan@kupangkota.go.id"], "audiences": ["desk"]}
    for user in ("petugas.kupang.dlh", head, "admin.karo", "warga.ani"):
        for method in ("GET", "PUT"):
            response = stack.call(method, CHANNELS, {"channels": [channel]}, user=user)
            assert response.status_code == 403, (user, method)
            assert response.json_body["code"] == "forbidden"
    assert stack.call("GET", CHANNELS).status_code == 401
    assert stack.call("PUT", CHANNELS, {"channels": [channel]}).status_code == 401
    assert set_channels(stack, [channel], user="platform.ops").status_code == 200
    assert stack.call("GET", CHANNELS, user="admin.kupang").json_body == {"channels": [channel]}
    assert stack.call("GET", "/v1/tenants/atlantis/notification-channels", user="platform.ops").status_code == 404


def test_secrets_are_never_returned_and_kept_when_not_resent(stack, receiver):
    webhook = {"id": "wa-gateway", "type": "webhook", "url": receiver.url, "secret": SECRET, "audiences": ["reporter"]}
    saved = set_channels(stack, [webhook])
    shown = stack.call("GET", CHANNELS, user="admin.kupang")
    for response in (saved, shown):
        assert SECRET not in json.dumps(response.json_body)
        (channel,) = response.json_body["channels"]
        assert channel == {"id": "wa-gateway", "type": "webhook", "url": receiver.url, "audiences": ["reporter"],
                           "secret_set": True}

    # What GET showed can be sent back as it is (minus the marker): the secret stays.
    edited = {k: v for k, v in shown.json_body["channels"][0].items() if k != "secret_set"}
    edited["audiences"] = ["reporter", "desk"]
    assert set_channels(stack, [edited]).status_code == 200
    report = new_report(stack)
    notify(stack, transitioned(report, "verify", "submitted", "dispatched"))
    stack.drain_deliveries()
    ((headers, body),) = receiver.received
    expected = hmac.new(SECRET.encode(), headers["x-aduan-timestamp"].encode() + b"." + body, hashlib.sha256)
    assert headers["x-aduan-signature"] == f"sha256={expected.hexdigest()}"


# -- paging -----------------------------------------------------------------------------------


def test_the_inbox_pages_newest_first_across_mailboxes(stack):
    both = add_staff(stack, "kepala.desk", ("supervisor", "tenant_admin"))
    report = new_report(stack)
    # Unit heads, leadership and the desk are three mailboxes of this caller; the desk gets every one.
    notify(stack, *(escalated(report, audience, level=str(i), second=i)
                    for i, audience in enumerate(["unit_head", "leadership", "desk", "coordinator", "unit_head"],
                                                 start=1)))
    seen: list[dict[str, Any]] = []
    query, pages = "?limit=2", 0
    while True:
        body = inbox(stack, both, query=query).json_body
        seen += body["items"]
        pages += 1
        if body["next_cursor"] is None:
            break
        query = f"?limit=2&cursor={body['next_cursor']}"
    assert pages == 3
    assert [m["title"].split(":")[0] for m in seen] == [f"Eskalasi tingkat {i}" for i in (5, 4, 3, 2, 1)]
    assert [m["at"] for m in seen] == sorted((m["at"] for m in seen), reverse=True)
    assert len({m["id"] for m in seen}) == 5

    exact = inbox(stack, both, query="?limit=5").json_body
    assert len(exact["items"]) == 5
    assert exact["next_cursor"] is None


@pytest.mark.parametrize("query", [
    "?cursor=bm90LWEtY3Vyc29y", "?cursor=%%%", f"?cursor={base64.urlsafe_b64encode(b'{}').decode()}",
    "?cursor=" + base64.urlsafe_b64encode(json.dumps({"before": "yesterday"}).encode()).decode().rstrip("="),
])
def test_a_bad_cursor_is_a_400_problem(stack, query):
    response = inbox(stack, "warga.ani", query=query, lang="en")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json_body["code"] == "invalid_cursor"


def test_a_bad_limit_or_tenant_is_a_problem_too(stack):
    assert inbox(stack, "warga.ani", query="?limit=0").json_body["code"] == "invalid_query"
    assert inbox(stack, "warga.ani", query="?limit=101").status_code == 400
    assert inbox(stack, "warga.ani", tenant="atlantis").status_code == 404


def test_no_log_line_of_the_flow_carries_personal_data_or_secrets(stack, receiver, capsys):
    from chalicelib.domain.reports import hash_receipt

    receiver.status = 503
    set_channels(stack, [
        {"id": "wa-gateway", "type": "webhook", "url": receiver.url, "secret": SECRET, "audiences": ["reporter"]},
        {"id": "desk-mail", "type": "email", "to": ["pengaduan@kupangkota.go.id"], "audiences": ["desk"]},
    ])
    signed = new_report(stack)
    anonymous = new_report(stack, user=None)
    capsys.readouterr()
    notify(stack, transitioned(signed, "verify", "submitted", "dispatched"),
           transitioned(anonymous, "verify", "submitted", "dispatched", second=1),
           escalated(anonymous, "desk", second=2))
    stack.drain_deliveries()
    items(stack, receipt=anonymous["receipt"])
    logged = "".join(capsys.readouterr())
    assert "lifecycle event notified" in logged and "delivery failed; will retry" in logged
    for secret in (SECRET, receiver.url, "/hooks/aduan", "pengaduan@kupangkota.go.id", anonymous["receipt"],
                   hash_receipt(anonymous["receipt"]), sub_of("warga.ani", stack), signed["description"]):
        assert secret not in logged


# -- whatever arrives -------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)
near_channels = st.fixed_dictionaries(
    {"id": st.sampled_from(["wa", "", "Bad Id"]) | json_values,
     "type": st.sampled_from(["webhook", "email", "fax"]) | json_values},
    optional={"url": st.sampled_from(["https://gw.example/h", "http://localhost:1/h", "http://[::1", ""]) | json_values,
              "secret": st.sampled_from([SECRET, "short"]) | json_values,
              "to": st.lists(st.sampled_from(["a@b.id", "nope"]), max_size=3) | json_values,
              "audiences": st.lists(st.sampled_from(["reporter", "desk", "x"]), max_size=3) | json_values},
)
near_events = st.fixed_dictionaries(
    {"type": st.sampled_from(["report.transitioned", "report.reminder", "report.escalated", "report.auto_closed"])
     | json_values, "tenant": st.sampled_from(["kupang", "atlantis", "KUPANG"]) | json_values},
    optional={"report_id": json_values, "event_id": st.text(max_size=20) | json_values,
              "action": st.sampled_from(["verify", "assign", "dispute"]) | json_values,
              "to": st.sampled_from(["dispatched", "closed"]) | json_values,
              "stage": st.sampled_from(["resolution", ""]) | json_values, "seq": json_values, "level": json_values,
              "audience": st.sampled_from(["unit", "desk", "reporter", "moon"]) | json_values,
              "at": st.sampled_from([at(1), "2026-11-24T05:00:00", "later"]) | json_values,
              "due_at": st.sampled_from([at(2), "soon"]) | json_values, "note": json_values},
)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(body=json_values | st.fixed_dictionaries({"channels": st.lists(near_channels, max_size=3) | json_values}))
def test_any_channel_body_is_answered_without_a_500(stack, body):
    response = stack.call("PUT", CHANNELS, body, user="admin.kupang")
    assert response.status_code in (200, 400, 422), response.json_body  # 400: no body at all (None)
    if response.status_code != 200:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert all(e["field"] and e["code"] and e["message"] for e in response.json_body.get("errors", []))


@FUZZ
@given(events=st.lists(near_events | json_values, min_size=1, max_size=5))
def test_no_event_however_malformed_is_retried(stack, events):
    from chalicelib.events.notifications import handle

    records = [{"messageId": str(i), "body": json.dumps(e)} for i, e in enumerate(events)]
    assert handle({"Records": records}) == {"batchItemFailures": []}
