"""TLS certificates of the MQTT listeners, replaceable while the broker runs."""

from __future__ import annotations

import ssl
from typing import Any


class TlsRules:
    """Broker mixin: keeps each TLS listener's `SSLContext`, so that SIGHUP can load renewed certificates.

    amqtt builds a context per listener and hands it to the server, keeping no reference; a
    certificate renewed on disk would need a restart (every connection dropped). A context
    loaded again serves the new chain to every handshake after it; open connections stay.
    """

    listeners_config: Any

    def _create_ssl_context(self, listener: Any) -> ssl.SSLContext:
        context = super()._create_ssl_context(listener)  # type: ignore[misc]
        if not hasattr(self, "ssl_contexts"):
            self.ssl_contexts: dict[str, ssl.SSLContext] = {}
        for name, configured in self.listeners_config.items():
            if configured is listener:
                self.ssl_contexts[name] = context
        return context

    def reload_tls(self, files: dict[str, tuple[str, str]]) -> list[str]:
        """Load (certfile, keyfile) again into the named listeners' contexts; the names done.

        Raises:
            OSError, ssl.SSLError: a file is missing or not a matching certificate and key; the
                listeners named before it are reloaded, the rest keep their certificates.
        """
        done = []
        for name, (certfile, keyfile) in files.items():
            context = getattr(self, "ssl_contexts", {}).get(name)
            if context is not None:
                context.load_cert_chain(certfile, keyfile)
                done.append(name)
        return done
