"""The OpenAPI contract: every route documented, the document valid, and the app keeping to it under schemathesis."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from typing import Any

import pytest

from tests.integration.conftest import ROOT

OPENAPI = "/v1/openapi.json"
# Per operation; with ~30 operations this is a few hundred generated requests in one run.
EXAMPLES_PER_OPERATION = 12
NEGATIVE_EXAMPLES = 6  # per operation with a request body


def _routes() -> set[tuple[str, str]]:
    """Every route of the native API (``/v1/``); Open311 has its own published specification."""
    from app import app

    return {(method, path) for path, methods in app.routes.items() for method in methods
            if method != "OPTIONS" and path.startswith("/v1/")}


def test_open311_is_left_to_its_own_specification_and_everything_else_is_native():
    from app import app

    outside = {path for path in app.routes if not path.startswith("/v1/")}
    assert outside and all(path.startswith("/open311/v2/") for path in outside)


def test_every_route_of_the_app_has_a_documented_operation(stack):
    from app import app
    from chalicelib.api.openapi import undocumented

    assert not undocumented(app.routes), "declare doc=operation(...) on these routes (chalicelib/api/openapi.py)"
    document = stack.call("GET", OPENAPI).json_body
    documented = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    missing = _routes() - documented
    assert not missing, f"routes without an operation(...) declaration: {sorted(missing)}"
    assert not documented - _routes(), "an operation for a route that does not exist"


def test_a_route_without_a_declaration_is_named_not_hidden():
    from chalicelib.api.openapi import build_document, undocumented

    routes = {"/v1/health": {"GET": object()}, "/v1/nowhere": {"POST": object()}}
    assert undocumented(routes) == ["POST /v1/nowhere"]
    with pytest.raises(LookupError, match="/v1/nowhere"):
        build_document(routes)


def test_the_served_document_passes_the_openapi_linter(stack):
    from openapi_spec_validator import validate
    from openapi_spec_validator.versions.shortcuts import get_spec_version

    response = stack.call("GET", OPENAPI)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    document = response.json_body
    assert document["openapi"] == "3.1.0"
    assert str(get_spec_version(document)) == "OpenAPIV3.1"
    validate(document)


def test_request_bodies_are_the_models_the_routes_validate_with(stack):
    from chalicelib.domain.commands import CreateReport, Transition

    document = stack.call("GET", OPENAPI).json_body
    schemas = document["components"]["schemas"]

    def body_schema(path: str, method: str) -> dict[str, Any]:
        ref = document["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        return schemas[ref.rsplit("/", 1)[1]]

    created = body_schema("/v1/tenants/{tenant}/reports", "post")
    assert created["required"] == CreateReport.model_json_schema()["required"]
    assert created["properties"]["description"]["maxLength"] == CreateReport.model_fields["description"].metadata[
        1].max_length
    assert body_schema("/v1/tenants/{tenant}/reports/{report_id}/transitions", "post")["properties"]["action"][
        "enum"] == list(Transition.model_fields["action"].annotation.__args__)
    # A field the model forbids is refused by the route too: the document says so.
    assert created["additionalProperties"] is False
    tenant = body_schema("/v1/tenants", "post")
    assert set(tenant["required"]) == {"code", "names", "timezone", "service_area", "admin"}


def test_the_response_schemas_are_precise_enough_to_catch_a_wrong_answer(stack):
    from jsonschema import Draft202012Validator

    from tests.integration.conftest import report_body

    document = stack.call("GET", OPENAPI).json_body

    def valid(name: str, body: Any) -> bool:
        return Draft202012Validator({"$ref": f"#/components/schemas/{name}",
                                     "components": document["components"]}).is_valid(body)

    created = stack.call("POST", "/v1/tenants/kupang/reports", report_body()).json_body
    report = stack.call("GET", f"/v1/tenants/kupang/reports/{created['id']}").json_body
    assert valid("CreatedReport", created) and valid("Report", report)
    assert not valid("Report", {k: v for k, v in report.items() if k != "status"})
    assert not valid("Report", {**report, "privacy": "secret"})
    assert not valid("Report", {**report, "location": {"lat": "-10.1"}})
    problem = stack.call("GET", "/v1/tenants/nowhere").json_body
    assert valid("Problem", problem)
    assert not valid("Problem", {k: v for k, v in problem.items() if k != "code"})


def test_the_tenant_documents_shapes_name_the_keys_the_parsers_accept():
    from chalicelib.domain import documents, tenancy
    from chalicelib.services import staff

    assert set(documents.NewTenant.model_fields) == set(tenancy.CREATE_KEYS)
    assert set(documents.TenantChanges.model_fields) == set(tenancy.PATCH_KEYS)
    assert set(documents.NewStaff.model_fields) == set(staff._FIELDS)
    assert set(documents.StaffChanges.model_fields) == set(staff._PATCH_FIELDS)


def test_every_error_is_documented_as_problem_json(stack):
    document = stack.call("GET", OPENAPI).json_body
    for path, item in document["paths"].items():
        for method, op in item.items():
            for status, answer in op["responses"].items():
                if int(status) >= 400:
                    assert answer["$ref"] == f"#/components/responses/{status}", (method, path, status)
    problem = document["components"]["responses"]["422"]["content"]["application/problem+json"]["schema"]
    assert problem["$ref"].endswith("/Problem")
    assert {"bearer", "apiKey", "receipt"} <= set(document["components"]["securitySchemes"])


def test_the_document_is_not_built_on_a_cold_start():
    """Importing the app (a Lambda cold start) neither imports pydantic nor builds the document."""
    code = ("import sys, app; from chalicelib.api import openapi; "
            "print('pydantic' in sys.modules, openapi._DOCUMENT is None, len(openapi.OPERATIONS))")
    # Our own interpreter running our own code (S603 is about untrusted input).
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,  # noqa: S603
                         check=True, env={"PATH": "", "AWS_DEFAULT_REGION": "ap-southeast-3", "TZ": "UTC"})
    pydantic_loaded, not_built, operations = out.stdout.split()
    assert (pydantic_loaded, not_built) == ("False", "True")
    assert int(operations) == len(_routes())


def test_a_suspend_reason_that_is_not_text_is_refused_and_changes_nothing(stack):
    refused = stack.call("POST", "/v1/tenants/karo/suspend", {"reason": 42}, user="admin.platform")
    assert refused.status_code == 422
    assert refused.json_body["errors"][0]["field"] == "reason"
    assert stack.call("GET", "/v1/tenants/karo").status_code == 200  # still active


# -- schemathesis -----------------------------------------------------------------------------------------------


class ChaliceWsgi:
    """The Chalice test client as a WSGI app, so schemathesis drives the real app (and its middleware) in-process."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        from http import HTTPStatus
        from urllib.parse import quote

        raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
        if not raw:
            path = environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace")
            raw = quote(path, safe="/:@!$&'()*+,;=-._~")
            if environ.get("QUERY_STRING"):
                raw += "?" + environ["QUERY_STRING"]
        headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items()
                   if key.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        response = self.client.http.request(environ["REQUEST_METHOD"], raw, headers=headers, body=body)
        try:
            phrase = HTTPStatus(response.status_code).phrase
        except ValueError:
            phrase = "Unknown"
        start_response(f"{response.status_code} {phrase}", list(response.headers.items()))
        return [response.body or b""]


