"""Builds the Chalice app: blueprints and event handlers, nothing else."""

import os

from chalice import Chalice

from chalicelib.api import (
    admin,
    billing,
    citizen,
    community,
    contract,
    opendata,
    platform,
    public,
    staff,
    stats,
    tenant_admin,
)
from chalicelib.api import notifications as notifications_api
from chalicelib.api import open311 as open311_api
from chalicelib.api.middleware import log_context
from chalicelib.lazy import lazy_module

app = Chalice(app_name="aduan", configure_logs=False)  # Powertools writes the (JSON) logs
app.register_blueprint(public.api.blueprint)
app.register_blueprint(citizen.api.blueprint)
app.register_blueprint(staff.api.blueprint)
app.register_blueprint(admin.api.blueprint)
app.register_blueprint(notifications_api.api.blueprint)
app.register_blueprint(platform.api.blueprint)
app.register_blueprint(tenant_admin.api.blueprint)
app.register_blueprint(billing.api.blueprint)
app.register_blueprint(stats.api.blueprint)
app.register_blueprint(opendata.api.blueprint)
app.register_blueprint(community.api.blueprint)
app.register_blueprint(contract.api.blueprint)
app.register_blueprint(open311_api.api.blueprint)
app.register_middleware(log_context, "http")

# Each function's handler code loads when its first event comes: the API's cold requests never pay for it.
deliveries = lazy_module("chalicelib.events.deliveries")
exports = lazy_module("chalicelib.events.exports")
geometry_check = lazy_module("chalicelib.events.geometry_check")
notifications = lazy_module("chalicelib.events.notifications")
photo_uploads = lazy_module("chalicelib.events.photo_uploads")
report_changes = lazy_module("chalicelib.events.report_changes")

# The packaged template replaces these ARNs with the resources it creates (infra/resources.json);
# locally devstack sets them to what it provisioned.
_LOCAL = "arn:aws:{service}:ap-southeast-3:000000000000:{name}"
_UPLOAD_QUEUE_ARN = os.environ.get("PHOTO_UPLOAD_QUEUE_ARN") or _LOCAL.format(
    service="sqs", name="aduan-dev-photo-uploads")
_REPORT_STREAM_ARN = os.environ.get("REPORT_STREAM_ARN") or _LOCAL.format(
    service="dynamodb", name="table/aduan-dev-reports/stream/2026-01-01T00:00:00.000")
_NOTIFICATION_QUEUE_ARN = os.environ.get("NOTIFICATION_QUEUE_ARN") or _LOCAL.format(
    service="sqs", name="aduan-dev-notifications")
_DELIVERY_QUEUE_ARN = os.environ.get("DELIVERY_QUEUE_ARN") or _LOCAL.format(
    service="sqs", name="aduan-dev-deliveries")
_EXPORT_QUEUE_ARN = os.environ.get("EXPORT_QUEUE_ARN") or _LOCAL.format(service="sqs", name="aduan-dev-exports")


@app.on_sqs_message(queue_arn=_UPLOAD_QUEUE_ARN, batch_size=10)
def process_photo_uploads(event):  # type: ignore[no-untyped-def]
    return photo_uploads.handle(event.to_dict())


@app.on_dynamodb_record(stream_arn=_REPORT_STREAM_ARN, batch_size=100, starting_position="TRIM_HORIZON")
def on_report_change(event):  # type: ignore[no-untyped-def]
    """Starts and stops SLA timers and publishes lifecycle events for what was persisted."""
    return report_changes.handle(event.to_dict())


@app.on_sqs_message(queue_arn=_NOTIFICATION_QUEUE_ARN, batch_size=10)
def notify(event):  # type: ignore[no-untyped-def]
    """Turns lifecycle events (SNS -> SQS) into inbox messages and outbound deliveries."""
    return notifications.handle(event.to_dict())


@app.on_sqs_message(queue_arn=_DELIVERY_QUEUE_ARN, batch_size=10)
def deliver(event):  # type: ignore[no-untyped-def]
    """Sends one outbound message per record (webhook, email); failures retry, then dead-letter."""
    return deliveries.handle(event.to_dict())


@app.on_sqs_message(queue_arn=_EXPORT_QUEUE_ARN, batch_size=1)
def export_reports(event):  # type: ignore[no-untyped-def]
    """Writes one open data export file (multipart to S3), one job per invocation: a job may take minutes."""
    return exports.handle(event.to_dict())


@app.lambda_function(name="check_geometries")
def check_geometries(event, context):  # type: ignore[no-untyped-def]
    """Checks uploaded area outlines with shapely, for the API (sync): only this function has its layer."""
    return geometry_check.handle(event)
