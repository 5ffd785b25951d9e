"""Report use cases: submit (idempotently), look one up, list the public feed and a citizen's own."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from chalicelib import clock
from chalicelib.domain import geo
from chalicelib.domain import reports as rules
from chalicelib.domain.identity import Caller
from chalicelib.errors import ProblemError, query_error
from chalicelib.observability import count, logger
from chalicelib.services import cursors
from chalicelib.services.tenants import category as find_category
from chalicelib.services.tenants import require_tenant

_ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
DEFAULT_PAGE = 20
MAX_PAGE = 100


def _create(tenant_code: str, request: dict[str, Any], reporter_sub: str | None) -> dict[str, Any]:
    """Validate against the tenant, write the report, and return the response (status and body)."""
    from ulid import ULID

    from chalicelib.domain.billing import seconds_to_next_hour
    from chalicelib.domain.commands import CreateReport
    from chalicelib.services.nearby import possible_duplicates
    from chalicelib.services.routing import propose
    from chalicelib.services.sla import apply_stage
    from chalicelib.services.views import report_view
    from chalicelib.services.workflow import new_event
    from chalicelib.store import reports as store
    from chalicelib.store import usage
    from chalicelib.store.models import ReportModel

    tenant = require_tenant(tenant_code)
    body = CreateReport.model_validate(request)
    category = find_category(tenant, body.category)
    from chalicelib.domain.questions import check_answers

    answers = check_answers(category.code, body.answers)
    if not geo.contains(tenant.service_area.as_dict(), body.location.lat, body.location.lon):
        raise ProblemError("outside_service_area")
    privacy = rules.effective_privacy(body.privacy, category)
    moment = clock.now()
    now = clock.iso(moment)
    receipt = None if reporter_sub else rules.new_receipt()
    route = propose(tenant, category, body.location.lat, body.location.lon)
    report = ReportModel(
        tenant=tenant.code,
        report_id=str(ULID.from_datetime(moment)),  # its time part is created_at's: date windows are key ranges
        category=category.code,
        agency=route.unit,  # proposed: the desk confirms or changes it when verifying
        area=route.area,
        description=body.description,
        lat=body.location.lat,
        lon=body.location.lon,
        address=body.address,
        privacy=privacy,
        status="submitted",
        created_at=now,
        updated_at=now,
        reporter_sub=reporter_sub,
        receipt_hash=rules.hash_receipt(receipt) if receipt else None,
        photos=[],
        answers=answers,
        contact=body.contact.model_dump(exclude_none=True) if body.contact else None,
        external_media_url=body.media_url,
    )
    # Looked up before the write, so the new report is not its own duplicate; kept in the stored
    # response, so an idempotent retry shows the same suggestions.
    duplicates = possible_duplicates(tenant, category.code, body.location.lat, body.location.lon)
    apply_stage(report, "verification", moment, tenant)
    event = new_event(report, action="submit", from_status=None, role="reporter",
                      actor=reporter_sub if privacy != "anonymous" else None, note=None, visibility="public",
                      details={"agency": route.unit, "area": route.area}, now=moment)
    # Counted and throttled in the report's own transaction: no extra call, and a failure uses nothing.
    counted = usage.increment(tenant.code, {"reports_created": 1}, moment, report.report_id)
    throttle = None if reporter_sub else usage.anonymous_throttle(
        tenant.code, tenant.limits.as_dict() if tenant.limits else None, moment)
    try:
        store.create(report, listed=rules.is_listed_publicly(privacy),
                     new_code=lambda: rules.new_tracking_code(tenant.code_prefix), event=event, usage=counted,
                     throttle=throttle)
    except usage.LimitReached:
        raise ProblemError("rate_limited", headers={"Retry-After": str(seconds_to_next_hour(moment))}) from None
    count("ReportCreated", tenant.code)
    logger().info("report created", extra={"tenant": tenant.code, "report_id": report.report_id,
                                           "category": category.code, "privacy": privacy,
                                           "signed_in": reporter_sub is not None})
    view = report_view(report, "full")
    view["possible_duplicates"] = duplicates
    if receipt:
        view["receipt"] = receipt  # shown once: only its hash is kept
    return {"status": 201, "body": view}


@lru_cache(maxsize=1)
def _idempotent_create() -> Any:
    """The create use case behind Powertools' idempotency (built once, on first use)."""
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    from chalicelib.adapters.aws import client
    from chalicelib.config import get_settings

    layer = DynamoDBPersistenceLayer(table_name=get_settings().idempotency_table, boto3_client=client("dynamodb"))
    config = IdempotencyConfig(event_key_jmespath="key", payload_validation_jmespath="body",
                               expires_after_seconds=24 * 3600, raise_on_no_idempotency_key=True)

    @idempotent_function(data_keyword_argument="payload", persistence_store=layer, config=config)
    def create(payload: dict[str, Any]) -> dict[str, Any]:
        return _create(payload["tenant"], payload["body"], payload["reporter"])

    return create, config


