"""What an end-to-end test needs to act like a mobile client: HTTP calls, Cognito sign-in, uploads, photos."""

from __future__ import annotations

import gzip
import io
import json
import os
import struct
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import boto3
import requests

KUPANG = {"lat": -10.17, "lon": 123.60}
PHOTO_WAIT_SECONDS = 30.0

# What the test photo carries, to look for afterwards in the cleaned copies.
CAMERA_MAKE = "AduanE2EMake"
CAMERA_MODEL = "AduanE2EModel-X9"
# Seconds as reduced fractions, so they are stored exactly as written (Pillow reduces rationals).
GPS_LATITUDE = ((10, 1), (10, 1), (1237, 100))  # S 10 deg 10' 12.37"
GPS_LONGITUDE = ((123, 1), (36, 1), (567, 100))  # E 123 deg 36' 5.67"


class Api:
    """The API as a mobile client sees it: JSON over HTTP, an optional bearer token or receipt."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()

    def call(self, method: str, path: str, body: Any = None, *, token: str | None = None,
             receipt: str | None = None, headers: dict[str, str] | None = None, data: bytes | str | None = None,
             timeout: float = 15) -> requests.Response:
        sent = {"Accept": "application/json"}
        if body is not None or data is not None:
            sent["Content-Type"] = "application/json"
        if token:
            sent["Authorization"] = f"Bearer {token}"
        if receipt:
            sent["X-Report-Receipt"] = receipt
        sent.update(headers or {})
        payload = data if data is not None else (json.dumps(body) if body is not None else None)
        return self.session.request(method, f"{self.base_url}{path}", data=payload, headers=sent, timeout=timeout)


def cognito(stack: dict[str, Any]) -> Any:
    return boto3.client("cognito-idp", region_name=stack["region"], endpoint_url=stack["aws_endpoint_url"],
                        aws_access_key_id="local", aws_secret_access_key="local")


def s3(stack: dict[str, Any]) -> Any:
    return boto3.client("s3", region_name=stack["region"], endpoint_url=stack["aws_endpoint_url"],
                        aws_access_key_id="local", aws_secret_access_key="local")


def demo_user(stack: dict[str, Any], role: str, tenant: str | None = None) -> dict[str, Any]:
    return next(u for u in stack["demo_users"] if u["role"] == role and u["tenant"] == tenant)


def sign_in(stack: dict[str, Any], username: str, password: str) -> dict[str, str]:
    """Cognito USER_PASSWORD_AUTH, exactly as the app would do it; returns the AuthenticationResult."""
    result = cognito(stack).initiate_auth(
        ClientId=stack["user_pool_client_id"], AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password})
    return dict(result["AuthenticationResult"])


def report_body(category: str = "garbage", description: str = "Sampah menumpuk di depan pasar",
                **extra: Any) -> dict[str, Any]:
    return {"category": category, "description": description, "location": dict(KUPANG), **extra}


def assert_problem(response: requests.Response, status: int, code: str) -> dict[str, Any]:
    """A problem+json answer with this status and stable code."""
    assert response.status_code == status, (response.status_code, response.text)
    content_type = response.headers.get("Content-Type", "")
    assert content_type.split(";")[0].strip() == "application/problem+json", content_type
    problem = response.json()
    assert problem["code"] == code, problem
    assert problem["status"] == status and problem["title"] and problem["detail"], problem
    return dict(problem)


# -- photos ----------------------------------------------------------------------------------


def jpeg_with_gps(size: tuple[int, int] = (1200, 900)) -> bytes:
    """A real JPEG whose EXIF carries a camera make/model and a GPS position (IFD 0x8825)."""
    from PIL import Image
    from PIL.TiffImagePlugin import IFDRational

    image = Image.new("RGB", size, (40, 120, 60))
    for x in range(0, size[0], 50):  # some structure, so the re-encoded copy is a real picture
        image.paste((200, 180, 20), (x, 0, x + 10, size[1]))
    exif = Image.Exif()
    exif[0x010F] = CAMERA_MAKE
    exif[0x0110] = CAMERA_MODEL
    gps = exif.get_ifd(0x8825)
    gps.update({
        0: b"\x02\x03\x00\x00",
        1: "S",
        2: tuple(IFDRational(n, d) for n, d in GPS_LATITUDE),
        3: "E",
        4: tuple(IFDRational(n, d) for n, d in GPS_LONGITUDE),
    })
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90, exif=exif)
    data = out.getvalue()
    # The fixture itself is right: the GPS IFD reads back, and the fingerprints are really in the file.
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)[1] == "S"
    prints = gps_fingerprints()
    assert prints[0] in data and prints[1] in data
    assert all(p in data for p in prints[2:4]) or all(p in data for p in prints[4:6])
    return data


def gps_fingerprints() -> list[bytes]:
    """Byte sequences that only the test photo's metadata contains (rationals in either byte order)."""
    prints = [CAMERA_MAKE.encode(), CAMERA_MODEL.encode()]
    for order in (">", "<"):
        prints.append(struct.pack(f"{order}LL", *GPS_LATITUDE[2]))
        prints.append(struct.pack(f"{order}LL", *GPS_LONGITUDE[2]))
    return prints


