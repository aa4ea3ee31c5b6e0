"""The routes of notifications that work without Streamlit's session: the unsubscribe link
of every email, and the Atom feed of public events.

``/notify/unsubscribe?t=TOKEN`` (GET) shows what the link stops and two buttons; the POST
does it. The signed token is the proof of who asks (no sign-in, and so no Origin check: a
page elsewhere cannot post a token it does not have). A GET changes nothing, so a mail
scanner that follows every link unsubscribes nobody; mail programs' one-click button
(RFC 8058, a POST with ``List-Unsubscribe=One-Click``) stops the kind the link names.

``/feed.atom`` is the Atom 1.0 feed of ``services.feed.public_events``, with links to the
item and plan pages at ``ROADMAP_PUBLIC_URL``.
"""

from __future__ import annotations

import html
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from roadmap import config
from roadmap.domain.errors import RoadmapError
from roadmap.services import feed, notifications
from roadmap.services.context import default_context
from roadmap.web.routes import MAX_FORM_BYTES, _page

ATOM = "http://www.w3.org/2005/Atom"


def _refused(exc: RoadmapError) -> Response:
    return _page("Unsubscribe", f'<p class="error" role="alert">{html.escape(str(exc))}</p>', 400)


async def unsubscribe_page(request: Request) -> Response:
    token = request.query_params.get("t", "")[:500]
    try:
        who = await run_in_threadpool(notifications.read_token, default_context(), token)
    except RoadmapError as exc:
        return _refused(exc)
    body = f"""<h1>Unsubscribe</h1>
<p>Email to <strong>{html.escape(who.username)}</strong> about:
<strong>{html.escape(who.kind.label)}</strong>.</p>
<form method="post" action="/notify/unsubscribe">
 <input type="hidden" name="t" value="{html.escape(token)}">
 <button type="submit" name="what" value="kind">Stop these emails</button>
 <button type="submit" name="what" value="all">Stop all email from the roadmap</button>
</form>
<p><a href="/account">Choose which emails you get</a> (after signing in).</p>"""
    return _page("Unsubscribe", body)


async def unsubscribe(request: Request) -> Response:
    if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
        return _page("Unsubscribe", "<p class='error'>The form was too large.</p>", 413)
    form = await request.form()
    # The one-click POST of RFC 8058 carries the token in the link's query string.
    token = str(form.get("t") or request.query_params.get("t", ""))[:500]
    everything = form.get("what") == "all"
    try:
        sentence = await run_in_threadpool(
            notifications.unsubscribe, default_context(), token, everything
        )
    except RoadmapError as exc:
        return _refused(exc)
    body = f"""<h1>Unsubscribed</h1><p role="status">{html.escape(sentence)}</p>
<p><a href="/account">Choose which emails you get</a> (after signing in).</p>"""
    return _page("Unsubscribed", body)


def _entry_id(base: str, key: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{base}/feed.atom#{key}')}"


def atom(entries: list[feed.FeedEntry], base: str) -> bytes:
    """The Atom 1.0 document of ``entries``, links under ``base``."""
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        node = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            node.text = text
        return node

    root = ET.Element(f"{{{ATOM}}}feed")
    sub(root, "id", _entry_id(base, "feed"))
    sub(root, "title", "Roadmap: public events")
    sub(root, "subtitle", "Items opened for comment, scope decisions and published plans.")
    newest = entries[0].updated if entries else datetime(2000, 1, 1, tzinfo=UTC)
    sub(root, "updated", newest.astimezone(UTC).isoformat())
    sub(root, "link", rel="self", href=f"{base}/feed.atom", type="application/atom+xml")
    sub(root, "link", rel="alternate", href=f"{base}/", type="text/html")
    author = sub(root, "author")
    sub(author, "name", "Roadmap")
    sub(root, "generator", "roadmap")
    for e in entries:
        node = sub(root, "entry")
        sub(node, "id", _entry_id(base, e.key))
        sub(node, "title", e.title, type="text")
        stamp = e.updated.astimezone(UTC).isoformat()
        sub(node, "updated", stamp)
        sub(node, "published", stamp)
        sub(node, "link", rel="alternate", href=f"{base}{e.link}", type="text/html")
        sub(node, "category", term=e.category)
        sub(node, "summary", e.summary or e.title, type="text")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")


async def feed_atom(request: Request) -> Response:
    entries = await run_in_threadpool(feed.public_events, default_context())
    return Response(
        atom(entries, config.public_url()),
        media_type="application/atom+xml; charset=utf-8",
        headers={"Cache-Control": "public, max-age=60"},
    )


routes = [
    Route("/notify/unsubscribe", unsubscribe_page, methods=["GET"]),
    Route("/notify/unsubscribe", unsubscribe, methods=["POST"]),
    Route("/feed.atom", feed_atom, methods=["GET"]),
]
