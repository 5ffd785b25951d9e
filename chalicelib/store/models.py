"""PynamoDB models, one per table, and every access pattern they serve.

Every key starts with the tenant, so no query can cross tenants and nothing on a request path scans.

Access patterns
---------------
tenants            GetItem(code)                                   tenant profile, area, units, plan, status
  directory_index  Query(directory="tenants") by code              the platform's list of tenants (platform_admin)
reports            GetItem(tenant, report_id)                      one report (report_id is a ULID)
                   TransactWrite(report + tracking code)           create, code unique per tenant
                   UpdateItem(version condition)                   any change (optimistic locking)
  public_feed      Query(feed=tenant) newest first                 public list, unfiltered
  public_by_category Query(feed_category=tenant#category)          public list by category
  public_by_status Query(feed_status=tenant#status)                public list by status
  public_by_category_status Query(feed_category_status=tenant#category#status)  both filters
  by_reporter      Query(reporter_key=tenant#sub) newest first     a citizen's own reports
                   (these and the three queues below project keys only, then BatchGetItem(tenant,
                   report_id) for the page, dropping entries that left the partition since; public_feed
                   also holds the open data export's columns, which the export reads from it alone, and
                   public_by_category ``status``, which an Open311 search filters on. An update that
                   changes no key of an index, nor what it projects, writes nothing to it)
  public_geo       Query(geo=tenant#<H3 res-6 cell>, geo_key BETWEEN lo AND hi)  public reports in one H3 cell
                   (near search, map boxes and clusters, possible duplicates; domain/geoindex.py), then
                   BatchGetItem(tenant, report_id) for the page shown. INCLUDE projection (lat, lon, category,
                   status, tracking_code, created_at): enough to filter, measure and suggest duplicates, and
                   the index is written only when one of those or the keys change (creation, a status
                   change), not on every update of the report
  (the public_* indexes) Query(..., report_id BETWEEN two ULIDs)  Open311 search: created in a date window
                   (a ULID's time part is created_at, so the window is a key range; store/open311.py;
                   several codes/statuses: one Query per partition, merged newest first)
  desk_queue       Query(desk=tenant#status) by due_key            the complaint desk's inbox (submitted, on_hold)
  unit_queue       Query(unit=tenant#agency) by due_key            a unit's open reports, oldest due first
  unit_status_queue Query(unit_status=tenant#agency#status) by due_key   a unit's reports in one status
                   (``overdue``: a key condition ``due_key < now``; finished reports sort after "~")
report_events      Query(report_key=tenant#report_id) by event_id  a report's history (append-only)
                   TransactWrite(report + event)                   a transition and its history entry, together
areas              Query(tenant)                                    a tenant's routing areas (GeoJSON + units)
notifications      Query(mailbox=tenant#...) newest first           in-app inbox of a user, unit or role
                   (mailbox = tenant#kind#id; a caller's inbox merges up to 4 mailboxes, paged by ``nid < cursor``)
                   PutItem(attribute_not_exists)                   one message per event and mailbox, once
tracking_codes     GetItem(tenant, code)                           find a report by its tracking code
staff              Query(tenant)                                    a tenant's staff directory (officers by unit, roles)
                   GetItem(tenant, sub)                             one account: is the assignee an officer of the unit?
api_keys           Query(tenant)                                    client-app keys (hash only, never the key)
                   GetItem(tenant, key_id)                          check a presented key (it names tenant and id)
audit              Query(tenant) newest first                       the append-only log of admin changes
                   Put in the change's transaction                  a change and its audit entry, together
usage              Query(tenant, begins_with "month#YYYY-MM#")      a month's billable counters (a few shards, summed)
                   TransactWrite(counter ADD + mark Put)            count a billable event once (the mark dedupes)
                   UpdateItem(limit window, condition n < limit)    per-tenant throttles (anonymous per hour)
stats              Query(tenant, between period keys)               dashboard aggregates of a window, per unit and area
                   TransactWrite(aggregates + stream checkpoint)    maintained from the reports stream, exactly once
                   (with the usage counters of the record's SLA timer events: the record's one mark counts them)
exports            GetItem(tenant, job_id)                         an open data export job: pending, ready (file key)
                   PutItem(attribute_not_exists)                   start a job once (its id names format and range)
                   UpdateItem(status condition)                    finish a job; re-queue a stale pending one once
  (the job reads ``public_feed`` with a key condition ``report_id BETWEEN`` the ULIDs of the range's
  first and last millisecond: report ids are ULIDs, which begin with their creation time)
stats              Query(tenant, between "day#<from>" and "day#<to>#~")  public dashboard: every unit's day items
                   Query(tenant, between "month#<from>" and "month#<to>#~")  ... and month items
community          Query(report_key=tenant#report_id, begins_with "support#")   a report's supporters (duplicate merge)
                   TransactWrite(support Put/Delete + report support_count ADD)  one "me too" per person, counted once
                   Query(report_key, begins_with "comment#") oldest first   a report's comments, paged by comment id
                   TransactWrite(comment + key claim + throttle window)  a comment, once, within the hourly limit
                   TransactWrite(comment hidden + author's inbox message)   moderation and its notice, together
idempotency        Powertools' record per Idempotency-Key          retries of report creation
                   Put in the transition's transaction             retries of a transition (one marker per key)

The ``feed*`` and ``geo*`` attributes exist only on publicly listed reports (sparse indexes), so a confidential
report cannot appear in a public list even by a bug in a filter. The staff queue keys (``desk``,
``unit``, ``unit_status``, ``due_key``) likewise exist only while a report is in that queue.

The SLA timer (infra/statemachines/sla.asl.json) writes to report items directly: it bumps
``version`` with every write, so optimistic locking still sees its changes, and it only writes while
``stage`` and ``stage_seq`` still match the execution that is running. (Until its first wake a timer
is an EventBridge Scheduler schedule and writes nothing: adapters/timers.py.)
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.adapters.tenant_scope import install_for_pynamodb
from chalicelib.config import get_settings

_settings = get_settings()
install_for_pynamodb()  # every request for one tenant reaches only that tenant's items (below the app too)


class TenantDirectoryIndex(GlobalSecondaryIndex):
    """Every tenant under one key, so the platform lists them with a Query (a few hundred pemda at most)."""

    class Meta:
        index_name = "directory_index"
        projection = AllProjection()

    directory = UnicodeAttribute(hash_key=True)
    code = UnicodeAttribute(range_key=True)


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
    routing = MapAttribute(null=True)  # category -> agency type: the tenant's overrides of the default chain
    sla_policy = MapAttribute(null=True)  # the SLA policy document (domain/sla.py); None = national defaults
    channels = ListAttribute(null=True)  # outbound notification channels (webhook, email)
    areas_version = NumberAttribute(default=0)  # bumped when areas change: invalidates parsed polygons
    # onboarding and the business side (issue 7)
    names = MapAttribute(null=True)  # {"id": "Pemerintah Kota Kupang", "en": "Kupang City Government"}
    categories = MapAttribute(null=True)  # category -> {"enabled": bool, "unit": unit code?}; None = all, default units
    plan = MapAttribute(null=True)  # the price plan (domain/billing.py); None = the platform's default plan
    limits = MapAttribute(null=True)  # {"anonymous_reports_per_hour": n, ...}; None = platform defaults
    grading = MapAttribute(null=True)  # Kemendagri grade thresholds (domain/stats.py); None = defaults
    suspended_at = UnicodeAttribute(null=True)  # set while suspended (active = 0): every route answers 403
    suspended_reason = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute(null=True)
    directory = UnicodeAttribute(default="tenants")  # the directory_index key: one value for all tenants
    directory_index = TenantDirectoryIndex()


class PhotoAttribute(MapAttribute):
    id = UnicodeAttribute()
    status = UnicodeAttribute()  # pending | ready | rejected
    content_type = UnicodeAttribute()
    kind = UnicodeAttribute(default="intake")
    uploaded_by = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    processed_at = UnicodeAttribute(null=True)
    bytes = NumberAttribute(null=True)  # stored size of the processed copies (display + thumbnail): billed
    width = NumberAttribute(null=True)
    height = NumberAttribute(null=True)


# Listing indexes keep only what a write must not copy on every update: keys, and where a read needs
# more than keys without fetching the items, those few attributes. Their queries then BatchGet the page
# (store/reports.py). DynamoDB writes an index only when its keys or projected attributes change, so a
# note, a photo or the SLA clock no longer rewrites eight copies of the report.
EXPORT_COLUMNS = ("tracking_code", "category", "agency", "area", "status", "description", "address", "lat", "lon",
                  "created_at", "updated_at", "resolved_at", "closed_at", "privacy")


def _index(name: str, projection: Any = None) -> type:
    """Index Meta: keys only, unless the index's readers need more (``projection``)."""
    return type("Meta", (), {"index_name": name, "projection": projection or KeysOnlyProjection()})


