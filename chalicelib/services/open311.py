"""Open311 GeoReport v2 use cases: discovery, services, definitions, search, one request, submit, tokens.

Every use case that names a jurisdiction opens ``tenant_scope`` for it before touching DynamoDB (the
path carries no ``{tenant}``, so the middleware cannot). Answers are plain dicts in the spec's field
order; ``api/open311_wire.py`` renders them as XML or JSON. Only publicly listed reports are ever
shown (confidential ones are absent, as if they did not exist) and no reporter identity is part of the
format at all.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import re
from collections.abc import Iterator
from itertools import islice
from typing import Any

from chalicelib import clock
from chalicelib.domain import open311 as rules
from chalicelib.domain.questions import questions_for
from chalicelib.domain.report_ids import id_bounds
from chalicelib.domain.reports import is_listed_publicly
from chalicelib.domain.taxonomy import CATEGORIES, group_of
from chalicelib.errors import ProblemError

_TENANT_CODE = re.compile(r"^[a-z][a-z0-9-]{1,31}$")
_MIN_PAGE = 50  # items per DynamoDB page at least, however many index queries are merged
_MAX_PARTITIONS = 15  # codes x states read as separate partitions up to this many queries; beyond, filtered


def discovery(base_url: str) -> dict[str, Any]:
    """The service discovery document (static: one endpoint serves every jurisdiction)."""
    local = "://127.0.0.1" in base_url or "://localhost" in base_url
    return {
        "changeset": rules.CHANGESET,
        "contact": rules.CONTACT,
        "key_service": rules.KEY_SERVICE,
        "endpoints": [{
            "specification": rules.SPECIFICATION,
            "url": base_url,
            "changeset": rules.CHANGESET,
            "type": "test" if local else "production",
            "formats": [rules.FORMATS["xml"], rules.FORMATS["json"]],
        }],
    }


# -- the jurisdiction ------------------------------------------------------------------------

def jurisdiction(code: str | None) -> str:
    """A well-formed jurisdiction_id (the tenant code); 400 when missing, 404 when it cannot be one."""
    if not code:
        raise rules.bad_request("jurisdiction_id wajib diisi (kode pemda, mis. kupang).",
                                "jurisdiction_id is required (the regional government's code, e.g. kupang).")
    if not _TENANT_CODE.match(code):
        raise _unknown_jurisdiction()
    return code


def _unknown_jurisdiction() -> rules.Open311Error:
    return rules.not_found("jurisdiction_id tidak dikenal.", "Unknown jurisdiction_id.")


def load_tenant(code: str) -> Any:
    """The tenant behind a jurisdiction (call inside its tenant scope); suspended ones are refused."""
    from chalicelib.services.tenants import require_tenant

    try:
        return require_tenant(code)
    except ProblemError as err:
        if err.code == "tenant_suspended":
            raise rules.Open311Error(403, [("Layanan pemda ini sedang ditangguhkan.",
                                            "This regional government's service is suspended.")]) from None
        raise _unknown_jurisdiction() from None


# -- services --------------------------------------------------------------------------------

def _offered(tenant: Any) -> list[Any]:
    from chalicelib.services.tenants import offered

    return [c for c in CATEGORIES.values() if offered(tenant, c.code)]


def _service_description(category: Any, lang: str) -> str:
    other = category.name_en if lang != "en" else category.name_id
    note = ""
    if category.sensitive:
        note = (" Reports are confidential: never listed publicly." if lang == "en"
                else " Laporan bersifat rahasia: tidak pernah ditampilkan publik.")
    return f"{category.name_en if lang == 'en' else category.name_id} ({other}).{note}"


def services(tenant: Any, lang: str) -> list[dict[str, Any]]:
    """One service per category the tenant offers."""
    items = []
    for category in _offered(tenant):
        words = {w.strip("(),.").lower() for w in f"{category.name_id} {category.name_en}".split()}
        items.append({
            "service_code": category.code,
            "service_name": category.name_en if lang == "en" else category.name_id,
            "description": _service_description(category, lang),
            "metadata": bool(questions_for(category.code)),
            "type": "realtime",
            "keywords": ",".join(sorted(w for w in words if len(w) > 3)),
            "group": group_of(category.code, lang),
        })
    return items


def _service(tenant: Any, code: str) -> Any:
    from chalicelib.services.tenants import category

    try:
        return category(tenant, code)
    except ProblemError:
        raise rules.not_found("service_code tidak dikenal di pemda ini.",
                              "Unknown service_code in this jurisdiction.") from None


def definition(tenant: Any, code: str, lang: str) -> dict[str, Any]:
    """The service definition: the category's extra questions as attributes."""
    category = _service(tenant, code)
    attributes = []
    for order, question in enumerate(questions_for(category.code), start=1):
        attributes.append({
            "variable": question.variable,
            "code": question.code,
            "datatype": question.datatype,
            "required": question.required,
            "datatype_description": _datatype_description(question.datatype, lang),
            "order": order,
            "description": question.describe(lang),
            "values": [{"key": c.key, "name": c.name_en if lang == "en" else c.name_id}
                       for c in question.choices],
        })
    return {"service_code": category.code, "attributes": attributes}


