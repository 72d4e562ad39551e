"""A local stand-in for a platform's HTTP API: a threaded ``http.server`` on 127.0.0.1 that records
every request (method, path, query, headers, body) and answers with what the test's ``handler``
returns. Each test checks the requests against what the platform documents."""

from __future__ import annotations

import dataclasses
import json
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclasses.dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(self.body.decode(), keep_blank_values=True))


#: (status, JSON-able body) — or (status, raw bytes); a handler may also sleep to make a timeout
Reply = tuple[int, Any]


@dataclasses.dataclass
class Stub:
    url: str
    requests: list[Request]

    def paths(self) -> list[str]:
        return [request.path for request in self.requests]


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (a timeout test) closes the connection before the answer: not an error."""


@contextmanager
def stub_server(handler: Callable[[Request], Reply]) -> Iterator[Stub]:
    requests: list[Request] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            parsed = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(
                method=self.command,
                path=parsed.path,
                query=dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True)),
                headers={key.lower(): value for key, value in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            requests.append(request)
            status, body = handler(request)
            data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = _answer
        do_POST = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = _QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Stub(url=f"http://127.0.0.1:{server.server_address[1]}", requests=requests)
    finally:
        server.shutdown()
        server.server_close()