class PublicFeedIndex(GlobalSecondaryIndex):
    """INCLUDE the open data export's columns: the export job reads this index and nothing else."""

    Meta = _index("public_feed", IncludeProjection(list(EXPORT_COLUMNS)))
    feed = UnicodeAttribute(hash_key=True)
    report_id = UnicodeAttribute(range_key=True)


class PublicByCategoryIndex(GlobalSecondaryIndex):
    """INCLUDE ``status``: an Open311 search by codes and one state filters a category's partition by it."""

    Meta = _index("public_by_category", IncludeProjection(["status"]))
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


class PublicGeoIndex(GlobalSecondaryIndex):
    """Listed reports by H3 cell: ``geo`` = tenant#<res-6 cell>, ``geo_key`` = <res-15 cell>#<report id>."""

    class Meta:
        index_name = "public_geo"
        # tracking_code and created_at never change: projected, they cost no index write, and a create's
        # duplicate suggestions are answered from the index alone (no BatchGetItem on the create path).
        projection = IncludeProjection(["lat", "lon", "category", "status", "tracking_code", "created_at"])

    geo = UnicodeAttribute(hash_key=True)
    geo_key = UnicodeAttribute(range_key=True)


class DeskQueueIndex(GlobalSecondaryIndex):
    Meta = _index("desk_queue")
    desk = UnicodeAttribute(hash_key=True)
    due_key = UnicodeAttribute(range_key=True)


