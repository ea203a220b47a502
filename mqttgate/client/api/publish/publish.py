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
    body: PublishMessage,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/publish",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | PublishNoSubscribers | PublishOk | None:
    if response.status_code == 200:
        response_200 = PublishOk.from_dict(response.json())

        return response_200

    if response.status_code == 202:
        response_202 = PublishNoSubscribers.from_dict(response.json())

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
) -> Response[Error | PublishNoSubscribers | PublishOk]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: PublishMessage,
) -> Response[Error | PublishNoSubscribers | PublishOk]:
    """Publish a message to MQTT subscribers

     Published as an MQTT client whose client id and username are the API key's name: the
    same ACL and the same routing as an MQTT publish. A retained message is on disk when
    this answers. A payload that is not valid base64 under `payload_encoding: base64`, or
    larger than `mqtt.max_payload_size`, is 400 BAD_REQUEST.

    Args:
        body (PublishMessage): A message to publish (EMQX's shape). With `payload_encoding:
            base64` the payload must
            be valid base64, otherwise it is 400 BAD_REQUEST; either way the decoded payload may
            have at most `mqtt.max_payload_size` bytes (1 MiB by default), otherwise it is 400
            BAD_REQUEST. A retained message with an empty payload deletes the topic's retained
            message.
             Example: {'topic': 'sensors/17/cmd', 'payload': 'reboot', 'qos': 1, 'retain': False}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PublishNoSubscribers | PublishOk]
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
    body: PublishMessage,
) -> Error | PublishNoSubscribers | PublishOk | None:
    """Publish a message to MQTT subscribers

     Published as an MQTT client whose client id and username are the API key's name: the
    same ACL and the same routing as an MQTT publish. A retained message is on disk when
    this answers. A payload that is not valid base64 under `payload_encoding: base64`, or
    larger than `mqtt.max_payload_size`, is 400 BAD_REQUEST.

    Args:
        body (PublishMessage): A message to publish (EMQX's shape). With `payload_encoding:
            base64` the payload must
            be valid base64, otherwise it is 400 BAD_REQUEST; either way the decoded payload may
            have at most `mqtt.max_payload_size` bytes (1 MiB by default), otherwise it is 400
            BAD_REQUEST. A retained message with an empty payload deletes the topic's retained
            message.
             Example: {'topic': 'sensors/17/cmd', 'payload': 'reboot', 'qos': 1, 'retain': False}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PublishNoSubscribers | PublishOk
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: PublishMessage,
) -> Response[Error | PublishNoSubscribers | PublishOk]:
    """Publish a message to MQTT subscribers

     Published as an MQTT client whose client id and username are the API key's name: the
    same ACL and the same routing as an MQTT publish. A retained message is on disk when
    this answers. A payload that is not valid base64 under `payload_encoding: base64`, or
    larger than `mqtt.max_payload_size`, is 400 BAD_REQUEST.

    Args:
        body (PublishMessage): A message to publish (EMQX's shape). With `payload_encoding:
            base64` the payload must
            be valid base64, otherwise it is 400 BAD_REQUEST; either way the decoded payload may
            have at most `mqtt.max_payload_size` bytes (1 MiB by default), otherwise it is 400
            BAD_REQUEST. A retained message with an empty payload deletes the topic's retained
            message.
             Example: {'topic': 'sensors/17/cmd', 'payload': 'reboot', 'qos': 1, 'retain': False}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PublishNoSubscribers | PublishOk]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: PublishMessage,
) -> Error | PublishNoSubscribers | PublishOk | None:
    """Publish a message to MQTT subscribers

     Published as an MQTT client whose client id and username are the API key's name: the
    same ACL and the same routing as an MQTT publish. A retained message is on disk when
    this answers. A payload that is not valid base64 under `payload_encoding: base64`, or
    larger than `mqtt.max_payload_size`, is 400 BAD_REQUEST.

    Args:
        body (PublishMessage): A message to publish (EMQX's shape). With `payload_encoding:
            base64` the payload must
            be valid base64, otherwise it is 400 BAD_REQUEST; either way the decoded payload may
            have at most `mqtt.max_payload_size` bytes (1 MiB by default), otherwise it is 400
            BAD_REQUEST. A retained message with an empty payload deletes the topic's retained
            message.
             Example: {'topic': 'sensors/17/cmd', 'payload': 'reboot', 'qos': 1, 'retain': False}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PublishNoSubscribers | PublishOk
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