def valid_idempotency_key(key: str) -> None:
    if not _IDEMPOTENCY_KEY.match(key):
        raise ProblemError("invalid_idempotency_key")


def submit(tenant_code: str, request: Any, caller: Caller | None, idempotency_key: str | None,
           lambda_context: Any = None, client: str | None = None) -> dict[str, Any]:
    """Create a report; with an Idempotency-Key the same request returns the same response, once.

    ``client`` names a client app filing without a signed-in reporter (Open311): its keys are its own.
    """
    from chalicelib.domain.commands import CreateReport, parse

    require_tenant(tenant_code)
    parse(CreateReport, request)  # bad input is answered before anything is recorded
    reporter = caller.sub if caller else None
    if idempotency_key is None:
        return _create(tenant_code, request, reporter)
    valid_idempotency_key(idempotency_key)
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    create, config = _idempotent_create()
    if lambda_context is not None and hasattr(lambda_context, "get_remaining_time_in_millis"):
        config.register_lambda_context(lambda_context)  # a crashed attempt frees its key when it times out
    # Scoped by tenant and caller: another person re-using a key never sees this response.
    scope = f"{tenant_code}:{reporter or client or 'anonymous'}:{idempotency_key}"
    payload = {"key": scope, "body": request, "tenant": tenant_code, "reporter": reporter}
    try:
        result: dict[str, Any] = create(payload=payload)
    except IdempotencyValidationError:
        raise ProblemError("idempotency_key_reused") from None
    except IdempotencyAlreadyInProgressError:
        raise ProblemError("idempotency_in_progress", headers={"Retry-After": "2"}) from None
    return result


def load(tenant_code: str, ref: str) -> Any:
    """A report by id or tracking code, or 404."""
    from chalicelib.store import reports as store

    tenant = require_tenant(tenant_code)
    report_id: str | None = ref
    if rules.looks_like_tracking_code(ref):
        code = rules.normalise_tracking_code(ref)
        report_id = store.id_for_tracking_code(tenant.code, code) if len(code) <= 32 else None
    elif not _ULID.match(ref):
        report_id = None
    report = store.get(tenant.code, report_id) if report_id else None
    if report is None:
        raise ProblemError("report_not_found")
    return report


def access_of(report: Any) -> rules.ReportAccess:
    return rules.ReportAccess(tenant=report.tenant, privacy=report.privacy, agency=report.agency,
                              reporter_sub=report.reporter_sub, receipt_hash=report.receipt_hash)


def view(tenant_code: str, ref: str, caller: Caller | None, receipt: str | None) -> tuple[Any, str]:
    """The report and which view the caller gets; 404 when they may not know it exists."""
    report = load(tenant_code, ref)
    which = rules.view_for(access_of(report), caller, receipt)
    if which is None:
        raise ProblemError("report_not_found")
    return report, which


def encode_cursor(last_id: str | None) -> str | None:
    return cursors.encode("after", last_id)


def decode_cursor(cursor: str | None) -> str | None:
    return cursors.decode(cursor, "after", lambda value: bool(_ULID.match(value)))


def page_size(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_PAGE
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE:  # "²".isdigit() is True
        raise query_error("limit", "out_of_range", "Harus bilangan 1-100.", "Must be a whole number from 1 to 100.")
    return int(raw)


def list_public(tenant_code: str, category: str | None, status: str | None, limit: int,
                cursor: str | None) -> tuple[list[Any], str | None]:
    from chalicelib.store import reports as store

    tenant = require_tenant(tenant_code)
    after = decode_cursor(cursor)
    check_filters(tenant, category, status)
    page = store.list_public(tenant.code, category=category, status=status, limit=limit, after=after)
    return page.items, encode_cursor(page.last_id)


def check_filters(tenant: Any, category: str | None, status: str | None) -> None:
    """The public list's filters: a category the tenant offers (404 otherwise), a known status (400)."""
    if category is not None:
        try:
            find_category(tenant, category)
        except ProblemError:
            raise ProblemError("category_not_found") from None  # in a URL it is a missing resource
    if status is not None and status not in rules.STATUSES:
        raise query_error("status", "unknown_status", "Status tidak dikenal.", "Unknown status.")


def list_mine(tenant_code: str, caller: Caller, limit: int, cursor: str | None) -> tuple[list[Any], str | None]:
    from chalicelib.store import reports as store

    tenant = require_tenant(tenant_code)
    page = store.list_by_reporter(tenant.code, caller.sub, limit=limit, after=decode_cursor(cursor))
    return page.items, encode_cursor(page.last_id)
