"""Photos: upload slots for the reporter only, and what the processor makes of what lands."""

from __future__ import annotations

import io
import os

import boto3
import pytest
import requests
from PIL import Image

from tests.images import gif, jpeg_with_gps, png_with_alpha, webp
from tests.integration.conftest import report_body, upload

REPORTS = "/v1/tenants/kupang/reports"


def _report(stack, user="warga.ani", **overrides):
    return stack.call("POST", REPORTS, report_body(**overrides), user=user).json_body


def _slot(stack, report, content_type="image/jpeg", user="warga.ani", headers=None):
    return stack.call("POST", f"{REPORTS}/{report['id']}/photos", {"content_type": content_type},
                      user=user, headers=headers)


def _photo(stack, report, photo_id, user="warga.ani"):
    current = stack.call("GET", f"{REPORTS}/{report['id']}", user=user).json_body
    return next(p for p in current["photos"] if p["id"] == photo_id)


def _objects(prefix):
    s3 = boto3.client("s3")
    listed = s3.list_objects_v2(Bucket=os.environ.get("PHOTO_BUCKET", "aduan-dev-photos"), Prefix=prefix)
    return [o["Key"] for o in listed.get("Contents", [])]


def test_the_reporter_gets_a_presigned_post_for_a_photo(stack):
    report = _report(stack)
    response = _slot(stack, report)
    assert response.status_code == 201
    slot = response.json_body
    assert slot["max_bytes"] == 10 * 1024 * 1024
    assert slot["upload"]["url"].startswith("http")
    assert slot["upload"]["fields"]["key"] == f"uploads/kupang/{report['id']}/{slot['photo_id']}"
    assert slot["upload"]["fields"]["Content-Type"] == "image/jpeg"
    assert _photo(stack, report, slot["photo_id"])["status"] == "pending"


def test_a_served_photo_carries_no_exif_gps_or_serial_and_the_original_is_gone(stack):
    report = _report(stack)
    slot = _slot(stack, report).json_body
    original = jpeg_with_gps()
    assert upload(slot, original) == 204
    assert stack.drain_uploads() >= 1
    photo = _photo(stack, report, slot["photo_id"])
    assert photo["status"] == "ready" and photo["reason"] is None
    for url in (photo["url"], photo["thumbnail_url"]):
        served = requests.get(url, timeout=10)
        assert served.status_code == 200
        image = Image.open(io.BytesIO(served.content))
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert b"Exif" not in served.content and b"SERIAL-123456" not in served.content
        assert b"AduanPhone" not in served.content
    assert Image.open(io.BytesIO(requests.get(photo["thumbnail_url"], timeout=10).content)).width <= 320
    assert _objects("uploads/") == []


def test_a_rotated_phone_photo_is_served_upright(stack):
    report = _report(stack)
    slot = _slot(stack, report).json_body
    upload(slot, jpeg_with_gps(size=(400, 200), orientation=6))  # camera held sideways
    stack.drain_uploads()
    served = requests.get(_photo(stack, report, slot["photo_id"])["url"], timeout=10).content
    assert Image.open(io.BytesIO(served)).size == (200, 400)


@pytest.mark.parametrize("content_type, data", [("image/png", png_with_alpha()), ("image/webp", webp())],
                         ids=["png", "webp"])
def test_png_and_webp_photos_are_accepted_and_served_as_jpeg(stack, content_type, data):
    report = _report(stack)
    slot = _slot(stack, report, content_type=content_type).json_body
    upload(slot, data, filename="photo.bin")
    stack.drain_uploads()
    photo = _photo(stack, report, slot["photo_id"])
    assert photo["status"] == "ready"
    assert Image.open(io.BytesIO(requests.get(photo["url"], timeout=10).content)).format == "JPEG"


@pytest.mark.parametrize("data, reason", [
    (b"Ini bukan foto, hanya teks biasa.\n" * 20, "not_an_image"),
    (gif(), "not_an_image"),
    (jpeg_with_gps()[:300], "not_an_image"),
    (b"\xff\xd8\xff\xe0" + os.urandom(10 * 1024 * 1024 + 10), "too_large"),
], ids=["text-renamed-jpg", "gif", "truncated-jpeg", "over-10-mb"])
def test_what_is_not_an_allowed_image_is_rejected_with_a_reason(stack, data, reason):
    report = _report(stack)
    slot = _slot(stack, report).json_body
    upload(slot, data, filename="foto.jpg")
    stack.drain_uploads()
    photo = _photo(stack, report, slot["photo_id"])
    assert photo["status"] == "rejected"
    assert photo["reason"] == reason
    assert photo["reason_message"]
    assert photo["url"] is None and photo["thumbnail_url"] is None
    assert _objects("uploads/") == [] and _objects("photos/") == []


def test_only_the_reporter_and_the_units_officers_may_add_photos(stack):
    report = _report(stack)
    # They can see the (public) report, so it is a 403; an officer adds photos only once it is dispatched.
    for user in ("warga.budi", "admin.kupang", "petugas.kupang.pupr", "petugas.kupang.dlh", None):
        response = _slot(stack, report, user=user)
        assert response.status_code == 403, user
        assert response.json_body["code"] == "forbidden"
    confidential = stack.call("POST", REPORTS, report_body(privacy="confidential"), user="warga.ani").json_body
    response = stack.call("POST", f"{REPORTS}/{confidential['id']}/photos", {"content_type": "image/jpeg"},
                          user="warga.budi")
    assert response.status_code == 404  # who cannot see it does not learn it exists


