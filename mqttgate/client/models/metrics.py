from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Metrics")


@_attrs_define
class Metrics:
    """Counters since the broker started (EMQX names)

    Attributes:
        bytes_received (int): Bytes of MQTT packets received
        bytes_sent (int): Bytes of MQTT packets sent
        packets_received (int): MQTT packets received
        packets_sent (int): MQTT packets sent
        packets_connect_received (int): CONNECT packets received
        packets_connack_sent (int): CONNACK packets sent
        packets_connack_error (int): CONNACK packets sent refusing the connection
        packets_connack_auth_error (int): CONNACK packets refusing bad credentials or an unauthorized client (code 4 or
            5)
        packets_publish_received (int): PUBLISH packets received, retransmissions included
        packets_publish_sent (int): PUBLISH packets sent, retransmissions included
        packets_publish_error (int): PUBLISH packets received to an invalid topic (the connection is closed)
        packets_publish_auth_error (int): PUBLISH packets received that authorization denied
        packets_puback_received (int): PUBACK packets received
        packets_puback_sent (int): PUBACK packets sent
        packets_pubrec_received (int): PUBREC packets received
        packets_pubrec_sent (int): PUBREC packets sent
        packets_pubrel_received (int): PUBREL packets received
        packets_pubrel_sent (int): PUBREL packets sent
        packets_pubcomp_received (int): PUBCOMP packets received
        packets_pubcomp_sent (int): PUBCOMP packets sent
        packets_subscribe_received (int): SUBSCRIBE packets received
        packets_subscribe_error (int): SUBSCRIBE packets answered with at least one failure (0x80)
        packets_suback_sent (int): SUBACK packets sent
        packets_unsubscribe_received (int): UNSUBSCRIBE packets received
        packets_unsuback_sent (int): UNSUBACK packets sent
        packets_pingreq_received (int): PINGREQ packets received
        packets_pingresp_sent (int): PINGRESP packets sent
        packets_disconnect_received (int): DISCONNECT packets received
        messages_received (int): Messages received from MQTT clients (a QoS 2 one once its flow completes)
        messages_sent (int): Messages sent to MQTT clients, retransmissions not counted
        messages_qos0_received (int): QoS 0 messages received from MQTT clients
        messages_qos0_sent (int): QoS 0 messages sent to MQTT clients
        messages_qos1_received (int): QoS 1 messages received from MQTT clients
        messages_qos1_sent (int): QoS 1 messages sent to MQTT clients
        messages_qos2_received (int): QoS 2 messages received from MQTT clients
        messages_qos2_sent (int): QoS 2 messages sent to MQTT clients
        messages_publish (int): Messages routed to the subscriptions: from clients, from the API, and wills
        messages_dropped (int): Messages that reached no subscription: none matched, publishing was denied, or the topic
            was invalid
        messages_dropped_no_subscribers (int): Messages routed that matched no subscription
        delivery_dropped (int): Messages a matching subscription did not get: its client may not receive them, it is
            offline and the message is not queued (QoS 0, or a clean session), or its full offline queue dropped them
        delivery_dropped_queue_full (int): Queued messages dropped, oldest first, from an offline session's full queue
        client_connect (int): CONNECT packets received
        client_connack (int): CONNACK packets sent
        client_connected (int): Connections accepted
        client_disconnected (int): Accepted connections that have ended
        client_authenticate (int): Authentications of a CONNECT
        client_auth_failure (int): Authentications that failed
        authentication_success (int): Authentications that succeeded
        authentication_success_anonymous (int): Authentications that succeeded without a username
        authentication_failure (int): Authentications that failed
        authorization_allow (int): Authorization checks that allowed a publish, subscribe or receive
        authorization_deny (int): Authorization checks that denied a publish, subscribe or receive
        session_created (int): Sessions created
        session_resumed (int): Stored sessions a CONNECT without clean session resumed
        session_takenover (int): Resumed sessions whose client was still connected (that connection is closed)
        session_discarded (int): Stored sessions a CONNECT with clean session discarded
        node (str | Unset): Left out when aggregated, and in one node's (/nodes/{node}/metrics)
    """

    bytes_received: int
    bytes_sent: int
    packets_received: int
    packets_sent: int
    packets_connect_received: int
    packets_connack_sent: int
    packets_connack_error: int
    packets_connack_auth_error: int
    packets_publish_received: int
    packets_publish_sent: int
    packets_publish_error: int
    packets_publish_auth_error: int
    packets_puback_received: int
    packets_puback_sent: int
    packets_pubrec_received: int
    packets_pubrec_sent: int
    packets_pubrel_received: int
    packets_pubrel_sent: int
    packets_pubcomp_received: int
    packets_pubcomp_sent: int
    packets_subscribe_received: int
    packets_subscribe_error: int
    packets_suback_sent: int
    packets_unsubscribe_received: int
    packets_unsuback_sent: int
    packets_pingreq_received: int
    packets_pingresp_sent: int
    packets_disconnect_received: int
    messages_received: int
    messages_sent: int
    messages_qos0_received: int
    messages_qos0_sent: int
    messages_qos1_received: int
    messages_qos1_sent: int
    messages_qos2_received: int
    messages_qos2_sent: int
    messages_publish: int
    messages_dropped: int
    messages_dropped_no_subscribers: int
    delivery_dropped: int
    delivery_dropped_queue_full: int
    client_connect: int
    client_connack: int
    client_connected: int
    client_disconnected: int
    client_authenticate: int
    client_auth_failure: int
    authentication_success: int
    authentication_success_anonymous: int
    authentication_failure: int
    authorization_allow: int
    authorization_deny: int
    session_created: int
    session_resumed: int
    session_takenover: int
    session_discarded: int
    node: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        bytes_received = self.bytes_received

        bytes_sent = self.bytes_sent

        packets_received = self.packets_received

        packets_sent = self.packets_sent

        packets_connect_received = self.packets_connect_received

        packets_connack_sent = self.packets_connack_sent

        packets_connack_error = self.packets_connack_error

        packets_connack_auth_error = self.packets_connack_auth_error

        packets_publish_received = self.packets_publish_received

        packets_publish_sent = self.packets_publish_sent

        packets_publish_error = self.packets_publish_error

        packets_publish_auth_error = self.packets_publish_auth_error

        packets_puback_received = self.packets_puback_received

        packets_puback_sent = self.packets_puback_sent

        packets_pubrec_received = self.packets_pubrec_received

        packets_pubrec_sent = self.packets_pubrec_sent

        packets_pubrel_received = self.packets_pubrel_received

        packets_pubrel_sent = self.packets_pubrel_sent

        packets_pubcomp_received = self.packets_pubcomp_received

        packets_pubcomp_sent = self.packets_pubcomp_sent

        packets_subscribe_received = self.packets_subscribe_received

        packets_subscribe_error = self.packets_subscribe_error

        packets_suback_sent = self.packets_suback_sent

        packets_unsubscribe_received = self.packets_unsubscribe_received

        packets_unsuback_sent = self.packets_unsuback_sent

        packets_pingreq_received = self.packets_pingreq_received

        packets_pingresp_sent = self.packets_pingresp_sent

        packets_disconnect_received = self.packets_disconnect_received

        messages_received = self.messages_received

        messages_sent = self.messages_sent

        messages_qos0_received = self.messages_qos0_received

        messages_qos0_sent = self.messages_qos0_sent

        messages_qos1_received = self.messages_qos1_received

        messages_qos1_sent = self.messages_qos1_sent

        messages_qos2_received = self.messages_qos2_received

        messages_qos2_sent = self.messages_qos2_sent

        messages_publish = self.messages_publish

        messages_dropped = self.messages_dropped

        messages_dropped_no_subscribers = self.messages_dropped_no_subscribers

        delivery_dropped = self.delivery_dropped

        delivery_dropped_queue_full = self.delivery_dropped_queue_full

        client_connect = self.client_connect

        client_connack = self.client_connack

        client_connected = self.client_connected

        client_disconnected = self.client_disconnected

        client_authenticate = self.client_authenticate

        client_auth_failure = self.client_auth_failure

        authentication_success = self.authentication_success

        authentication_success_anonymous = self.authentication_success_anonymous

        authentication_failure = self.authentication_failure

        authorization_allow = self.authorization_allow

        authorization_deny = self.authorization_deny

        session_created = self.session_created

        session_resumed = self.session_resumed

        session_takenover = self.session_takenover

        session_discarded = self.session_discarded

        node = self.node

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "bytes.received": bytes_received,
                "bytes.sent": bytes_sent,
                "packets.received": packets_received,
                "packets.sent": packets_sent,
                "packets.connect.received": packets_connect_received,
                "packets.connack.sent": packets_connack_sent,
                "packets.connack.error": packets_connack_error,
                "packets.connack.auth_error": packets_connack_auth_error,
                "packets.publish.received": packets_publish_received,
                "packets.publish.sent": packets_publish_sent,
                "packets.publish.error": packets_publish_error,
                "packets.publish.auth_error": packets_publish_auth_error,
                "packets.puback.received": packets_puback_received,
                "packets.puback.sent": packets_puback_sent,
                "packets.pubrec.received": packets_pubrec_received,
                "packets.pubrec.sent": packets_pubrec_sent,
                "packets.pubrel.received": packets_pubrel_received,
                "packets.pubrel.sent": packets_pubrel_sent,
                "packets.pubcomp.received": packets_pubcomp_received,
                "packets.pubcomp.sent": packets_pubcomp_sent,
                "packets.subscribe.received": packets_subscribe_received,
                "packets.subscribe.error": packets_subscribe_error,
                "packets.suback.sent": packets_suback_sent,
                "packets.unsubscribe.received": packets_unsubscribe_received,
                "packets.unsuback.sent": packets_unsuback_sent,
                "packets.pingreq.received": packets_pingreq_received,
                "packets.pingresp.sent": packets_pingresp_sent,
                "packets.disconnect.received": packets_disconnect_received,
                "messages.received": messages_received,
                "messages.sent": messages_sent,
                "messages.qos0.received": messages_qos0_received,
                "messages.qos0.sent": messages_qos0_sent,
                "messages.qos1.received": messages_qos1_received,
                "messages.qos1.sent": messages_qos1_sent,
                "messages.qos2.received": messages_qos2_received,
                "messages.qos2.sent": messages_qos2_sent,
                "messages.publish": messages_publish,
                "messages.dropped": messages_dropped,
                "messages.dropped.no_subscribers": messages_dropped_no_subscribers,
                "delivery.dropped": delivery_dropped,
                "delivery.dropped.queue_full": delivery_dropped_queue_full,
                "client.connect": client_connect,
                "client.connack": client_connack,
                "client.connected": client_connected,
                "client.disconnected": client_disconnected,
                "client.authenticate": client_authenticate,
                "client.auth.failure": client_auth_failure,
                "authentication.success": authentication_success,
                "authentication.success.anonymous": authentication_success_anonymous,
                "authentication.failure": authentication_failure,
                "authorization.allow": authorization_allow,
                "authorization.deny": authorization_deny,
                "session.created": session_created,
                "session.resumed": session_resumed,
                "session.takenover": session_takenover,
                "session.discarded": session_discarded,
            }
        )
        if node is not UNSET:
            field_dict["node"] = node

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        bytes_received = d.pop("bytes.received")

        bytes_sent = d.pop("bytes.sent")

        packets_received = d.pop("packets.received")

        packets_sent = d.pop("packets.sent")

        packets_connect_received = d.pop("packets.connect.received")

        packets_connack_sent = d.pop("packets.connack.sent")

        packets_connack_error = d.pop("packets.connack.error")

        packets_connack_auth_error = d.pop("packets.connack.auth_error")

        packets_publish_received = d.pop("packets.publish.received")

        packets_publish_sent = d.pop("packets.publish.sent")

        packets_publish_error = d.pop("packets.publish.error")

        packets_publish_auth_error = d.pop("packets.publish.auth_error")

        packets_puback_received = d.pop("packets.puback.received")

        packets_puback_sent = d.pop("packets.puback.sent")

        packets_pubrec_received = d.pop("packets.pubrec.received")

        packets_pubrec_sent = d.pop("packets.pubrec.sent")

        packets_pubrel_received = d.pop("packets.pubrel.received")

        packets_pubrel_sent = d.pop("packets.pubrel.sent")

        packets_pubcomp_received = d.pop("packets.pubcomp.received")

        packets_pubcomp_sent = d.pop("packets.pubcomp.sent")

        packets_subscribe_received = d.pop("packets.subscribe.received")

        packets_subscribe_error = d.pop("packets.subscribe.error")

        packets_suback_sent = d.pop("packets.suback.sent")

        packets_unsubscribe_received = d.pop("packets.unsubscribe.received")

        packets_unsuback_sent = d.pop("packets.unsuback.sent")

        packets_pingreq_received = d.pop("packets.pingreq.received")

        packets_pingresp_sent = d.pop("packets.pingresp.sent")

        packets_disconnect_received = d.pop("packets.disconnect.received")

        messages_received = d.pop("messages.received")

        messages_sent = d.pop("messages.sent")

        messages_qos0_received = d.pop("messages.qos0.received")

        messages_qos0_sent = d.pop("messages.qos0.sent")

        messages_qos1_received = d.pop("messages.qos1.received")

        messages_qos1_sent = d.pop("messages.qos1.sent")

        messages_qos2_received = d.pop("messages.qos2.received")

        messages_qos2_sent = d.pop("messages.qos2.sent")

        messages_publish = d.pop("messages.publish")

        messages_dropped = d.pop("messages.dropped")

        messages_dropped_no_subscribers = d.pop("messages.dropped.no_subscribers")

        delivery_dropped = d.pop("delivery.dropped")

        delivery_dropped_queue_full = d.pop("delivery.dropped.queue_full")

        client_connect = d.pop("client.connect")

        client_connack = d.pop("client.connack")

        client_connected = d.pop("client.connected")

        client_disconnected = d.pop("client.disconnected")

        client_authenticate = d.pop("client.authenticate")

        client_auth_failure = d.pop("client.auth.failure")

        authentication_success = d.pop("authentication.success")

        authentication_success_anonymous = d.pop("authentication.success.anonymous")

        authentication_failure = d.pop("authentication.failure")

        authorization_allow = d.pop("authorization.allow")

        authorization_deny = d.pop("authorization.deny")

        session_created = d.pop("session.created")

        session_resumed = d.pop("session.resumed")

        session_takenover = d.pop("session.takenover")

        session_discarded = d.pop("session.discarded")

        node = d.pop("node", UNSET)

        metrics = cls(
            bytes_received=bytes_received,
            bytes_sent=bytes_sent,
            packets_received=packets_received,
            packets_sent=packets_sent,
            packets_connect_received=packets_connect_received,
            packets_connack_sent=packets_connack_sent,
            packets_connack_error=packets_connack_error,
            packets_connack_auth_error=packets_connack_auth_error,
            packets_publish_received=packets_publish_received,
            packets_publish_sent=packets_publish_sent,
            packets_publish_error=packets_publish_error,
            packets_publish_auth_error=packets_publish_auth_error,
            packets_puback_received=packets_puback_received,
            packets_puback_sent=packets_puback_sent,
            packets_pubrec_received=packets_pubrec_received,
            packets_pubrec_sent=packets_pubrec_sent,
            packets_pubrel_received=packets_pubrel_received,
            packets_pubrel_sent=packets_pubrel_sent,
            packets_pubcomp_received=packets_pubcomp_received,
            packets_pubcomp_sent=packets_pubcomp_sent,
            packets_subscribe_received=packets_subscribe_received,
            packets_subscribe_error=packets_subscribe_error,
            packets_suback_sent=packets_suback_sent,
            packets_unsubscribe_received=packets_unsubscribe_received,
            packets_unsuback_sent=packets_unsuback_sent,
            packets_pingreq_received=packets_pingreq_received,
            packets_pingresp_sent=packets_pingresp_sent,
            packets_disconnect_received=packets_disconnect_received,
            messages_received=messages_received,
            messages_sent=messages_sent,
            messages_qos0_received=messages_qos0_received,
            messages_qos0_sent=messages_qos0_sent,
            messages_qos1_received=messages_qos1_received,
            messages_qos1_sent=messages_qos1_sent,
            messages_qos2_received=messages_qos2_received,
            messages_qos2_sent=messages_qos2_sent,
            messages_publish=messages_publish,
            messages_dropped=messages_dropped,
            messages_dropped_no_subscribers=messages_dropped_no_subscribers,
            delivery_dropped=delivery_dropped,
            delivery_dropped_queue_full=delivery_dropped_queue_full,
            client_connect=client_connect,
            client_connack=client_connack,
            client_connected=client_connected,
            client_disconnected=client_disconnected,
            client_authenticate=client_authenticate,
            client_auth_failure=client_auth_failure,
            authentication_success=authentication_success,
            authentication_success_anonymous=authentication_success_anonymous,
            authentication_failure=authentication_failure,
            authorization_allow=authorization_allow,
            authorization_deny=authorization_deny,
            session_created=session_created,
            session_resumed=session_resumed,
            session_takenover=session_takenover,
            session_discarded=session_discarded,
            node=node,
        )

        return metrics
