from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.list_mqueue_messages_payload import ListMqueueMessagesPayload
from ...models.session_messages import SessionMessages
from ...types import UNSET, Response, Unset


def _get_kwargs(
    clientid: str,
    *,
    position: str | Unset = "none",
    limit: int | Unset = 100,
    payload: ListMqueueMessagesPayload | Unset = ListMqueueMessagesPayload.BASE64,
    max_payload_bytes: int | Unset = 1048576,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["position"] = position

    params["limit"] = limit

    json_payload: str | Unset = UNSET
    if not isinstance(payload, Unset):
        json_payload = payload.value

    params["payload"] = json_payload

    params["max_payload_bytes"] = max_payload_bytes

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/clients/{clientid}/mqueue_messages".format(
            clientid=quote(str(clientid), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | SessionMessages | None:
    if response.status_code == 200:
        response_200 = SessionMessages.from_dict(response.json())

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
) -> Response[Error | SessionMessages]:
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
    position: str | Unset = "none",
    limit: int | Unset = 100,
    payload: ListMqueueMessagesPayload | Unset = ListMqueueMessagesPayload.BASE64,
    max_payload_bytes: int | Unset = 1048576,
) -> Response[Error | SessionMessages]:
    """The client's offline queue, oldest first, read by position

     Messages queued for a persistent session while it was offline (QoS 1 and 2), sent when it
    reconnects. Read them in chunks: pass the previous answer's `meta.position` as `position`
    until it is `end_of_data`.

    Args:
        clientid (str):
        position (str | Unset):  Default: 'none'.
        limit (int | Unset):  Default: 100.
        payload (ListMqueueMessagesPayload | Unset):  Default: ListMqueueMessagesPayload.BASE64.
        max_payload_bytes (int | Unset):  Default: 1048576.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | SessionMessages]
    """

    kwargs = _get_kwargs(
        clientid=clientid,
        position=position,
        limit=limit,
        payload=payload,
        max_payload_bytes=max_payload_bytes,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    clientid: str,
    *,
    client: AuthenticatedClient | Client,
    position: str | Unset = "none",
    limit: int | Unset = 100,
    payload: ListMqueueMessagesPayload | Unset = ListMqueueMessagesPayload.BASE64,
    max_payload_bytes: int | Unset = 1048576,
) -> Error | SessionMessages | None:
    """The client's offline queue, oldest first, read by position

     Messages queued for a persistent session while it was offline (QoS 1 and 2), sent when it
    reconnects. Read them in chunks: pass the previous answer's `meta.position` as `position`
    until it is `end_of_data`.

    Args:
        clientid (str):
        position (str | Unset):  Default: 'none'.
        limit (int | Unset):  Default: 100.
        payload (ListMqueueMessagesPayload | Unset):  Default: ListMqueueMessagesPayload.BASE64.
        max_payload_bytes (int | Unset):  Default: 1048576.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | SessionMessages
    """

    return sync_detailed(
        clientid=clientid,
        client=client,
        position=position,
        limit=limit,
        payload=payload,
        max_payload_bytes=max_payload_bytes,
    ).parsed


async def asyncio_detailed(
    clientid: str,
    *,
    client: AuthenticatedClient | Client,
    position: str | Unset = "none",
    limit: int | Unset = 100,
    payload: ListMqueueMessagesPayload | Unset = ListMqueueMessagesPayload.BASE64,
    max_payload_bytes: int | Unset = 1048576,
) -> Response[Error | SessionMessages]:
    """The client's offline queue, oldest first, read by position

     Messages queued for a persistent session while it was offline (QoS 1 and 2), sent when it
    reconnects. Read them in chunks: pass the previous answer's `meta.position` as `position`
    until it is `end_of_data`.

    Args:
        clientid (str):
        position (str | Unset):  Default: 'none'.
        limit (int | Unset):  Default: 100.
        payload (ListMqueueMessagesPayload | Unset):  Default: ListMqueueMessagesPayload.BASE64.
        max_payload_bytes (int | Unset):  Default: 1048576.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | SessionMessages]
    """

    kwargs = _get_kwargs(
        clientid=clientid,
        position=position,
        limit=limit,
        payload=payload,
        max_payload_bytes=max_payload_bytes,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    clientid: str,
    *,
    client: AuthenticatedClient | Client,
    position: str | Unset = "none",
    limit: int | Unset = 100,
    payload: ListMqueueMessagesPayload | Unset = ListMqueueMessagesPayload.BASE64,
    max_payload_bytes: int | Unset = 1048576,
) -> Error | SessionMessages | None:
    """The client's offline queue, oldest first, read by position

     Messages queued for a persistent session while it was offline (QoS 1 and 2), sent when it
    reconnects. Read them in chunks: pass the previous answer's `meta.position` as `position`
    until it is `end_of_data`.

    Args:
        clientid (str):
        position (str | Unset):  Default: 'none'.
        limit (int | Unset):  Default: 100.
        payload (ListMqueueMessagesPayload | Unset):  Default: ListMqueueMessagesPayload.BASE64.
        max_payload_bytes (int | Unset):  Default: 1048576.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | SessionMessages
    """

    return (
        await asyncio_detailed(
            clientid=clientid,
            client=client,
            position=position,
            limit=limit,
            payload=payload,
            max_payload_bytes=max_payload_bytes,
        )
    ).parsed