def _datatype_description(datatype: str, lang: str) -> str:
    words = {
        "string": ("Teks singkat (paling banyak 500 karakter).", "Short text (at most 500 characters)."),
        "text": ("Teks panjang (paling banyak 4000 karakter).", "Long text (at most 4000 characters)."),
        "number": ("Angka, mis. 30 atau 12.5.", "A number, e.g. 30 or 12.5."),
        "datetime": ("Tanggal-waktu ISO 8601 dengan zona waktu.", "An ISO 8601 date-time with a time zone."),
        "singlevaluelist": ("Satu kunci dari daftar values.", "One key from the values."),
        "multivaluelist": ("Satu atau lebih kunci dari daftar values (attribute[code][]=...).",
                           "One or more keys from the values (attribute[code][]=...)."),
    }[datatype]
    return words[1] if lang == "en" else words[0]


# -- requests --------------------------------------------------------------------------------

def _unit_name(tenant: Any, unit: str | None) -> str | None:
    if not unit:
        return None
    for entry in (tenant.agencies.as_dict() if tenant.agencies else {}).values():
        if isinstance(entry, dict) and entry.get("code") == unit:
            return str(entry.get("name") or unit)
    return unit


def _media_url(report: Any) -> str | None:
    """Our own processed photo (metadata stripped), never a URL a client sent."""
    from chalicelib.adapters.photo_storage import presigned_download
    from chalicelib.config import get_settings
    from chalicelib.domain import photos as photo_rules

    for photo in report.photos or []:
        if photo.status == "ready" and photo.kind == "intake":
            return presigned_download(photo_rules.display_key(report.tenant, report.report_id, photo.id),
                                      get_settings().photo_url_ttl_seconds)
    return None


def request_view(tenant: Any, report: Any, lang: str) -> dict[str, Any]:
    """One report as an Open311 request (publicly listed reports only; nothing about the reporter)."""
    category = CATEGORIES.get(report.category)
    state = rules.open311_status(report.status)
    updated = report.updated_at
    if state == "closed":
        updated = report.closed_at or report.resolved_at or report.updated_at
    return {
        "service_request_id": report.report_id,
        "status": state,
        "status_notes": rules.status_note(report.status, lang),
        "service_name": (category.name_en if lang == "en" else category.name_id) if category else report.category,
        "service_code": report.category,
        "description": report.description,
        "agency_responsible": _unit_name(tenant, report.agency),
        "requested_datetime": report.created_at,
        "updated_datetime": updated,
        "expected_datetime": report.due_at if state == "open" else None,
        "address": report.address,
        "lat": float(report.lat),
        "long": float(report.lon),
        "media_url": _media_url(report),
    }


def _public_report(tenant: Any, ref: str) -> Any | None:
    """A publicly listed report by id or tracking code, else None (confidential ones are not there)."""
    from chalicelib.services.reports import load

    try:
        report = load(tenant.code, ref)
    except ProblemError:
        return None
    return report if is_listed_publicly(report.privacy) else None


def one_request(tenant: Any, ref: str, lang: str) -> list[dict[str, Any]]:
    report = _public_report(tenant, ref)
    if report is None:
        raise rules.not_found("service_request_id tidak ditemukan.", "service_request_id not found.")
    return [request_view(tenant, report, lang)]


