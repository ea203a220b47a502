"""Contains all the data models used in inputs/outputs"""

from .acl_client_page import AclClientPage
from .acl_client_rules import AclClientRules
from .acl_client_rules_update import AclClientRulesUpdate
from .acl_rule import AclRule
from .acl_rule_action import AclRuleAction
from .acl_rule_permission import AclRulePermission
from .acl_rules import AclRules
from .acl_user_page import AclUserPage
from .acl_user_rules import AclUserRules
from .acl_user_rules_update import AclUserRulesUpdate
from .alarm import Alarm
from .alarm_details import AlarmDetails
from .alarm_page import AlarmPage
from .api_key import ApiKey
from .api_key_create import ApiKeyCreate
from .api_key_created import ApiKeyCreated
from .api_key_role import ApiKeyRole
from .api_key_update import ApiKeyUpdate
from .audit_entry import AuditEntry
from .audit_entry_from import AuditEntryFrom
from .audit_entry_http_request import AuditEntryHttpRequest
from .audit_entry_operation_result import AuditEntryOperationResult
from .audit_page import AuditPage
from .backup_file import BackupFile
from .backup_file_page import BackupFilePage
from .backup_import import BackupImport
from .ban import Ban
from .ban_create import BanCreate
from .ban_kind import BanKind
from .ban_page import BanPage
from .client import Client
from .client_detail import ClientDetail
from .client_page import ClientPage
from .client_proto_name import ClientProtoName
from .client_proto_ver import ClientProtoVer
from .error import Error
from .error_code import ErrorCode
from .list_audit_from import ListAuditFrom
from .list_audit_http_method import ListAuditHttpMethod
from .list_audit_operation_result import ListAuditOperationResult
from .list_clients_conn_state import ListClientsConnState
from .list_clients_fields_item import ListClientsFieldsItem
from .list_clients_proto_ver import ListClientsProtoVer
from .list_inflight_messages_payload import ListInflightMessagesPayload
from .list_mqueue_messages_payload import ListMqueueMessagesPayload
from .list_subscriptions_qos import ListSubscriptionsQos
from .listener import Listener
from .listener_node_status import ListenerNodeStatus
from .listener_node_status_status import ListenerNodeStatusStatus
from .listener_status import ListenerStatus
from .listener_status_type import ListenerStatusType
from .listener_type import ListenerType
from .metrics import Metrics
from .monitor_current import MonitorCurrent
from .monitor_sample import MonitorSample
from .mqtt_user import MqttUser
from .mqtt_user_create import MqttUserCreate
from .mqtt_user_page import MqttUserPage
from .mqtt_user_update import MqttUserUpdate
from .node import Node
from .node_node_status import NodeNodeStatus
from .page_meta import PageMeta
from .publish_message import PublishMessage
from .publish_message_payload_encoding import PublishMessagePayloadEncoding
from .publish_message_qos import PublishMessageQos
from .publish_no_subscribers import PublishNoSubscribers
from .publish_no_subscribers_message import PublishNoSubscribersMessage
from .publish_no_subscribers_reason_code import PublishNoSubscribersReasonCode
from .publish_ok import PublishOk
from .retained_message import RetainedMessage
from .retained_message_page import RetainedMessagePage
from .retained_message_qos import RetainedMessageQos
from .retained_message_summary import RetainedMessageSummary
from .retained_message_summary_qos import RetainedMessageSummaryQos
from .session_message import SessionMessage
from .session_message_qos import SessionMessageQos
from .session_messages import SessionMessages
from .session_messages_meta import SessionMessagesMeta
from .stats import Stats
from .status import Status
from .status_rest_api import StatusRestApi
from .status_status import StatusStatus
from .subscribe_request import SubscribeRequest
from .subscribe_request_qos import SubscribeRequestQos
from .subscription import Subscription
from .subscription_page import SubscriptionPage
from .subscription_qos import SubscriptionQos
from .time_or_infinity_type_1 import TimeOrInfinityType1
from .topic import Topic
from .topic_detail import TopicDetail
from .topic_page import TopicPage
from .trace import Trace
from .trace_create import TraceCreate
from .trace_create_payload_encode import TraceCreatePayloadEncode
from .trace_create_type import TraceCreateType
from .trace_log import TraceLog
from .trace_log_meta import TraceLogMeta
from .trace_payload_encode import TracePayloadEncode
from .trace_status import TraceStatus
from .trace_type import TraceType
from .unsubscribe_request import UnsubscribeRequest
from .upload_backup_body import UploadBackupBody

__all__ = (
    "AclClientPage",
    "AclClientRules",
    "AclClientRulesUpdate",
    "AclRule",
    "AclRuleAction",
    "AclRulePermission",
    "AclRules",
    "AclUserPage",
    "AclUserRules",
    "AclUserRulesUpdate",
    "Alarm",
    "AlarmDetails",
    "AlarmPage",
    "ApiKey",
    "ApiKeyCreate",
    "ApiKeyCreated",
    "ApiKeyRole",
    "ApiKeyUpdate",
    "AuditEntry",
    "AuditEntryFrom",
    "AuditEntryHttpRequest",
    "AuditEntryOperationResult",
    "AuditPage",
    "BackupFile",
    "BackupFilePage",
    "BackupImport",
    "Ban",
    "BanCreate",
    "BanKind",
    "BanPage",
    "Client",
    "ClientDetail",
    "ClientPage",
    "ClientProtoName",
    "ClientProtoVer",
    "Error",
    "ErrorCode",
    "ListAuditFrom",
    "ListAuditHttpMethod",
    "ListAuditOperationResult",
    "ListClientsConnState",
    "ListClientsFieldsItem",
    "ListClientsProtoVer",
    "ListInflightMessagesPayload",
    "ListMqueueMessagesPayload",
    "ListSubscriptionsQos",
    "Listener",
    "ListenerNodeStatus",
    "ListenerNodeStatusStatus",
    "ListenerStatus",
    "ListenerStatusType",
    "ListenerType",
    "Metrics",
    "MonitorCurrent",
    "MonitorSample",
    "MqttUser",
    "MqttUserCreate",
    "MqttUserPage",
    "MqttUserUpdate",
    "Node",
    "NodeNodeStatus",
    "PageMeta",
    "PublishMessage",
    "PublishMessagePayloadEncoding",
    "PublishMessageQos",
    "PublishNoSubscribers",
    "PublishNoSubscribersMessage",
    "PublishNoSubscribersReasonCode",
    "PublishOk",
    "RetainedMessage",
    "RetainedMessagePage",
    "RetainedMessageQos",
    "RetainedMessageSummary",
    "RetainedMessageSummaryQos",
    "SessionMessage",
    "SessionMessageQos",
    "SessionMessages",
    "SessionMessagesMeta",
    "Stats",
    "Status",
    "StatusRestApi",
    "StatusStatus",
    "SubscribeRequest",
    "SubscribeRequestQos",
    "Subscription",
    "SubscriptionPage",
    "SubscriptionQos",
    "TimeOrInfinityType1",
    "Topic",
    "TopicDetail",
    "TopicPage",
    "Trace",
    "TraceCreate",
    "TraceCreatePayloadEncode",
    "TraceCreateType",
    "TraceLog",
    "TraceLogMeta",
    "TracePayloadEncode",
    "TraceStatus",
    "TraceType",
    "UnsubscribeRequest",
    "UploadBackupBody",
)
