"""Least privilege that still works: every AWS call the API makes is allowed by its role in infra/.

moto does not check IAM, so a missing permission would only show in the cloud, as a 500. This test
drives the product's paths through the API, records every AWS call at botocore (PynamoDB's included),
and checks each one against the API function's role in ``infra/resources.json``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import botocore.client

from tests.images import jpeg_with_gps
from tests.integration.conftest import report_body, upload

ROOT = Path(__file__).resolve().parents[2]
REPORTS = "/v1/tenants/kupang/reports"
# DynamoDB's transaction and batch calls are authorised per item, by the item's own action.
_TRANSACT_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                     "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}
# API operations whose IAM action has another name.
_IAM_ACTION = {"s3:HeadObject": "s3:GetObject", "sqs:SendMessageBatch": "sqs:SendMessage",
               "sqs:DeleteMessageBatch": "sqs:DeleteMessage", "s3:CreateMultipartUpload": "s3:PutObject",
               "s3:UploadPart": "s3:PutObject", "s3:CompleteMultipartUpload": "s3:PutObject"}


def _table_logical_ids(template: dict[str, Any]) -> dict[str, str]:
    """Table name suffix (``tenants``) -> the template's logical id (``TenantsTable``)."""
    found = {}
    for logical, resource in template["Resources"].items():
        if resource.get("Type") == "AWS::DynamoDB::Table":
            name = resource["Properties"]["TableName"]["Fn::Sub"]
            found[name.split("}-", 1)[1]] = logical
    return found


