"""Settings read from the environment, with the defaults a fresh checkout needs."""

from __future__ import annotations

import os
import secrets
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

_REPO_ROOT = Path(__file__).resolve().parents[2]


def project_root() -> Path:
    """The checkout the package runs from (the folder holding ``app.py``), else the cwd."""
    if (_REPO_ROOT / "app.py").exists():
        return _REPO_ROOT
    return Path.cwd()


def data_dir() -> Path:
    path = Path(os.environ.get("ROADMAP_DATA_DIR", project_root() / "data"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def demo_dir() -> Path:
    return Path(os.environ.get("ROADMAP_DEMO_DIR", project_root() / "data" / "demo"))


def database_url() -> str:
    """``ROADMAP_DATABASE_URL``, else the embedded SQLite file under ``data/``."""
    url = os.environ.get("ROADMAP_DATABASE_URL", "").strip()
    return url or f"sqlite:///{data_dir() / 'roadmap.db'}"


def session_hours() -> float:
    """How long a sign-in lasts before the person must sign in again."""
    return float(os.environ.get("ROADMAP_SESSION_HOURS", "12"))


def secrets_file() -> Path:
    return Path(os.environ.get("ROADMAP_SECRETS_FILE", project_root() / ".streamlit/secrets.toml"))


def secret_key(create: bool = False) -> str:
    """The key that signs session cookies.

    Read from ``ROADMAP_SECRET_KEY``, else from ``[roadmap] secret_key`` in Streamlit's
    secrets file. With ``create`` (``roadmap init-db`` does this), a missing key is
    generated into that git-ignored file, so every replica sharing the file shares the key.
    """
    env = os.environ.get("ROADMAP_SECRET_KEY", "").strip()
    if env:
        return env
    path = secrets_file()
    if path.exists():
        with path.open("rb") as fh:
            value = tomllib.load(fh).get("roadmap", {}).get("secret_key", "")
        if value:
            return str(value)
    if not create:
        raise RuntimeError(
            "No cookie secret: set ROADMAP_SECRET_KEY or run `roadmap init-db` to generate one."
        )
    key = secrets.token_urlsafe(48)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(f'\n[roadmap]\nsecret_key = "{key}"\n')
    path.chmod(0o600)
    return key


def max_upload_bytes() -> int:
    """The largest file an import accepts (``ROADMAP_MAX_UPLOAD_MB``, default 5 MB).

    Streamlit's own ``server.maxUploadSize`` (10 MB in ``.streamlit/config.toml``) stops
    larger uploads in the browser before they reach the server.
    """
    return int(float(os.environ.get("ROADMAP_MAX_UPLOAD_MB", "5")) * 1024 * 1024)


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL, lower-cased; None for anything else."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def public_origins(port: int) -> frozenset[str]:
    """The origins people open this server at, from configuration (never from a request).

    ``ROADMAP_PUBLIC_URL`` (comma-separated) names them; unset, they are
    ``http://localhost:<port>`` and ``http://127.0.0.1:<port>``. ``ROADMAP_ALLOWED_ORIGINS``
    adds more (e.g. a load balancer's address beside the replica's own).
    """
    public = os.environ.get("ROADMAP_PUBLIC_URL", "").strip()
    urls = public.split(",") if public else [f"http://localhost:{port}", f"http://127.0.0.1:{port}"]
    urls += os.environ.get("ROADMAP_ALLOWED_ORIGINS", "").split(",")
    return frozenset(o for o in map(origin_of, urls) if o is not None)


def clock_offset_days() -> float:
    """``ROADMAP_CLOCK_OFFSET_DAYS``: run the app's clock this many days ahead (default 0).

    For a rehearsal: an executive body trying a year of governance on a copy of its data
    (objection windows, report intervals) without waiting for the days to pass, and the
    first-year browser test. Never set it on a live deployment.
    """
    raw = os.environ.get("ROADMAP_CLOCK_OFFSET_DAYS", "").strip()
    return float(raw) if raw else 0.0


def public_url() -> str:
    """The address people open the app at, for links in email and the feed: the first of
    ``ROADMAP_PUBLIC_URL``, else ``http://localhost:8501``; no trailing slash."""
    first = os.environ.get("ROADMAP_PUBLIC_URL", "").split(",")[0].strip()
    return (first or "http://localhost:8501").rstrip("/")


def smtp_url() -> str | None:
    """``ROADMAP_SMTP_URL`` (e.g. ``smtp://user:pass@host:587?starttls=1&from=a@b.org``), or
    None: email is off, and nothing is written to the outbox."""
    return os.environ.get("ROADMAP_SMTP_URL", "").strip() or None


def worker_seconds() -> float:
    """``ROADMAP_WORKER_SECONDS``: how often the server's background worker sends the
    outbox and checks the reminders that fall due (default 60; 0 turns it off, for a
    deployment that runs ``roadmap send-mail`` and ``roadmap notify-due`` from cron)."""
    raw = os.environ.get("ROADMAP_WORKER_SECONDS", "").strip()
    return float(raw) if raw else 60.0


def scenario_processes() -> int:
    """How many worker processes "Run scenarios" may use at once
    (``ROADMAP_SCENARIO_PROCESSES``; default: one per CPU, at most 3, the most scenarios a run
    holds). 1 runs every scenario in the server's own process."""
    raw = os.environ.get("ROADMAP_SCENARIO_PROCESSES", "").strip()
    if raw:
        return max(1, int(raw))
    return max(1, min(os.cpu_count() or 1, 3))


def scenario_parallel_from() -> int:
    """From how many candidate items a period's scenarios run in worker processes
    (``ROADMAP_SCENARIO_PARALLEL_FROM``, default 400): below it a worker's start and the copy
    of the inputs cost more than they save."""
    raw = os.environ.get("ROADMAP_SCENARIO_PARALLEL_FROM", "").strip()
    return max(0, int(raw)) if raw else 400