def _streams(tenant: Any, search: rules.Search) -> list[Iterator[Any]]:
    """One newest-first stream per index partition the filters name, bounded by the date window."""
    from chalicelib.store.open311 import between

    assert search.start is not None and search.end is not None
    lo, hi = id_bounds(search.start, search.end)
    both = not search.states or search.states == {"open", "closed"}
    statuses = None if both else rules.internal_statuses(set(search.states))
    # One page holds the whole answer when one partition is read; with several, each page holds its share
    # (a skewed answer reads a few more pages of the partition that has it).
    if search.codes and statuses is not None and len(search.codes) * len(statuses) <= _MAX_PARTITIONS:
        pairs = [f"{code}#{status}" for code in search.codes for status in statuses]
        return [between(tenant.code, "category_status", pair, lo, hi, None, _page_size(len(pairs)))
                for pair in pairs]
    if search.codes:  # many codes and a state: one query per code, the other state filtered out
        page = _page_size(len(search.codes))
        return [between(tenant.code, "category", code, lo, hi, statuses, page) for code in search.codes]
    if statuses is not None:
        return [between(tenant.code, "status", status, lo, hi, None, _page_size(len(statuses)))
                for status in statuses]
    return [between(tenant.code, "feed", None, lo, hi, None, _page_size(1))]


