"""PynamoDB models, one per table, and every access pattern they serve.

Every key starts with the tenant, so no query can cross tenants and nothing on a request path scans.

Access patterns
---------------
tenants            GetItem(code)                                   tenant profile, area, units
reports            GetItem(tenant, report_id)                      one report (report_id is a ULID)
                   TransactWrite(report + tracking code)           create, code unique per tenant
                   UpdateItem(version condition)                   any change (optimistic locking)
  public_feed      Query(feed=tenant) newest first                 public list, unfiltered
  public_by_category Query(feed_category=tenant#category)          public list by category
  public_by_status Query(feed_status=tenant#status)                public list by status
  public_by_category_status Query(feed_category_status=tenant#category#status)  both filters
  by_reporter      Query(reporter_key=tenant#sub) newest first     a citizen's own reports
tracking_codes     GetItem(tenant, code)                           find a report by its tracking code
idempotency        Powertools' record per Idempotency-Key          retries of report creation

The ``feed*`` attributes exist only on publicly listed reports (sparse indexes), so a confidential
report cannot appear in a public list even by a bug in a filter.
"""

from __future__ import annotations

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.config import get_settings

_settings = get_settings()


class TenantModel(Model):
    class Meta:
        table_name = _settings.tenants_table
        region = _settings.region
        billing_mode = "PAY_PER_REQUEST"

    code = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    timezone = UnicodeAttribute()
    locale = UnicodeAttribute(default="id-ID")
    code_prefix = UnicodeAttribute()
    service_area = MapAttribute()  # a GeoJSON Polygon or MultiPolygon
    agencies = MapAttribute()  # agency type -> {"code", "name"}: the tenant's own units
    active = NumberAttribute(default=1)


class PhotoAttribute(MapAttribute):
    id = UnicodeAttribute()
    status = UnicodeAttribute()  # pending | ready | rejected
    content_type = UnicodeAttribute()
    kind = UnicodeAttribute(default="intake")
    uploaded_by = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    processed_at = UnicodeAttribute(null=True)
    width = NumberAttribute(null=True)
    height = NumberAttribute(null=True)


def _index(name: str) -> type:
    """Index Meta for a GSI keeping every attribute (reports are read whole)."""
    return type("Meta", (), {"index_name": name, "projection": AllProjection()})


class PublicFeedIndex(GlobalSecondaryIndex):
    Meta = _index("public_feed")
    feed = UnicodeAttribute(hash_key=True)
    report_id = UnicodeAttribute(range_key=True)


class PublicByCategoryIndex(GlobalSecondaryIndex):
    Meta = _index("public_by_category")
    feed_category = UnicodeAttribute(hash_key=True)
    report_id = UnicodeAttribute(range_key=True)


class PublicByStatusIndex(GlobalSecondaryIndex):
    Meta = _index("public_by_status")
    feed_status = UnicodeAttribute(hash_key=True)
    report_id = UnicodeAttribute(range_key=True)


class PublicByCategoryStatusIndex(GlobalSecondaryIndex):
    Meta = _index("public_by_category_status")
    feed_category_status = UnicodeAttribute(hash_key=True)
    report_id = UnicodeAttribute(range_key=True)


class ByReporterIndex(GlobalSecondaryIndex):
    Meta = _index("by_reporter")
    reporter_key = UnicodeAttribute(hash_key=True)
    report_id = UnicodeAttribute(range_key=True)


class ReportModel(Model):
    class Meta:
        table_name = _settings.reports_table
        region = _settings.region
        billing_mode = "PAY_PER_REQUEST"

    tenant = UnicodeAttribute(hash_key=True)
    report_id = UnicodeAttribute(range_key=True)
    tracking_code = UnicodeAttribute()
    category = UnicodeAttribute()
    agency = UnicodeAttribute(null=True)
    description = UnicodeAttribute()
    lat = NumberAttribute()
    lon = NumberAttribute()
    address = UnicodeAttribute(null=True)
    privacy = UnicodeAttribute()
    status = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    reporter_sub = UnicodeAttribute(null=True)
    receipt_hash = UnicodeAttribute(null=True)
    photos = ListAttribute(of=PhotoAttribute, default=list)
    version = VersionAttribute()

    feed = UnicodeAttribute(null=True)
    feed_category = UnicodeAttribute(null=True)
    feed_status = UnicodeAttribute(null=True)
    feed_category_status = UnicodeAttribute(null=True)
    reporter_key = UnicodeAttribute(null=True)

    public_feed = PublicFeedIndex()
    public_by_category = PublicByCategoryIndex()
    public_by_status = PublicByStatusIndex()
    public_by_category_status = PublicByCategoryStatusIndex()
    by_reporter = ByReporterIndex()


class TrackingCodeModel(Model):
    class Meta:
        table_name = _settings.tracking_codes_table
        region = _settings.region
        billing_mode = "PAY_PER_REQUEST"

    tenant = UnicodeAttribute(hash_key=True)
    code = UnicodeAttribute(range_key=True)
    report_id = UnicodeAttribute()


class IdempotencyModel(Model):
    """The table Powertools' idempotency layer writes to; modelled here so it is created and checked."""

    class Meta:
        table_name = _settings.idempotency_table
        region = _settings.region
        billing_mode = "PAY_PER_REQUEST"

    id = UnicodeAttribute(hash_key=True)
    expiration = NumberAttribute(null=True)


ALL_MODELS: tuple[type[Model], ...] = (TenantModel, ReportModel, TrackingCodeModel, IdempotencyModel)
