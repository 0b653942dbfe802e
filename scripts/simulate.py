#!/usr/bin/env python3
"""Play M8Com against a webhook: serve a playable recording and POST V2 calls.

Standard library only, so it runs anywhere Python 3.11+ does:

    scripts/simulate --url http://127.0.0.1:8123/api/m8com/<id> --secret <secret>

It serves a generated WAV (a short two-tone chime, rendered here) on loopback,
POSTs realistic call payloads with ``Authorization: Bearer``, retries non-200
answers with exponential back-off as M8Com does, and prints every exchange.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import io
import json
import math
import random
import struct
import sys
import threading
import time
from typing import Any
import urllib.error
import urllib.parse
import urllib.request
import wave

RATE = 8000
NUMBERS = ["+46701234567", "+46702345678", "+46703456789", "+46704567890"]
AGENTS = [("a-1", "Anna Andersson"), ("a-2", "Bo Berg"), ("a-3", "Cecilia Ek")]


def chime(seconds: float = 2.0) -> bytes:
    """A playable 8 kHz mono WAV: two soft tones, like a short ring."""
    frames = bytearray()
    for n in range(int(RATE * seconds)):
        t = n / RATE
        freq = 440 if (t % 1.0) < 0.5 else 660  # noqa: PLR2004
        envelope = min(1.0, (t % 0.5) * 20) * max(0.0, 1 - (t % 0.5) * 2)
        frames += struct.pack(
            "<h", int(9000 * envelope * math.sin(2 * math.pi * freq * t))
        )
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(bytes(frames))
    return out.getvalue()


def serve(host: str, port: int, audio: bytes) -> ThreadingHTTPServer:
    """Serve the recording at ``/rec/<anything>`` (M8Com's file storage)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if not self.path.startswith("/rec/"):
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "audio/wav")
            self.send_header("Content-Length", str(len(audio)))
            self.end_headers()
            self.wfile.write(audio)
            print(f"  ← recording fetched: {self.path.split('?')[0]}")

        def log_message(self, *_: Any) -> None:
            """Quiet: the line above says what matters."""

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@dataclass
class Options:
    """What to send; see ``--help``."""

    url: str
    secret: str
    count: int
    rate: float
    direction: str
    groups: list[str]
    duplicates: int
    wrong_secret: bool
    v1: bool
    extra_fields: bool
    first_id: int
    retries: int
    file_base: str
    retry_unreachable: bool = False
    """Keep retrying when nothing answers (else stop at the first such call)."""


def payloads(opts: Options) -> Iterator[dict[str, Any]]:
    """Realistic V2 payloads (or V1, without ``summary``/``userId``)."""
    rng = random.Random(opts.first_id)
    for n in range(opts.count):
        call_id = opts.first_id + n
        direction = opts.direction
        if direction == "mixed":
            direction = rng.choice(["inbound", "outbound"])
        group = (rng.choice(opts.groups) if opts.groups else "") or None
        agent_id, agent_name = rng.choice(AGENTS)
        talk = rng.randint(20_000, 600_000)
        end = int(time.time() * 1000)
        caller, callee = rng.choice(NUMBERS), "+4681234567"
        if direction == "outbound":
            caller, callee = callee, caller
        payload: dict[str, Any] = {
            "id": call_id,
            "fileUrls": [
                f"{opts.file_base}/rec/{call_id}.wav?token=sim{rng.randrange(10**9)}"
            ],
            "callerNumber": caller,
            "calleeNumber": callee,
            "startTime": end - talk - 5000,
            "endTime": end,
            "waitTime": rng.randint(0, 60_000) if group else None,
            "talkTime": talk,
            "agentId": agent_id if group else None,
            "agentName": agent_name if group else None,
            "answerGroupName": group,
            "answerGroupId": f"ag-{group.lower()}" if group else None,
            "referredTo": None,
            "referredBy": None,
            "direction": direction,
            "recorderId": f"{agent_name.split()[0].lower()}@example.se",
        }
        if not opts.v1:
            payload["summary"] = f"Simulated {direction} call {call_id} about an order."
            payload["userId"] = f"u-{agent_id}"
        if opts.extra_fields:
            payload["sentiment"] = {"score": round(rng.random(), 2)}
            payload["tags"] = ["simulated"]
        yield payload


class UnreachableError(Exception):
    """No HTTP answer at all: the reason, e.g. "connection refused to …"."""