def _page_size(partitions: int) -> int:
    return max(_MIN_PAGE, rules.MAX_RESULTS // partitions + 1)


def search_requests(tenant: Any, params: dict[str, str | None], lang: str) -> list[dict[str, Any]]:
    """``GET requests``: by ids (which override everything), or by codes, states and a <= 90-day window;
    newest first, at most 1,000."""
    search = rules.parse_search(params, clock.now())
    if search.ids:
        found = (_public_report(tenant, ref) for ref in search.ids)
        return [request_view(tenant, r, lang) for r in found if r is not None]
    codes = tuple(c for c in search.codes if c in CATEGORIES)  # an unknown code simply matches nothing
    if search.codes and not codes:
        return []
    search = rules.Search(codes=codes, states=search.states, start=search.start, end=search.end)
    from chalicelib.store.open311 import listed

    merged = heapq.merge(*_streams(tenant, search), key=lambda r: r.report_id, reverse=True)
    return [request_view(tenant, r, lang) for r in listed(tenant.code, list(islice(merged, rules.MAX_RESULTS)))]


def token(tenant: Any, value: str) -> list[dict[str, Any]]:
    """Tokens are tracking codes: services are ``realtime`` (the id comes back at once), but a citizen who
    holds a tracking code (``KPG-7Q4M2X``) can still turn it into the request id here."""
    from chalicelib.domain.reports import looks_like_tracking_code

    report = _public_report(tenant, value) if looks_like_tracking_code(value) else None
    if report is None:
        raise rules.not_found("token tidak ditemukan.", "token not found.")
    return [{"service_request_id": report.report_id, "token": report.tracking_code}]


# -- POST requests ---------------------------------------------------------------------------

def authenticate(tenant_code: str, presented: str | None) -> str:
    """The client app's key id; 403 when the api_key is missing, unknown, revoked or another tenant's."""
    from chalicelib.services import api_keys

    if not presented:
        raise rules.Open311Error(403, [("api_key wajib untuk membuat laporan.",
                                        "api_key is required to create a request.")])
    try:
        return api_keys.authenticate(tenant_code, presented)
    except ProblemError:
        raise rules.Open311Error(403, [("api_key tidak valid, sudah dicabut, atau milik pemda lain.",
                                        "api_key is invalid, revoked, or belongs to another jurisdiction.")]) from None


def _locate_address(tenant: Any, address: str) -> rules.Location:
    """A point for an address without coordinates: inside the most specific routing area whose name it
    mentions ("Jl. Soeharto, Oebobo" -> a point in Oebobo). No geocoder is called: it is a guess the
    desk checks when verifying, and without a matching area the client must send lat and long."""
    from chalicelib.services.routing import area_index

    index = area_index(tenant)
    text = f" {re.sub(r'[^0-9a-z]+', ' ', address.lower())} "
    best = None
    for spec in index.specs if index else []:
        name = re.sub(r"[^0-9a-z]+", " ", spec.name.lower()).strip()
        if name and f" {name} " in text and (best is None or index.planar_area(spec) < index.planar_area(best)):
            best = spec
    if index is None or best is None:
        raise rules.bad_request("address_string tidak dapat dipetakan ke wilayah pemda ini; kirim lat dan long.",
                                "address_string could not be placed in this jurisdiction; send lat and long.")
    lat, lon = index.interior_point(best)
    return rules.Location(lat=round(lat, 6), lon=round(lon, 6))


def _auto_key(form: rules.Submission) -> str:
    """A retry of the very same form by the same client app is the same request (clients rarely send
    Idempotency-Key): the key is a digest of everything but the api_key."""
    fields = {k: v for k, v in form.fields.items() if k != "api_key"}
    digest = hashlib.sha256(json.dumps([fields, form.attributes], sort_keys=True).encode()).hexdigest()
    return f"open311-auto-{digest[:48]}"


_STATUS_OF_PROBLEM = {"unknown_category": 404, "category_not_found": 404, "tenant_not_found": 404,
                      "invalid_api_key": 403, "tenant_suspended": 403}


def as_open311(err: ProblemError, lang: str) -> rules.Open311Error:
    """A problem of the native use case in the Open311 shape: 404 and 403 kept, everything else 400."""
    from chalicelib.errors import CATALOG

    status = _STATUS_OF_PROBLEM.get(err.code, 400 if err.status < 500 else err.status)
    title = CATALOG[err.code][1]
    messages = [(f"{title['id'][0]}: {title['id'][1]}", f"{title['en'][0]}: {title['en'][1]}")]
    if err.errors:
        names = {"location.lat": "lat", "location.lon": "long", "category": "service_code",
                 "address": "address_string", "answers": "attribute", "contact.email": "email",
                 "contact.first_name": "first_name", "contact.last_name": "last_name", "contact.phone": "phone"}
        messages = [(f"{names.get(e.field, e.field)}: {e.message.get('id', '')}",
                     f"{names.get(e.field, e.field)}: {e.message.get('en', '')}") for e in err.errors]
    return rules.Open311Error(status, messages, headers=dict(err.headers))


def submit(tenant: Any, form: rules.Submission, key_id: str, idempotency_key: str | None, lang: str,
           lambda_context: Any = None) -> list[dict[str, Any]]:
    """``POST requests`` through the native submit use case (metering, throttling, routing, SLA, privacy)."""
    from chalicelib.services import reports

    code = form.fields.get("service_code")
    if not code:
        raise rules.bad_request("service_code wajib diisi.", "service_code is required.")
    category = _service(tenant, code)
    location = rules.location_of(form) or _locate_address(tenant, form.fields["address_string"])
    description = form.fields.get("description") or category.name_id  # optional in Open311, required here
    if len(description) > 4000:
        raise rules.bad_request("description paling banyak 4000 karakter.", "description may be at most 4000 "
                                "characters.")
    body: dict[str, Any] = {"category": category.code, "description": description,
                            "location": {"lat": location.lat, "lon": location.lon}}
    if form.fields.get("address_string"):
        body["address"] = form.fields["address_string"][:500]
    body["answers"] = form.attributes  # always checked, required questions included (see check_answers)
    contact = rules.contact_of(form)
    if contact:
        body["contact"] = contact
    media_url = rules.media_url_of(form)
    if media_url:
        body["media_url"] = media_url
    if idempotency_key is not None:
        _check_key(idempotency_key)
    key = idempotency_key or _auto_key(form)
    try:
        # Keys are scoped to the client app: another app (or a native caller) never replays this response.
        result = reports.submit(tenant.code, body, None, key, lambda_context=lambda_context,
                                client=f"open311-{key_id}")
    except ProblemError as err:
        raise as_open311(err, lang) from None
    created = result["body"]
    notice = (f"Kode pelacakan {created['tracking_code']}." if lang != "en"
              else f"Tracking code {created['tracking_code']}.")
    if created.get("privacy") == "confidential":
        notice += (" This report is confidential and is never listed publicly." if lang == "en"
                   else " Laporan ini rahasia dan tidak pernah ditampilkan publik.")
    return [{"service_request_id": created["id"], "service_notice": notice}]


def _check_key(key: str) -> None:
    from chalicelib.services.reports import valid_idempotency_key

    try:
        valid_idempotency_key(key)
    except ProblemError:
        raise rules.bad_request("Idempotency-Key harus 1-255 karakter ASCII yang terlihat.",
                                "Idempotency-Key must be 1-255 visible ASCII characters.") from None


def count_request(tenant_code: str) -> None:
    """One billable request of a client app's api_key (``api_requests``, as ``X-Api-Key`` requests count)."""
    from chalicelib.services.api_keys import count_request as count

    count(tenant_code)
