"""Shared test setup: a safe AWS environment, UTC, and one in-process moto server per session."""

from __future__ import annotations

import os
import socket
import time

os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "ap-southeast-3", "AWS_REGION": "ap-southeast-3",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled", "TZ": "UTC",
    "POWERTOOLS_SERVICE_NAME": "aduan", "POWERTOOLS_METRICS_NAMESPACE": "AduanTest",
    "ADUAN_STAGE": "dev",
})
os.environ.pop("AWS_PROFILE", None)
time.tzset()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
