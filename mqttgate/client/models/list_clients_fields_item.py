from enum import StrEnum


class ListClientsFieldsItem(StrEnum):
    ALL = "all"
    CLEAN_START = "clean_start"
    CLIENTID = "clientid"
    CONNECTED = "connected"
    CONNECTED_AT = "connected_at"
    CREATED_AT = "created_at"
    DISCONNECTED_AT = "disconnected_at"
    EXPIRY_INTERVAL = "expiry_interval"
    INFLIGHT_CNT = "inflight_cnt"
    IP_ADDRESS = "ip_address"
    KEEPALIVE = "keepalive"
    LISTENER = "listener"
    MQUEUE_DROPPED = "mqueue_dropped"
    MQUEUE_LEN = "mqueue_len"
    MQUEUE_MAX = "mqueue_max"
    NODE = "node"
    PORT = "port"
    PROTO_NAME = "proto_name"
    PROTO_VER = "proto_ver"
    RECV_MSG = "recv_msg"
    RECV_OCT = "recv_oct"
    RECV_PKT = "recv_pkt"
    SEND_MSG = "send_msg"
    SEND_OCT = "send_oct"
    SEND_PKT = "send_pkt"
    SUBSCRIPTIONS_CNT = "subscriptions_cnt"
    USERNAME = "username"

    def __str__(self) -> str:
        return str(self.value)
