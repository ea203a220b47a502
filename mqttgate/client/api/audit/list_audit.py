import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.audit_page import AuditPage
from ...models.error import Error
from ...models.list_audit_from import ListAuditFrom
from ...models.list_audit_http_method import ListAuditHttpMethod
from ...models.list_audit_operation_result import ListAuditOperationResult
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    page: int | Unset = 1,
    limit: int | Unset = 100,
    node: str | Unset = UNSET,
    from_: ListAuditFrom | Unset = UNSET,
    source: str | Unset = UNSET,
    source_ip: str | Unset = UNSET,
    operation_id: str | Unset = UNSET,
    operation_type: str | Unset = UNSET,
    operation_result: ListAuditOperationResult | Unset = UNSET,
    http_status_code: int | Unset = UNSET,
    http_method: ListAuditHttpMethod | Unset = UNSET,
    gte_created_at: datetime.datetime | str | Unset = UNSET,
    lte_created_at: datetime.datetime | str | Unset = UNSET,
    gte_duration_ms: int | Unset = UNSET,
    lte_duration_ms: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["page"] = page

    params["limit"] = limit

    params["node"] = node

    json_from_: str | Unset = UNSET
    if not isinstance(from_, Unset):
        json_from_ = from_.value

    params["from"] = json_from_

    params["source"] = source

    params["source_ip"] = source_ip

    params["operation_id"] = operation_id

    params["operation_type"] = operation_type

    json_operation_result: str | Unset = UNSET
    if not isinstance(operation_result, Unset):
        json_operation_result = operation_result.value

    params["operation_result"] = json_operation_result

    params["http_status_code"] = http_status_code

    json_http_method: str | Unset = UNSET
    if not isinstance(http_method, Unset):
        json_http_method = http_method.value

    params["http_method"] = json_http_method

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

    params["gte_duration_ms"] = gte_duration_ms

    params["lte_duration_ms"] = lte_duration_ms

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/audit",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AuditPage | Error | None:
    if response.status_code == 200:
        response_200 = AuditPage.from_dict(response.json())

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
) -> Response[AuditPage | Error]:
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
    node: str | Unset = UNSET,
    from_: ListAuditFrom | Unset = UNSET,
    source: str | Unset = UNSET,
    source_ip: str | Unset = UNSET,
    operation_id: str | Unset = UNSET,
    operation_type: str | Unset = UNSET,
    operation_result: ListAuditOperationResult | Unset = UNSET,
    http_status_code: int | Unset = UNSET,
    http_method: ListAuditHttpMethod | Unset = UNSET,
    gte_created_at: datetime.datetime | str | Unset = UNSET,
    lte_created_at: datetime.datetime | str | Unset = UNSET,
    gte_duration_ms: int | Unset = UNSET,
    lte_duration_ms: int | Unset = UNSET,
) -> Response[AuditPage | Error]:
    """The audit log, newest first; every filter given must hold

    Args:
        page (int | Unset):  Default: 1.
        limit (int | Unset):  Default: 100.
        node (str | Unset):
        from_ (ListAuditFrom | Unset):
        source (str | Unset):
        source_ip (str | Unset):
        operation_id (str | Unset):
        operation_type (str | Unset):
        operation_result (ListAuditOperationResult | Unset):
        http_status_code (int | Unset):
        http_method (ListAuditHttpMethod | Unset):
        gte_created_at (datetime.datetime | str | Unset): RFC 3339 date-time, or milliseconds
            since the epoch
        lte_created_at (datetime.datetime | str | Unset): RFC 3339 date-time, or milliseconds
            since the epoch
        gte_duration_ms (int | Unset):
        lte_duration_ms (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuditPage | Error]
    """

    kwargs = _get_kwargs(
        page=page,
        limit=limit,
        node=node,
        from_=from_,
        source=source,
        source_ip=source_ip,
        operation_id=operation_id,
        operation_type=operation_type,
        operation_result=operation_result,
        http_status_code=http_status_code,
        http_method=http_method,
        gte_created_at=gte_created_at,
        lte_created_at=lte_created_at,
        gte_duration_ms=gte_duration_ms,
        lte_duration_ms=lte_duration_ms,
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
    node: str | Unset = UNSET,
    from_: ListAuditFrom | Unset = UNSET,
    source: str | Unset = UNSET,
    source_ip: str | Unset = UNSET,
    operation_id: str | Unset = UNSET,
    operation_type: str | Unset = UNSET,
    operation_result: ListAuditOperationResult | Unset = UNSET,
    http_status_code: int | Unset = UNSET,
    http_method: ListAuditHttpMethod | Unset = UNSET,
    gte_created_at: datetime.datetime | str | Unset = UNSET,
    lte_created_at: datetime.datetime | str | Unset = UNSET,
    gte_duration_ms: int | Unset = UNSET,
    lte_duration_ms: int | Unset = UNSET,
) -> AuditPage | Error | None:
    """The audit log, newest first; every filter given must hold

    Args:
        page (int | Unset):  Default: 1.
        limit (int | Unset):  Default: 100.
        node (str | Unset):
        from_ (ListAuditFrom | Unset):
        source (str | Unset):
        source_ip (str | Unset):
        operation_id (str | Unset):
        operation_type (str | Unset):
        operation_result (ListAuditOperationResult | Unset):
        http_status_code (int | Unset):
        http_method (ListAuditHttpMethod | Unset):
        gte_created_at (datetime.datetime | str | Unset): RFC 3339 date-time, or milliseconds
            since the epoch
        lte_created_at (datetime.datetime | str | Unset): RFC 3339 date-time, or milliseconds
            since the epoch
        gte_duration_ms (int | Unset):
        lte_duration_ms (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuditPage | Error
    """

    return sync_detailed(
        client=client,
        page=page,
        limit=limit,
        node=node,
        from_=from_,
        source=source,
        source_ip=source_ip,
        operation_id=operation_id,
        operation_type=operation_type,
        operation_result=operation_result,
        http_status_code=http_status_code,
        http_method=http_method,
        gte_created_at=gte_created_at,
        lte_created_at=lte_created_at,
        gte_duration_ms=gte_duration_ms,
        lte_duration_ms=lte_duration_ms,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    page: int | Unset = 1,
    limit: int | Unset = 100,
    node: str | Unset = UNSET,
    from_: ListAuditFrom | Unset = UNSET,
    source: str | Unset = UNSET,
    source_ip: str | Unset = UNSET,
    operation_id: str | Unset = UNSET,
    operation_type: str | Unset = UNSET,
    operation_result: ListAuditOperationResult | Unset = UNSET,
    http_status_code: int | Unset = UNSET,
    http_method: ListAuditHttpMethod | Unset = UNSET,
    gte_created_at: datetime.datetime | str | Unset = UNSET,
    lte_created_at: datetime.datetime | str | Unset = UNSET,
    gte_duration_ms: int | Unset = UNSET,
    lte_duration_ms: int | Unset = UNSET,
) -> Response[AuditPage | Error]:
    """The audit log, newest first; every filter given must hold

    Args:
        page (int | Unset):  Default: 1.
        limit (int | Unset):  Default: 100.
        node (str | Unset):
        from_ (ListAuditFrom | Unset):
        source (str | Unset):
        source_ip (str | Unset):
        operation_id (str | Unset):
        operation_type (str | Unset):
        operation_result (ListAuditOperationResult | Unset):
        http_status_code (int | Unset):
        http_method (ListAuditHttpMethod | Unset):
        gte_created_at (datetime.datetime | str | Unset): RFC 3339 date-time, or milliseconds
            since the epoch
        lte_created_at (datetime.datetime | str | Unset): RFC 3339 date-time, or milliseconds
            since the epoch
        gte_duration_ms (int | Unset):
        lte_duration_ms (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuditPage | Error]
    """

    kwargs = _get_kwargs(
        page=page,
        limit=limit,
        node=node,
        from_=from_,
        source=source,
        source_ip=source_ip,
        operation_id=operation_id,
        operation_type=operation_type,
        operation_result=operation_result,
        http_status_code=http_status_code,
        http_method=http_method,
        gte_created_at=gte_created_at,
        lte_created_at=lte_created_at,
        gte_duration_ms=gte_duration_ms,
        lte_duration_ms=lte_duration_ms,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    page: int | Unset = 1,
    limit: int | Unset = 100,
    node: str | Unset = UNSET,
    from_: ListAuditFrom | Unset = UNSET,
    source: str | Unset = UNSET,
    source_ip: str | Unset = UNSET,
    operation_id: str | Unset = UNSET,
    operation_type: str | Unset = UNSET,
    operation_result: ListAuditOperationResult | Unset = UNSET,
    http_status_code: int | Unset = UNSET,
    http_method: ListAuditHttpMethod | Unset = UNSET,
    gte_created_at: datetime.datetime | str | Unset = UNSET,
    lte_created_at: datetime.datetime | str | Unset = UNSET,
    gte_duration_ms: int | Unset = UNSET,
    lte_duration_ms: int | Unset = UNSET,
) -> AuditPage | Error | None:
    """The audit log, newest first; every filter given must hold

    Args:
        page (int | Unset):  Default: 1.
        limit (int | Unset):  Default: 100.
        node (str | Unset):
        from_ (ListAuditFrom | Unset):
        source (str | Unset):
        source_ip (str | Unset):
        operation_id (str | Unset):
        operation_type (str | Unset):
        operation_result (ListAuditOperationResult | Unset):
        http_status_code (int | Unset):
        http_method (ListAuditHttpMethod | Unset):
        gte_created_at (datetime.datetime | str | Unset): RFC 3339 date-time, or milliseconds
            since the epoch
        lte_created_at (datetime.datetime | str | Unset): RFC 3339 date-time, or milliseconds
            since the epoch
        gte_duration_ms (int | Unset):
        lte_duration_ms (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuditPage | Error
    """

    return (
        await asyncio_detailed(
            client=client,
            page=page,
            limit=limit,
            node=node,
            from_=from_,
            source=source,
            source_ip=source_ip,
            operation_id=operation_id,
            operation_type=operation_type,
            operation_result=operation_result,
            http_status_code=http_status_code,
            http_method=http_method,
            gte_created_at=gte_created_at,
            lte_created_at=lte_created_at,
            gte_duration_ms=gte_duration_ms,
            lte_duration_ms=lte_duration_ms,
        )
    ).parsed
