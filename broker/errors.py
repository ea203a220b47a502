"""The one error hierarchy of the broker port; mqttgate maps it to HTTP status and EMQX codes."""


class GateError(Exception):
    """Base of every error the broker port raises on purpose."""

    message = "Request failed"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message


class NotFound(GateError):
    message = "Not found"


class ClientNotFound(NotFound):
    message = "Client id not found"

    def __init__(self, clientid: str) -> None:
        super().__init__("Client id not found")
        self.clientid = clientid


class NodeNotFound(NotFound):
    message = "Node not found"


class InvalidRequest(GateError):
    message = "Bad request"


class InvalidTopic(InvalidRequest):
    message = "Invalid topic"


class TopicNotFound(NotFound):
    message = "Topic not found"


class TraceNotFound(NotFound):
    message = "Trace not found"


class BackupNotFound(NotFound):
    message = "Backup file not found"


class ExceedLimit(GateError):
    """A configured limit is reached."""

    message = "Limit exceeded"


class NotAuthorized(GateError):
    """The ACL refuses the action."""

    message = "Not authorized"


class AlreadyExists(GateError):
    message = "Already exists"


class UnauthorizedRole(GateError):
    """The API key is valid, but its role does not allow this operation."""

    message = "The API key's role does not allow this operation"


class BrokerUnavailable(GateError):
    message = "The broker is not running"


class BrokerOwned(GateError):
    """Another process (or gunicorn worker) already runs the broker on this data_dir."""


class RetainedNotFound(NotFound):
    message = "No retained message on this topic"

    def __init__(self, topic: str) -> None:
        super().__init__()
        self.topic = topic
