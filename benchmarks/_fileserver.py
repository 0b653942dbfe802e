"""A recording server in its own process: ``/<size in MiB>/<name>.mp3``.

Kept out of the benchmark's process so that serving hundreds of megabytes does
not slow the client that times the webhook's answers.

Run: python benchmarks/_fileserver.py PORT
"""

from __future__ import annotations

from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import sys
from typing import Any

BLOCK = (b"ID3" + bytes(range(256)) * 4096)[: 2**20]
"""1 MiB that starts as MP3 does (an ID3 tag), as the downloader checks."""


class Handler(BaseHTTPRequestHandler):
    """Streams the requested number of MiB as audio/mpeg."""

    def do_GET(self) -> None:
        """Serve ``size`` MiB of bytes."""
        try:
            size = int(self.path.split("/")[1])
        except (IndexError, ValueError):
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "audio/mpeg")
        self.send_header("Content-Length", str(size * len(BLOCK)))
        self.end_headers()
        for _ in range(size):
            self.wfile.write(BLOCK)

    def log_message(self, *_: Any) -> None:
        """Quiet."""


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
