"""A webhook receiver for crm_saas events, with nothing but the Python standard library.

Run it with the subscription's signing secret:

    WEBHOOK_SECRET=whsec_... python docs/examples/webhook_receiver.py --port 8085 --log events.jsonl

It accepts a POST only when its signature matches and its timestamp is recent, ignores an event id
it has already handled (retries and redeliveries reuse the id), and appends each new event to the
log file as one JSON line. Answer 2xx quickly: anything else, or no answer within 10 seconds, is
retried after 1 min, 5 min, 30 min, 2 h and 6 h.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TOLERANCE_SECONDS = 300


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """True when ``signature`` is ``sha256=HMAC_SHA256(secret, timestamp + "." + body)`` and fresh."""
    try:
        if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
            return False  # too old (or from the future): a replayed request
    except ValueError:
        return False
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


class Receiver(BaseHTTPRequestHandler):
    secret = ""
    log_path: Path | None = None
    seen: set[str] = set()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        timestamp = self.headers.get("X-CRM-Timestamp", "")
        signature = self.headers.get("X-CRM-Signature", "")
        if not verify(self.secret, timestamp, body, signature):
            self._answer(401, {"error": "bad signature"})
            return
        event = json.loads(body)
        if event["id"] not in self.seen:  # the same event may arrive more than once
            self.seen.add(event["id"])
            if self.log_path is not None:
                with self.log_path.open("a") as log:
                    log.write(json.dumps({"event": event, "delivery": self.headers.get("X-CRM-Delivery")}) + "\n")
        self._answer(200, {"ok": True})

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        print(f"{self.address_string()} {format % args}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8085)
    parser.add_argument("--log", type=Path, help="append each verified event to this file (JSON lines)")
    options = parser.parse_args()
    Receiver.secret = os.environ["WEBHOOK_SECRET"]
    Receiver.log_path = options.log
    server = ThreadingHTTPServer((options.host, options.port), Receiver)
    print(f"listening on http://{options.host}:{options.port}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