class UnitQueueIndex(GlobalSecondaryIndex):
    Meta = _index("unit_queue")
    unit = UnicodeAttribute(hash_key=True)
    due_key = UnicodeAttribute(range_key=True)


class UnitStatusQueueIndex(GlobalSecondaryIndex):
    Meta = _index("unit_status_queue")
    unit_status = UnicodeAttribute(hash_key=True)
    due_key = UnicodeAttribute(range_key=True)


class LadderStep(MapAttribute):
    """One escalation step of the running stage: at ``at`` (UTC), level ``level`` tells ``audience``."""

    level = NumberAttribute()
    audience = UnicodeAttribute()
    at = UnicodeAttribute()


class ReportModel(Model):
    class Meta:
        table_name = _settings.reports_table
        region = _settings.region
        billing_mode = "PAY_PER_REQUEST"
        stream_view_type = "NEW_AND_OLD_IMAGES"  # drives timers and notifications (events/report_changes.py)

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

    # lifecycle
    area = UnicodeAttribute(null=True)  # routing area code the point fell in
    assignee = UnicodeAttribute(null=True)  # officer (sub) handling it inside the unit
    reopen_count = NumberAttribute(default=0)
    rating = NumberAttribute(null=True)
    resolved_at = UnicodeAttribute(null=True)
    closed_at = UnicodeAttribute(null=True)
    duplicate_of = UnicodeAttribute(null=True)
    # Supporters ("me too"): changed only with ADD in the transaction that writes or deletes the support
    # item, which also bumps ``version`` so a concurrent load-and-save cannot put back a stale count.
    support_count = NumberAttribute(default=0)
    handoff = UnicodeAttribute(null=True)  # outside body a rejected report was handed to
    last_event = MapAttribute(null=True)  # the latest request-made event: {id, action, from, to, role, note?}
    answers = MapAttribute(null=True)  # the category's extra questions answered at intake (domain/questions.py)
    contact = MapAttribute(null=True)  # email/name/phone of a reporter without an account: staff only, never public
    external_media_url = UnicodeAttribute(null=True)  # a client's own media_url (Open311): staff only, never served

    # SLA: the running stage's clock (absent when no clock runs)
    stage = UnicodeAttribute(null=True)  # verification | first_response | resolution | auto_close
    stage_seq = NumberAttribute(default=0)  # grows with every (re)started stage: names the timer
    stage_started_at = UnicodeAttribute(null=True)
    due_at = UnicodeAttribute(null=True)
    remind_at = UnicodeAttribute(null=True)
    ladder = ListAttribute(of=LadderStep, null=True)
    escalation_level = NumberAttribute(default=0)
    breached = BooleanAttribute(default=False)
    escalated_at = UnicodeAttribute(null=True)

    feed = UnicodeAttribute(null=True)
    feed_category = UnicodeAttribute(null=True)
    feed_status = UnicodeAttribute(null=True)
    feed_category_status = UnicodeAttribute(null=True)
    geo = UnicodeAttribute(null=True)
    geo_key = UnicodeAttribute(null=True)
    reporter_key = UnicodeAttribute(null=True)
    desk = UnicodeAttribute(null=True)
    unit = UnicodeAttribute(null=True)
    unit_status = UnicodeAttribute(null=True)
    due_key = UnicodeAttribute(null=True)

    public_feed = PublicFeedIndex()
    public_by_category = PublicByCategoryIndex()
    public_by_status = PublicByStatusIndex()
    public_by_category_status = PublicByCategoryStatusIndex()
    public_geo = PublicGeoIndex()
    by_reporter = ByReporterIndex()
    desk_queue = DeskQueueIndex()
    unit_queue = UnitQueueIndex()
    unit_status_queue = UnitStatusQueueIndex()


