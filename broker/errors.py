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


class InvalidRequest(GateError):
    message = "Bad request"


class AlreadyExists(GateError):
    message = "Already exists"


class BrokerUnavailable(GateError):
    message = "The broker is not running"


class BrokerOwned(GateError):
    """Another process (or gunicorn worker) already runs the broker on this data_dir."""


class InvalidTopic(InvalidRequest):
    """A topic name or filter that MQTT does not allow where it was given."""

    message = "Invalid topic"


class RetainedNotFound(NotFound):
    message = "No retained message on this topic"

    def __init__(self, topic: str) -> None:
        super().__init__()
        self.topic = topic


class NotAuthorized(GateError):
    """The ACL does not let this publisher publish to a topic."""

    message = "Not authorized"
