"""Open311 GeoReport v2 at ``/open311/v2/``: discovery, services, definitions, requests, tokens; XML and JSON.

``jurisdiction_id`` is the tenant code. API Gateway path parameters are whole segments, so
``requests/{id}.json`` is one parameter (``request_file``) split here; the fixed documents are literal
routes. Every answer, errors included, is in the Open311 shape of the format asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Response

from chalicelib.api.http import Api, language
from chalicelib.api.open311_wire import error_response, respond
from chalicelib.domain import open311 as rules
from chalicelib.errors import ProblemError
from chalicelib.lazy import lazy_module
from chalicelib.observability import logger

open311 = lazy_module("chalicelib.services.open311")

api = Api("open311")
BASE = "/open311/v2"


def _answer(fmt: str, work: Callable[[str], Response]) -> Response:
    """Run a view; any failure becomes an Open311 error in ``fmt`` (never problem+json, never a bare 500)."""
    lang = language(api.request.headers)
    try:
        return work(lang)
    except rules.Open311Error as err:
        return error_response(fmt, err, lang)
    except ProblemError as err:  # the shared use cases speak problem+json; the spec wants its own shape
        from chalicelib.services.open311 import as_open311

        return error_response(fmt, as_open311(err, lang), lang)
    except Exception:
        logger().exception("unhandled error", extra={"route": "open311"})
        return error_response(fmt, rules.Open311Error(500, [("Terjadi kesalahan di server kami; coba lagi.",
                                                            "Something went wrong on our side; retry.")]), lang)


def _in_jurisdiction(code: str | None, work: Callable[[Any], Response]) -> Response:
    """Open the tenant's scope (DynamoDB as that tenant only), load it, then work."""
    from chalicelib.adapters.tenant_scope import tenant_scope
    checked = open311.jurisdiction(code)
    with tenant_scope(checked):
        return work(open311.load_tenant(checked))


def _base_url() -> str:
    headers = api.request.headers
    host = headers.get("host") or "localhost"
    proto = (headers.get("x-forwarded-proto") or ("http" if host.split(":")[0] in ("localhost", "127.0.0.1")
                                                  else "https")).split(",")[0].strip()
    stage = (api.request.context or {}).get("stage")
    prefix = f"/{stage}" if stage and "execute-api" in host else ""
    return f"{proto}://{host}{prefix}{BASE}"


# -- discovery -------------------------------------------------------------------------------

def _discovery(fmt: str) -> Response:
    return _answer(fmt, lambda lang: respond(fmt, "discovery", open311.discovery(_base_url())))


@api.route(f"{BASE}/discovery.json")
def discovery_json() -> Response:
    return _discovery("json")


@api.route(f"{BASE}/discovery.xml")
def discovery_xml() -> Response:
    return _discovery("xml")


# -- services --------------------------------------------------------------------------------

def _services(fmt: str) -> Response:
    return _answer(fmt, lambda lang: _in_jurisdiction(
        api.query("jurisdiction_id"), lambda tenant: respond(fmt, "services", open311.services(tenant, lang))))


@api.route(f"{BASE}/services.json")
def services_json() -> Response:
    return _services("json")


@api.route(f"{BASE}/services.xml")
def services_xml() -> Response:
    return _services("xml")


def _by_file(file_name: str, element: str, fetch: Callable[[Any, str, str], Any]) -> Response:
    """One resource named ``<id>.<format>`` in the path (a service definition, a request, a token):
    ``fetch(tenant, id, lang)`` finds it, the extension picks the format."""
    fmt = file_name.rpartition(".")[2]

    def work(lang: str) -> Response:
        ref, _ = rules.split_file(file_name)
        return _in_jurisdiction(api.query("jurisdiction_id"), lambda tenant: respond(
            fmt, element, fetch(tenant, ref, lang)))

    return _answer(fmt, work)


@api.route(f"{BASE}/services/{{service_file}}")
def service_definition(service_file: str) -> Response:
    return _by_file(service_file, "service_definition",
                    open311.definition)


# -- requests --------------------------------------------------------------------------------

_SEARCH_PARAMS = ("service_request_id", "service_code", "start_date", "end_date", "status")


def _search(fmt: str) -> Response:
    def work(lang: str) -> Response:
        params = {name: api.query(name) for name in _SEARCH_PARAMS}
        return _in_jurisdiction(api.query("jurisdiction_id"), lambda tenant: respond(
            fmt, "service_requests", open311.search_requests(tenant, params, lang)))

    return _answer(fmt, work)


def _create(fmt: str) -> Response:
    from chalicelib.config import get_settings
    def work(lang: str) -> Response:
        raw = api.request.raw_body or b""
        if len(raw) > get_settings().max_body_bytes:
            raise rules.bad_request("Isi permintaan melebihi 1 MB.", "The request body is larger than 1 MB.")
        declared = (api.header("content-type") or "").split(";")[0].strip().lower()
        if declared != "application/x-www-form-urlencoded":
            raise rules.bad_request("Kirim formulir sebagai application/x-www-form-urlencoded.",
                                    "Send the form as application/x-www-form-urlencoded.")
        form = rules.parse_form(raw)
        code = form.fields.get("jurisdiction_id") or api.query("jurisdiction_id")

        def create(tenant: Any) -> Response:
            key_id = open311.authenticate(tenant.code, form.fields.get("api_key") or api.query("api_key"))
            try:
                created = open311.submit(tenant, form, key_id, api.header("idempotency-key"), lang,
                                         lambda_context=api.blueprint.lambda_context)
            except rules.Open311Error as err:
                if err.status < 500:
                    open311.count_request(tenant.code)
                raise
            open311.count_request(tenant.code)  # a client app's request, billed like an X-Api-Key one
            return respond(fmt, "service_requests", created, status=201)

        return _in_jurisdiction(code, create)

    return _answer(fmt, work)


@api.route(f"{BASE}/requests.json")
def requests_json() -> Response:
    return _search("json")


@api.route(f"{BASE}/requests.xml")
def requests_xml() -> Response:
    return _search("xml")


@api.route(f"{BASE}/requests.json", methods=("POST",))
def create_json() -> Response:
    return _create("json")


@api.route(f"{BASE}/requests.xml", methods=("POST",))
def create_xml() -> Response:
    return _create("xml")


@api.route(f"{BASE}/requests/{{request_file}}")
def one_request(request_file: str) -> Response:
    return _by_file(request_file, "service_requests",
                    open311.one_request)


@api.route(f"{BASE}/tokens/{{token_file}}")
def token(token_file: str) -> Response:
    return _by_file(token_file, "service_requests",
                    lambda tenant, value, lang: open311.token(tenant, value))


def framework_error(event: Any, response: Any) -> Any:
    """Chalice's own answers on Open311 paths (405 for a wrong method...) in the Open311 error shape."""
    content_type = next((v for k, v in (response.headers or {}).items() if k.lower() == "content-type"), "")
    if response.status_code < 400 or str(content_type).startswith(("text/xml", "application/json; charset")):
        return response
    from chalicelib.api.http import instance_path

    fmt = "json" if instance_path(event).endswith(".json") else "xml"
    status = response.status_code if response.status_code in (403, 404) else (
        500 if response.status_code >= 500 else 400)
    error = rules.Open311Error(status, [("Permintaan tidak dapat dilayani di alamat ini.",
                                         "This request cannot be served at this address.")])
    answer = error_response(fmt, error, language(event.headers))
    for name, value in (response.headers or {}).items():
        if name.lower() == "allow":
            answer.headers[name] = value
    return answer
