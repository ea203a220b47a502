from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.ban_page import BanPage
from ...models.error import Error
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    page: int | Unset = 1,
    limit: int | Unset = 100,
    clientid: str | Unset = UNSET,
    username: str | Unset = UNSET,
    peerhost: str | Unset = UNSET,
    like_clientid: str | Unset = UNSET,
    like_username: str | Unset = UNSET,
    like_peerhost: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["page"] = page

    params["limit"] = limit

    params["clientid"] = clientid

    params["username"] = username

    params["peerhost"] = peerhost

    params["like_clientid"] = like_clientid

    params["like_username"] = like_username

    params["like_peerhost"] = like_peerhost

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/banned",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> BanPage | Error | None:
    if response.status_code == 200:
        response_200 = BanPage.from_dict(response.json())

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
) -> Response[BanPage | Error]:
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
    clientid: str | Unset = UNSET,
    username: str | Unset = UNSET,
    peerhost: str | Unset = UNSET,
    like_clientid: str | Unset = UNSET,
    like_username: str | Unset = UNSET,
    like_peerhost: str | Unset = UNSET,
) -> Response[BanPage | Error]:
    """List the bans in force; every filter given must hold

    Args:
        page (int | Unset):  Default: 1.
        limit (int | Unset):  Default: 100.
        clientid (str | Unset):
        username (str | Unset):
        peerhost (str | Unset):
        like_clientid (str | Unset):
        like_username (str | Unset):
        like_peerhost (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BanPage | Error]
    """

    kwargs = _get_kwargs(
        page=page,
        limit=limit,
        clientid=clientid,
        username=username,
        peerhost=peerhost,
        like_clientid=like_clientid,
        like_username=like_username,
        like_peerhost=like_peerhost,
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
    clientid: str | Unset = UNSET,
    username: str | Unset = UNSET,
    peerhost: str | Unset = UNSET,
    like_clientid: str | Unset = UNSET,
    like_username: str | Unset = UNSET,
    like_peerhost: str | Unset = UNSET,
) -> BanPage | Error | None:
    """List the bans in force; every filter given must hold

    Args:
        page (int | Unset):  Default: 1.
        limit (int | Unset):  Default: 100.
        clientid (str | Unset):
        username (str | Unset):
        peerhost (str | Unset):
        like_clientid (str | Unset):
        like_username (str | Unset):
        like_peerhost (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BanPage | Error
    """

    return sync_detailed(
        client=client,
        page=page,
        limit=limit,
        clientid=clientid,
        username=username,
        peerhost=peerhost,
        like_clientid=like_clientid,
        like_username=like_username,
        like_peerhost=like_peerhost,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    page: int | Unset = 1,
    limit: int | Unset = 100,
    clientid: str | Unset = UNSET,
    username: str | Unset = UNSET,
    peerhost: str | Unset = UNSET,
    like_clientid: str | Unset = UNSET,
    like_username: str | Unset = UNSET,
    like_peerhost: str | Unset = UNSET,
) -> Response[BanPage | Error]:
    """List the bans in force; every filter given must hold

    Args:
        page (int | Unset):  Default: 1.
        limit (int | Unset):  Default: 100.
        clientid (str | Unset):
        username (str | Unset):
        peerhost (str | Unset):
        like_clientid (str | Unset):
        like_username (str | Unset):
        like_peerhost (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BanPage | Error]
    """

    kwargs = _get_kwargs(
        page=page,
        limit=limit,
        clientid=clientid,
        username=username,
        peerhost=peerhost,
        like_clientid=like_clientid,
        like_username=like_username,
        like_peerhost=like_peerhost,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    page: int | Unset = 1,
    limit: int | Unset = 100,
    clientid: str | Unset = UNSET,
    username: str | Unset = UNSET,
    peerhost: str | Unset = UNSET,
    like_clientid: str | Unset = UNSET,
    like_username: str | Unset = UNSET,
    like_peerhost: str | Unset = UNSET,
) -> BanPage | Error | None:
    """List the bans in force; every filter given must hold

    Args:
        page (int | Unset):  Default: 1.
        limit (int | Unset):  Default: 100.
        clientid (str | Unset):
        username (str | Unset):
        peerhost (str | Unset):
        like_clientid (str | Unset):
        like_username (str | Unset):
        like_peerhost (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BanPage | Error
    """

    return (
        await asyncio_detailed(
            client=client,
            page=page,
            limit=limit,
            clientid=clientid,
            username=username,
            peerhost=peerhost,
            like_clientid=like_clientid,
            like_username=like_username,
            like_peerhost=like_peerhost,
        )
    ).parsed
