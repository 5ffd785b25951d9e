"""The webhook adapter: what it signs, and which answers count as failures (to be retried)."""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from chalicelib.adapters.webhooks import WebhookFailed, encode, post, signature
from tests.conftest import free_port

SECRET = "0123456789abcdef-secret"


@pytest.fixture
def server() -> Iterator[dict[str, Any]]:
    state: dict[str, Any] = {"status": 204, "location": None, "received": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state["received"].append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(state["status"])
            if state["location"]:
                self.send_header("Location", state["location"])
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["url"] = f"http://127.0.0.1:{httpd.server_address[1]}/hook"
    # A short poll: shutdown() waits for the loop to look, 0.5 s by default, which every test paid.
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    yield state
    httpd.shutdown()
    httpd.server_close()


def test_the_body_is_signed_with_the_timestamp(server):
    assert post(server["url"], SECRET, {"b": 1, "a": "é"}, delivery_id="d1", now=1795496400.7) == 204
    ((headers, body),) = server["received"]
    assert body == encode({"a": "é", "b": 1})
    assert headers["x-aduan-timestamp"] == "1795496400"
    digest = hmac.new(SECRET.encode(), b"1795496400." + body, hashlib.sha256).hexdigest()
    assert headers["x-aduan-signature"] == f"sha256={digest}" == signature(SECRET, "1795496400", body)
    assert headers["x-aduan-delivery"] == "d1"


@pytest.mark.parametrize("status", [400, 404, 500, 503])
def test_an_error_status_is_a_failure(server, status):
    server["status"] = status
    with pytest.raises(WebhookFailed):
        post(server["url"], SECRET, {}, delivery_id="d1")


def test_a_redirect_is_a_failure_and_not_followed(server):
    server["status"], server["location"] = 302, server["url"] + "/elsewhere"
    with pytest.raises(WebhookFailed):
        post(server["url"], SECRET, {}, delivery_id="d1")
    assert len(server["received"]) == 1


def test_an_unreachable_receiver_is_a_failure():
    with pytest.raises(WebhookFailed):
        post(f"http://127.0.0.1:{free_port()}/hook", SECRET, {}, delivery_id="d1")


def test_only_http_urls_are_opened():
    with pytest.raises(WebhookFailed):
        post("file:///etc/passwd", SECRET, {}, delivery_id="d1")