def _allowed(template: dict[str, Any], role: str) -> set[tuple[str, str]]:
    """(action, resource) pairs the role allows; resources as ``Logical`` or ``Logical/index``."""
    pairs = set()
    for policy in template["Resources"][role]["Properties"]["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            if statement.get("Effect", "Allow") != "Allow":
                continue
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            for resource in resources:
                if isinstance(resource, dict) and "Fn::GetAtt" in resource:
                    target = resource["Fn::GetAtt"][0]
                elif isinstance(resource, dict) and "Fn::Sub" in resource:
                    text = resource["Fn::Sub"] if isinstance(resource["Fn::Sub"], str) else resource["Fn::Sub"][0]
                    match = re.match(r"^\$\{(\w+)\.Arn\}(/index/(\*|\w+))?$", text)
                    target = f"{match.group(1)}{'/index' if match.group(2) else ''}" if match else text
                else:
                    target = str(resource)
                pairs.update((action, target) for action in actions)
    return pairs


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []  # (IAM action, table or table/index)

    def record(self, client: Any, operation: str, params: dict[str, Any]) -> None:
        service = client.meta.service_model.signing_name  # IAM's prefix: "ses", not the "email" endpoint
        if service != "dynamodb":
            action = f"{service}:{operation}"
            self.calls.append((_IAM_ACTION.get(action, action), "*"))
            return
        if operation == "TransactWriteItems" or operation == "TransactGetItems":
            for item in params.get("TransactItems", []):
                (kind, body), = item.items()
                self.calls.append((f"dynamodb:{_TRANSACT_ACTIONS[kind]}", body["TableName"]))
        elif operation in ("BatchWriteItem", "BatchGetItem"):
            for table in params.get("RequestItems", {}):
                self.calls.append((f"dynamodb:{operation}", table))
        else:
            table = params.get("TableName", "?")
            if params.get("IndexName"):
                table = f"{table}/index"
            self.calls.append((f"dynamodb:{operation}", table))


def test_every_aws_call_of_the_api_is_allowed_by_its_role(stack, monkeypatch):
    template = json.loads((ROOT / "infra" / "resources.json").read_text(encoding="utf-8"))
    tables = _table_logical_ids(template)
    allowed = _allowed(template, "ApiHandlerRole")
    recorder = Recorder()
    real = botocore.client.BaseClient._make_api_call

    def spy(self: Any, operation: str, params: dict[str, Any]) -> Any:
        recorder.record(self, operation, params)
        return real(self, operation, params)

    # Everything before this line (provisioning, seeding) is the test's own doing, not the API's.
    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", spy)
    # The requests below sign in through Cognito first; those calls are the client's, not the API's.
    for user in ("warga.ani", "warga.budi", "admin.kupang", "petugas.kupang.dlh", "supervisor.kupang",
                 "admin.platform"):
        stack.token(user)
    recorder.calls.clear()

    created = stack.call("POST", REPORTS, report_body(), user="warga.ani").json_body
    anonymous = stack.call("POST", REPORTS, report_body(), headers={"Idempotency-Key": "iam-1"}).json_body
    path = f"{REPORTS}/{created['id']}"
    for user, body in (("admin.kupang", {"action": "verify"}),
                       ("petugas.kupang.dlh", {"action": "acknowledge", "note": "Dijadwalkan"})):
        assert stack.call("POST", f"{path}/transitions", body, user=user,
                          headers={"Idempotency-Key": f"iam-{body['action']}"}).status_code == 200
    slot = stack.call("POST", f"{path}/photos", {"content_type": "image/jpeg"}, user="petugas.kupang.dlh")
    assert slot.status_code == 201
    upload(slot.json_body, jpeg_with_gps())
    for user, route in (("warga.ani", path), ("warga.ani", f"{path}/history"), (None, REPORTS),
                        ("warga.ani", "/v1/tenants/kupang/me/reports"), ("admin.kupang", "/v1/tenants/kupang/inbox"),
                        ("petugas.kupang.dlh", "/v1/tenants/kupang/agencies/DLH/reports?overdue=false"),
                        ("admin.kupang", "/v1/tenants/kupang/sla-policy"), ("admin.kupang", "/v1/tenants/kupang/areas"),
                        ("admin.kupang", "/v1/tenants/kupang/me/notifications"),
                        ("admin.kupang", "/v1/tenants/kupang/notification-channels"),
                        (None, f"{REPORTS}/{anonymous['tracking_code']}"),
                        (None, f"{REPORTS}?near=-10.1772,123.607&radius_m=500&category=garbage"),
                        (None, f"{REPORTS}?bbox=123.60,-10.18,123.61,-10.17&limit=1"),
                        (None, f"{REPORTS}?bbox=123.52,-10.26,123.70,-10.12&cluster=true")):
        assert stack.call("GET", route, user=user).status_code == 200, route
    policy = stack.call("GET", "/v1/tenants/kupang/sla-policy", user="admin.kupang").json_body
    alak = {"type": "Polygon", "coordinates": [[[123.55, -10.2], [123.59, -10.2], [123.59, -10.15], [123.55, -10.2]]]}
    for route, body in (("sla-policy", policy),
                        ("routing", {"overrides": {"street_light": "PUPR"}}),
                        ("areas", {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": alak,
                                   "properties": {"code": "alak", "name": "Alak", "units": {"DLH": "UPT-DLH-ALAK"}}}]}),
                        ("notification-channels", {"channels": [{"id": "desk-mail", "type": "email",
                                                                 "to": ["pengaduan@kupang.example"],
                                                                 "audiences": ["desk"]}]})):
        response = stack.call("PUT", f"/v1/tenants/kupang/{route}", body, user="admin.kupang")
        assert response.status_code == 200, (route, response.json_body)
    stack.call("POST", REPORTS, report_body(location={"lat": -10.17, "lon": 123.57}), user="warga.ani")
    _run_the_community(stack, path)
    _run_the_tenant_business(stack)
    _ask_for_open_data(stack, recorder)
    _run_open311(stack)
    assert recorder.calls, "nothing was recorded: the spy is not on the API's path"
    missing = set()
    actions = {action for action, _ in allowed}
    for action, table in recorder.calls:
        if table == "*":  # not DynamoDB: the role's statements name their resources (tests/infra checks which)
            if action not in actions:
                missing.add((action, table))
            continue
        base, _, index = table.partition("/")
        suffix = re.sub(r"^aduan-[a-z]+-", "", base)
        resource = tables.get(suffix, table) + ("/index" if index else "")
        if (action, resource) not in allowed:
            missing.add((action, resource))
    assert not missing, f"the API's role lacks: {sorted(missing)}"


def _run_the_community(stack: Any, path: str) -> None:
    """Supports, comments (with an Idempotency-Key and the hourly window) and moderation."""
    for method, route, body, user, status in (
            ("POST", "supports", None, "warga.budi", 201), ("DELETE", "supports", None, "warga.budi", 200),
            ("POST", "supports", None, "warga.budi", 201), ("GET", "comments", None, None, 200)):
        response = stack.call(method, f"{path}/{route}", body, user=user)
        assert response.status_code == status, (method, route, response.json_body)
    comment = stack.call("POST", f"{path}/comments", {"text": "Terima kasih"}, user="warga.budi",
                         headers={"Idempotency-Key": "iam-comment"})
    assert comment.status_code == 201, comment.json_body
    hidden = stack.call("POST", f"{path}/comments/{comment.json_body['id']}/hide", {"reason": "off_topic"},
                        user="supervisor.kupang")
    assert hidden.status_code == 200, hidden.json_body
    assert stack.call("GET", f"{path}/comments", user="admin.kupang").status_code == 200


