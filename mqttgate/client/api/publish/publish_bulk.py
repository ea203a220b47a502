from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.publish_message import PublishMessage
from ...models.publish_no_subscribers import PublishNoSubscribers
from ...models.publish_ok import PublishOk
from ...types import Response


def _get_kwargs(
    *,
    body: list[PublishMessage],
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/publish/bulk",
    }

    _kwargs["json"] = []
    for body_item_data in body:
        body_item = body_item_data.to_dict()
        _kwargs["json"].append(body_item)

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | list[PublishNoSubscribers | PublishOk] | list[PublishOk] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = PublishOk.from_dict(response_200_item_data)

            response_200.append(response_200_item)

        return response_200

    if response.status_code == 202:
        response_202 = []
        _response_202 = response.json()
        for response_202_item_data in _response_202:

            def _parse_response_202_item(
                data: object,
            ) -> PublishNoSubscribers | PublishOk:
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_publish_result_type_0 = PublishOk.from_dict(data)

                    return componentsschemas_publish_result_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_publish_result_type_1 = (
                    PublishNoSubscribers.from_dict(data)
                )

                return componentsschemas_publish_result_type_1

            response_202_item = _parse_response_202_item(response_202_item_data)

            response_202.append(response_202_item)

        return response_202

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
) -> Response[Error | list[PublishNoSubscribers | PublishOk] | list[PublishOk]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: list[PublishMessage],
) -> Response[Error | list[PublishNoSubscribers | PublishOk] | list[PublishOk]]:
    """Publish several messages, in order, all or none

     Every message is checked (topic, payload, size, ACL) before any is published: one bad
    message rejects the whole request and nothing is published. A payload that is not valid
    base64 under `payload_encoding: base64`, or larger than `mqtt.max_payload_size`, is 400
    BAD_REQUEST.

    Args:
        body (list[PublishMessage]):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | list[PublishNoSubscribers | PublishOk] | list[PublishOk]]
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
    body: list[PublishMessage],
) -> Error | list[PublishNoSubscribers | PublishOk] | list[PublishOk] | None:
    """Publish several messages, in order, all or none

     Every message is checked (topic, payload, size, ACL) before any is published: one bad
    message rejects the whole request and nothing is published. A payload that is not valid
    base64 under `payload_encoding: base64`, or larger than `mqtt.max_payload_size`, is 400
    BAD_REQUEST.

    Args:
        body (list[PublishMessage]):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | list[PublishNoSubscribers | PublishOk] | list[PublishOk]
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: list[PublishMessage],
) -> Response[Error | list[PublishNoSubscribers | PublishOk] | list[PublishOk]]:
    """Publish several messages, in order, all or none

     Every message is checked (topic, payload, size, ACL) before any is published: one bad
    message rejects the whole request and nothing is published. A payload that is not valid
    base64 under `payload_encoding: base64`, or larger than `mqtt.max_payload_size`, is 400
    BAD_REQUEST.

    Args:
        body (list[PublishMessage]):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | list[PublishNoSubscribers | PublishOk] | list[PublishOk]]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: list[PublishMessage],
) -> Error | list[PublishNoSubscribers | PublishOk] | list[PublishOk] | None:
    """Publish several messages, in order, all or none

     Every message is checked (topic, payload, size, ACL) before any is published: one bad
    message rejects the whole request and nothing is published. A payload that is not valid
    base64 under `payload_encoding: base64`, or larger than `mqtt.max_payload_size`, is 400
    BAD_REQUEST.

    Args:
        body (list[PublishMessage]):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | list[PublishNoSubscribers | PublishOk] | list[PublishOk]
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
