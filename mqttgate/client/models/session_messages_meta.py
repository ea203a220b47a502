from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="SessionMessagesMeta")


@_attrs_define
class SessionMessagesMeta:
    """
    Attributes:
        start (str): The position of this chunk's first message; `none` if it is empty
        position (str): The position to pass for the next chunk; `end_of_data` after the last
        hasnext (bool): Whether more messages follow this chunk
    """

    start: str
    position: str
    hasnext: bool

    def to_dict(self) -> dict[str, Any]:
        start = self.start

        position = self.position

        hasnext = self.hasnext

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "start": start,
                "position": position,
                "hasnext": hasnext,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        start = d.pop("start")

        position = d.pop("position")

        hasnext = d.pop("hasnext")

        session_messages_meta = cls(
            start=start,
            position=position,
            hasnext=hasnext,
        )

        return session_messages_meta