def _run_the_tenant_business(stack: Any) -> None:
    """Onboarding, staff, API keys, audit, usage and invoices: the platform's and a tenant admin's calls."""
    area = {"type": "Polygon", "coordinates": [[[98.3, 2.9], [98.7, 2.9], [98.7, 3.3], [98.3, 2.9]]]}
    created = stack.call("POST", "/v1/tenants", {
        "code": "iamcheck", "names": {"id": "Kabupaten Uji", "en": "Test Regency"}, "timezone": "Asia/Jakarta",
        "service_area": area, "admin": {"username": "admin.iamcheck"}}, user="admin.platform")
    assert created.status_code == 201, created.json_body
    for method, path, body in (
            ("GET", "/v1/tenants", None),
            ("PATCH", "/v1/tenants/iamcheck", {"limits": {"anonymous_reports_per_hour": 9}}),
            ("POST", "/v1/tenants/iamcheck/suspend", {"reason": "uji"}), ("POST", "/v1/tenants/iamcheck/resume", {}),
            ("GET", "/v1/usage", None)):
        response = stack.call(method, path, body, user="admin.platform")
        assert response.status_code == 200, (path, response.json_body)
    officer = stack.call("POST", "/v1/tenants/kupang/staff", {"username": "petugas.iam", "role": "officer",
                                                               "agency": "DLH"}, user="admin.kupang")
    assert officer.status_code == 201, officer.json_body
    staff_path = f"/v1/tenants/kupang/staff/{officer.json_body['id']}"
    key = stack.call("POST", "/v1/tenants/kupang/api-keys", {"name": "IAM"}, user="admin.kupang").json_body
    for method, path, body in (
            ("PATCH", staff_path, {"name": "Petugas IAM", "role": "supervisor"}), ("DELETE", staff_path, None),
            ("GET", "/v1/tenants/kupang/staff?role=officer&agency=DLH", None),
            ("GET", "/v1/tenants/kupang/api-keys", None), ("DELETE", f"/v1/tenants/kupang/api-keys/{key['id']}", None),
            ("GET", "/v1/tenants/kupang/units", None), ("GET", "/v1/tenants/kupang/audit", None),
            ("GET", "/v1/tenants/kupang/usage", None)):
        response = stack.call(method, path, body, user="admin.kupang")
        assert response.status_code == 200, (path, response.json_body)
    assert stack.call("GET", "/v1/tenants/kupang/stats?window=week", user="admin.kupang").status_code == 200
    month = stack.call("GET", "/v1/tenants/kupang/usage", user="admin.kupang").json_body["month"]
    assert stack.call("GET", f"/v1/tenants/kupang/invoices/{month}", user="admin.kupang").status_code == 200
    other = stack.call("POST", "/v1/tenants/kupang/api-keys", {"name": "IAM 2"}, user="admin.kupang").json_body
    assert stack.call("GET", REPORTS, headers={"X-Api-Key": other["key"]}).status_code == 200
    assert stack.call("POST", REPORTS, report_body()).status_code == 201  # anonymous: the hourly throttle
    assert stack.call("GET", "/v1/openapi.json").status_code == 200  # the contract: built from code, no AWS call


def _ask_for_open_data(stack: Any, recorder: Recorder) -> None:
    """Exports (start, then the ready link) and the public dashboard, as anyone calls them."""
    from chalicelib import clock

    today = clock.now().date().isoformat()
    for fmt in ("csv", "geojson"):
        path = f"/v1/tenants/kupang/exports/reports.{fmt}?from={today}&to={today}"
        assert stack.call("GET", path).status_code == 202
        before = len(recorder.calls)
        stack.drain_exports()  # the job's own calls are judged against its own role (below), not the API's
        del recorder.calls[before:]
        assert stack.call("GET", path).status_code == 303
    assert stack.call("GET", "/v1/tenants/kupang/stats/public").status_code == 200


# What Lambda's event source mapping calls to feed a handler (tests' drains stand in for it).
_EVENT_SOURCE_MAPPING = {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
                         "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "dynamodb:DescribeStream", "dynamodb:GetRecords",
                         "dynamodb:GetShardIterator", "dynamodb:ListStreams"}


def _allowed_actions(template: dict[str, Any], role: str) -> set[str]:
    return {action for action, _ in _allowed(template, role)}