def assert_clean_jpeg(data: bytes, max_side: int) -> None:
    """A JPEG with no EXIF at all, none of the original's GPS/camera bytes, and at most ``max_side`` pixels."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert max(image.size) <= max_side, image.size
        assert len(image.getexif()) == 0, dict(image.getexif())
        assert "exif" not in image.info and "xmp" not in image.info and "icc_profile" not in image.info
    assert b"Exif" not in data
    for fingerprint in gps_fingerprints():
        assert fingerprint not in data, fingerprint


def upload(slot: dict[str, Any], data: bytes, filename: str = "photo.jpg") -> requests.Response:
    """The presigned POST, as a phone sends it: the returned fields, then the file, multipart."""
    fields = slot["upload"]["fields"]
    response = requests.post(slot["upload"]["url"], data=fields,
                             files={"file": (filename, data, fields.get("Content-Type", "image/jpeg"))}, timeout=60)
    assert response.status_code in (200, 201, 204), (response.status_code, response.text[:500])
    return response


def wait_for_photo(api: Api, report_path: str, photo_id: str, *, token: str | None = None,
                   receipt: str | None = None, timeout: float = PHOTO_WAIT_SECONDS) -> dict[str, Any]:
    """Poll the report until the photo is no longer pending; returns the photo as the API shows it."""
    deadline = time.monotonic() + timeout
    while True:
        response = api.call("GET", report_path, token=token, receipt=receipt)
        assert response.status_code == 200, response.text
        photo = next(p for p in response.json()["photos"] if p["id"] == photo_id)
        if photo["status"] != "pending":
            return dict(photo)
        assert time.monotonic() < deadline, f"photo {photo_id} still pending after {timeout:.0f} s"
        time.sleep(0.25)


def upload_object_exists(stack: dict[str, Any], slot: dict[str, Any]) -> bool:
    from botocore.exceptions import ClientError

    bucket = urlparse(slot["upload"]["url"]).path.strip("/").split("/")[0]
    try:
        s3(stack).head_object(Bucket=bucket, Key=slot["upload"]["fields"]["key"])
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True


# -- tokens ----------------------------------------------------------------------------------


def moto_signing_key() -> Any:
    """moto's one static Cognito signing key (kid "dummy"), shipped inside the moto package."""
    from joserfc.jwk import RSAKey

    folder = resources.files("moto") / "cognitoidp" / "resources"
    packed = folder / "jwks-private.json.gz"
    raw = gzip.decompress(packed.read_bytes()) if packed.is_file() else (folder / "jwks-private.json").read_bytes()
    return RSAKey.import_key(json.loads(raw))


def claims_of(token: str) -> dict[str, Any]:
    """The payload of a JWT, unverified (the test only copies it)."""
    import base64

    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def sign(claims: dict[str, Any], key: Any, kid: str = "dummy") -> str:
    from joserfc import jwt

    return str(jwt.encode({"alg": "RS256", "kid": kid, "typ": "JWT"}, claims, key))


def with_payload(token: str, claims: dict[str, Any]) -> str:
    """The same header and signature around a different payload: what a forger would try first."""
    import base64

    head, _, signature = token.split(".")
    body = base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode()).decode().rstrip("=")
    return f"{head}.{body}.{signature}"


# -- processes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProcessInfo:
    pid: int
    ppid: int
    state: str


def _proc(pid: int) -> ProcessInfo | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return ProcessInfo(pid=pid, ppid=int(fields[1]), state=fields[0])


def descendants(root: int) -> set[int]:
    """Every live process below ``root`` (Linux /proc); empty where /proc is missing."""
    if not Path("/proc/self/stat").exists():
        return set()
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (info := _proc(int(entry))) is not None:
            children.setdefault(info.ppid, []).append(info.pid)
    found: set[int] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    info = _proc(pid)
    return info is not None and info.state not in ("Z", "X")
