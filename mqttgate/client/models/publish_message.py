from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.publish_message_payload_encoding import PublishMessagePayloadEncoding
from ..models.publish_message_qos import PublishMessageQos
from ..types import UNSET, Unset

T = TypeVar("T", bound="PublishMessage")


@_attrs_define
class PublishMessage:
    """A message to publish (EMQX's shape). With `payload_encoding: base64` the payload must
    be valid base64, otherwise it is 400 BAD_REQUEST; either way the decoded payload may
    have at most `mqtt.max_payload_size` bytes (1 MiB by default), otherwise it is 400
    BAD_REQUEST. A retained message with an empty payload deletes the topic's retained message.

        Example:
            {'topic': 'sensors/17/cmd', 'payload': 'reboot', 'qos': 1, 'retain': False}

        Attributes:
            topic (str): An MQTT topic name to publish to: 1 to 65535 bytes of UTF-8, no `+` or `#` wildcard, no
                NUL, not starting with `$`. A topic breaking these rules is 400 BAD_TOPIC.
            payload (str): The payload: text (sent as UTF-8), or base64 under `payload_encoding: base64`
            payload_encoding (PublishMessagePayloadEncoding | Unset):  Default: PublishMessagePayloadEncoding.PLAIN.
            qos (PublishMessageQos | Unset):  Default: PublishMessageQos.VALUE_0.
            retain (bool | Unset): Keep it as the topic's retained message Default: False.
    """

    topic: str
    payload: str
    payload_encoding: PublishMessagePayloadEncoding | Unset = (
        PublishMessagePayloadEncoding.PLAIN
    )
    qos: PublishMessageQos | Unset = PublishMessageQos.VALUE_0
    retain: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        topic = self.topic

        payload = self.payload

        payload_encoding: str | Unset = UNSET
        if not isinstance(self.payload_encoding, Unset):
            payload_encoding = self.payload_encoding.value

        qos: int | Unset = UNSET
        if not isinstance(self.qos, Unset):
            qos = self.qos.value

        retain = self.retain

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "topic": topic,
                "payload": payload,
            }
        )
        if payload_encoding is not UNSET:
            field_dict["payload_encoding"] = payload_encoding
        if qos is not UNSET:
            field_dict["qos"] = qos
        if retain is not UNSET:
            field_dict["retain"] = retain

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        topic = d.pop("topic")

        payload = d.pop("payload")

        _payload_encoding = d.pop("payload_encoding", UNSET)
        payload_encoding: PublishMessagePayloadEncoding | Unset
        if isinstance(_payload_encoding, Unset):
            payload_encoding = UNSET
        else:
            payload_encoding = PublishMessagePayloadEncoding(_payload_encoding)

        _qos = d.pop("qos", UNSET)
        qos: PublishMessageQos | Unset
        if isinstance(_qos, Unset):
            qos = UNSET
        else:
            qos = PublishMessageQos(_qos)

        retain = d.pop("retain", UNSET)

        publish_message = cls(
            topic=topic,
            payload=payload,
            payload_encoding=payload_encoding,
            qos=qos,
            retain=retain,
        )

        return publish_message