def test_an_anonymous_reporter_adds_photos_with_the_receipt(stack):
    created = stack.call("POST", REPORTS, report_body()).json_body
    path = f"{REPORTS}/{created['id']}/photos"
    assert stack.call("POST", path, {"content_type": "image/jpeg"}).status_code == 403
    slot = stack.call("POST", path, {"content_type": "image/jpeg"},
                      headers={"X-Report-Receipt": created["receipt"]}).json_body
    upload(slot, jpeg_with_gps())
    stack.drain_uploads()
    view = stack.call("GET", f"{REPORTS}/{created['id']}", headers={"X-Report-Receipt": created["receipt"]})
    assert [p["status"] for p in view.json_body["photos"]] == ["ready"]


def test_only_jpeg_png_and_webp_may_be_announced(stack):
    report = _report(stack)
    for content_type in ("image/gif", "text/plain", "application/pdf"):
        response = _slot(stack, report, content_type=content_type)
        assert response.status_code == 422
        assert response.json_body["errors"][0]["field"] == "content_type"


def test_a_report_holds_at_most_five_photos_and_rejected_ones_free_their_place(stack):
    report = _report(stack)
    slots = [_slot(stack, report).json_body for _ in range(5)]
    sixth = _slot(stack, report)
    assert sixth.status_code == 422 and sixth.json_body["code"] == "too_many_photos"
    upload(slots[0], b"not an image")
    stack.drain_uploads()
    assert _slot(stack, report).status_code == 201


def test_the_public_sees_only_ready_photos(stack):
    report = _report(stack)
    ready, pending = _slot(stack, report).json_body, _slot(stack, report).json_body
    upload(ready, jpeg_with_gps())
    stack.drain_uploads()
    public = stack.call("GET", f"{REPORTS}/{report['id']}").json_body
    assert [p["id"] for p in public["photos"]] == [ready["photo_id"]]
    full = stack.call("GET", f"{REPORTS}/{report['id']}", user="warga.ani").json_body
    assert {p["id"] for p in full["photos"]} == {ready["photo_id"], pending["photo_id"]}


def test_a_redelivered_notification_changes_nothing(stack):
    from chalicelib.services.photos import process_upload

    report = _report(stack)
    slot = _slot(stack, report).json_body
    upload(slot, jpeg_with_gps())
    stack.drain_uploads()
    from chalicelib.store.reports import get

    before = get("kupang", report["id"])
    assert process_upload(slot["upload"]["fields"]["key"]) in ("missing", "duplicate")
    after = get("kupang", report["id"])
    # The stored report, not its view: a view's presigned URLs are signed anew every second.
    assert after.version == before.version
    assert [p.as_dict() for p in after.photos] == [p.as_dict() for p in before.photos]


def test_an_upload_nobody_asked_for_is_removed(stack):
    report = _report(stack)
    s3 = boto3.client("s3")
    s3.put_object(Bucket="aduan-dev-photos", Key=f"uploads/kupang/{report['id']}/01JUNKNOWNPHOTO0000000000",
                  Body=jpeg_with_gps())
    s3.put_object(Bucket="aduan-dev-photos", Key="uploads/kupang/nothing/here", Body=b"x")
    stack.drain_uploads()
    assert _objects("uploads/") == []
    assert stack.call("GET", f"{REPORTS}/{report['id']}", user="warga.ani").json_body["photos"] == []


def test_upload_slots_never_used_lapse_and_free_their_places(stack, monkeypatch):
    from datetime import timedelta

    from chalicelib import clock

    report = _report(stack)
    for _ in range(5):
        _slot(stack, report)
    assert _slot(stack, report).status_code == 422
    later = clock.now() + timedelta(minutes=25)  # the 15-minute upload window plus grace has passed
    monkeypatch.setattr(clock, "now", lambda: later)
    fresh = _slot(stack, report)
    assert fresh.status_code == 201
    photos = stack.call("GET", f"{REPORTS}/{report['id']}", user="warga.ani").json_body["photos"]
    assert [p["id"] for p in photos] == [fresh.json_body["photo_id"]]


def test_the_upload_policy_real_s3_enforces_pins_key_type_size_and_expiry(stack):
    import base64
    import json
    from datetime import UTC, datetime

    report = _report(stack)
    fields = _slot(stack, report, content_type="image/png").json_body["upload"]["fields"]
    policy = json.loads(base64.b64decode(fields["policy"]))
    conditions = policy["conditions"]
    assert {"bucket": "aduan-dev-photos"} in conditions
    assert {"key": fields["key"]} in conditions
    assert {"Content-Type": "image/png"} in conditions
    assert ["content-length-range", 1, 10 * 1024 * 1024] in conditions
    expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert 14 * 60 <= (expires - datetime.now(UTC)).total_seconds() <= 15 * 60