def test_schemathesis_finds_no_server_error_and_no_response_outside_the_contract(stack, capsys):
    import schemathesis
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    from tests.integration.conftest import report_body

    app = ChaliceWsgi(stack.client)
    schema = schemathesis.openapi.from_wsgi(OPENAPI, app)
    # Real ids, credentials and (for some cases) valid bodies let generated requests reach past the door.
    report = stack.call("POST", "/v1/tenants/kupang/reports", report_body(), user="warga.ani").json_body
    tokens = {user: stack.token(user) for user in ("warga.ani", "admin.kupang", "admin.platform")}
    officer = stack.call("POST", "/v1/tenants/kupang/staff", {"username": "petugas.fuzz", "role": "officer",
                                                               "agency": "DLH"}, user="admin.kupang").json_body
    key = stack.call("POST", "/v1/tenants/kupang/api-keys", {"name": "Fuzz"}, user="admin.kupang").json_body
    month = stack.call("GET", "/v1/tenants/kupang/usage", user="admin.kupang").json_body["month"]
    real = {"tenant": "kupang", "report_id": report["id"], "agency": "DLH", "staff_id": officer["id"],
            "key_id": key["id"], "month": month}
    # What GET answers, PUT must take back: the desk's round trip of its own SLA policy.
    policy = stack.call("GET", "/v1/tenants/kupang/sla-policy", user="admin.kupang").json_body
    good = {**GOOD_BODIES, ("PUT", "/v1/tenants/{tenant}/sla-policy"): lambda n: policy}
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
              response_schema_conformance]
    counts: Counter[str] = Counter()
    started = time.perf_counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    # schemathesis leaves out the operation serving the schema itself
    assert {(op.method.upper(), op.path) for op in operations} == _routes() - {("GET", OPENAPI)}
    failures: list[str] = []
    runs = [(operation, GenerationMode.POSITIVE, EXAMPLES_PER_OPERATION) for operation in operations]
    # Bodies that break the schema on purpose: a 4xx problem every time, never a 5xx.
    runs += [(operation, GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES) for operation in operations
             if operation.body]
    for operation, mode, examples in runs:
        try:
            _fuzz(operation, mode, examples, real, tokens, good, checks, counts)
        except (Exception, BaseExceptionGroup) as err:  # every operation's findings are listed, not just the first
            found = err.exceptions if isinstance(err, BaseExceptionGroup) else (err,)
            failures += [f"{operation.method.upper()} {operation.path}: {one}" for one in found]
    elapsed = time.perf_counter() - started
    summary = (f"schemathesis: {len(operations)} operations, {counts['requests']} requests in {elapsed:.1f} s: "
               + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k.endswith("xx")))
    with capsys.disabled():  # the counts are shown on every run, not only when the test fails
        print(f"\n{summary}")
    print(*(f"  {k}: {v}" for k, v in sorted(counts.items()) if " " in k), sep="\n")
    assert not failures, "\n\n".join(failures)
    assert counts["requests"] >= 300
    assert counts["2xx"] > 0 and counts["4xx"] > 0


