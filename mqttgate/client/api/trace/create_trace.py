from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.trace import Trace
from ...models.trace_create import TraceCreate
from ...types import Response


def _get_kwargs(
    *,
    body: TraceCreate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/trace",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | Trace | None:
    if response.status_code == 200:
        response_200 = Trace.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 409:
        response_409 = Error.from_dict(response.json())

        return response_409

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | Trace]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TraceCreate,
) -> Response[Error | Trace]:
    """Define a trace of a client id, a topic filter or an IP address, for a time window

     A window that has ended or ends before it starts, or a body without the field its `type` names, is
    400 BAD_REQUEST.

    Args:
        body (TraceCreate): What to trace: `type` names the field that holds the client id, topic
            filter or IP address
            (400 BAD_REQUEST when that field is missing). start_at defaults to now and end_at to 10
            minutes after start_at.
             Example: {'name': 'door', 'type': 'clientid', 'clientid': 'door-1', 'payload_encode':
            'text'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Trace]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: TraceCreate,
) -> Error | Trace | None:
    """Define a trace of a client id, a topic filter or an IP address, for a time window

     A window that has ended or ends before it starts, or a body without the field its `type` names, is
    400 BAD_REQUEST.

    Args:
        body (TraceCreate): What to trace: `type` names the field that holds the client id, topic
            filter or IP address
            (400 BAD_REQUEST when that field is missing). start_at defaults to now and end_at to 10
            minutes after start_at.
             Example: {'name': 'door', 'type': 'clientid', 'clientid': 'door-1', 'payload_encode':
            'text'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Trace
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TraceCreate,
) -> Response[Error | Trace]:
    """Define a trace of a client id, a topic filter or an IP address, for a time window

     A window that has ended or ends before it starts, or a body without the field its `type` names, is
    400 BAD_REQUEST.

    Args:
        body (TraceCreate): What to trace: `type` names the field that holds the client id, topic
            filter or IP address
            (400 BAD_REQUEST when that field is missing). start_at defaults to now and end_at to 10
            minutes after start_at.
             Example: {'name': 'door', 'type': 'clientid', 'clientid': 'door-1', 'payload_encode':
            'text'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Trace]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: TraceCreate,
) -> Error | Trace | None:
    """Define a trace of a client id, a topic filter or an IP address, for a time window

     A window that has ended or ends before it starts, or a body without the field its `type` names, is
    400 BAD_REQUEST.

    Args:
        body (TraceCreate): What to trace: `type` names the field that holds the client id, topic
            filter or IP address
            (400 BAD_REQUEST when that field is missing). start_at defaults to now and end_at to 10
            minutes after start_at.
             Example: {'name': 'door', 'type': 'clientid', 'clientid': 'door-1', 'payload_encode':
            'text'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Trace
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