def test_every_aws_call_of_the_event_handlers_is_allowed_by_their_roles(stack, sla_clock, monkeypatch):
    """Stream (timers, events), notifier, deliverer and photo processor, each against its own role.

    Calls made by the event source mapping stand-ins themselves (receiving and deleting messages,
    reading the stream) are Lambda's, not the handler's, and are left out.
    """
    template = json.loads((ROOT / "infra" / "resources.json").read_text(encoding="utf-8"))
    tables = _table_logical_ids(template)
    recorder = Recorder()
    real = botocore.client.BaseClient._make_api_call

    def spy(self: Any, operation: str, params: dict[str, Any]) -> Any:
        recorder.record(self, operation, params)
        return real(self, operation, params)

    stack.call("PUT", "/v1/tenants/kupang/notification-channels", {"channels": [
        {"id": "desk-mail", "type": "email", "to": ["pengaduan@kupang.example"], "audiences": ["desk", "reporter"]}]},
        user="admin.kupang")
    report = stack.call("POST", REPORTS, report_body(), user="warga.ani").json_body
    slot = stack.call("POST", f"{REPORTS}/{report['id']}/photos", {"content_type": "image/jpeg"},
                      user="warga.ani").json_body
    upload(slot, jpeg_with_gps())
    stack.call("POST", f"{REPORTS}/{report['id']}/transitions", {"action": "verify"}, user="admin.kupang")
    today = report["created_at"][:10]
    assert stack.call("GET", f"/v1/tenants/kupang/exports/reports.csv?from={today}&to={today}").status_code == 202
    # A duplicate with supporters: the stream moves them to the original and tells its reporter.
    original = stack.call("POST", REPORTS, report_body()).json_body
    duplicate = stack.call("POST", REPORTS, report_body(), user="warga.budi").json_body
    assert stack.call("POST", f"{REPORTS}/{duplicate['id']}/supports", user="warga.ani").status_code == 201
    stack.call("POST", f"{REPORTS}/{duplicate['id']}/transitions",
               {"action": "reject", "reason": "duplicate", "duplicate_of": original["id"]}, user="admin.kupang")

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", spy)
    missing: set[tuple[str, str, str]] = set()
    for role, drain in (("OnReportChangeRole", stack.drain_stream), ("NotifyRole", stack.drain_notifications),
                        ("DeliverRole", stack.drain_deliveries), ("ProcessPhotoUploadsRole", stack.drain_uploads),
                        ("ExportReportsRole", stack.drain_exports)):
        recorder.calls.clear()
        assert drain(), role
        allowed, actions = _allowed(template, role), _allowed_actions(template, role)
        for action, table in recorder.calls:
            if action in _EVENT_SOURCE_MAPPING:
                continue
            if action.startswith("dynamodb:"):
                base, _, index = table.partition("/")
                resource = tables.get(re.sub(r"^aduan-[a-z]+-", "", base), table) + ("/index" if index else "")
                if (action, resource) not in allowed:
                    missing.add((role, action, resource))
            elif action not in actions:
                missing.add((role, action, "*"))
    assert not missing, f"roles lack: {sorted(missing)}"


def _run_open311(stack: Any) -> None:
    """A third-party client on Open311: services, a definition, a form-encoded POST, search, one, a token."""
    from urllib.parse import urlencode

    key = stack.call("POST", "/v1/tenants/kupang/api-keys", {"name": "Open311"}, user="admin.kupang").json_body
    form = urlencode({"jurisdiction_id": "kupang", "api_key": key["key"], "service_code": "road_damage",
                      "attribute[size]": "large", "lat": "-10.1772", "long": "123.607", "email": "a@b.id"})
    created = stack.call("POST", "/open311/v2/requests.json", raw=form.encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert created.status_code == 201, created.body
    request_id = created.json_body[0]["service_request_id"]
    code = stack.call("GET", f"{REPORTS}/{request_id}").json_body["tracking_code"]
    for path in ("discovery.xml", "services.json", "services/road_damage.xml", "requests.json",
                 "requests.xml?status=open", "requests.json?service_code=road_damage,garbage&status=closed",
                 f"requests.json?service_request_id={request_id}", f"requests/{request_id}.xml",
                 f"tokens/{code}.json"):
        query = ("&" if "?" in path else "?") + "jurisdiction_id=kupang"
        response = stack.call("GET", f"/open311/v2/{path}{query}")
        assert response.status_code == 200, (path, response.body)
