"""Export files in the bucket (``exports/<tenant>/...``): written by multipart upload, read by a presigned link."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings

PREFIX = "exports/"  # its own prefix: the bucket's upload notifications (``uploads/``) never see these


def key_for(tenant: str, job_id: str) -> str:
    return f"{PREFIX}{tenant}/{job_id}"


class MultipartFile:
    """One object written as parts of ``part_bytes`` or more: memory holds one part, whatever the file's size.

    A job that fails aborts its upload (and the bucket's lifecycle aborts any left behind); a job run
    twice writes the same key, and the complete file of the last run is what stays.
    """

    def __init__(self, key: str, content_type: str, download_name: str, part_bytes: int) -> None:
        self.key = key
        self.part_bytes = part_bytes
        self.size = 0
        self._buffer = bytearray()
        self._parts: list[dict[str, Any]] = []
        self._s3 = client("s3")
        self._bucket = get_settings().photo_bucket
        self._upload_id = self._s3.create_multipart_upload(
            Bucket=self._bucket, Key=key, ContentType=content_type, CacheControl="private, max-age=900",
            ContentDisposition=f'attachment; filename="{download_name}"')["UploadId"]

    @property
    def parts(self) -> int:
        return len(self._parts)

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        self._buffer += data
        self.size += len(data)
        if len(self._buffer) >= self.part_bytes:
            self._flush()

    def _flush(self) -> None:
        number = len(self._parts) + 1
        answer = self._s3.upload_part(Bucket=self._bucket, Key=self.key, UploadId=self._upload_id,
                                      PartNumber=number, Body=bytes(self._buffer))
        self._parts.append({"PartNumber": number, "ETag": answer["ETag"]})
        self._buffer = bytearray()

    def close(self) -> None:
        if self._buffer or not self._parts:
            self._flush()  # the last part may be smaller than the minimum
        self._s3.complete_multipart_upload(Bucket=self._bucket, Key=self.key, UploadId=self._upload_id,
                                           MultipartUpload={"Parts": self._parts})

    def abort(self) -> None:
        self._s3.abort_multipart_upload(Bucket=self._bucket, Key=self.key, UploadId=self._upload_id)


def presigned_download(key: str, ttl_seconds: int) -> str:
    return str(client("s3").generate_presigned_url(
        "get_object", Params={"Bucket": get_settings().photo_bucket, "Key": key}, ExpiresIn=ttl_seconds))


def enqueue(message: dict[str, Any]) -> None:
    """Queue one export job (the job's own Lambda picks it up)."""
    import json

    queue_url = get_settings().export_queue_url
    if not queue_url:
        raise RuntimeError("EXPORT_QUEUE_URL is not set")
    client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps(message, ensure_ascii=False))
