from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="BackupFile")


@_attrs_define
class BackupFile:
    """
    Attributes:
        filename (str): A backup file's name (no folders)
        node (str):
        created_at (datetime.datetime):
        size (int): Bytes
    """

    filename: str
    node: str
    created_at: datetime.datetime
    size: int

    def to_dict(self) -> dict[str, Any]:
        filename = self.filename

        node = self.node

        created_at = self.created_at.isoformat()

        size = self.size

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "filename": filename,
                "node": node,
                "created_at": created_at,
                "size": size,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        filename = d.pop("filename")

        node = d.pop("node")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        size = d.pop("size")

        backup_file = cls(
            filename=filename,
            node=node,
            created_at=created_at,
            size=size,
        )

        return backup_file
