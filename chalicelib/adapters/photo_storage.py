"""The photo bucket: presigned uploads and downloads, and the object operations the processor needs."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings


def _bucket() -> str:
    return get_settings().photo_bucket


def presigned_upload(key: str, content_type: str, max_bytes: int, ttl_seconds: int) -> dict[str, Any]:
    """A presigned POST limited to one key, one content type and the size limit.

    Real S3 enforces these conditions; the processor checks size and type again regardless.
    """
    post = client("s3").generate_presigned_post(
        Bucket=_bucket(),
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
        ExpiresIn=ttl_seconds,
    )
    return {"url": post["url"], "fields": post["fields"]}


def presigned_download(key: str, ttl_seconds: int) -> str:
    return str(client("s3").generate_presigned_url(
        "get_object", Params={"Bucket": _bucket(), "Key": key}, ExpiresIn=ttl_seconds))


def size_of(key: str) -> int | None:
    from botocore.exceptions import ClientError

    try:
        return int(client("s3").head_object(Bucket=_bucket(), Key=key)["ContentLength"])
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


def read(key: str) -> bytes:
    return bytes(client("s3").get_object(Bucket=_bucket(), Key=key)["Body"].read())


def write(key: str, data: bytes, content_type: str) -> None:
    client("s3").put_object(Bucket=_bucket(), Key=key, Body=data, ContentType=content_type,
                            CacheControl="private, max-age=900")


def delete(key: str) -> None:
    client("s3").delete_object(Bucket=_bucket(), Key=key)
