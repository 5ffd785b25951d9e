"""The operator's ``aduan-admin``: onboarding from YAML, listing tenants with usage, exporting invoices."""

from __future__ import annotations

import io
import json
from pathlib import Path

from aduan_admin.main import main
from tests.integration.conftest import report_body

EXAMPLE = Path(__file__).parents[2] / "examples" / "tenant-tanahkaro.yaml"


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_the_operator_onboards_a_pemda_from_yaml_and_its_admin_signs_in(stack):
    code, out, err = _run("onboard", str(EXAMPLE))
    assert code == 0, err
    created = json.loads(out)
    assert created["tenant"]["code"] == "tanahkaro" and created["tenant"]["plan"]["base_monthly"] == 5_000_000
    assert "tenant tanahkaro" in err and "shown only this once" in err
    admin = stack.sign_in_new("admin.tanahkaro", created["admin"]["temporary_password"])
    assert admin
    assert stack.call("GET", "/v1/tenants/tanahkaro/units", user="admin.tanahkaro").status_code == 200
    audit = stack.call("GET", "/v1/tenants/tanahkaro/audit", user="admin.tanahkaro").json_body["items"]
    assert audit[-1]["action"] == "tenant.create" and audit[-1]["actor"]["id"].startswith("cli:")
    again, _, err = _run("onboard", str(EXAMPLE))
    assert again == 2 and "tenant_exists" in err  # never an overwrite


def test_a_bad_yaml_file_gets_every_problem_with_its_yaml_path_and_line_and_creates_nothing(stack, tmp_path):
    bad = EXAMPLE.read_text().replace("timezone: Asia/Jakarta", "timezone: Europe/Berlin").replace(
        "type: PUPR}", "type: POLICE}").replace("unit_price: 200}", "unit_price: -5}")
    path = tmp_path / "bad.yaml"
    path.write_text(bad)
    code, out, err = _run("onboard", str(path))
    assert code == 2 and out == ""
    lines = bad.splitlines()
    for where, needle in (("timezone", "timezone: Europe"), ("units[1].type", "PUPR-TKR"),
                          ("plan.items.photos_stored.unit_price", "photos_stored")):
        line = next(i for i, text in enumerate(lines, 1) if needle in text)
        assert f"{path}:{line}: {where}:" in err, err
    assert stack.call("GET", "/v1/tenants/tanahkaro").status_code == 404


def test_a_file_that_is_not_yaml_is_a_clear_error(stack, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("code: [unclosed\n")
    code, _, err = _run("onboard", str(path))
    assert code == 2 and f"{path}:" in err and "not valid YAML" in err


def test_the_operator_lists_tenants_with_their_usage_and_exports_invoices(stack, tmp_path):
    stack.call("POST", "/v1/tenants/kupang/reports", report_body(), user="warga.ani")
    code, out, _ = _run("tenants", "--json")
    assert code == 0
    rows = {row["tenant"]: row for row in json.loads(out)["tenants"]}
    assert rows["kupang"]["counters"]["reports_created"] == 1 and rows["karo"]["counters"]["reports_created"] == 0
    code, out, _ = _run("tenants")
    assert code == 0 and "kupang" in out and "TOTAL (IDR)" in out
    month = json.loads(_run("tenants", "--json")[1])["month"]
    code, _, err = _run("invoice", "all", month, "--format", "csv", "--out", str(tmp_path))
    assert code == 0 and "[3/3]" in err
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 3 and all(name.endswith(".csv") for name in files)
    code, out, _ = _run("invoice", "kupang", month)
    assert code == 0 and json.loads(out)["counters"]["reports_created"] == 1
    code, _, err = _run("invoice", "kupang", "2026-13")
    assert code == 2 and "invoice_not_found" in err
