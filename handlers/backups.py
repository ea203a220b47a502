"""Backups of all persistent state (EMQX /data)."""

from __future__ import annotations

from typing import Any

from connexion import NoContent, request
from connexion.lifecycle import ConnexionResponse

from mqttgate.broker.backups import Backups
from mqttgate.broker.errors import InvalidRequest
from mqttgate.handlers._shape import page_body, plain


def _backups() -> Backups:
    return request.state.backups


async def export_backup():
    """Write a backup file now."""
    return plain(await _backups().export())


async def import_backup(*, body: dict[str, Any]):
    """Restore a backup file and apply it."""
    await _backups().restore(body["filename"])
    return NoContent, 204


async def list_backups(*, page: int = 1, limit: int = 100):
    """Backup files, newest first."""
    return page_body(_backups().list(page=page, limit=limit), page=page, limit=limit, shape=plain)


async def upload_backup(*, filename: Any = None, body: Any = None):
    """Keep an uploaded backup file under its own name."""
    if filename is None:  # a plain form field named filename passes the schema, but is no file
        raise InvalidRequest("The form field 'filename' must be a file part (Content-Disposition with filename=)")
    _backups().upload(filename.filename or "", await filename.read())
    return NoContent, 204


async def download_backup(*, filename: str):
    """The backup file."""
    path = _backups().path(filename)
    return ConnexionResponse(body=path.read_bytes(), content_type="application/gzip",
                             headers={"Content-Disposition": f'attachment; filename="{path.name}"'})


async def delete_backup(*, filename: str):
    """Delete a backup file."""
    _backups().delete(filename)
    return NoContent, 204

