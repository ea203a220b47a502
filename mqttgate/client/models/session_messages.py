from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.session_message import SessionMessage
    from ..models.session_messages_meta import SessionMessagesMeta


T = TypeVar("T", bound="SessionMessages")


@_attrs_define
class SessionMessages:
    """
    Example:
        {'data': [{'msgid': '6D3F1A0C2B9E4F7A0000000000000001', 'topic': 'sensors/1', 'qos': 1, 'publish_at':
            '2026-01-01T00:00:00Z', 'from_clientid': 'sensor-1', 'from_username': None, 'payload': 'MjEuNQ==',
            'inserted_at': '41'}], 'meta': {'start': '41', 'position': 'end_of_data', 'hasnext': False}}

    Attributes:
        data (list[SessionMessage]):
        meta (SessionMessagesMeta):
    """

    data: list[SessionMessage]
    meta: SessionMessagesMeta

    def to_dict(self) -> dict[str, Any]:
        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        meta = self.meta.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "data": data,
                "meta": meta,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.session_message import SessionMessage
        from ..models.session_messages_meta import SessionMessagesMeta

        d = dict(src_dict)
        data = []
        _data = d.pop("data")
        for data_item_data in _data:
            data_item = SessionMessage.from_dict(data_item_data)

            data.append(data_item)

        meta = SessionMessagesMeta.from_dict(d.pop("meta"))

        session_messages = cls(
            data=data,
            meta=meta,
        )

        return session_messages
