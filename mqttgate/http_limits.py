"""Request bodies within limits, refused before they are read; chunked bodies made plain.

Without it one authenticated 200 MB body to `/publish/bulk` took the process to 946 MB
and stalled `/status` for 2.25 s. A body over `rest_api.max_body_size` (backup uploads:
`rest_api.max_upload_size`) is answered 413 as soon as its Content-Length says so, or as
soon as a chunked stream passes the limit; nothing more of it is read.

h11 bounds the head of a request only while it waits for the rest of it
(`max_incomplete_event_size`): a head that arrives whole in one read is taken at any size
up to what one read holds. Its size is checked here against `rest_api.max_header_size`.

connexion takes a request without Content-Length for one without a body ("RequestBody is
required"), so a chunked body (within the limit) is gathered and handed on with its
length. A body without Content-Type was validated as JSON but handed to the handler as
bytes (a 500): such a body is taken as the JSON it is validated as.
"""

from __future__ import annotations

import json
from typing import Any

ASGIApp = Any

UPLOAD_PATH = "/api/v5/data/files"


class RequestLimits:
    """ASGI middleware: head and body size limits, chunked bodies and the default media type.

    Args:
        app: the ASGI app behind.
        max_body_size: bytes a request body may have.
        max_upload_size: bytes a backup upload (POST /data/files) may have.
        max_header_size: bytes the request line and headers may have together.
    """

    def __init__(self, app: ASGIApp, *, max_body_size: int, max_upload_size: int, max_header_size: int) -> None:
        self.app = app
        self.max_body_size = max_body_size
        self.max_upload_size = max_upload_size
        self.max_header_size = max_header_size

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _head_size(scope) > self.max_header_size:
            await _answer(send, 400, "BAD_REQUEST", f"The request line and headers are over "
                          f"{self.max_header_size} bytes (rest_api.max_header_size)")
            return
        limit = self.max_upload_size if scope["path"].rstrip("/") == UPLOAD_PATH else self.max_body_size
        headers = [(name.lower(), value) for name, value in scope["headers"]]
        names = {name for name, _ in headers}
        declared = next((value for name, value in headers if name == b"content-length"), None)
        has_body = declared is not None and declared.strip() != b"0"
        if declared is not None:
            if not declared.strip().isdigit():
                await _answer(send, 400, "BAD_REQUEST", "Invalid Content-Length")
                return
            if int(declared) > limit:
                await _answer(send, 413, "PAYLOAD_TOO_LARGE", _too_large(limit))
                return
        elif b"transfer-encoding" in names:
            body = bytearray()
            more = True
            while more:
                message = await receive()
                if message["type"] != "http.request":
                    return  # the client went away
                body += message.get("body", b"")
                more = message.get("more_body", False)
                if len(body) > limit:
                    await _answer(send, 413, "PAYLOAD_TOO_LARGE", _too_large(limit))
                    return
            headers = [(n, v) for n, v in headers if n != b"transfer-encoding"]
            headers.append((b"content-length", str(len(body)).encode()))
            receive = _replay(bytes(body), receive)
            has_body = bool(body)
        if has_body and b"content-type" not in names:
            headers.append((b"content-type", b"application/json"))
        await self.app({**scope, "headers": headers}, receive, send)


def _replay(body: bytes, receive: Any) -> Any:
    sent = False

    async def replay() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _head_size(scope: dict[str, Any]) -> int:
    """The bytes of the request line and headers as the client sent them."""
    # the line: METHOD, " ", path, "?", query, " HTTP/1.1" CRLF; each header: name, ": ", value, CRLF
    line = len(scope["method"]) + len(scope.get("raw_path") or scope["path"]) + len(scope["query_string"]) + 13
    return line + sum(len(name) + len(value) + 4 for name, value in scope["headers"])


def _too_large(limit: int) -> str:
    return f"The request body is over {limit} bytes (rest_api.max_body_size, or max_upload_size for uploads)"


async def _answer(send: Any, status: int, code: str, message: str) -> None:
    body = json.dumps({"code": code, "message": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