def post(url: str, secret: str, body: bytes) -> int:
    """One POST as M8Com sends it; the HTTP status, or UnreachableError."""
    request = urllib.request.Request(  # noqa: S310 - the URL is the user's own
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {secret}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as err:
        return err.code
    except urllib.error.URLError as err:
        reason = err.reason
        if isinstance(reason, ConnectionRefusedError):
            msg = f"connection refused to {url} (is Home Assistant running there?)"
        else:
            msg = f"cannot reach {url}: {reason}"
        raise UnreachableError(msg) from err
    except OSError as err:
        msg = f"cannot reach {url}: {err}"
        raise UnreachableError(msg) from err


def route(payload: dict[str, Any]) -> str:
    """Who called whom, the customer's number always shown (``caller → callee``)."""
    group = payload["answerGroupName"]
    if payload["direction"] == "outbound":
        return f"{group or payload['callerNumber']} → {payload['calleeNumber']}"
    return f"{payload['callerNumber']} → {group or payload['calleeNumber']}"


def deliver(opts: Options, payload: dict[str, Any], secret: str) -> int:
    """Send until 200, with exponential back-off (1 s, 2 s, 4 s …) as M8Com does."""
    body = json.dumps(payload).encode()
    delay = 1.0
    for attempt in range(opts.retries + 1):
        retry = f" (retry {attempt})" if attempt else ""
        try:
            status = post(opts.url, secret, body)
        except UnreachableError as err:
            print(f"→ call {payload['id']}: {err}{retry}")
            if not opts.retry_unreachable:
                raise
            status = 0
        print(
            f"→ call {payload['id']} {payload['direction']:8} "
            f"{route(payload)}: {status or 'unreachable'}{retry}"
        )
        if status == HTTPStatus.OK or attempt == opts.retries:
            return status
        time.sleep(delay)
        delay = min(delay * 2, 60)
    return status


def report_kept(opts: Options, token: str) -> None:
    """Ask HA (get_recordings) which of the sent calls it kept; mark the rest.

    Every call is answered 200, kept or not (M8Com must not retry a call the
    account's filters leave out), so only the integration can tell.
    """
    base = urllib.parse.urlsplit(opts.url)
    url = f"{base.scheme}://{base.netloc}/api/services/m8com/get_recordings?return_response"
    request = urllib.request.Request(  # noqa: S310 - the user's own HA
        url,
        data=json.dumps({"limit": 10_000}).encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            found = json.load(response)["service_response"]["recordings"]
    except (OSError, KeyError, ValueError) as err:
        print(f"could not ask Home Assistant which calls it kept: {err}")
        return
    kept = {r["call_id"]: r["status"] for r in found}
    for call_id in range(opts.first_id, opts.first_id + opts.count):
        status = kept.get(call_id)
        note = status or "skipped by the account's filters (answered 200, not kept)"
        print(f"← call {call_id}: {note}")


def run(opts: Options) -> int:
    """Send every call (and its duplicates); the number of calls not acked."""
    failures = 0
    interval = 1 / opts.rate if opts.rate > 0 else 0
    for payload in payloads(opts):
        if opts.wrong_secret:
            status = post(
                opts.url, opts.secret + "-wrong", json.dumps(payload).encode()
            )
            print(f"→ call {payload['id']} with a wrong secret: {status}")
        for _ in range(opts.duplicates):
            failures += deliver(opts, payload, opts.secret) != HTTPStatus.OK
        time.sleep(interval)
    return failures


def parse(argv: list[str]) -> tuple[Options, argparse.Namespace]:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the webhook URL HA showed")
    parser.add_argument("--secret", required=True, help="the secret HA showed")
    parser.add_argument("--count", type=int, default=3, help="calls to send")
    parser.add_argument("--rate", type=float, default=2.0, help="calls per second")
    parser.add_argument(
        "--direction", choices=["inbound", "outbound", "mixed"], default="mixed"
    )
    parser.add_argument(
        "--groups",
        default="Support,Sales,",
        help="answer groups to mix, comma-separated; an empty item is a personal call",
    )
    parser.add_argument(
        "--duplicates", type=int, default=1, help="deliveries per call (M8Com retries)"
    )
    parser.add_argument(
        "--wrong-secret", action="store_true", help="first try a bad secret"
    )
    parser.add_argument(
        "--v1", action="store_true", help="V1 payloads (no summary/userId)"
    )
    parser.add_argument(
        "--extra-fields", action="store_true", help="add unknown fields"
    )
    parser.add_argument("--first-id", type=int, default=int(time.time()) % 10**6 * 100)
    parser.add_argument("--retries", type=int, default=5, help="retries on non-200")
    parser.add_argument(
        "--token",
        default="",
        help="an admin's long-lived access token: then the integration's own view "
        "of each call is shown (e.g. calls its filters skipped)",
    )
    parser.add_argument(
        "--retry",
        action="store_true",
        help="keep retrying when Home Assistant cannot be reached (default: stop)",
    )
    parser.add_argument("--serve-host", default="127.0.0.1")
    parser.add_argument("--serve-port", type=int, default=0, help="0: any free port")
    parser.add_argument(
        "--hold",
        type=float,
        default=10.0,
        help="seconds to keep serving audio at the end",
    )
    args = parser.parse_args(argv)
    groups = [g.strip() for g in args.groups.split(",")] if args.groups else []
    opts = Options(
        url=args.url,
        secret=args.secret,
        count=args.count,
        rate=args.rate,
        direction=args.direction,
        groups=groups,
        duplicates=max(1, args.duplicates),
        wrong_secret=args.wrong_secret,
        v1=args.v1,
        extra_fields=args.extra_fields,
        first_id=args.first_id,
        retries=args.retries,
        file_base="",
        retry_unreachable=args.retry,
    )
    return opts, args


def main(argv: list[str]) -> int:
    """Serve the chime, send the calls, keep serving while HA downloads."""
    opts, args = parse(argv)
    server = serve(args.serve_host, args.serve_port, chime())
    opts.file_base = f"http://{args.serve_host}:{server.server_port}"
    print(f"serving recordings on {opts.file_base}")
    print(f"sending {opts.count} call(s) to {opts.url}")
    try:
        failures = run(opts)
    except UnreachableError as err:
        print(f"stopped: {err}; use the Endpoint exactly as shown, or --retry")
        server.shutdown()
        return 2
    print(f"done: {opts.count - failures} acknowledged, {failures} not")
    if args.token:
        report_kept(opts, args.token)
    print(f"serving audio for {args.hold:.0f} s more")
    time.sleep(args.hold)
    server.shutdown()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
