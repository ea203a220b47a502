from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.trace_log import TraceLog
from ...types import UNSET, Response, Unset


def _get_kwargs(
    name: str,
    *,
    position: int | Unset = 0,
    bytes_: int | Unset = 1000,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["position"] = position

    params["bytes"] = bytes_

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/trace/{name}/log".format(
            name=quote(str(name), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | TraceLog | None:
    if response.status_code == 200:
        response_200 = TraceLog.from_dict(response.json())

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

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | TraceLog]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    name: str,
    *,
    client: AuthenticatedClient | Client,
    position: int | Unset = 0,
    bytes_: int | Unset = 1000,
) -> Response[Error | TraceLog]:
    """A part of the trace's log, from a byte position

    Args:
        name (str):
        position (int | Unset):  Default: 0.
        bytes_ (int | Unset):  Default: 1000.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | TraceLog]
    """

    kwargs = _get_kwargs(
        name=name,
        position=position,
        bytes_=bytes_,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    name: str,
    *,
    client: AuthenticatedClient | Client,
    position: int | Unset = 0,
    bytes_: int | Unset = 1000,
) -> Error | TraceLog | None:
    """A part of the trace's log, from a byte position

    Args:
        name (str):
        position (int | Unset):  Default: 0.
        bytes_ (int | Unset):  Default: 1000.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | TraceLog
    """

    return sync_detailed(
        name=name,
        client=client,
        position=position,
        bytes_=bytes_,
    ).parsed


async def asyncio_detailed(
    name: str,
    *,
    client: AuthenticatedClient | Client,
    position: int | Unset = 0,
    bytes_: int | Unset = 1000,
) -> Response[Error | TraceLog]:
    """A part of the trace's log, from a byte position

    Args:
        name (str):
        position (int | Unset):  Default: 0.
        bytes_ (int | Unset):  Default: 1000.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | TraceLog]
    """

    kwargs = _get_kwargs(
        name=name,
        position=position,
        bytes_=bytes_,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    name: str,
    *,
    client: AuthenticatedClient | Client,
    position: int | Unset = 0,
    bytes_: int | Unset = 1000,
) -> Error | TraceLog | None:
    """A part of the trace's log, from a byte position

    Args:
        name (str):
        position (int | Unset):  Default: 0.
        bytes_ (int | Unset):  Default: 1000.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | TraceLog
    """

    return (
        await asyncio_detailed(
            name=name,
            client=client,
            position=position,
            bytes_=bytes_,
        )
    ).parsed