class ReportEventModel(Model):
    """One entry of a report's history. Written once, never changed."""

    class Meta:
        table_name = _settings.report_events_table
        region = _settings.region
        billing_mode = "PAY_PER_REQUEST"

    report_key = UnicodeAttribute(hash_key=True)  # tenant#report_id
    event_id = UnicodeAttribute(range_key=True)  # "<at>#<unique>": sorts by time
    tenant = UnicodeAttribute()
    report_id = UnicodeAttribute()
    at = UnicodeAttribute()
    action = UnicodeAttribute()  # a workflow action, or create / escalate / remind / auto_close
    from_status = UnicodeAttribute(null=True)
    to_status = UnicodeAttribute(null=True)
    actor = UnicodeAttribute(null=True)  # the caller's sub; None for the system and anonymous reporters
    role = UnicodeAttribute()  # reporter | desk | supervisor | officer | system
    note = UnicodeAttribute(null=True)
    visibility = UnicodeAttribute(default="public")  # public | reporter | internal
    details = MapAttribute(null=True)  # agency, assignee, reason, level, stage, rating, duplicate_of...


class AreaModel(Model):
    """A routing area of a tenant (kecamatan or kelurahan) and the units that serve it."""

    class Meta:
        table_name = _settings.areas_table
        region = _settings.region
        billing_mode = "PAY_PER_REQUEST"

    tenant = UnicodeAttribute(hash_key=True)
    code = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    level = UnicodeAttribute(default="kecamatan")
    geometry = UnicodeAttribute()  # GeoJSON Polygon/MultiPolygon as JSON text
    units = MapAttribute(default=dict)  # agency type -> unit code


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
    # Transitions claim their Idempotency-Key in the same transaction as the change (store/reports.py):
    # ``id`` = "transition#<tenant>:<caller>:<report>:<key>", and the body's hash to refuse a reused key.
    payload_hash = UnicodeAttribute(null=True)
    report_id = UnicodeAttribute(null=True)


