import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.client_page import ClientPage
from ...models.error import Error
from ...models.list_clients_conn_state import ListClientsConnState
from ...models.list_clients_fields_item import ListClientsFieldsItem
from ...models.list_clients_proto_ver import ListClientsProtoVer
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    page: int | Unset = 1,
    limit: int | Unset = 100,
    clientid: list[str] | Unset = UNSET,
    username: list[str] | Unset = UNSET,
    like_clientid: str | Unset = UNSET,
    like_username: str | Unset = UNSET,
    conn_state: ListClientsConnState | Unset = UNSET,
    ip_address: str | Unset = UNSET,
    node: str | Unset = UNSET,
    clean_start: bool | Unset = UNSET,
    proto_ver: ListClientsProtoVer | Unset = UNSET,
    gte_created_at: datetime.datetime | str | Unset = UNSET,
    lte_created_at: datetime.datetime | str | Unset = UNSET,
    gte_connected_at: datetime.datetime | str | Unset = UNSET,
    lte_connected_at: datetime.datetime | str | Unset = UNSET,
    fields: list[ListClientsFieldsItem] | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["page"] = page

    params["limit"] = limit

    json_clientid: list[str] | Unset = UNSET
    if not isinstance(clientid, Unset):
        json_clientid = clientid

    params["clientid"] = json_clientid

    json_username: list[str] | Unset = UNSET
    if not isinstance(username, Unset):
        json_username = username

    params["username"] = json_username

    params["like_clientid"] = like_clientid

    params["like_username"] = like_username

    json_conn_state: str | Unset = UNSET
    if not isinstance(conn_state, Unset):
        json_conn_state = conn_state.value

    params["conn_state"] = json_conn_state

    params["ip_address"] = ip_address

    params["node"] = node

    params["clean_start"] = clean_start

    json_proto_ver: int | Unset = UNSET
    if not isinstance(proto_ver, Unset):
        json_proto_ver = proto_ver.value

    params["proto_ver"] = json_proto_ver

    json_gte_created_at: str | Unset
    if isinstance(gte_created_at, Unset):
        json_gte_created_at = UNSET
    elif isinstance(gte_created_at, datetime.datetime):
        json_gte_created_at = gte_created_at.isoformat()
    else:
        json_gte_created_at = gte_created_at
    params["gte_created_at"] = json_gte_created_at

    json_lte_created_at: str | Unset
    if isinstance(lte_created_at, Unset):
        json_lte_created_at = UNSET
    elif isinstance(lte_created_at, datetime.datetime):
        json_lte_created_at = lte_created_at.isoformat()
    else:
        json_lte_created_at = lte_created_at
    params["lte_created_at"] = json_lte_created_at

    json_gte_connected_at: str | Unset
    if isinstance(gte_connected_at, Unset):
        json_gte_connected_at = UNSET
    elif isinstance(gte_connected_at, datetime.datetime):
        json_gte_connected_at = gte_connected_at.isoformat()
    else:
        json_gte_connected_at = gte_connected_at
    params["gte_connected_at"] = json_gte_connected_at

    json_lte_connected_at: str | Unset
    if isinstance(lte_connected_at, Unset):
        json_lte_connected_at = UNSET
    elif isinstance(lte_connected_at, datetime.datetime):
        json_lte_connected_at = lte_connected_at.isoformat()
    else:
        json_lte_connected_at = lte_connected_at
    params["lte_connected_at"] = json_lte_connected_at

    json_fields: list[str] | Unset = UNSET
    if not isinstance(fields, Unset):
        json_fields = []
        for fields_item_data in fields:
            fields_item = fields_item_data.value
            json_fields.append(fields_item)

    params["fields"] = json_fields

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/clients",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ClientPage | Error | None:
    if response.status_code == 200:
        response_200 = ClientPage.from_dict(response.json())

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
) -> Response[ClientPage | Error]:
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
    clientid: list[str] | Unset = UNSET,
    username: list[str] | Unset = UNSET,
    like_clientid: str | Unset = UNSET,
    like_username: str | Unset = UNSET,
    conn_state: ListClientsConnState | Unset = UNSET,
    ip_address: str | Unset = UNSET,
    node: str | Unset = UNSET,
    clean_start: bool | Unset = UNSET,
    proto_ver: ListClientsProtoVer | Unset = UNSET,
    gte_created_at: datetime.datetime | str | Unset = UNSET,
    lte_created_at: datetime.datetime | str | Unset = UNSET,
    gte_connected_at: datetime.datetime | str | Unset = UNSET,
    lte_connected_at: datetime.datetime | str | Unset = UNSET,
    fields: list[ListClientsFieldsItem] | Unset = UNSET,
) -> Response[ClientPage | Error]:
    """List clients, connected and offline persistent sessions

    Args:
        page (int | Unset):  Default: 1.
        limit (int | Unset):  Default: 100.
        clientid (list[str] | Unset):
        username (list[str] | Unset):
        like_clientid (str | Unset):
        like_username (str | Unset):
        conn_state (ListClientsConnState | Unset):
        ip_address (str | Unset):
        node (str | Unset):
        clean_start (bool | Unset):
        proto_ver (ListClientsProtoVer | Unset):
        gte_created_at (datetime.datetime | str | Unset): RFC 3339 date-time, or milliseconds
            since the epoch
        lte_created_at (datetime.datetime | str | Unset): RFC 3339 date-time, or milliseconds
            since the epoch
        gte_connected_at (datetime.datetime | str | Unset): RFC 3339 date-time, or milliseconds
            since the epoch
        lte_connected_at (datetime.datetime | str | Unset): RFC 3339 date-time, or milliseconds
            since the epoch
        fields (list[ListClientsFieldsItem] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ClientPage | Error]
    """

    kwargs = _get_kwargs(
        page=page,
        limit=limit,
        clientid=clientid,
        username=username,
        like_clientid=like_clientid,
        like_username=like_username,
        conn_state=conn_state,
        ip_address=ip_address,
        node=node,
        clean_start=clean_start,
        proto_ver=proto_ver,
        gte_created_at=gte_created_at,
        lte_created_at=lte_created_at,
        gte_connected_at=gte_connected_at,
        lte_connected_at=lte_connected_at,
        fields=fields,
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
    clientid: list[str] | Unset = UNSET,
    username: list[str] | Unset = UNSET,
    like_clientid: str | Unset = UNSET,
    like_username: str | Unset = UNSET,
    conn_state: ListClientsConnState | Unset = UNSET,
    ip_address: str | Unset = UNSET,
    node: str | Unset = UNSET,
    clean_start: bool | Unset = UNSET,
    proto_ver: ListClientsProtoVer | Unset = UNSET,
    gte_created_at: datetime.datetime | str | Unset = UNSET,
    lte_created_at: datetime.datetime | str | Unset = UNSET,
    gte_connected_at: datetime.datetime | str | Unset = UNSET,
    lte_connected_at: datetime.datetime | str | Unset = UNSET,
    fields: list[ListClientsFieldsItem] | Unset = UNSET,
) -> ClientPage | Error | None:
    """List clients, connected and offline persistent sessions

    Args:
        page (int | Unset):  Default: 1.
        limit (int | Unset):  Default: 100.
        clientid (list[str] | Unset):
        username (list[str] | Unset):
        like_clientid (str | Unset):
        like_username (str | Unset):
        conn_state (ListClientsConnState | Unset):
        ip_address (str | Unset):
        node (str | Unset):
        clean_start (bool | Unset):
        proto_ver (ListClientsProtoVer | Unset):
        gte_created_at (datetime.datetime | str | Unset): RFC 3339 date-time, or milliseconds
            since the epoch
        lte_created_at (datetime.datetime | str | Unset): RFC 3339 date-time, or milliseconds
            since the epoch
        gte_connected_at (datetime.datetime | str | Unset): RFC 3339 date-time, or milliseconds
            since the epoch
        lte_connected_at (datetime.datetime | str | Unset): RFC 3339 date-time, or milliseconds
            since the epoch
        fields (list[ListClientsFieldsItem] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ClientPage | Error
    """

    return sync_detailed(
        client=client,
        page=page,
        limit=limit,
        clientid=clientid,
        username=username,
        like_clientid=like_clientid,
        like_username=like_username,
        conn_state=conn_state,
        ip_address=ip_address,
        node=node,
        clean_start=clean_start,
        proto_ver=proto_ver,
        gte_created_at=gte_created_at,
        lte_created_at=lte_created_at,
        gte_connected_at=gte_connected_at,
        lte_connected_at=lte_connected_at,
        fields=fields,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    page: int | Unset = 1,
    limit: int | Unset = 100,
    clientid: list[str] | Unset = UNSET,
    username: list[str] | Unset = UNSET,
    like_clientid: str | Unset = UNSET,
    like_username: str | Unset = UNSET,
    conn_state: ListClientsConnState | Unset = UNSET,
    ip_address: str | Unset = UNSET,
    node: str | Unset = UNSET,
    clean_start: bool | Unset = UNSET,
    proto_ver: ListClientsProtoVer | Unset = UNSET,
    gte_created_at: datetime.datetime | str | Unset = UNSET,
    lte_created_at: datetime.datetime | str | Unset = UNSET,
    gte_connected_at: datetime.datetime | str | Unset = UNSET,
    lte_connected_at: datetime.datetime | str | Unset = UNSET,
    fields: list[ListClientsFieldsItem] | Unset = UNSET,
) -> Response[ClientPage | Error]:
    """List clients, connected and offline persistent sessions

    Args:
        page (int | Unset):  Default: 1.
        limit (int | Unset):  Default: 100.
        clientid (list[str] | Unset):
        username (list[str] | Unset):
        like_clientid (str | Unset):
        like_username (str | Unset):
        conn_state (ListClientsConnState | Unset):
        ip_address (str | Unset):
        node (str | Unset):
        clean_start (bool | Unset):
        proto_ver (ListClientsProtoVer | Unset):
        gte_created_at (datetime.datetime | str | Unset): RFC 3339 date-time, or milliseconds
            since the epoch
        lte_created_at (datetime.datetime | str | Unset): RFC 3339 date-time, or milliseconds
            since the epoch
        gte_connected_at (datetime.datetime | str | Unset): RFC 3339 date-time, or milliseconds
            since the epoch
        lte_connected_at (datetime.datetime | str | Unset): RFC 3339 date-time, or milliseconds
            since the epoch
        fields (list[ListClientsFieldsItem] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ClientPage | Error]
    """

    kwargs = _get_kwargs(
        page=page,
        limit=limit,
        clientid=clientid,
        username=username,
        like_clientid=like_clientid,
        like_username=like_username,
        conn_state=conn_state,
        ip_address=ip_address,
        node=node,
        clean_start=clean_start,
        proto_ver=proto_ver,
        gte_created_at=gte_created_at,
        lte_created_at=lte_created_at,
        gte_connected_at=gte_connected_at,
        lte_connected_at=lte_connected_at,
        fields=fields,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    page: int | Unset = 1,
    limit: int | Unset = 100,
    clientid: list[str] | Unset = UNSET,
    username: list[str] | Unset = UNSET,
    like_clientid: str | Unset = UNSET,
    like_username: str | Unset = UNSET,
    conn_state: ListClientsConnState | Unset = UNSET,
    ip_address: str | Unset = UNSET,
    node: str | Unset = UNSET,
    clean_start: bool | Unset = UNSET,
    proto_ver: ListClientsProtoVer | Unset = UNSET,
    gte_created_at: datetime.datetime | str | Unset = UNSET,
    lte_created_at: datetime.datetime | str | Unset = UNSET,
    gte_connected_at: datetime.datetime | str | Unset = UNSET,
    lte_connected_at: datetime.datetime | str | Unset = UNSET,
    fields: list[ListClientsFieldsItem] | Unset = UNSET,
) -> ClientPage | Error | None:
    """List clients, connected and offline persistent sessions

    Args:
        page (int | Unset):  Default: 1.
        limit (int | Unset):  Default: 100.
        clientid (list[str] | Unset):
        username (list[str] | Unset):
        like_clientid (str | Unset):
        like_username (str | Unset):
        conn_state (ListClientsConnState | Unset):
        ip_address (str | Unset):
        node (str | Unset):
        clean_start (bool | Unset):
        proto_ver (ListClientsProtoVer | Unset):
        gte_created_at (datetime.datetime | str | Unset): RFC 3339 date-time, or milliseconds
            since the epoch
        lte_created_at (datetime.datetime | str | Unset): RFC 3339 date-time, or milliseconds
            since the epoch
        gte_connected_at (datetime.datetime | str | Unset): RFC 3339 date-time, or milliseconds
            since the epoch
        lte_connected_at (datetime.datetime | str | Unset): RFC 3339 date-time, or milliseconds
            since the epoch
        fields (list[ListClientsFieldsItem] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ClientPage | Error
    """

    return (
        await asyncio_detailed(
            client=client,
            page=page,
            limit=limit,
            clientid=clientid,
            username=username,
            like_clientid=like_clientid,
            like_username=like_username,
            conn_state=conn_state,
            ip_address=ip_address,
            node=node,
            clean_start=clean_start,
            proto_ver=proto_ver,
            gte_created_at=gte_created_at,
            lte_created_at=lte_created_at,
            gte_connected_at=gte_connected_at,
            lte_connected_at=lte_connected_at,
            fields=fields,
        )
    ).parsed
