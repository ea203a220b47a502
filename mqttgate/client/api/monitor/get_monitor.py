from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.monitor_sample import MonitorSample
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    latest: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["latest"] = latest

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/monitor",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | list[MonitorSample] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = MonitorSample.from_dict(response_200_item_data)

            response_200.append(response_200_item)

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

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | list[MonitorSample]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    latest: int | Unset = UNSET,
) -> Response[Error | list[MonitorSample]]:
    """The samples of every node (one every monitor.interval seconds, kept monitor.retention seconds)

    Args:
        latest (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | list[MonitorSample]]
    """

    kwargs = _get_kwargs(
        latest=latest,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    latest: int | Unset = UNSET,
) -> Error | list[MonitorSample] | None:
    """The samples of every node (one every monitor.interval seconds, kept monitor.retention seconds)

    Args:
        latest (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | list[MonitorSample]
    """

    return sync_detailed(
        client=client,
        latest=latest,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    latest: int | Unset = UNSET,
) -> Response[Error | list[MonitorSample]]:
    """The samples of every node (one every monitor.interval seconds, kept monitor.retention seconds)

    Args:
        latest (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | list[MonitorSample]]
    """

    kwargs = _get_kwargs(
        latest=latest,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    latest: int | Unset = UNSET,
) -> Error | list[MonitorSample] | None:
    """The samples of every node (one every monitor.interval seconds, kept monitor.retention seconds)

    Args:
        latest (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | list[MonitorSample]
    """

    return (
        await asyncio_detailed(
            client=client,
            latest=latest,
        )
    ).parsed
