"""Bench data sets: the demo, and the demo scaled up about 100 times, as cached SQLite files.

The big data set is the demo's JSON files multiplied (items x70, organizations x100, staff
x50; the 14 sub-communities, 7 themes and 12 skills stay) and loaded by the demo loader
(``roadmap.services.demo.load_demo``), so it keeps the loader's invariants: every item has
the comment period, comments and decision its status implies, every organization a
representative account and a signal in the open period, dependencies stay within one copy.
Copy ``c`` of an organization signals the demo organization's items, each item taken from
copy ``(c + position) % 70``, so every in-scope item copy gets signals.

Both data sets then get the same history (what the services would have recorded): a
``create`` audit event per item and a ``status`` event per lifecycle step to its status, and
a ``signal`` event per saved signal. The "planned" variant of each also has a plan published
by ``roadmap.services.publishing.publish_plan`` with the period's envelope (funded items become
``planned``), for the plan pages.

    python bench/bigdata.py            # build (or find) the four files and print their sizes

Files live in ``$ROADMAP_BENCH_CACHE`` (default ``~/.cache/roadmap-bench``), named by a hash
of ``DATA_VERSION``, the demo data and the schema, so a rerun reuses them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from roadmap import config
from roadmap.domain.access import Actor
from roadmap.domain.enums import ItemStatus, Role
from roadmap.services import demo, periods, publishing
from roadmap.services.audit import record
from roadmap.services.context import Context
from roadmap.store.engine import make_engine, transaction
from roadmap.store.migrate import upgrade
from roadmap.store.tables import (
    AuditEventRow,
    CommentRow,
    ItemRow,
    OrganizationRow,
    PlanRow,
    SignalRow,
    StaffRow,
    UserRow,
)

ITEM_COPIES = 70  # 58 demo items -> 4,060
ORG_COPIES = 100  # 8 organizations -> 800
STAFF_COPIES = 50  # 8 staff -> 400
ROOT = Path(__file__).resolve().parents[1]
DATA_VERSION = 1  # bump when a change here changes the data sets (the cache key)

# How an item reached its status, from draft (what the services would have audited).
PATHS: dict[str, list[str]] = {
    "draft": [],
    "proposed": ["proposed"],
    "in_comment": ["proposed", "in_comment"],
    "in_scope": ["proposed", "in_comment", "in_scope"],
    "out_of_scope": ["proposed", "in_comment", "out_of_scope"],
    "deferred": ["proposed", "in_comment", "deferred"],
    "planned": ["proposed", "in_comment", "in_scope", "planned"],
    "in_progress": ["proposed", "in_comment", "in_scope", "planned", "in_progress"],
    "done": ["proposed", "in_comment", "in_scope", "planned", "in_progress", "done"],
    "withdrawn": ["proposed", "withdrawn"],
}


def _suffix(key: str, copy: int) -> str:
    return key if copy == 0 else f"{key}-x{copy}"


def scaled_demo(target: Path) -> None:
    """Write the demo's JSON files, multiplied, into ``target`` (the demo loader's format)."""
    src = config.demo_dir()

    def read(name: str) -> Any:
        return json.loads((src / name).read_text(encoding="utf-8"))

    target.mkdir(parents=True, exist_ok=True)
    for name in ("subcommunities.json", "themes.json", "skills.json"):
        shutil.copy(src / name, target / name)

    items: list[dict[str, Any]] = []
    demo_items = read("items.json")
    for copy in range(ITEM_COPIES):
        for entry in demo_items:
            title = entry["title"] if copy == 0 else f"{entry['title'][:110]} ({copy + 1})"
            items.append(
                {
                    **entry,
                    "key": _suffix(entry["key"], copy),
                    "title": title,
                    "depends_on": [_suffix(d, copy) for d in entry.get("depends_on", [])],
                }
            )

    users = read("users.json")
    orgs: list[dict[str, Any]] = []
    for copy in range(ORG_COPIES):
        for entry in read("organizations.json"):
            key = _suffix(entry["key"], copy)
            rep = entry.get("representative") if copy == 0 else None
            if rep is None:
                rep = f"rep-{key}"[:40]
                users.append(
                    {
                        "username": rep,
                        "display_name": f"Representative of {entry['name']} {copy + 1}",
                        "roles": [{"role": Role.REPRESENTATIVE.value, "scope": key}],
                    }
                )
            name = entry["name"] if copy == 0 else f"{entry['name']} {copy + 1}"
            orgs.append({**entry, "key": key, "name": name, "representative": rep})

    staff: list[dict[str, Any]] = []
    for copy in range(STAFF_COPIES):
        for entry in read("staff.json"):
            username = entry.get("username")
            if username and copy:
                username = f"{username}{copy + 1}"
                users.append(
                    {
                        "username": username,
                        "display_name": f"{entry['name']} {copy + 1}",
                        "roles": [{"role": Role.STAFF.value, "scope": None}],
                    }
                )
            paid_by = entry.get("paid_by")
            staff.append(
                {
                    **entry,
                    "key": _suffix(entry["key"], copy),
                    "name": entry["name"] if copy == 0 else f"{entry['name']} {copy + 1}",
                    "username": username,
                    "paid_by": _suffix(paid_by, copy) if paid_by else None,
                }
            )

    period = read("period.json")
    period["reserve_weeks"] = period["reserve_weeks"] * STAFF_COPIES
    for c in period["constraints"]:
        for bound in ("cap_weeks", "floor_weeks"):
            if c[bound] is not None:
                c[bound] = c[bound] * STAFF_COPIES

    signal_list: list[dict[str, Any]] = []
    for copy in range(ORG_COPIES):
        for entry in read("signals.json"):
            order: dict[str, str] = {}

            def moved(key: str, order: dict[str, str] = order, copy: int = copy) -> str:
                if key not in order:
                    order[key] = _suffix(key, (copy + len(order)) % ITEM_COPIES)
                return order[key]

            signal_list.append(
                {
                    "organization": _suffix(entry["organization"], copy),
                    "approvals": [moved(k) for k in entry.get("approvals", [])],
                    "points": {moved(k): v for k, v in entry.get("points", {}).items()},
                    "ranking": [moved(k) for k in entry.get("ranking", [])],
                    "pledges": [{**p, "item": moved(p["item"])} for p in entry.get("pledges", [])],
                }
            )

    for name, data in (
        ("items.json", items),
        ("users.json", users),
        ("organizations.json", orgs),
        ("staff.json", staff),
        ("period.json", period),
        ("signals.json", signal_list),
    ):
        (target / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def add_history(ctx: Context) -> int:
    """The audit events the services would have written for the loaded items and signals."""
    with transaction(ctx.engine) as session:
        users = {u.username: u for u in session.scalars(select(UserRow))}

        def actor(username: str) -> Actor:
            user = users[username]
            return Actor(user.id, user.username, user.display_name, frozenset())

        lead, executive = actor("lead"), actor("exec")
        count = 0
        for row in session.scalars(select(ItemRow).order_by(ItemRow.id)):
            at = row.created_at
            fields = {"title": row.title, "status": ItemStatus.DRAFT.value, "version": 1}
            record(session, lead, at, "create", "item", row.id, None, fields)
            current = ItemStatus.DRAFT.value
            for step, status in enumerate(PATHS[row.status], start=1):
                who = lead if status in ("proposed", "withdrawn") else executive
                at = at + timedelta(days=1 + step)
                after = {"status": status, "version": step + 1}
                record(session, who, at, "status", "item", row.id, {"status": current}, after)
                current = status
                count += 1
            count += 1
        reps = dict(session.execute(select(OrganizationRow.id, OrganizationRow.key)).all())
        for signal in session.scalars(select(SignalRow).order_by(SignalRow.id)):
            user = session.get(UserRow, signal.submitted_by) if signal.submitted_by else None
            who = actor(user.username) if user else Actor.system()
            after = {"approvals": signal.approvals, "points": signal.points}
            key = reps[signal.organization_id]
            record(session, who, signal.submitted_at, "signal", "organization", key, None, after)
            count += 1
        return count


def _executive(ctx: Context) -> Actor:
    from roadmap.services.sessions import actor_from_row

    with transaction(ctx.engine) as session:
        row = session.scalar(select(UserRow).where(UserRow.username == "exec"))
        assert row is not None
        return actor_from_row(row)


def _fingerprint() -> str:
    digest = hashlib.sha256()
    digest.update(str(DATA_VERSION).encode())
    for path in [ROOT / "src/roadmap/store/tables.py", *sorted(config.demo_dir().glob("*.json"))]:
        digest.update(path.read_bytes())
    migrations = ROOT / "src/roadmap/store/migrations"
    for path in sorted(migrations.rglob("*.py")):
        digest.update(path.name.encode())
    return digest.hexdigest()[:12]


def cache_dir() -> Path:
    default = Path.home() / ".cache" / "roadmap-bench"
    return Path(os.environ.get("ROADMAP_BENCH_CACHE", default))


def _build(path: Path, big: bool, planned: bool) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    ctx = Context(make_engine(f"sqlite:///{tmp}"))
    upgrade(ctx.engine)
    if big:
        with tempfile.TemporaryDirectory() as folder:
            scaled_demo(Path(folder))
            demo.load_demo(ctx, Actor.system(), Path(folder))
    else:
        demo.load_demo(ctx, Actor.system(), config.demo_dir())
    add_history(ctx)
    if planned:
        envelope = periods.get_period(ctx).settings.envelope
        publishing.publish_plan(ctx, _executive(ctx), envelope, "Bench plan")
    ctx.engine.dispose()
    for suffix in ("-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    tmp.rename(path)


def database(big: bool, planned: bool = False) -> Path:
    """The cached SQLite file of one data set, built on first use."""
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{'big' if big else 'demo'}{'-planned' if planned else ''}-{_fingerprint()}.db"
    path = folder / name
    if not path.exists():
        started = time.perf_counter()
        print(f"building {path} …", file=sys.stderr, flush=True)
        _build(path, big, planned)
        print(f"  built in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return path


def sizes(path: Path) -> dict[str, int]:
    ctx = Context(make_engine(f"sqlite:///{path}"))
    tables = {
        "items": ItemRow,
        "organizations": OrganizationRow,
        "signals": SignalRow,
        "staff": StaffRow,
        "users": UserRow,
        "comments": CommentRow,
        "audit events": AuditEventRow,
        "plans": PlanRow,
    }
    with transaction(ctx.engine) as session:
        out = {
            name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for name, table in tables.items()
        }
    ctx.engine.dispose()
    return out


def main() -> None:
    for big in (False, True):
        for planned in (False, True):
            path = database(big, planned)
            print(path.name, sizes(path))


if __name__ == "__main__":
    main()
