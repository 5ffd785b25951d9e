"""Logs carry the request id and tenant and never personal data; each report is metered once."""

from __future__ import annotations

import json

from tests.integration.conftest import report_body

REPORTS = "/v1/tenants/kupang/reports"


def _json_lines(text):
    lines = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except ValueError:
                continue
    return lines


def test_no_log_line_carries_personal_data_receipts_or_tokens(stack, capsys):
    token = stack.token("warga.ani")
    body = report_body(description="Nama saya Siti, HP 0812-3456-7890, sampah menumpuk",
                       address="Rumah Bapak Yohanes, RT 05")
    capsys.readouterr()
    anonymous = stack.call("POST", REPORTS, body).json_body
    signed = stack.call("POST", REPORTS, body, user="warga.ani").json_body
    stack.call("GET", f"{REPORTS}/{anonymous['id']}", headers={"X-Report-Receipt": anonymous["receipt"]})
    stack.call("GET", "/v1/tenants/kupang/me/reports", user="warga.ani")
    stack.call("GET", "/v1/tenants/kupang/me/reports", headers={"Authorization": "Bearer forged.token.here"})
    output = capsys.readouterr()
    logged = output.out + output.err
    assert "report created" in logged
    for secret in (anonymous["receipt"], token, token.split(".")[1], "Siti", "0812-3456-7890", "Yohanes",
                   "warga.ani", signed["reporter"]["id"], "forged.token.here"):
        assert secret not in logged


def test_log_lines_carry_the_request_id_and_tenant(stack, capsys):
    capsys.readouterr()
    stack.call("POST", REPORTS, report_body())
    lines = _json_lines(capsys.readouterr().out)
    created = next(line for line in lines if line.get("message") == "report created")
    access = next(line for line in lines if line.get("message") == "request")
    for line in (created, access):
        assert line["tenant"] == "kupang"
        assert line["request_id"]
    assert access["status"] == 201


def test_one_metric_is_emitted_per_report_created_by_tenant(stack, capsys):
    capsys.readouterr()
    stack.call("POST", REPORTS, report_body())
    stack.call("POST", REPORTS, report_body(), headers={"Idempotency-Key": "once"})
    stack.call("POST", REPORTS, report_body(), headers={"Idempotency-Key": "once"})
    stack.call("POST", REPORTS, report_body(category="unicorns"))
    metrics = [line for line in _json_lines(capsys.readouterr().out) if "_aws" in line]
    created = [m for m in metrics if "ReportCreated" in m]
    assert len(created) == 2
    assert all(m["tenant"] == "kupang" and m["ReportCreated"] == [1.0] for m in created)
