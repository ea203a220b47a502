"""Configuration: file, environment, and the refusals."""

from __future__ import annotations

import pytest

from mqttgate.cli import main
from mqttgate.config import ConfigError, MqttListener, RestListener, load_config


def write(tmp_path, text: str):
    path = tmp_path / "mqttgate.yaml"
    path.write_text(text)
    return path


def test_defaults_are_loopback():
    config = load_config(None, {})
    assert config.mqtt.listeners == {"default": MqttListener(type="tcp", bind="127.0.0.1:1883")}
    assert config.rest_api.listeners == [RestListener(name="http-default", port=8888, bind_address="127.0.0.1")]
    assert config.rest_api.enabled and config.rest_api.swagger_ui and config.mqtt.allow_anonymous
    assert config.api_key.bootstrap_file is None and config.data_dir == "./data"
    assert config.mqtt.acl_no_match == "allow"


def test_file_is_read_and_its_listeners_replace_the_default(tmp_path):
    config = load_config(write(tmp_path, """
data_dir: /var/lib/mqttgate
mqtt:
  listeners:
    ws: {type: ws, bind: "0.0.0.0:8083"}
  allow_anonymous: false
rest_api:
  listeners:
    - {name: a, port: 18888, bind_address: 127.0.0.1}
    - {name: b, port: 18889, bind_address: "::1"}
  swagger_ui: false
"""), {})
    assert config.mqtt.listeners == {"ws": MqttListener(type="ws", bind="0.0.0.0:8083")}
    assert [listener.port for listener in config.rest_api.listeners] == [18888, 18889]
    assert not config.mqtt.allow_anonymous and not config.rest_api.swagger_ui


def test_environment_overrides_the_file(tmp_path):
    path = write(tmp_path, "rest_api: {listeners: [{name: a, port: 1}]}\n")
    config = load_config(path, {"MQTTGATE_REST_API__LISTENERS__0__PORT": "9999",
                                "MQTTGATE_MQTT__ALLOW_ANONYMOUS": "false",
                                "MQTTGATE_MQTT__LISTENERS__DEFAULT__BIND": "127.0.0.1:11883",
                                "MQTTGATE_CONFIG": "ignored, it names the file", "OTHER": "x"})
    assert config.rest_api.listeners[0].port == 9999 and config.rest_api.listeners[0].name == "a"
    assert config.mqtt.allow_anonymous is False
    assert config.mqtt.listeners["default"].bind == "127.0.0.1:11883"


@pytest.mark.parametrize("text, expected", [
    ("colour: red\n", "unknown key 'colour'"),
    ("rest_api: {listners: []}\n", "unknown key 'rest_api.listners'"),
    ("rest_api: {listeners: [{port: web}]}\n", "rest_api.listeners[0].port: expected an integer"),
    ("rest_api: {listeners: [{port: 70000}]}\n", "rest_api.listeners[0].port: must be 0..65535"),
    ("mqtt: {allow_anonymous: maybe}\n", "mqtt.allow_anonymous: expected true or false"),
    ("mqtt: {acl_no_match: ignore}\n", "mqtt.acl_no_match: must be one of allow, deny, got 'ignore'"),
    ("mqtt: {listeners: {x: {type: quic}}}\n", "mqtt.listeners.x.type: must be one of"),
    ("mqtt: {listeners: {x: {bind: nowhere}}}\n", "mqtt.listeners.x.bind: expected host:port"),
    ("mqtt: {listeners: {x: {type: tls, bind: ':8883'}}}\n", "mqtt.listeners.x.certfile: required"),
    ("mqtt: {listeners: {}}\n", "at least one listener"),
    ("- a\n- b\n", "must hold a mapping"),
    ("a: [\n", "not valid YAML at line"),
    ("mqtt: {max_payload_size: 0}\n", "mqtt.max_payload_size: must be 1..268435455 bytes, got 0"),
    ("mqtt: {max_payload_size: 268435456}\n", "mqtt.max_payload_size: must be 1..268435455 bytes"),
    ("mqtt: {max_payload_size: 1MB}\n", "mqtt.max_payload_size: expected an integer"),
])
def test_invalid_files_are_refused_naming_the_key(tmp_path, text, expected):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), {})
    assert expected in str(caught.value)


def test_unknown_environment_key_is_refused():
    with pytest.raises(ConfigError, match=r"unknown key 'rest_api\.prot'"):
        load_config(None, {"MQTTGATE_REST_API__PROT": "1"})


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_config(tmp_path / "absent.yaml", {})


def test_serve_exits_2_with_one_line_on_invalid_config(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--config", str(write(tmp_path, "colour: red\n"))])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown key 'colour'" in err


def test_max_payload_size_is_one_mib_unless_set():
    assert load_config(None, {}).mqtt.max_payload_size == 1024 * 1024
    assert load_config(None, {"MQTTGATE_MQTT__MAX_PAYLOAD_SIZE": "4096"}).mqtt.max_payload_size == 4096


def test_mqtt_durability_is_sync_by_default_and_checked():
    assert load_config(None, {}).mqtt.durability == "sync"
    assert load_config(None, {"MQTTGATE_MQTT__DURABILITY": "memory"}).mqtt.durability == "memory"
    with pytest.raises(ConfigError, match=r"mqtt\.durability"):
        load_config(None, {"MQTTGATE_MQTT__DURABILITY": "maybe"})


def test_the_command_lines_own_variables_are_not_configuration():
    # the remote commands read $MQTTGATE_URL and $MQTTGATE_API_KEY; set, they must not make
    # every command (serve included) refuse an unknown key
    config = load_config(None, {"MQTTGATE_URL": "http://127.0.0.1:8888/api/v5", "MQTTGATE_API_KEY": "k:s"})
    assert config == load_config(None, {})
