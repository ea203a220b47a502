from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.retained_message_qos import RetainedMessageQos

T = TypeVar("T", bound="RetainedMessage")


@_attrs_define
class RetainedMessage:
    """
    Attributes:
        topic (str):
        qos (RetainedMessageQos):
        msgid (str):
        publish_at (datetime.datetime):
        from_clientid (None | str):
        from_username (None | str):
        payload (str): The payload in base64
    """

    topic: str
    qos: RetainedMessageQos
    msgid: str
    publish_at: datetime.datetime
    from_clientid: None | str
    from_username: None | str
    payload: str

    def to_dict(self) -> dict[str, Any]:
        topic = self.topic

        qos = self.qos.value

        msgid = self.msgid

        publish_at = self.publish_at.isoformat()

        from_clientid: None | str
        from_clientid = self.from_clientid

        from_username: None | str
        from_username = self.from_username

        payload = self.payload

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "topic": topic,
                "qos": qos,
                "msgid": msgid,
                "publish_at": publish_at,
                "from_clientid": from_clientid,
                "from_username": from_username,
                "payload": payload,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        topic = d.pop("topic")

        qos = RetainedMessageQos(d.pop("qos"))

        msgid = d.pop("msgid")

        publish_at = datetime.datetime.fromisoformat(d.pop("publish_at"))

        def _parse_from_clientid(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        from_clientid = _parse_from_clientid(d.pop("from_clientid"))

        def _parse_from_username(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        from_username = _parse_from_username(d.pop("from_username"))

        payload = d.pop("payload")

        retained_message = cls(
            topic=topic,
            qos=qos,
            msgid=msgid,
            publish_at=publish_at,
            from_clientid=from_clientid,
            from_username=from_username,
            payload=payload,
        )

        return retained_message
