from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.session_message_qos import SessionMessageQos
from ..types import UNSET, Unset

T = TypeVar("T", bound="SessionMessage")


@_attrs_define
class SessionMessage:
    """
    Attributes:
        msgid (str): The message's id (the `id` POST /publish answered, for an API publish)
        topic (str):
        qos (SessionMessageQos): The QoS it is delivered with
        publish_at (datetime.datetime):
        from_clientid (None | str): The publisher's client id (the API key's name over the API)
        from_username (None | str): The publisher's username (the API key's name over the API)
        payload (None | str): As `payload` asked: base64, plain text, or null for none
        inserted_at (str | Unset): The message's position (what `position` continues after)
    """

    msgid: str
    topic: str
    qos: SessionMessageQos
    publish_at: datetime.datetime
    from_clientid: None | str
    from_username: None | str
    payload: None | str
    inserted_at: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        msgid = self.msgid

        topic = self.topic

        qos = self.qos.value

        publish_at = self.publish_at.isoformat()

        from_clientid: None | str
        from_clientid = self.from_clientid

        from_username: None | str
        from_username = self.from_username

        payload: None | str
        payload = self.payload

        inserted_at = self.inserted_at

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "msgid": msgid,
                "topic": topic,
                "qos": qos,
                "publish_at": publish_at,
                "from_clientid": from_clientid,
                "from_username": from_username,
                "payload": payload,
            }
        )
        if inserted_at is not UNSET:
            field_dict["inserted_at"] = inserted_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        msgid = d.pop("msgid")

        topic = d.pop("topic")

        qos = SessionMessageQos(d.pop("qos"))

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

        def _parse_payload(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        payload = _parse_payload(d.pop("payload"))

        inserted_at = d.pop("inserted_at", UNSET)

        session_message = cls(
            msgid=msgid,
            topic=topic,
            qos=qos,
            publish_at=publish_at,
            from_clientid=from_clientid,
            from_username=from_username,
            payload=payload,
            inserted_at=inserted_at,
        )

        return session_message
