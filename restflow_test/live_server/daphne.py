"""Daphne in the test process: one Twisted reactor thread, one listener per server.

Twisted's reactor cannot be restarted, so it is started once, lazily, in a daemon
thread and kept for the life of the process; each server is a listener added to it
(`tcp:port=0`) and removed again by `stop()`. Importing `daphne.server` installs
the asyncio reactor process-wide, which is why nothing here imports it eagerly.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from . import ServerAddress, url_host

__all__ = ["DaphneLiveServer"]

_reactor_lock = threading.Lock()
_reactor_thread: threading.Thread | None = None
START_TIMEOUT = 10.0
# Where the `daphne` command's defaults differ from `daphne.server.Server`'s.
DAPHNE_COMMAND_OPTIONS = {"websocket_connect_timeout": 5}


def _reactor() -> Any:
    """The running Twisted reactor, started in its own thread on first use."""
    global _reactor_thread
    import daphne.server  # noqa: F401  (installs the asyncio reactor)
    from twisted.internet import reactor

    with _reactor_lock:
        if _reactor_thread is None or not _reactor_thread.is_alive():
            running = threading.Event()

            def run() -> None:
                asyncio.set_event_loop(reactor._asyncioEventloop)
                reactor.callWhenRunning(running.set)
                reactor.run(installSignalHandlers=False)  # type: ignore[call-arg,misc]

            _reactor_thread = threading.Thread(
                target=run, name="restflow-daphne-reactor", daemon=True
            )
            _reactor_thread.start()
            if not running.wait(START_TIMEOUT):
                raise RuntimeError("The Twisted reactor for Daphne did not start.")
    return reactor


def _server_class() -> type:
    from daphne.server import Server

    class ThreadedServer(Server):  # type: ignore[misc]
        """Daphne's Server, driven by a shared reactor instead of its own run()."""

        stopped = False

        def application_checker(self) -> None:
            if not self.stopped:
                super().application_checker()

        def timeout_checker(self) -> None:
            if not self.stopped:
                super().timeout_checker()

    return ThreadedServer


class DaphneLiveServer(ServerAddress):
    """A Daphne listener on `host` at a free port, in the shared reactor thread."""

    def __init__(self, server: Any, listener: Any, host: str) -> None:
        self._server = server
        self._listener = listener
        self.host = host
        self.port: int = listener.getHost().port

    @classmethod
    def start(cls, application: Any, host: str, port: int) -> DaphneLiveServer:
        from daphne.http_protocol import HTTPFactory
        from daphne.ws_protocol import WebSocketFactory
        from twisted.internet.endpoints import serverFromString
        from twisted.internet.threads import blockingCallFromThread

        reactor = _reactor()
        # Twisted's endpoint syntax separates fields with ":", so IPv6 colons are escaped.
        escaped = host.replace(":", "\\:")
        description = f"tcp:port={port}:interface={escaped}"
        # Daphne insists on an endpoint list; we listen on it ourselves below.
        server = _server_class()(application=application, endpoints=[description],
                                 signal_handlers=False, verbosity=0,
                                 **DAPHNE_COMMAND_OPTIONS)

        def listen() -> Any:
            server.connections = {}
            server.http_factory = HTTPFactory(server)
            server.ws_factory = WebSocketFactory(server, server=server.server_name)
            # The same WebSocket options as Daphne's own Server.run() sets.
            server.ws_factory.setProtocolOptions(
                autoPingTimeout=server.ping_timeout,
                allowNullOrigin=True,
                openHandshakeTimeout=server.websocket_handshake_timeout,
                maxMessagePayloadSize=server.websocket_max_message_size,
                maxFramePayloadSize=server.websocket_max_frame_size,
            )
            reactor.callLater(1, server.application_checker)
            reactor.callLater(2, server.timeout_checker)
            endpoint = serverFromString(reactor, description)
            return endpoint.listen(server.http_factory)

        try:
            listener = blockingCallFromThread(reactor, listen)
        except Exception as exc:
            server.stopped = True
            raise RuntimeError(
                f"Daphne could not listen on {url_host(host)}:{port}: {exc}. Choose another port "
                "(0 picks a free one) or stop what is using it."
            ) from exc
        return cls(server, listener, host)

    def stop(self) -> None:
        """Stop listening, drop open connections, and cancel running requests."""
        if self._server.stopped:
            return
        try:
            self._stop()
        finally:
            self._stopped()

    def _stop(self) -> None:
        from twisted.internet.threads import blockingCallFromThread

        self._server.stopped = True
        reactor = _reactor()

        def shut() -> Any:
            for protocol, details in list(self._server.connections.items()):
                instance = details.get("application_instance")
                if instance is not None and not instance.done():
                    instance.cancel()
                if protocol.transport is not None:
                    protocol.transport.loseConnection()
            return self._listener.stopListening()

        blockingCallFromThread(reactor, shut)
