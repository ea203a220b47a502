from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="BackupImport")


@_attrs_define
class BackupImport:
    """
    Attributes:
        filename (str): A backup file's name (no folders)
    """

    filename: str

    def to_dict(self) -> dict[str, Any]:
        filename = self.filename

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "filename": filename,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        filename = d.pop("filename")

        backup_import = cls(
            filename=filename,
        )

        return backup_import
