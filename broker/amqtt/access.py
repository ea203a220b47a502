"""Authentication and ACL through mqttgate's access control, in place of amqtt's plugins."""

from __future__ import annotations

import logging
from typing import Any

from amqtt.contexts import Action
from amqtt.session import Session

from mqttgate.broker.access import Access
from mqttgate.broker.amqtt.sessions import INFO, session_info

log = logging.getLogger(__name__)

_CHECKS = {Action.PUBLISH: "publish", Action.SUBSCRIBE: "subscribe", Action.RECEIVE: "receive"}



class AccessRules:
    """Broker mixin: CONNECTs checked against bans and users, topics against the ACL rules."""

    access: Access | None
    allow_anonymous: bool

    async def _authenticate(self, session: Session, listener: Any) -> bool:
        # amqtt's AnonymousAuthPlugin marks every session anonymous, which disables offline
        # queueing for all of them; mqttgate decides here instead.
        if self.access is None:
            return self.allow_anonymous or bool(session.username)
        verdict = await self.access.authenticate(session.client_id, session.username, session.password,
                                                 session.remote_address, allow_anonymous=self.allow_anonymous)
        session.password = None  # checked: not kept in memory with the session
        if not verdict.accepted:
            log.info("CONNECT of %r from %s refused: %s", session.client_id, session.remote_address, verdict.reason)
            return False
        session_info(session).superuser = verdict.superuser
        return True

    async def _topic_filtering(self, session: Session, topic: str, action: Action) -> bool:
        """Whether the ACL lets `session` publish, subscribe to, or receive `topic`."""
        if self.access is None:
            return True
        info = session.attributes.get(INFO)
        if info is not None and info.superuser:
            return True
        return self.access.acl.allows(session.client_id, session.username, _CHECKS[action], topic)
