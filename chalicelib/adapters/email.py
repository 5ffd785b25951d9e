"""Plain-text email through SES, from the configured sender (a verified identity)."""

from __future__ import annotations

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings


def send(to: list[str], subject: str, text: str) -> str:
    """Send one message to these addresses; SES's message id. SES errors propagate (the caller retries)."""
    response = client("ses").send_email(
        Source=get_settings().email_sender,
        Destination={"ToAddresses": list(to)},
        Message={"Subject": {"Data": subject, "Charset": "UTF-8"},
                 "Body": {"Text": {"Data": text, "Charset": "UTF-8"}}},
    )
    return str(response["MessageId"])
