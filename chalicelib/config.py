"""Settings read from the environment, in one place.

Everything the code needs to know about where it runs (table names, bucket, user pool, limits) comes
from here; nothing else reads ``os.environ``. Values are read once and cached; tests call
``reset_settings()`` after changing the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

DEFAULT_REGION = "ap-southeast-3"  # Jakarta: public-sector data stays in Indonesia (PP 71/2019).


@dataclass(frozen=True)
class Settings:
    region: str
    tenants_table: str
    reports_table: str
    tracking_codes_table: str
    idempotency_table: str
    report_events_table: str
    notifications_table: str
    areas_table: str
    staff_table: str
    api_keys_table: str
    audit_table: str
    usage_table: str
    stats_table: str
    community_table: str
    tenant_data_role_arn: str
    usage_plan_id: str
    photo_bucket: str
    lifecycle_topic_arn: str
    sla_state_machine_arn: str
    delivery_queue_url: str
    email_sender: str
    user_pool_id: str
    user_pool_client_id: str
    jwks_url: str
    upload_url_ttl_seconds: int
    photo_url_ttl_seconds: int
    tenant_cache_seconds: int
    max_body_bytes: int
    # open data exports (issue 8)
    exports_table: str = "aduan-dev-exports"
    export_queue_url: str = ""
    export_page_size: int = 1000
    export_part_bytes: int = 8 * 1024 * 1024
    export_url_ttl_seconds: int = 900
    export_retry_after_seconds: int = 10
    # The function that checks uploaded area outlines with shapely (issue 9); empty: run it in-process.
    geometry_check_function: str = ""
    # SLA timers wait for their first wake as EventBridge Scheduler schedules (adapters/timers.py).
    sla_schedule_group: str = "aduan-dev-sla"
    sla_scheduler_role_arn: str = ""

    @property
    def issuer(self) -> str:
        # Cognito's issuer is always the public regional URL, also when the pool is served elsewhere.
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    env = os.environ
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
    stage = env.get("ADUAN_STAGE", "dev")
    pool = env.get("USER_POOL_ID", "")
    return Settings(
        region=region,
        tenants_table=env.get("TENANTS_TABLE", f"aduan-{stage}-tenants"),
        reports_table=env.get("REPORTS_TABLE", f"aduan-{stage}-reports"),
        tracking_codes_table=env.get("TRACKING_CODES_TABLE", f"aduan-{stage}-tracking-codes"),
        idempotency_table=env.get("IDEMPOTENCY_TABLE", f"aduan-{stage}-idempotency"),
        report_events_table=env.get("REPORT_EVENTS_TABLE", f"aduan-{stage}-report-events"),
        notifications_table=env.get("NOTIFICATIONS_TABLE", f"aduan-{stage}-notifications"),
        areas_table=env.get("AREAS_TABLE", f"aduan-{stage}-areas"),
        staff_table=env.get("STAFF_TABLE", f"aduan-{stage}-staff"),
        api_keys_table=env.get("API_KEYS_TABLE", f"aduan-{stage}-api-keys"),
        audit_table=env.get("AUDIT_TABLE", f"aduan-{stage}-audit"),
        usage_table=env.get("USAGE_TABLE", f"aduan-{stage}-usage"),
        stats_table=env.get("STATS_TABLE", f"aduan-{stage}-stats"),
        community_table=env.get("COMMUNITY_TABLE", f"aduan-{stage}-community"),
        # The role whose DynamoDB access is limited to one tenant's keys (assumed per tenant, see
        # adapters/tenant_scope.py); empty: use the function's own role (unit tests).
        tenant_data_role_arn=env.get("TENANT_DATA_ROLE_ARN", ""),
        # API Gateway usage plan that throttles client apps' API keys (infra/resources.json); empty: none.
        usage_plan_id=env.get("USAGE_PLAN_ID", ""),
        photo_bucket=env.get("PHOTO_BUCKET", f"aduan-{stage}-photos"),
        # Set by the template (and by devstack locally): ARNs carry the account id, known only there.
        lifecycle_topic_arn=env.get("LIFECYCLE_TOPIC_ARN", ""),
        sla_state_machine_arn=env.get("SLA_STATE_MACHINE_ARN", ""),
        delivery_queue_url=env.get("DELIVERY_QUEUE_URL", ""),
        email_sender=env.get("NOTIFY_EMAIL_FROM", "no-reply@aduan.local"),
        user_pool_id=pool,
        user_pool_client_id=env.get("USER_POOL_CLIENT_ID", ""),
        jwks_url=env.get("COGNITO_JWKS_URL")
        or f"https://cognito-idp.{region}.amazonaws.com/{pool}/.well-known/jwks.json",
        upload_url_ttl_seconds=_int("UPLOAD_URL_TTL_SECONDS", 900),
        photo_url_ttl_seconds=_int("PHOTO_URL_TTL_SECONDS", 900),
        tenant_cache_seconds=_int("TENANT_CACHE_SECONDS", 60),
        max_body_bytes=_int("MAX_BODY_BYTES", 1024 * 1024),
        exports_table=env.get("EXPORTS_TABLE", f"aduan-{stage}-exports"),
        # Set by the template (and by devstack locally): the export jobs' queue.
        export_queue_url=env.get("EXPORT_QUEUE_URL", ""),
        # Reports read per Query of the public index, and bytes per multipart part (S3 wants >= 5 MiB
        # for every part but the last): one page and one part is all an export job holds in memory.
        export_page_size=_int("EXPORT_PAGE_SIZE", 1000),
        export_part_bytes=_int("EXPORT_PART_BYTES", 8 * 1024 * 1024),
        export_url_ttl_seconds=_int("EXPORT_URL_TTL_SECONDS", 900),
        export_retry_after_seconds=_int("EXPORT_RETRY_AFTER_SECONDS", 10),
        # Set by the template: the check_geometries function (shapely's own layer); locally it runs in-process.
        geometry_check_function=env.get("GEOMETRY_CHECK_FUNCTION", ""),
        # The schedule group that holds timers until their first wake, and the role Scheduler assumes to
        # start the execution then; set by the template (and by devstack locally).
        sla_schedule_group=env.get("SLA_SCHEDULE_GROUP", f"aduan-{stage}-sla"),
        sla_scheduler_role_arn=env.get("SLA_SCHEDULER_ROLE_ARN", ""),
    )


def reset_settings() -> None:
    get_settings.cache_clear()
