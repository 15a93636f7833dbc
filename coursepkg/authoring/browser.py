"""Headless Chromium, offline: the flags it is started with, and a local server for a built
folder. The PDF (:mod:`coursepkg.authoring.pdf`) and the browser tests both use them.

Pages are served over ``http://127.0.0.1`` rather than opened from ``file://``, where a
page may not load its scripts. Chromium is Debian's (``apt-get install chromium``);
Playwright drives it and never downloads a browser of its own.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
"""No sandbox (containers and root), no GPU, and nothing that reaches for the network."""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on a free port of 127.0.0.1 for the ``with`` block; yields its base
    address, e.g. ``"http://127.0.0.1:40123"``."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
