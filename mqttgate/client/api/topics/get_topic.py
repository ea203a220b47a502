from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.topic_detail import TopicDetail
from ...types import Response


def _get_kwargs(
    topic: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/topics/{topic}".format(
            topic=quote(str(topic), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | TopicDetail | None:
    if response.status_code == 200:
        response_200 = TopicDetail.from_dict(response.json())

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

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | TopicDetail]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    topic: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[Error | TopicDetail]:
    """One active topic filter and the clients subscribed to it

     In a cluster, its subscribers on every node (each naming its node); `node` is this node if it holds
    the filter, else the first node (by name) that does. Nodes that did not answer in time are named in
    the `Missing-Nodes` header; none that answered holding it while some did not answer is 503, not 404.

    Args:
        topic (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | TopicDetail]
    """

    kwargs = _get_kwargs(
        topic=topic,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    topic: str,
    *,
    client: AuthenticatedClient | Client,
) -> Error | TopicDetail | None:
    """One active topic filter and the clients subscribed to it

     In a cluster, its subscribers on every node (each naming its node); `node` is this node if it holds
    the filter, else the first node (by name) that does. Nodes that did not answer in time are named in
    the `Missing-Nodes` header; none that answered holding it while some did not answer is 503, not 404.

    Args:
        topic (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | TopicDetail
    """

    return sync_detailed(
        topic=topic,
        client=client,
    ).parsed


async def asyncio_detailed(
    topic: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[Error | TopicDetail]:
    """One active topic filter and the clients subscribed to it

     In a cluster, its subscribers on every node (each naming its node); `node` is this node if it holds
    the filter, else the first node (by name) that does. Nodes that did not answer in time are named in
    the `Missing-Nodes` header; none that answered holding it while some did not answer is 503, not 404.

    Args:
        topic (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | TopicDetail]
    """

    kwargs = _get_kwargs(
        topic=topic,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    topic: str,
    *,
    client: AuthenticatedClient | Client,
) -> Error | TopicDetail | None:
    """One active topic filter and the clients subscribed to it

     In a cluster, its subscribers on every node (each naming its node); `node` is this node if it holds
    the filter, else the first node (by name) that does. Nodes that did not answer in time are named in
    the `Missing-Nodes` header; none that answered holding it while some did not answer is 503, not 404.

    Args:
        topic (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | TopicDetail
    """

    return (
        await asyncio_detailed(
            topic=topic,
            client=client,
        )
    ).parsed
