from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.client_proto_name import ClientProtoName
from ..models.client_proto_ver import ClientProtoVer
from ..types import UNSET, Unset

T = TypeVar("T", bound="Client")


@_attrs_define
class Client:
    """A client; a listing with `fields` holds only those

    Attributes:
        clientid (str | Unset):
        username (None | str | Unset):
        ip_address (None | str | Unset):
        port (int | None | Unset):
        listener (None | str | Unset): type:name of the MQTT listener
        node (str | Unset):
        proto_name (ClientProtoName | Unset):
        proto_ver (ClientProtoVer | Unset):
        connected (bool | Unset):
        connected_at (datetime.datetime | Unset):
        disconnected_at (datetime.datetime | Unset): Only while disconnected
        created_at (datetime.datetime | Unset): When the session was created
        keepalive (int | Unset):
        clean_start (bool | Unset):
        subscriptions_cnt (int | Unset):
        inflight_cnt (int | Unset):
        expiry_interval (int | Unset): Seconds the session outlives a disconnect
        mqueue_len (int | Unset): Messages queued while offline
        mqueue_max (int | Unset): Most messages queued while offline
        mqueue_dropped (int | Unset): Queued messages dropped (the oldest first)
        recv_msg (int | Unset): Messages received on the current (or last) connection
        recv_oct (int | Unset): Bytes received on the current (or last) connection
        recv_pkt (int | Unset): MQTT packets received on the current (or last) connection
        send_msg (int | Unset): Messages sent on the current (or last) connection, retransmissions not counted
        send_oct (int | Unset): Bytes sent on the current (or last) connection
        send_pkt (int | Unset): MQTT packets sent on the current (or last) connection
    """

    clientid: str | Unset = UNSET
    username: None | str | Unset = UNSET
    ip_address: None | str | Unset = UNSET
    port: int | None | Unset = UNSET
    listener: None | str | Unset = UNSET
    node: str | Unset = UNSET
    proto_name: ClientProtoName | Unset = UNSET
    proto_ver: ClientProtoVer | Unset = UNSET
    connected: bool | Unset = UNSET
    connected_at: datetime.datetime | Unset = UNSET
    disconnected_at: datetime.datetime | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    keepalive: int | Unset = UNSET
    clean_start: bool | Unset = UNSET
    subscriptions_cnt: int | Unset = UNSET
    inflight_cnt: int | Unset = UNSET
    expiry_interval: int | Unset = UNSET
    mqueue_len: int | Unset = UNSET
    mqueue_max: int | Unset = UNSET
    mqueue_dropped: int | Unset = UNSET
    recv_msg: int | Unset = UNSET
    recv_oct: int | Unset = UNSET
    recv_pkt: int | Unset = UNSET
    send_msg: int | Unset = UNSET
    send_oct: int | Unset = UNSET
    send_pkt: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        clientid = self.clientid

        username: None | str | Unset
        if isinstance(self.username, Unset):
            username = UNSET
        else:
            username = self.username

        ip_address: None | str | Unset
        if isinstance(self.ip_address, Unset):
            ip_address = UNSET
        else:
            ip_address = self.ip_address

        port: int | None | Unset
        if isinstance(self.port, Unset):
            port = UNSET
        else:
            port = self.port

        listener: None | str | Unset
        if isinstance(self.listener, Unset):
            listener = UNSET
        else:
            listener = self.listener

        node = self.node

        proto_name: str | Unset = UNSET
        if not isinstance(self.proto_name, Unset):
            proto_name = self.proto_name.value

        proto_ver: int | Unset = UNSET
        if not isinstance(self.proto_ver, Unset):
            proto_ver = self.proto_ver.value

        connected = self.connected

        connected_at: str | Unset = UNSET
        if not isinstance(self.connected_at, Unset):
            connected_at = self.connected_at.isoformat()

        disconnected_at: str | Unset = UNSET
        if not isinstance(self.disconnected_at, Unset):
            disconnected_at = self.disconnected_at.isoformat()

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
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

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if clientid is not UNSET:
            field_dict["clientid"] = clientid
        if username is not UNSET:
            field_dict["username"] = username
        if ip_address is not UNSET:
            field_dict["ip_address"] = ip_address
        if port is not UNSET:
            field_dict["port"] = port
        if listener is not UNSET:
            field_dict["listener"] = listener
        if node is not UNSET:
            field_dict["node"] = node
        if proto_name is not UNSET:
            field_dict["proto_name"] = proto_name
        if proto_ver is not UNSET:
            field_dict["proto_ver"] = proto_ver
        if connected is not UNSET:
            field_dict["connected"] = connected
        if connected_at is not UNSET:
            field_dict["connected_at"] = connected_at
        if disconnected_at is not UNSET:
            field_dict["disconnected_at"] = disconnected_at
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if keepalive is not UNSET:
            field_dict["keepalive"] = keepalive
        if clean_start is not UNSET:
            field_dict["clean_start"] = clean_start
        if subscriptions_cnt is not UNSET:
            field_dict["subscriptions_cnt"] = subscriptions_cnt
        if inflight_cnt is not UNSET:
            field_dict["inflight_cnt"] = inflight_cnt
        if expiry_interval is not UNSET:
            field_dict["expiry_interval"] = expiry_interval
        if mqueue_len is not UNSET:
            field_dict["mqueue_len"] = mqueue_len
        if mqueue_max is not UNSET:
            field_dict["mqueue_max"] = mqueue_max
        if mqueue_dropped is not UNSET:
            field_dict["mqueue_dropped"] = mqueue_dropped
        if recv_msg is not UNSET:
            field_dict["recv_msg"] = recv_msg
        if recv_oct is not UNSET:
            field_dict["recv_oct"] = recv_oct
        if recv_pkt is not UNSET:
            field_dict["recv_pkt"] = recv_pkt
        if send_msg is not UNSET:
            field_dict["send_msg"] = send_msg
        if send_oct is not UNSET:
            field_dict["send_oct"] = send_oct
        if send_pkt is not UNSET:
            field_dict["send_pkt"] = send_pkt

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        clientid = d.pop("clientid", UNSET)

        def _parse_username(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        username = _parse_username(d.pop("username", UNSET))

        def _parse_ip_address(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        ip_address = _parse_ip_address(d.pop("ip_address", UNSET))

        def _parse_port(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        port = _parse_port(d.pop("port", UNSET))

        def _parse_listener(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        listener = _parse_listener(d.pop("listener", UNSET))

        node = d.pop("node", UNSET)

        _proto_name = d.pop("proto_name", UNSET)
        proto_name: ClientProtoName | Unset
        if isinstance(_proto_name, Unset):
            proto_name = UNSET
        else:
            proto_name = ClientProtoName(_proto_name)

        _proto_ver = d.pop("proto_ver", UNSET)
        proto_ver: ClientProtoVer | Unset
        if isinstance(_proto_ver, Unset):
            proto_ver = UNSET
        else:
            proto_ver = ClientProtoVer(_proto_ver)

        connected = d.pop("connected", UNSET)

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

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        keepalive = d.pop("keepalive", UNSET)

        clean_start = d.pop("clean_start", UNSET)

        subscriptions_cnt = d.pop("subscriptions_cnt", UNSET)

        inflight_cnt = d.pop("inflight_cnt", UNSET)

        expiry_interval = d.pop("expiry_interval", UNSET)

        mqueue_len = d.pop("mqueue_len", UNSET)

        mqueue_max = d.pop("mqueue_max", UNSET)

        mqueue_dropped = d.pop("mqueue_dropped", UNSET)

        recv_msg = d.pop("recv_msg", UNSET)

        recv_oct = d.pop("recv_oct", UNSET)

        recv_pkt = d.pop("recv_pkt", UNSET)

        send_msg = d.pop("send_msg", UNSET)

        send_oct = d.pop("send_oct", UNSET)

        send_pkt = d.pop("send_pkt", UNSET)

        client = cls(
            clientid=clientid,
            username=username,
            ip_address=ip_address,
            port=port,
            listener=listener,
            node=node,
            proto_name=proto_name,
            proto_ver=proto_ver,
            connected=connected,
            connected_at=connected_at,
            disconnected_at=disconnected_at,
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
        )

        return client
