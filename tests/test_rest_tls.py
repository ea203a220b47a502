"""REST listeners over HTTPS, with and without client certificates, beside plain HTTP ones."""

from __future__ import annotations

import signal
import ssl

import httpx
import pytest

from tests.certs import TestCA
from tests.conftest import wait_for
from tests.processes import SERVE, Process


def listener_env(index: int, **values: object) -> dict[str, str]:
    return {f"MQTTGATE_REST_API__LISTENERS__{index}__{key.upper()}": str(value) for key, value in values.items()}


def trusting(ca: TestCA, client=None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(ca.certfile))
    if client is not None:
        context.load_cert_chain(client.certfile, client.keyfile)
    return context


@pytest.fixture
def ca(tmp_path) -> TestCA:
    return TestCA(tmp_path)


def test_https_mutual_tls_and_plain_http_listeners_at_once(started, ca, tmp_path):
    server = ca.issue("server")
    env = {**listener_env(1, name="https", port=0, bind_address="127.0.0.1",
                          certfile=server.certfile, keyfile=server.keyfile),
           **listener_env(2, name="mtls", port=0, bind_address="127.0.0.1",
                          certfile=server.certfile, keyfile=server.keyfile, cacertfile=ca.certfile),
           **listener_env(3, name="http-open", port=0, bind_address="0.0.0.0")}
    process: Process = started(SERVE, env=env).wait_ready(60)
    https_port, mtls_port = process.port("https"), process.port("mtls")
    auth = process.api_auth()

    plain = httpx.get(f"{process.url}/clients", auth=auth, timeout=5)
    assert plain.status_code == 200
    over_tls = httpx.get(f"https://127.0.0.1:{https_port}/api/v5/clients", auth=auth, verify=trusting(ca), timeout=5)
    assert over_tls.status_code == 200 and over_tls.json()["data"] == []
    # the same port does not answer plain HTTP
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://127.0.0.1:{https_port}/api/v5/status", timeout=3)
    # a client that does not trust the test CA refuses the server
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"https://127.0.0.1:{https_port}/api/v5/status", timeout=3)

    # mutual TLS: no client certificate, no answer; one the CA signed, an answer
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"https://127.0.0.1:{mtls_port}/api/v5/status", verify=trusting(ca), timeout=3)
    stranger = TestCA(tmp_path, "stranger").issue("stranger-client", server=False)
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"https://127.0.0.1:{mtls_port}/api/v5/status", verify=trusting(ca, stranger), timeout=3)
    client = ca.issue("client", server=False)
    mutual = httpx.get(f"https://127.0.0.1:{mtls_port}/api/v5/clients", auth=auth,
                       verify=trusting(ca, client), timeout=5)
    assert mutual.status_code == 200

    listed = httpx.get(f"{process.url}/listeners", auth=auth, timeout=5).json()
    assert {"http:https", "http:mtls", "http:http-open", "http:http-default"} <= {item["id"] for item in listed}

    output = process.output()
    warnings = [line for line in output.splitlines() if "serves plain HTTP" in line]
    assert len(warnings) == 1 and "http-open" in warnings[0], output
    assert f"REST API listener https on https://127.0.0.1:{https_port}\n" in output
    assert f"REST API listener mtls on https://127.0.0.1:{mtls_port} (client certificate required)\n" in output

    process.stop(signal.SIGTERM)
    assert process.proc.returncode == 0, process.output()


def test_a_missing_or_lone_certificate_is_a_config_error(started, ca):
    server = ca.issue("server")
    alone = started(SERVE, env=listener_env(0, certfile=server.certfile))
    assert alone.proc.wait(60) == 2
    assert "certfile and keyfile go together" in alone.output()


def test_a_key_that_does_not_match_the_certificate_fails_the_start(started, ca):
    one, other = ca.issue("one"), ca.issue("other")
    process = started(SERVE, env=listener_env(0, certfile=one.certfile, keyfile=other.keyfile))
    assert process.proc.wait(60) == 1
    assert "cannot open a REST API listener" in process.output()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_exits_0_on_a_stop_signal(started, sig):
    process = started(SERVE).wait_ready(60)
    process.stop(sig)
    assert process.proc.returncode == 0, process.output()


def test_no_api_key_is_made_or_printed_with_the_api_disabled(started):
    process = started(SERVE, http=False, env={"MQTTGATE_REST_API__ENABLED": "false"}).wait_ready(60)
    process.proc.send_signal(signal.SIGHUP)  # reloads here too, and does not stop it
    assert wait_for(lambda: "SIGHUP: reloaded" in process.output(), timeout=15), process.output()
    process.stop(signal.SIGTERM)
    assert process.proc.returncode == 0
    assert "secret" not in process.output()
    assert not (process.data_dir / "initial_api_key").exists()
