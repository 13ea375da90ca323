"""A uvicorn HTTP protocol that lets the sandbox drop a connection on purpose.

ASGI gives an app no way to close the socket without answering: uvicorn
answers 500 when an app fails before responding. The ``drop`` fault needs the
connection to vanish after the request was processed, exactly as a crashed
upstream or a cut network would look to the client, so this protocol puts its
transport into the request scope under ``extensions["sandbox.transport"]``.
"""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

TRANSPORT_KEY = "sandbox.transport"


class DroppableHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, exposing its transport to the app."""

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.scope["extensions"] = {TRANSPORT_KEY: self.transport}  # type: ignore[dict-item]
