from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.client_proto_name import ClientProtoName
from ..models.client_proto_ver import ClientProtoVer
from ..types import UNSET, Unset

T = TypeVar("T", bound="ClientDetail")


@_attrs_define
class ClientDetail:
    """
    Attributes:
        clientid (str):
        username (None | str):
        ip_address (None | str):
        port (int | None):
        node (str):
        proto_name (ClientProtoName):
        proto_ver (ClientProtoVer):
        connected (bool):
        created_at (datetime.datetime): When the session was created
        keepalive (int):
        clean_start (bool):
        subscriptions_cnt (int):
        inflight_cnt (int):
        expiry_interval (int): Seconds the session outlives a disconnect
        mqueue_len (int): Messages queued while offline
        mqueue_max (int): Most messages queued while offline
        mqueue_dropped (int): Queued messages dropped (the oldest first)
        recv_msg (int): Messages received on the current (or last) connection
        recv_oct (int): Bytes received on the current (or last) connection
        recv_pkt (int): MQTT packets received on the current (or last) connection
        send_msg (int): Messages sent on the current (or last) connection, retransmissions not counted
        send_oct (int): Bytes sent on the current (or last) connection
        send_pkt (int): MQTT packets sent on the current (or last) connection
        listener (None | str | Unset): type:name of the MQTT listener
        connected_at (datetime.datetime | Unset):
        disconnected_at (datetime.datetime | Unset): Only while disconnected
    """

    clientid: str
    username: None | str
    ip_address: None | str
    port: int | None
    node: str
    proto_name: ClientProtoName
    proto_ver: ClientProtoVer
    connected: bool
    created_at: datetime.datetime
    keepalive: int
    clean_start: bool
    subscriptions_cnt: int
    inflight_cnt: int
    expiry_interval: int
    mqueue_len: int
    mqueue_max: int
    mqueue_dropped: int
    recv_msg: int
    recv_oct: int
    recv_pkt: int
    send_msg: int
    send_oct: int
    send_pkt: int
    listener: None | str | Unset = UNSET
    connected_at: datetime.datetime | Unset = UNSET
    disconnected_at: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        clientid = self.clientid

        username: None | str
        username = self.username

        ip_address: None | str
        ip_address = self.ip_address

        port: int | None
        port = self.port

        node = self.node

        proto_name = self.proto_name.value

        proto_ver = self.proto_ver.value

        connected = self.connected

        created_at = self.created_at.isoformat()

        keepalive = self.keepalive

        clean_start = self.clean_start

        subscriptions_cnt = self.subscriptions_cnt

        inflight_cnt = self.inflight_cnt

        expiry_interval = self.expiry_interval

        mqueue_len = self.mqueue_len

        mqueue_max = self.mqueue_max

        mqueue_dropped = self.mqueue_dropped

        recv_msg = self.recv_msg

        recv_oct = self.recv_oct

        recv_pkt = self.recv_pkt

        send_msg = self.send_msg

        send_oct = self.send_oct

        send_pkt = self.send_pkt

        listener: None | str | Unset
        if isinstance(self.listener, Unset):
            listener = UNSET
        else:
            listener = self.listener

        connected_at: str | Unset = UNSET
        if not isinstance(self.connected_at, Unset):
            connected_at = self.connected_at.isoformat()

        disconnected_at: str | Unset = UNSET
        if not isinstance(self.disconnected_at, Unset):
            disconnected_at = self.disconnected_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "clientid": clientid,
                "username": username,
                "ip_address": ip_address,
                "port": port,
                "node": node,
                "proto_name": proto_name,
                "proto_ver": proto_ver,
                "connected": connected,
                "created_at": created_at,
                "keepalive": keepalive,
                "clean_start": clean_start,
                "subscriptions_cnt": subscriptions_cnt,
                "inflight_cnt": inflight_cnt,
                "expiry_interval": expiry_interval,
                "mqueue_len": mqueue_len,
                "mqueue_max": mqueue_max,
                "mqueue_dropped": mqueue_dropped,
                "recv_msg": recv_msg,
                "recv_oct": recv_oct,
                "recv_pkt": recv_pkt,
                "send_msg": send_msg,
                "send_oct": send_oct,
                "send_pkt": send_pkt,
            }
        )
        if listener is not UNSET:
            field_dict["listener"] = listener
        if connected_at is not UNSET:
            field_dict["connected_at"] = connected_at
        if disconnected_at is not UNSET:
            field_dict["disconnected_at"] = disconnected_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        clientid = d.pop("clientid")

        def _parse_username(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        username = _parse_username(d.pop("username"))

        def _parse_ip_address(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        ip_address = _parse_ip_address(d.pop("ip_address"))

        def _parse_port(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        port = _parse_port(d.pop("port"))

        node = d.pop("node")

        proto_name = ClientProtoName(d.pop("proto_name"))

        proto_ver = ClientProtoVer(d.pop("proto_ver"))

        connected = d.pop("connected")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        keepalive = d.pop("keepalive")

        clean_start = d.pop("clean_start")

        subscriptions_cnt = d.pop("subscriptions_cnt")

        inflight_cnt = d.pop("inflight_cnt")

        expiry_interval = d.pop("expiry_interval")

        mqueue_len = d.pop("mqueue_len")

        mqueue_max = d.pop("mqueue_max")

        mqueue_dropped = d.pop("mqueue_dropped")

        recv_msg = d.pop("recv_msg")

        recv_oct = d.pop("recv_oct")

        recv_pkt = d.pop("recv_pkt")

        send_msg = d.pop("send_msg")

        send_oct = d.pop("send_oct")

        send_pkt = d.pop("send_pkt")

        def _parse_listener(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        listener = _parse_listener(d.pop("listener", UNSET))

        _connected_at = d.pop("connected_at", UNSET)
        connected_at: datetime.datetime | Unset
        if isinstance(_connected_at, Unset):
            connected_at = UNSET
        else:
            connected_at = datetime.datetime.fromisoformat(_connected_at)

        _disconnected_at = d.pop("disconnected_at", UNSET)
        disconnected_at: datetime.datetime | Unset
        if isinstance(_disconnected_at, Unset):
            disconnected_at = UNSET
        else:
            disconnected_at = datetime.datetime.fromisoformat(_disconnected_at)

        client_detail = cls(
            clientid=clientid,
            username=username,
            ip_address=ip_address,
            port=port,
            node=node,
            proto_name=proto_name,
            proto_ver=proto_ver,
            connected=connected,
            created_at=created_at,
            keepalive=keepalive,
            clean_start=clean_start,
            subscriptions_cnt=subscriptions_cnt,
            inflight_cnt=inflight_cnt,
            expiry_interval=expiry_interval,
            mqueue_len=mqueue_len,
            mqueue_max=mqueue_max,
            mqueue_dropped=mqueue_dropped,
            recv_msg=recv_msg,
            recv_oct=recv_oct,
            recv_pkt=recv_pkt,
            send_msg=send_msg,
            send_oct=send_oct,
            send_pkt=send_pkt,
            listener=listener,
            connected_at=connected_at,
            disconnected_at=disconnected_at,
        )

        client_detail.additional_properties = d
        return client_detail

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