_AREA = {"type": "Polygon", "coordinates": [[[98.3, 2.9], [98.7, 2.9], [98.7, 3.3], [98.3, 2.9]]]}
# Bodies that pass validation, for every fourth case, so the 2xx answers of writes are checked against the contract.
GOOD_BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/v1/tenants/{tenant}/reports"): lambda n: {
        "category": "garbage", "description": f"Sampah menumpuk ({n})", "location": {"lat": -10.1772, "lon": 123.607}},
    ("POST", "/v1/tenants/{tenant}/reports/{report_id}/photos"): lambda n: {"content_type": "image/jpeg"},
    ("POST", "/v1/tenants/{tenant}/reports/{report_id}/transitions"): lambda n: {"action": "note", "note": f"uji {n}",
                                                                                 "visibility": "internal"},
    ("POST", "/v1/tenants/{tenant}/staff"): lambda n: {"username": f"petugas.fuzz{n}", "role": "officer",
                                                       "agency": "DLH"},
    ("PATCH", "/v1/tenants/{tenant}/staff/{staff_id}"): lambda n: {"name": f"Petugas {n}"},
    ("POST", "/v1/tenants"): lambda n: {"code": f"fuzz{n}", "names": {"id": f"Kabupaten Uji {n}"},
                                        "timezone": "Asia/Jakarta", "service_area": _AREA,
                                        "admin": {"username": f"admin.fuzz{n}"}},
    ("PATCH", "/v1/tenants/{tenant}"): lambda n: {"limits": {"anonymous_reports_per_hour": 50 + n}},
    ("PUT", "/v1/tenants/{tenant}/notification-channels"): lambda n: {"channels": []},
}


def _fuzz(operation: Any, mode: Any, examples: int, real: dict[str, str], tokens: dict[str, str],
          good: dict[tuple[str, str], Any], checks: list[Any], counts: Counter[str]) -> None:
    """Generated cases of one operation; every other one as a real caller on a real tenant and report."""
    from hypothesis import HealthCheck, given, settings

    seen = {"n": 0}
    platform = "platform" in operation.tags

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        n = seen["n"]
        seen["n"] += 1
        if n % 2 == 0:
            for name in list(case.path_parameters or {}):
                if name in real:
                    # The platform's cases (suspend, change) go to another tenant than everyone else's.
                    case.path_parameters[name] = "langkat" if platform and name == "tenant" else real[name]
            user = ("admin.platform" if platform else
                    "warga.ani" if n % 4 == 0 and "citizen" in operation.tags else "admin.kupang")
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {tokens[user]}"}
            case.headers.pop("X-Api-Key", None)
            if n % 4 == 0 and mode == "positive" and (operation.method.upper(), operation.path) in good:
                case.body = good[(operation.method.upper(), operation.path)](n)
        response = case.call()
        counts[f"{response.status_code // 100}xx"] += 1
        counts[f"{operation.method.upper()} {operation.path} {response.status_code}"] += 1
        counts["requests"] += 1
        case.validate_response(response, checks=checks)

    run()
