"""Sign-in and sign-out as plain HTTP routes beside the Streamlit app (``st.App`` routes).

Streamlit's own XSRF protection does not cover custom routes, so a POST is accepted only
when its ``Origin`` is one of the configured public origins (``ROADMAP_PUBLIC_URL``,
``ROADMAP_ALLOWED_ORIGINS``; never the request's ``Host``), and failed sign-ins are slowed
per account and per address.
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
from dataclasses import dataclass

import anyio
import anyio.to_thread
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from roadmap import config
from roadmap.domain import boundary
from roadmap.services import sessions
from roadmap.services.context import database_problem, default_context
from roadmap.services.throttle import FailureThrottle, sign_in_keys
from roadmap.web.security import origin_allowed

throttle = FailureThrottle()
MAX_FORM_BYTES = 4096

_STYLE = """
 body { font-family: system-ui, sans-serif; background: #f6f7f9; color: #1f2430; }
 main { max-width: 24rem; margin: 4rem auto; background: #fff; padding: 2rem;
        border-radius: 0.75rem; box-shadow: 0 1px 4px rgba(0,0,0,.12); }
 label { display: block; margin-top: 1rem; font-weight: 600; }
 input { width: 100%; padding: .5rem; margin-top: .25rem; box-sizing: border-box;
         border: 1px solid #b8bcc6; border-radius: .4rem; font-size: 1rem; }
 button { margin-top: 1.5rem; width: 100%; padding: .6rem; font-size: 1rem;
          background: #f37726; color: #fff; border: 0; border-radius: .4rem; cursor: pointer; }
 .error { background: #fde8e8; color: #8a1c1c; padding: .6rem; border-radius: .4rem; }
 a { color: #1a5fb4; }
"""

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Roadmap</title>
<style>{style}</style></head>
<body><main>{body}</main></body></html>"""

# The sign-in pages load nothing and run no script: only their own style (by its hash), and
# their forms post only here.
_STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()
PAGE_POLICY = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    text = _PAGE.format(title=html.escape(title), style=_STYLE, body=body)
    return HTMLResponse(text, status_code=status, headers={"Content-Security-Policy": PAGE_POLICY})


def _safe_next(value: str | None) -> str:
    """Only a path on this site: never ``//evil`` or ``https://evil``."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def _login_form(message: str = "", username: str = "", next_url: str = "/") -> str:
    error = f'<p class="error" role="alert">{html.escape(message)}</p>' if message else ""
    return f"""<h1>Sign in</h1>{error}
<form method="post" action="/auth/login">
 <input type="hidden" name="next" value="{html.escape(next_url)}">
 <label for="username">Username</label>
 <input id="username" name="username" autocomplete="username" required
        value="{html.escape(username)}" autofocus>
 <label for="password">Password</label>
 <input id="password" name="password" type="password" autocomplete="current-password" required>
 <button type="submit">Sign in</button>
</form>
<p><a href="/">Back to the public roadmap</a></p>"""


def login_page(request: Request) -> Response:
    return _page("Sign in", _login_form(next_url=_safe_next(request.query_params.get("next"))))


# Argon2 takes 64 MiB and most of a CPU per check, on purpose. At most one check per CPU but
# one runs at a time: sign-ins queue rather than starve every other request, and a flood of
# them cannot take all the memory.
PASSWORD_CHECKS = anyio.CapacityLimiter(max(1, (os.cpu_count() or 2) - 1))


@dataclass(frozen=True)
class _Attempt:
    wait: float = 0.0  # > 0: the account or the address is locked for this long
    cookie: str | None = None  # the new session's cookie value when the password matched


def _attempt(username: str, password: str, address: str) -> _Attempt:
    """The blocking part of a sign-in (the database, and Argon2): run in a worker thread,
    never on the server's event loop. The lock is read here, in the queue, so guesses sent
    all at once are each checked against the failures of those before them."""
    keys = sign_in_keys(username, address)
    ctx = default_context()
    wait = throttle.wait_seconds(ctx, keys)
    if wait > 0:
        return _Attempt(wait=wait)
    actor = sessions.authenticate(ctx, username, password)
    if actor is None:
        throttle.failed(ctx, keys)
        return _Attempt()
    throttle.succeeded(ctx, username)
    return _Attempt(cookie=sessions.start_session(ctx, actor))


async def login(request: Request) -> Response:
    if not origin_allowed(request.headers):
        return _page("Sign in", _login_form("This sign-in form came from another site."), 403)
    if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
        return _page("Sign in", _login_form("The form was too large."), 413)
    form = await request.form()
    username = boundary.sign_in_name(form.get("username", ""))
    password = str(form.get("password", ""))[:256]
    next_url = _safe_next(str(form.get("next", "/")))
    address = request.client.host if request.client else "unknown"
    attempt = await anyio.to_thread.run_sync(
        _attempt, username, password, address, limiter=PASSWORD_CHECKS
    )
    if attempt.wait > 0:
        message = f"Too many failed sign-ins. Try again in {int(attempt.wait) + 1} seconds."
        return _page("Sign in", _login_form(message, username, next_url), 429)
    if attempt.cookie is None:
        message = "That username and password do not match an active account."
        return _page("Sign in", _login_form(message, username, next_url), 401)
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(
        sessions.COOKIE_NAME,
        attempt.cookie,
        max_age=int(config.session_hours() * 3600),
        httponly=True,
        samesite="lax",
        secure=os.environ.get("ROADMAP_COOKIE_SECURE", "") == "1",
        path="/",
    )
    return response


def logout_page(request: Request) -> Response:
    body = """<h1>Sign out</h1>
<form method="post" action="/auth/logout"><button type="submit">Sign out</button></form>
<p><a href="/">Stay signed in</a></p>"""
    return _page("Sign out", body)


async def logout(request: Request) -> Response:
    if not origin_allowed(request.headers):
        return _page("Sign out", "<p class='error'>This form came from another site.</p>", 403)
    cookie = request.cookies.get(sessions.COOKIE_NAME)
    await run_in_threadpool(sessions.end_session, default_context(), cookie)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(sessions.COOKIE_NAME, path="/", httponly=True, samesite="lax")
    return response


def health(request: Request) -> Response:
    """Ready when the database answers: what a load balancer should probe."""
    problem = database_problem(default_context())
    if problem is not None:
        return JSONResponse({"status": "error", "detail": problem}, status_code=503)
    return JSONResponse({"status": "ok"})


routes = [
    Route("/auth/login", login_page, methods=["GET"]),
    Route("/auth/login", login, methods=["POST"]),
    Route("/auth/logout", logout_page, methods=["GET"]),
    Route("/auth/logout", logout, methods=["POST"]),
    Route("/api/health", health, methods=["GET"]),
]