class NotificationModel(Model):
    """One in-app message in one mailbox. Written once per event and mailbox; expires by TTL."""

    class Meta:
        table_name = _settings.notifications_table
        region = _settings.region
        billing_mode = "PAY_PER_REQUEST"

    mailbox = UnicodeAttribute(hash_key=True)  # "<tenant>#<kind>#<id>": user#sub, unit#DLH, role#tenant_admin...
    nid = UnicodeAttribute(range_key=True)  # "<at>#<source event>": sorts by time, the same for a redelivery
    expires = NumberAttribute(null=True)  # TTL, epoch seconds (180 days after the event)
    tenant = UnicodeAttribute()
    report_id = UnicodeAttribute()
    tracking_code = UnicodeAttribute()
    type = UnicodeAttribute()  # the lifecycle event type, e.g. report.escalated
    title = MapAttribute()  # {"id": ..., "en": ...}: no personal data, ever
    body = MapAttribute()  # {"id": ..., "en": ...}
    at = UnicodeAttribute()  # when the event happened (UTC)


class StaffModel(Model):
    """One staff account of a tenant, mirrored from Cognito (which cannot list users by a custom attribute)."""

    class Meta:
        table_name = _settings.staff_table
        region = _settings.region
        billing_mode = "PAY_PER_REQUEST"

    tenant = UnicodeAttribute(hash_key=True)
    sub = UnicodeAttribute(range_key=True)  # Cognito's immutable user id: what history and assignees name
    username = UnicodeAttribute()
    role = UnicodeAttribute()  # officer | supervisor | tenant_admin
    agency = UnicodeAttribute(null=True)  # the unit of an officer
    name = UnicodeAttribute(null=True)  # display name
    email = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="active")  # active | disabled (never deleted: history names them)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    disabled_at = UnicodeAttribute(null=True)


class ApiKeyModel(Model):
    """A client app's API key: only its hash is kept; the key itself is shown once, when created."""

    class Meta:
        table_name = _settings.api_keys_table
        region = _settings.region
        billing_mode = "PAY_PER_REQUEST"

    tenant = UnicodeAttribute(hash_key=True)
    key_id = UnicodeAttribute(range_key=True)  # public part of the key: adn_<tenant>_<key_id>_<secret>
    name = UnicodeAttribute()  # which app: "Kupang mobile", "Open311 bridge"...
    key_hash = UnicodeAttribute()  # SHA-256 of the whole key
    hint = UnicodeAttribute()  # the first characters, so people can tell keys apart
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute(null=True)
    revoked_at = UnicodeAttribute(null=True)
    gateway_key_id = UnicodeAttribute(null=True)  # the API Gateway key in the usage plan (throttling), if any


class AuditModel(Model):
    """One admin change: who, what, before -> after, when. Written once, never changed; no secrets inside."""

    class Meta:
        table_name = _settings.audit_table
        region = _settings.region
        billing_mode = "PAY_PER_REQUEST"

    tenant = UnicodeAttribute(hash_key=True)
    entry_id = UnicodeAttribute(range_key=True)  # "<at>#<ulid>": sorts by time
    at = UnicodeAttribute()
    actor = UnicodeAttribute()  # the caller's sub, or "cli:<operator>" for the command-line tool
    role = UnicodeAttribute()  # platform_admin | tenant_admin | operator
    action = UnicodeAttribute()  # e.g. tenant.create, units.replace, staff.disable, api_key.revoke
    target = UnicodeAttribute(null=True)  # what was changed (a unit code, a staff id, a key id)
    before = UnicodeAttribute(null=True)  # JSON text, secrets redacted
    after = UnicodeAttribute(null=True)  # JSON text, secrets redacted


class UsageModel(Model):
    """Billable counters and throttling windows of a tenant.

    Counters are top-level number attributes (``reports_created``, ``photo_bytes``...) added to with
    UpdateItem ``ADD``, so a new kind of counter needs no migration. Keys:

    - ``month#<YYYY-MM>#<shard>``: a month's counters, split over a few shards so concurrent writers
      rarely meet on one item (a transaction that meets another is refused and retried);
    - ``mark#<event>``: "this billable event was counted" (written with the counter, expires by TTL);
    - ``limit#<name>#<window>``: a throttle window (e.g. anonymous submissions in one hour).
    """

    class Meta:
        table_name = _settings.usage_table
        region = _settings.region
        billing_mode = "PAY_PER_REQUEST"

    tenant = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True)
    expires = NumberAttribute(null=True)  # TTL, epoch seconds (marks and windows; counters never expire)


