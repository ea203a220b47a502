from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.acl_client_rules import AclClientRules
from ...models.error import Error
from ...types import Response


def _get_kwargs(
    clientid: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/authorization/sources/built_in_database/rules/clients/{clientid}".format(
            clientid=quote(str(clientid), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AclClientRules | Error | None:
    if response.status_code == 200:
        response_200 = AclClientRules.from_dict(response.json())

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
) -> Response[AclClientRules | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    clientid: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[AclClientRules | Error]:
    """The ACL rules of one clientid, in order

    Args:
        clientid (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AclClientRules | Error]
    """

    kwargs = _get_kwargs(
        clientid=clientid,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    clientid: str,
    *,
    client: AuthenticatedClient | Client,
) -> AclClientRules | Error | None:
    """The ACL rules of one clientid, in order

    Args:
        clientid (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AclClientRules | Error
    """

    return sync_detailed(
        clientid=clientid,
        client=client,
    ).parsed


async def asyncio_detailed(
    clientid: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[AclClientRules | Error]:
    """The ACL rules of one clientid, in order

    Args:
        clientid (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AclClientRules | Error]
    """

    kwargs = _get_kwargs(
        clientid=clientid,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    clientid: str,
    *,
    client: AuthenticatedClient | Client,
) -> AclClientRules | Error | None:
    """The ACL rules of one clientid, in order

    Args:
        clientid (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AclClientRules | Error
    """

    return (
        await asyncio_detailed(
            clientid=clientid,
            client=client,
        )
    ).parsed
