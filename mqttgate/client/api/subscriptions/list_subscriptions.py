from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.list_subscriptions_qos import ListSubscriptionsQos
from ...models.subscription_page import SubscriptionPage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    page: int | Unset = 1,
    limit: int | Unset = 100,
    clientid: str | Unset = UNSET,
    topic: str | Unset = UNSET,
    qos: ListSubscriptionsQos | Unset = UNSET,
    match_topic: str | Unset = UNSET,
    node: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["page"] = page

    params["limit"] = limit

    params["clientid"] = clientid

    params["topic"] = topic

    json_qos: int | Unset = UNSET
    if not isinstance(qos, Unset):
        json_qos = qos.value

    params["qos"] = json_qos

    params["match_topic"] = match_topic

    params["node"] = node

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/subscriptions",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | SubscriptionPage | None:
    if response.status_code == 200:
        response_200 = SubscriptionPage.from_dict(response.json())

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
) -> Response[Error | SubscriptionPage]:
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
    topic: str | Unset = UNSET,
    qos: ListSubscriptionsQos | Unset = UNSET,
    match_topic: str | Unset = UNSET,
    node: str | Unset = UNSET,
) -> Response[Error | SubscriptionPage]:
    """All subscriptions, by topic filter then subscriber

     In a cluster, every node's subscriptions: nodes by name, each node's in its own order, the same
    pages from any node. A node that does not answer in time is named in `meta.missing_nodes` (and
    `count` is then left out).

    Args:
        page (int | Unset):  Default: 1.
        limit (int | Unset):  Default: 100.
        clientid (str | Unset):
        topic (str | Unset):
        qos (ListSubscriptionsQos | Unset):
        match_topic (str | Unset):
        node (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | SubscriptionPage]
    """

    kwargs = _get_kwargs(
        page=page,
        limit=limit,
        clientid=clientid,
        topic=topic,
        qos=qos,
        match_topic=match_topic,
        node=node,
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
    topic: str | Unset = UNSET,
    qos: ListSubscriptionsQos | Unset = UNSET,
    match_topic: str | Unset = UNSET,
    node: str | Unset = UNSET,
) -> Error | SubscriptionPage | None:
    """All subscriptions, by topic filter then subscriber

     In a cluster, every node's subscriptions: nodes by name, each node's in its own order, the same
    pages from any node. A node that does not answer in time is named in `meta.missing_nodes` (and
    `count` is then left out).

    Args:
        page (int | Unset):  Default: 1.
        limit (int | Unset):  Default: 100.
        clientid (str | Unset):
        topic (str | Unset):
        qos (ListSubscriptionsQos | Unset):
        match_topic (str | Unset):
        node (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | SubscriptionPage
    """

    return sync_detailed(
        client=client,
        page=page,
        limit=limit,
        clientid=clientid,
        topic=topic,
        qos=qos,
        match_topic=match_topic,
        node=node,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    page: int | Unset = 1,
    limit: int | Unset = 100,
    clientid: str | Unset = UNSET,
    topic: str | Unset = UNSET,
    qos: ListSubscriptionsQos | Unset = UNSET,
    match_topic: str | Unset = UNSET,
    node: str | Unset = UNSET,
) -> Response[Error | SubscriptionPage]:
    """All subscriptions, by topic filter then subscriber

     In a cluster, every node's subscriptions: nodes by name, each node's in its own order, the same
    pages from any node. A node that does not answer in time is named in `meta.missing_nodes` (and
    `count` is then left out).

    Args:
        page (int | Unset):  Default: 1.
        limit (int | Unset):  Default: 100.
        clientid (str | Unset):
        topic (str | Unset):
        qos (ListSubscriptionsQos | Unset):
        match_topic (str | Unset):
        node (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | SubscriptionPage]
    """

    kwargs = _get_kwargs(
        page=page,
        limit=limit,
        clientid=clientid,
        topic=topic,
        qos=qos,
        match_topic=match_topic,
        node=node,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    page: int | Unset = 1,
    limit: int | Unset = 100,
    clientid: str | Unset = UNSET,
    topic: str | Unset = UNSET,
    qos: ListSubscriptionsQos | Unset = UNSET,
    match_topic: str | Unset = UNSET,
    node: str | Unset = UNSET,
) -> Error | SubscriptionPage | None:
    """All subscriptions, by topic filter then subscriber

     In a cluster, every node's subscriptions: nodes by name, each node's in its own order, the same
    pages from any node. A node that does not answer in time is named in `meta.missing_nodes` (and
    `count` is then left out).

    Args:
        page (int | Unset):  Default: 1.
        limit (int | Unset):  Default: 100.
        clientid (str | Unset):
        topic (str | Unset):
        qos (ListSubscriptionsQos | Unset):
        match_topic (str | Unset):
        node (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | SubscriptionPage
    """

    return (
        await asyncio_detailed(
            client=client,
            page=page,
            limit=limit,
            clientid=clientid,
            topic=topic,
            qos=qos,
            match_topic=match_topic,
            node=node,
        )
    ).parsed
