"""Models the OpenAPI document names: request bodies (the very models the routes validate with) and 2xx bodies.

Imported only when the document is built (``chalicelib/api/openapi.py``), never on a request's cold path.
Request models live where they validate (``chalicelib/domain``) and are re-exported here under the names the
routes' ``operation(...)`` declarations use. Response models describe what ``chalicelib/services`` returns;
fields that are always present are required (``X | None`` when they may be null), so a response that loses or
mistypes one fails the schemathesis conformance check.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, RootModel

from chalicelib.domain.channels import ChannelConfig
from chalicelib.domain.commands import CreatePhoto, CreateReport, Transition
from chalicelib.domain.community import HideComment, NewComment
from chalicelib.domain.documents import (
    AreasDocument,
    CategoriesDocument,
    NewApiKey,
    NewStaff,
    NewTenant,
    RoutingDocument,
    SlaPolicyDocument,
    StaffChanges,
    SuspendTenant,
    TenantChanges,
    UnitsDocument,
)
from chalicelib.domain.reports import STATUSES
from chalicelib.domain.workflow import ACTIONS

__all__ = ["AreasDocument", "CategoriesDocument", "ChannelConfig", "CreatePhoto", "CreateReport", "HideComment",
           "NewApiKey", "NewComment", "NewStaff", "NewTenant", "RoutingDocument", "SlaPolicyDocument", "StaffChanges",
           "SuspendTenant", "TenantChanges", "Transition", "UnitsDocument"]

ReportStatus = Literal[STATUSES]  # type: ignore[valid-type]
Action = Literal[ACTIONS]  # type: ignore[valid-type]
Words = dict[str, str]  # {"id": ..., "en": ...}


# -- problems (RFC 9457) ----------------------------------------------------------------------------------


class FieldProblem(BaseModel):
    field: str
    code: str
    message: str


class Problem(BaseModel):
    """``application/problem+json``: every 4xx and 5xx answer."""

    type: str = Field(description="https://aduan.id/problems/<code>")
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    code: str = Field(description="Kode stabil / stable problem code (see info.description).")
    instance: str | None = None
    errors: list[FieldProblem] | None = None


# -- public -------------------------------------------------------------------------------------------------


class Health(BaseModel):
    status: Literal["ok"]


class AuthSettings(BaseModel):
    region: str
    user_pool_id: str | None
    client_id: str | None
    issuer: str | None


class TenantProfile(BaseModel):
    code: str
    name: str
    timezone: str
    locale: str | None
    tracking_code_prefix: str | None
    service_area: dict[str, Any] | None
    auth: AuthSettings


class UnitRef(BaseModel):
    code: str
    name: str


class Category(BaseModel):
    code: str
    name: Words
    agency: UnitRef | None
    sensitive: bool


class CategoryList(RootModel[list[Category]]):
    pass


class Point(BaseModel):
    lat: float
    lon: float


class ReportPhoto(BaseModel):
    id: str
    status: Literal["pending", "ready", "rejected"]
    kind: str
    url: str | None
    thumbnail_url: str | None
    reason: str | None
    reason_message: str | None


class Reporter(BaseModel):
    id: str


class Report(BaseModel):
    """A report as a caller may see it: ``view`` is ``public`` or ``full`` (the reporter, staff)."""

    id: str
    tracking_code: str
    tenant: str
    category: str
    agency: str | None
    description: str
    location: Point
    address: str | None
    privacy: Literal["public", "anonymous", "confidential"]
    status: ReportStatus
    created_at: str
    updated_at: str | None
    photos: list[ReportPhoto]
    area: str | None
    stage: str | None
    due_at: str | None
    escalation_level: int = Field(ge=0)
    breached: bool
    reopen_count: int = Field(ge=0)
    rating: int | None
    resolved_at: str | None
    closed_at: str | None
    duplicate_of: str | None
    support_count: int = Field(ge=0, description="citizens who said \"me too\"")
    view: Literal["public", "full"]
    reporter: Reporter | None = Field(default=None, description="full view only; null for anonymous reports")
    handoff: Any = Field(default=None, description="full view only")
    assignee: str | None = Field(default=None, description="staff only")
    actions: list[Action] | None = Field(default=None, description="what the caller may do next")


class PossibleDuplicate(BaseModel):
    id: str
    tracking_code: str
    category: str
    status: ReportStatus
    distance_m: float = Field(ge=0)
    location: Point
    created_at: str


class CreatedReport(Report):
    receipt: str | None = Field(default=None, description="shown once, for following an anonymous report")
    possible_duplicates: list[PossibleDuplicate] = Field(
        max_length=5, description="open reports of the same category within the category's duplicate radius")


class ReportPage(BaseModel):
    items: list[Report]
    next_cursor: str | None


class NearbyReport(Report):
    distance_m: float = Field(ge=0)


class Circle(BaseModel):
    lat: float
    lon: float
    radius_m: int


class NearbyPage(BaseModel):
    """``near=``: nearest first, each with its distance."""

    items: list[NearbyReport]
    next_cursor: str | None
    near: Circle


class Cluster(BaseModel):
    cell: str
    lat: float
    lon: float
    count: int = Field(ge=1)
    cell_center: Point


class ClusterMap(BaseModel):
    """``bbox=...&cluster=true``: counts per H3 cell."""

    clusters: list[Cluster]
    resolution: int
    total: int = Field(ge=0)


class ReportList(RootModel[NearbyPage | ClusterMap | ReportPage]):
    """The feed, a page near a point, a page in a box, or counts per cell (by the query)."""


class PresignedPost(BaseModel):
    url: str
    fields: dict[str, str]


class PhotoSlot(BaseModel):
    photo_id: str
    upload: PresignedPost
    max_bytes: int
    expires_in: int


class HistoryActor(BaseModel):
    role: str | None
    id: str | None


class HistoryEntry(BaseModel):
    id: str
    at: str
    action: str
    from_: str | None = Field(alias="from")
    to: str | None
    actor: HistoryActor
    note: str | None
    visibility: str | None
    details: dict[str, Any]


class History(BaseModel):
    items: list[HistoryEntry]


class Notification(BaseModel):
    id: str
    type: str
    report_id: str | None
    tracking_code: str | None
    title: str | None
    body: str | None
    at: str


class NotificationPage(BaseModel):
    items: list[Notification]
    next_cursor: str | None


class Channels(BaseModel):
    channels: list[dict[str, Any]]


# -- a tenant's desk ----------------------------------------------------------------------------------------


class SlaPolicy(BaseModel):
    defaults: dict[str, Any]
    categories: dict[str, Any]
    reminder: Any
    escalation: list[dict[str, Any]]
    calendar: dict[str, Any]


class Routing(BaseModel):
    categories: dict[str, str | None]
    overrides: dict[str, Any]


class FeatureCollection(BaseModel):
    type: Literal["FeatureCollection"]
    features: list[dict[str, Any]]


class AreasReplaced(BaseModel):
    type: Literal["FeatureCollection"]
    count: int = Field(ge=0)


class Units(BaseModel):
    units: list[dict[str, Any]]


class Staff(BaseModel):
    id: str
    username: str
    role: str
    agency: str | None
    name: str | None
    email: str | None
    status: Literal["active", "disabled"]
    created_at: str | None
    updated_at: str | None
    disabled_at: str | None


class NewStaffAccount(Staff):
    temporary_password: str


class StaffList(BaseModel):
    items: list[Staff]


class ApiKey(BaseModel):
    id: str
    name: str
    hint: str | None
    created_at: str
    revoked_at: str | None
    status: Literal["active", "revoked"]


class IssuedApiKey(ApiKey):
    key: str = Field(description="shown once")


class ApiKeyList(BaseModel):
    items: list[ApiKey]


class AuditActor(BaseModel):
    id: str | None
    role: str | None


class AuditEntry(BaseModel):
    id: str
    at: str
    actor: AuditActor
    action: str
    target: str | None
    before: Any
    after: Any


class AuditPage(BaseModel):
    items: list[AuditEntry]
    next_cursor: str | None


class StatsWindow(BaseModel):
    name: str
    start: str
    end: str
    timezone: str


class Stats(BaseModel):
    tenant: str
    window: StatsWindow
    total: dict[str, Any]
    units: dict[str, Any]
    areas: dict[str, Any]
    most_overdue: list[dict[str, Any]]
    grading: dict[str, Any]
    items_read: int = Field(ge=0)


# -- pay per use ----------------------------------------------------------------------------------------------


class Usage(BaseModel):
    tenant: str
    month: str
    counters: dict[str, int]
    plan: Any
    estimate: dict[str, Any]


class Invoice(BaseModel):
    number: str
    tenant: str
    month: str
    status: Literal["draft", "final"]
    period: dict[str, str]
    issue_date: str
    due_date: str
    currency: str
    counters: dict[str, int]
    total: int | float


class PlatformUsageRow(BaseModel):
    tenant: str
    name: str | None
    active: bool
    plan: Any
    counters: dict[str, int]
    total: int | float
    status: str


class PlatformUsage(BaseModel):
    month: str
    currency: str
    tenants: list[PlatformUsageRow]


# -- the platform -----------------------------------------------------------------------------------------------


class TenantSummary(BaseModel):
    code: str
    name: str | None
    status: Literal["active", "suspended"]
    timezone: str | None
    created_at: str | None
    plan: str | None


class TenantList(BaseModel):
    items: list[TenantSummary]


class TenantDocument(BaseModel):
    """A tenant as the platform reads it back (no secrets)."""

    code: str
    names: Words
    status: Literal["active", "suspended"]
    suspended_at: str | None
    suspended_reason: str | None
    timezone: str | None
    locale: str | None
    code_prefix: str | None
    service_area: dict[str, Any] | None
    units: list[dict[str, Any]]
    categories: dict[str, Any]
    plan: Any
    grading: Any
    limits: dict[str, Any]
    created_at: str | None


class CreatedTenant(BaseModel):
    tenant: TenantDocument
    admin: dict[str, Any] | None = None


class OpenApiDocument(BaseModel):
    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]
    components: dict[str, Any]


# -- supports and comments ---------------------------------------------------------------------------------


class SupportState(BaseModel):
    report_id: str
    tracking_code: str
    supported: bool
    support_count: int = Field(ge=0)


class Comment(BaseModel):
    id: str
    text: str
    at: str
    mine: bool
    by_reporter: bool
    hidden: bool
    author: str | None = Field(default=None, description="staff only; null for an anonymous reporter")
    hidden_at: str | None = Field(default=None, description="staff only")
    hidden_reason: str | None = Field(default=None, description="staff only")
    hidden_note: str | None = Field(default=None, description="staff only")
    hidden_by: str | None = Field(default=None, description="staff only")


class CommentPage(BaseModel):
    items: list[Comment]
    next_cursor: str | None


# -- open data ---------------------------------------------------------------------------------------------


class ExportJob(BaseModel):
    """202 while the file is written (ask again after Retry-After); 303 to the file once it is ready."""

    status: Literal["pending", "ready"]
    job_id: str
    format: Literal["csv", "geojson"]
    url: str | None = Field(default=None, description="ready: a presigned link, also in Location")


class PublicStats(BaseModel):
    tenant: str
    timezone: str
    windows: dict[str, Any]
    units: list[dict[str, Any]]
    total: dict[str, Any]
