"""HTTP requests that must never break the API: odd bodies, oversized bodies and headers, chunked bodies."""

from __future__ import annotations

import json
import random
import socket
import time
import urllib.parse

import pytest

from tests.rawmqtt import until_closed

SMALL = {"MQTTGATE_REST_API__MAX_BODY_SIZE": "4096", "MQTTGATE_REST_API__MAX_UPLOAD_SIZE": "65536",
         "MQTTGATE_REST_API__MAX_HEADER_SIZE": "16384"}


def assert_error(response, status: int) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message"} and body["message"], body


def raw_request(gate, head: bytes, body: bytes = b"", timeout: float = 10) -> tuple[bytes, bool]:
    """Send a raw HTTP request; what came back until the server closed (or `timeout`), and whether it closed."""
    host, port = gate.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        try:
            sock.sendall(head + body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return until_closed(sock, timeout)


def auth(gate) -> bytes:
    return b"Authorization: " + gate.auth_header["Authorization"].encode() + b"\r\n"


def test_a_json_body_without_content_type_is_taken_as_json(gate):
    publish = gate.http.post("/publish", content=json.dumps({"topic": "a/b", "payload": "x"}))
    assert publish.status_code == 202, publish.text
    bulk = gate.http.post("/publish/bulk", content=json.dumps([{"topic": "a/b", "payload": "x"}]))
    assert bulk.status_code == 202 and bulk.json()[0]["reason_code"] == 16, bulk.text
    key = gate.http.post("/api_key", content=json.dumps({"name": "no-ctype"}))
    assert key.status_code == 200 and key.json()["name"] == "no-ctype", key.text


@pytest.mark.parametrize("path, body", [
    ("/publish/bulk", b"[" * 990 + b"]" * 990),
    ("/publish", b'{"topic": "a", "payload": "x", "qos": ' + b"1" * 5001 + b"}"),
    ("/api_key", b'{"name": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
])
def test_json_python_cannot_decode_is_400(gate, path, body):
    assert_error(gate.http.post(path, content=body, headers={"Content-Type": "application/json"}), 400)


def test_a_malformed_multipart_upload_is_400(gate):
    for body in (b"--XX\r\n\r\nhello\r\n--XX--\r\n",  # a part without headers
                 b"--XX\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XX--\r\n"):  # no name
        response = gate.http.post("/data/files", content=body,
                                  headers={"Content-Type": "multipart/form-data; boundary=XX"})
        assert_error(response, 400)
    field = (b'--XX\r\nContent-Disposition: form-data; name="filename"\r\n\r\nx.tar.gz\r\n--XX--\r\n')
    form = {"Content-Type": "multipart/form-data; boundary=XX"}
    response = gate.http.post("/data/files", content=field, headers=form)
    assert_error(response, 400)  # a field, not a file
    assert gate.http.get("/data/files").json()["data"] == []


def test_a_chunked_body_is_a_body(gate):
    def chunks():
        yield b'{"topic": "a/b",'
        yield b' "payload": "x"}'

    response = gate.http.post("/publish", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 202, response.text


@pytest.mark.parametrize("gate", [SMALL], indirect=True)
def test_a_body_over_the_limit_is_413_before_it_is_read(gate):
    # 200 MB announced, none sent: answered at once
    head = (b"POST /api/v5/publish/bulk HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + auth(gate)
            + b"Content-Length: 209715200\r\n\r\n")
    answer, _ = raw_request(gate, head)
    assert answer.startswith(b"HTTP/1.1 413 ") and b'"PAYLOAD_TOO_LARGE"' in answer
    # chunked: refused once the stream passes the limit, the rest never read
    head = (b"POST /api/v5/publish/bulk HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + auth(gate)
            + b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"400\r\n" + b" " * 1024 + b"\r\n"
    answer, _ = raw_request(gate, head, chunk * 5)  # 5 KiB, over 4 KiB, and no last chunk
    assert answer.startswith(b"HTTP/1.1 413 ")
    # within the limit, both ways, it is served
    assert gate.http.post("/publish", json={"topic": "a", "payload": "x" * 3000}).status_code == 202
    assert_error(gate.http.post("/publish", json={"topic": "a", "payload": "x" * 5000}), 413)
    assert gate.http.get("/status").status_code == 200


@pytest.mark.parametrize("gate", [SMALL], indirect=True)
def test_backup_uploads_have_their_own_limit(gate):
    rng = random.Random(5)
    for i in range(4):  # incompressible retained payloads make the backup larger than the body limit
        payload = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(3000))
        retained = {"topic": f"r/{i}", "payload": payload, "retain": True}
        assert gate.http.post("/publish", json=retained).status_code == 202
    export = gate.http.post("/data/export")
    assert export.status_code == 200
    backup = gate.http.get(f"/data/files/{export.json()['filename']}").content
    assert 4096 < len(backup) < 65536  # over the body limit, within the upload limit
    files = {"filename": ("up.tar.gz", backup, "application/gzip")}
    assert gate.http.post("/data/files", files=files).status_code == 204
    files = {"filename": ("big.tar.gz", backup + b"\0" * 65536, "application/gzip")}
    assert_error(gate.http.post("/data/files", files=files), 413)


@pytest.mark.parametrize("gate", [SMALL], indirect=True)
def test_headers_over_the_limit_are_refused_and_the_connection_closed(gate):
    huge = b"GET /api/v5/status HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 1024 * 1024 + b"\r\n\r\n"
    answer, closed = raw_request(gate, huge)
    assert answer.startswith(b"HTTP/1.1 400 ") and closed
    many = b"GET /api/v5/status HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(20000)) + b"\r\n"
    answer, closed = raw_request(gate, many)
    assert answer.startswith(b"HTTP/1.1 400 ") and closed
    assert gate.http.get("/status").status_code == 200


@pytest.mark.parametrize("gate", [SMALL], indirect=True)
def test_headers_over_the_limit_are_refused_though_they_arrive_whole(gate):
    # h11 bounds only a head it is still waiting for: 20 kB arriving in one read was taken
    head = b"GET /api/v5/status HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n"
    answer, closed = raw_request(gate, head)
    assert answer.startswith(b"HTTP/1.1 400 ") and closed, answer[:200]
    assert json.loads(answer.partition(b"\r\n\r\n")[2])["code"] == "BAD_REQUEST"
    within = b"GET /api/v5/status HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 15000 + b"\r\n\r\n"
    assert raw_request(gate, within, timeout=2)[0].startswith(b"HTTP/1.1 200 ")


@pytest.mark.parametrize("gate", [SMALL], indirect=True)
def test_a_head_growing_past_the_limit_read_by_read_is_refused(gate):
    # h11 counts a head that is still arriving against the limit (httptools would wait for all of it)
    host, port = gate.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"GET /api/v5/status HTTP/1.1\r\nHost: x\r\n")
        try:
            for _ in range(40):  # 40 kB of headers, 1 kB a read
                sock.sendall(b"X-Part: " + b"a" * 1014 + b"\r\n")
                time.sleep(0.005)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer, closed = until_closed(sock, timeout=10)
    assert answer.startswith(b"HTTP/1.1 400 ") and closed, answer[:100]


@pytest.mark.parametrize("gate", [SMALL], indirect=True)
def test_requests_kept_alive_each_have_the_whole_limit_whatever_their_bodies(gate):
    body = json.dumps({"topic": "a/b", "payload": "x" * 3000}).encode()
    publish = (b"POST /api/v5/publish HTTP/1.1\r\nHost: x\r\n" + auth(gate)
               + b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    status = b"GET /api/v5/status HTTP/1.1\r\nHost: x\r\nX-Fill: " + b"a" * 12000 + b"\r\n\r\n"
    host, port = gate.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock, sock.makefile("rb") as answers:
        statuses = []
        for request in [publish] * 4 + [status] * 2:  # 36 kB over one connection, the limit 16 kB
            sock.sendall(request)
            statuses.append(answers.readline().split(b" ")[1])
            length = 0
            while (line := answers.readline()) != b"\r\n":
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            answers.read(length)
    assert statuses == [b"202"] * 4 + [b"200"] * 2


def test_a_retained_message_with_a_long_topic_can_be_read_and_deleted(gate):
    topic = "long/" + "t" * 9000  # the path's limit was 4096
    assert gate.http.post("/publish", json={"topic": topic, "payload": "kept", "retain": True}).status_code == 202
    got = gate.http.get(f"/mqtt/retainer/message/{topic}")
    assert got.status_code == 200 and got.json()["topic"] == topic, got.text[:300]
    listed = gate.http.get("/mqtt/retainer/messages", params={"topic": topic})
    assert [m["topic"] for m in listed.json()["data"]] == [topic]
    assert gate.http.delete(f"/mqtt/retainer/message/{topic}").status_code == 204
    assert gate.http.get(f"/mqtt/retainer/message/{topic}").status_code == 404


def test_a_retained_topic_whose_url_is_over_64_kib_can_be_read(gate):
    # 5,500 four-byte characters: a 66 kB URL percent-encoded (httptools' URL parser refused it: 400)
    topic = "wide/" + "\U0010c690" * 5500
    assert gate.http.post("/publish", json={"topic": topic, "payload": "kept", "retain": True}).status_code == 202
    path = "/api/v5/mqtt/retainer/message/" + urllib.parse.quote(topic, safe="/")  # httpx refuses such a URL
    answer, _ = raw_request(gate, f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n".encode() + auth(gate)
                            + b"\r\n")
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:300]
    assert json.loads(answer.partition(b"\r\n\r\n")[2])["topic"] == topic


# a fuzzer of request bodies: every answer is a 2xx or a 4xx {code, message}, never a 5xx
FUZZ_TARGETS = [("POST", "/publish"), ("POST", "/publish/bulk"), ("POST", "/api_key"), ("POST", "/banned"),
                ("POST", "/trace"), ("POST", "/data/import"), ("POST", "/clients/kickout/bulk"),
                ("POST", "/authentication/password_based:built_in_database/users"),
                ("POST", "/authorization/sources/built_in_database/rules/clients"),
                ("PUT", "/api_key/nobody")]
CONTENT_TYPES = [None, "application/json", "text/plain", "application/x-www-form-urlencoded",
                 "multipart/form-data; boundary=B", "multipart/form-data", "application/json; charset=latin-1"]


def fuzz_body(rng: random.Random) -> bytes:
    pieces = [b"{", b"}", b"[", b"]", b'"', b":", b",", b"\\", b"\\u0000", b"\\ud800", b"null", b"true", b"-",
              b"1e999999", b"9" * 5000, b"\xff", b"\x00", b'"topic"', b'"payload"', b'"qos"', b"\r\n", b"--B",
              b"Content-Disposition: form-data", b'; name="filename"', b'; filename="x.tar.gz"', b"\r\n\r\n"]
    kind = rng.randrange(4)
    if kind == 0:
        return b"".join(rng.choice(pieces) for _ in range(rng.randrange(1, 40)))
    if kind == 1:
        depth = rng.choice([10, 500, 2000])
        return b"[" * depth + b"]" * depth
    if kind == 2:
        value = rng.choice([None, True, 1, -1, 10 ** 30, 1.5, "x", "", "\u0000", "a/#", [], {}, [None], {"a": {}}])
        keys = ["topic", "payload", "qos", "retain", "name", "as", "who", "clientid", "filename", "rules",
                "payload_encoding", "type", "user_id", "password"]
        return json.dumps({k: value for k in rng.sample(keys, rng.randrange(0, 5))}).encode()
    return bytes(rng.randrange(256) for _ in range(rng.randrange(0, 300)))


def fuzz_form(rng: random.Random) -> bytes:
    parts = []
    for _ in range(rng.randrange(0, 4)):
        headers = rng.choice([b"", b'Content-Disposition: form-data; name="filename"; filename="a.tar.gz"\r\n',
                              b'Content-Disposition: form-data; name="filename"\r\n', b"Content-Type: x\r\n",
                              b'Content-Disposition: form-data; name="x"; filename="../../etc"\r\n'])
        parts.append(b"--B\r\n" + headers + b"\r\n" + bytes(rng.randrange(256) for _ in range(rng.randrange(50))))
    tail = rng.choice([b"\r\n--B--\r\n", b"", b"--B", b"\r\n--C--\r\n"])
    return b"\r\n".join(parts) + tail


def test_fuzzed_bodies_and_forms_get_no_5xx(gate):
    rng = random.Random(11)
    seen = []
    for _ in range(250):
        method, path = rng.choice(FUZZ_TARGETS)
        content_type = rng.choice(CONTENT_TYPES)
        body = fuzz_body(rng)
        if rng.random() < 0.3:
            method, path, content_type, body = "POST", "/data/files", "multipart/form-data; boundary=B", fuzz_form(rng)
        headers = {"Content-Type": content_type} if content_type else {}
        response = gate.http.request(method, path, content=body, headers=headers)
        seen.append(response.status_code)
        assert response.status_code < 500, (method, path, content_type, body[:200], response.text[:300])
        if response.status_code >= 400:
            assert set(response.json()) == {"code", "message"}, response.text[:300]
    assert gate.http.get("/status").status_code == 200
    assert any(status >= 400 for status in seen)
