"""What every response of this server carries, and which origins may post to it.

The origins come from configuration (``roadmap.config.public_origins``), never from the
request's ``Host``: a page on another name that resolves here (DNS rebinding) sends its own
name as both ``Host`` and ``Origin``, and must still be refused.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from streamlit import config as streamlit_config

from roadmap import config

EVERY_RESPONSE = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",  # a page may say more, not less
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


def allowed_origins() -> frozenset[str]:
    return config.public_origins(int(streamlit_config.get_option("server.port")))


def origin_allowed(headers: Headers) -> bool:
    """The request names where it came from (``Origin``, else ``Referer``), and that is us."""
    origin = headers.get("origin") or headers.get("referer")
    return origin is not None and config.origin_of(origin) in allowed_origins()


class SecurityHeaders:
    """ASGI middleware in front of Streamlit and the sign-in routes alike.

    Adds ``EVERY_RESPONSE`` to each HTTP response (a header a route set itself is kept),
    and refuses a websocket opened by a page of another origin (Streamlit's own check lets
    any ``localhost`` port in).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            origin = Headers(scope=scope).get("origin")
            if origin is not None and config.origin_of(origin) not in allowed_origins():
                await send({"type": "websocket.close", "code": 1008})  # answered as HTTP 403
                return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in EVERY_RESPONSE.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
