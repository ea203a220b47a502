"""Trace recordings (EMQX /trace)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from connexion import NoContent, request
from connexion.lifecycle import ConnexionResponse

from mqttgate.broker.errors import InvalidRequest
from mqttgate.broker.traces import Trace, Tracer, TraceView
from mqttgate.handlers._shape import parse_time, rfc3339


def _tracer() -> Tracer:
    return request.state.tracer


def _body(view: TraceView) -> dict[str, Any]:
    trace = view.trace
    return {"name": trace.name, "type": trace.type, trace.type: trace.filter,
            "start_at": rfc3339(trace.start_at), "end_at": rfc3339(trace.end_at),
            "payload_encode": trace.payload_encode, "status": view.status, "log_size": view.log_size}


async def list_traces():
    """Every trace, with its status now."""
    return [_body(view) for view in _tracer().list(datetime.now(UTC))]


async def create_trace(*, body: dict[str, Any]):
    """Define a trace."""
    now = datetime.now(UTC)
    start = parse_time(body.get("start_at"), "start_at") or now
    end = parse_time(body.get("end_at"), "end_at") or start + timedelta(minutes=10)
    if body["type"] not in body:
        raise InvalidRequest(f"A trace of type {body['type']} needs its {body['type']} field")
    trace = Trace(name=body["name"], type=body["type"], filter=body[body["type"]], start_at=start, end_at=end,
                  payload_encode=body.get("payload_encode", "text"))
    return _body(_tracer().create(trace, now))


async def stop_trace(*, name: str):
    """Stop recording now."""
    return _body(_tracer().stop(name, datetime.now(UTC)))


async def delete_trace(*, name: str):
    """Delete the trace and its log."""
    _tracer().delete(name)
    return NoContent, 204


async def download_trace(*, name: str):
    """The log, zipped (in a cluster, every node's)."""
    return ConnexionResponse(body=await _tracer().zipped_logs(name), content_type="application/zip",
                             headers={"Content-Disposition": f'attachment; filename="{name}.zip"'})


async def read_trace_log(*, name: str, position: int = 0, bytes: int = 1000):
    """Up to `bytes` of the log from `position`."""
    data, after = _tracer().read_log(name, position, bytes)
    return {"items": data.decode("utf-8", "replace"), "meta": {"position": after, "bytes": len(data)}}
