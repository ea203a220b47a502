from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.ban import Ban
from ...models.ban_create import BanCreate
from ...models.error import Error
from ...types import Response


def _get_kwargs(
    *,
    body: BanCreate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/banned",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Ban | Error | None:
    if response.status_code == 200:
        response_200 = Ban.from_dict(response.json())

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
) -> Response[Ban | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: BanCreate,
) -> Response[Ban | Error]:
    """Ban; matching CONNECTs are refused and matching connected clients kicked at once

     A `who` that is not a valid address (peerhost), CIDR network (peerhost_net) or regular expression
    (clientid_re, username_re), or an `until` that has passed, is 400 with the reason.

    Args:
        body (BanCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Ban | Error]
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
    body: BanCreate,
) -> Ban | Error | None:
    """Ban; matching CONNECTs are refused and matching connected clients kicked at once

     A `who` that is not a valid address (peerhost), CIDR network (peerhost_net) or regular expression
    (clientid_re, username_re), or an `until` that has passed, is 400 with the reason.

    Args:
        body (BanCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Ban | Error
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: BanCreate,
) -> Response[Ban | Error]:
    """Ban; matching CONNECTs are refused and matching connected clients kicked at once

     A `who` that is not a valid address (peerhost), CIDR network (peerhost_net) or regular expression
    (clientid_re, username_re), or an `until` that has passed, is 400 with the reason.

    Args:
        body (BanCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Ban | Error]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: BanCreate,
) -> Ban | Error | None:
    """Ban; matching CONNECTs are refused and matching connected clients kicked at once

     A `who` that is not a valid address (peerhost), CIDR network (peerhost_net) or regular expression
    (clientid_re, username_re), or an `until` that has passed, is 400 with the reason.

    Args:
        body (BanCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Ban | Error
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
