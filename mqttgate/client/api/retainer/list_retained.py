from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.retained_message_page import RetainedMessagePage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    page: int | Unset = 1,
    limit: int | Unset = 100,
    topic: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["page"] = page

    params["limit"] = limit

    params["topic"] = topic

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/mqtt/retainer/messages",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | RetainedMessagePage | None:
    if response.status_code == 200:
        response_200 = RetainedMessagePage.from_dict(response.json())

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

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | RetainedMessagePage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    page: int | Unset = 1,
    limit: int | Unset = 100,
    topic: str | Unset = UNSET,
) -> Response[Error | RetainedMessagePage]:
    """List retained messages (without payloads)

    Args:
        page (int | Unset):  Default: 1.
        limit (int | Unset):  Default: 100.
        topic (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | RetainedMessagePage]
    """

    kwargs = _get_kwargs(
        page=page,
        limit=limit,
        topic=topic,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    page: int | Unset = 1,
    limit: int | Unset = 100,
    topic: str | Unset = UNSET,
) -> Error | RetainedMessagePage | None:
    """List retained messages (without payloads)

    Args:
        page (int | Unset):  Default: 1.
        limit (int | Unset):  Default: 100.
        topic (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | RetainedMessagePage
    """

    return sync_detailed(
        client=client,
        page=page,
        limit=limit,
        topic=topic,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    page: int | Unset = 1,
    limit: int | Unset = 100,
    topic: str | Unset = UNSET,
) -> Response[Error | RetainedMessagePage]:
    """List retained messages (without payloads)

    Args:
        page (int | Unset):  Default: 1.
        limit (int | Unset):  Default: 100.
        topic (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | RetainedMessagePage]
    """

    kwargs = _get_kwargs(
        page=page,
        limit=limit,
        topic=topic,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    page: int | Unset = 1,
    limit: int | Unset = 100,
    topic: str | Unset = UNSET,
) -> Error | RetainedMessagePage | None:
    """List retained messages (without payloads)

    Args:
        page (int | Unset):  Default: 1.
        limit (int | Unset):  Default: 100.
        topic (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | RetainedMessagePage
    """

    return (
        await asyncio_detailed(
            client=client,
            page=page,
            limit=limit,
            topic=topic,
        )
    ).parsed