class StatsModel(Model):
    """Dashboard aggregates kept from the reports stream: counters and sketch bins per window and dimension.

    Keys: ``<granularity>#<period>#<dimension>`` (``day#2026-12-05#unit#DLH``, ``month#2026-12#area#ALAK``)
    with number attributes added to by the stream handler, ``gauge#<dimension>`` for what is true now
    (overdue reports), and ``mark#<stream event id>``: "this change was applied" (expires by TTL).
    """

    class Meta:
        table_name = _settings.stats_table
        region = _settings.region
        billing_mode = "PAY_PER_REQUEST"

    tenant = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True)
    expires = NumberAttribute(null=True)  # TTL, epoch seconds (marks only; aggregates never expire)


class ExportJobModel(Model):
    """One open data export: what was asked, where the file is, and whether it is ready. Expires by TTL."""

    class Meta:
        table_name = _settings.exports_table
        region = _settings.region
        billing_mode = "PAY_PER_REQUEST"

    tenant = UnicodeAttribute(hash_key=True)
    job_id = UnicodeAttribute(range_key=True)  # reports_<from>_<to>_<asked on>.<format> (domain/opendata.py)
    format = UnicodeAttribute()  # csv | geojson
    start = UnicodeAttribute()  # YYYY-MM-DD, the tenant's local dates, inclusive
    end = UnicodeAttribute()
    status = UnicodeAttribute(default="pending")  # pending | ready
    requested_at = UnicodeAttribute()
    queued_at = UnicodeAttribute()  # last time its message was sent (a stale pending one is sent again)
    file_key = UnicodeAttribute()  # the object in the bucket (exports/<tenant>/<job_id>)
    finished_at = UnicodeAttribute(null=True)
    rows = NumberAttribute(null=True)
    bytes = NumberAttribute(null=True)
    parts = NumberAttribute(null=True)
    pages = NumberAttribute(null=True)
    expires = NumberAttribute(null=True)  # TTL, epoch seconds (the file itself expires by the bucket's lifecycle)
class CommunityModel(Model):
    """Supports ("me too") and comments of one report, under the report's own key.

    Items (``item``): ``support#<sub>`` (one per person: a conditional Put), ``comment#<comment_id>``
    (a ULID, so a Query reads them oldest first), ``claim#<sub>#<key hash>`` (a comment's
    Idempotency-Key, expires by TTL).
    """

    class Meta:
        table_name = _settings.community_table
        region = _settings.region
        billing_mode = "PAY_PER_REQUEST"

    report_key = UnicodeAttribute(hash_key=True)  # tenant#report_id
    item = UnicodeAttribute(range_key=True)
    tenant = UnicodeAttribute()
    report_id = UnicodeAttribute()
    at = UnicodeAttribute()  # when it was written (UTC)
    sub = UnicodeAttribute(null=True)  # the supporter or the comment's author (never shown publicly)
    comment_id = UnicodeAttribute(null=True)
    text = UnicodeAttribute(null=True)
    hidden_at = UnicodeAttribute(null=True)  # set when staff hid the comment: it leaves public views
    hidden_reason = UnicodeAttribute(null=True)  # a stable code (domain/community.py HIDE_REASONS)
    hidden_note = UnicodeAttribute(null=True)  # staff's own words, for staff only
    hidden_by = UnicodeAttribute(null=True)  # the moderator's sub
    payload_hash = UnicodeAttribute(null=True)  # claims: the body the key was first used with
    expires = NumberAttribute(null=True)  # TTL, epoch seconds (claims only)


ALL_MODELS: tuple[type[Model], ...] = (TenantModel, ReportModel, TrackingCodeModel, IdempotencyModel,
                                       ReportEventModel, AreaModel, NotificationModel, StaffModel, ApiKeyModel,
                                       AuditModel, UsageModel, StatsModel, ExportJobModel, CommunityModel)
